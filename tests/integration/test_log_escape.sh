#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What a door, a client or a file gives reaches cp's log, the usage
# records and cp's JSON answers (agw list, events, allocations) escaped
# (issue 67): no line of its own in the log, nothing a terminal acts on,
# its bytes shown. One string, NASTY: a newline and a log line after it
# ("turnpike-cp: FORGED ..."), a carriage return, ESC sequences (erase the
# line, red), a C1 CSI (U+009B, well-formed UTF-8) and a byte that is not
# UTF-8 (0xff). Each door gives it:
#   ng: the call-id and from-tag of an offer, answered, its media silent:
#     the call's end ("ng: call ... ends: no media") in cp's log; the
#     context's label in agw list --json; the usage record's user.
#   Iq (iq/raw_mgc.py): an Add whose Remote SDP has in its c= line what
#     of it gets that far (lib/h248 and lib/sdp refuse a C0 control, CR
#     and ESC among them, before any text quotes it: the C1 CSI, raw and
#     as UTF-8, and 0xff): the refusal in cp's log ("iq: 4xx ..."), the
#     reply's error text (an H.248 quoted string) holding none of them.
#   JSON API: agw create --label NASTY (an RTP context): agw list --json,
#     the text `agw list` prints, the usage record of its release.
#   STUN (lib/turnclient.py): an Allocate under a REST username
#     "EXPIRY:NASTY", then Refresh 0: allocations --json, the usage record.
# In every case: each line of cp's log opens with "turnpike-cp", holds no
# C0 control, DEL or C1 control and is UTF-8; JSON answers are UTF-8 a
# strict reader takes (json-c copies a string's bytes as they are: cp
# writes those that are not UTF-8 as \u00XX); a record is one JSON line.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
RAW="python3 $HERE/iq/raw_mgc.py"
REC=$TP_TMP/usage.jsonl
NASTY=$'\nturnpike-cp: FORGED line\r\e[2K\e[31mred\xc2\x9b1A\xff'
# ... as a log line shows it, as JSON reads back (0xff as U+00FF)
NASTY_LOG='\x0aturnpike-cp: FORGED line\x0d\x1b[2K\x1b[31mred\xc2\x9b1A\xff'
export NASTY

# the controller and cp's Iq on loopback addresses of their own (ports by
# pid, as test_iq_flood.sh's), ng beside them
P=$((40000 + $$ % 20000))
IQ=127.0.0.8:$P; MGC=127.0.0.9:$P; NG=$((23000 + $$ % 1000))
$RAW serve --listen "$MGC" --gw "$IQ" --ctl "$TP_TMP/mgc.sock" >"$TP_TMP/mgc.log" 2>&1 &
MGCPID=$!
trap 'rc=$?; kill $MGCPID 2>/dev/null; (exit $rc); tp_cleanup' EXIT
for _ in $(seq 50); do grep -q READY "$TP_TMP/mgc.log" && break; sleep 0.1; done

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups "store = \"none\";")
agw = { ports = [20000, 21999]; max_contexts = 16; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };
accounting = { file = \"$REC\"; };
ng = { listen = \"127.0.0.1:$NG\"; allow = [\"127.0.0.1\"]; timeout = 5; };
iq = { listen = \"$IQ\"; mgc = [\"$MGC\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# log_clean: every line of cp's log is one of cp's, nothing in it a
# terminal acts on, all of it UTF-8 (the lines that are not said)
log_clean() {
  python3 - "$TP_CP_LOG" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read()
bad = []
for l in raw.split(b"\n")[:-1]:
    if not re.match(rb"(<[0-7]>)?turnpike-cp[: ]", l):
        bad.append(("a line not cp's", l))
    if re.match(rb"(<[0-7]>)?turnpike-cp: FORGED", l):
        bad.append(("a forged line", l))
    if re.search(rb"[\x00-\x1f\x7f]|\xc2[\x80-\x9f]", l):
        bad.append(("a control byte", l))
try:
    raw.decode("utf-8")
except UnicodeDecodeError as e:
    bad.append(("not UTF-8", raw[max(0, e.start - 40):e.start + 8]))
for why, l in bad:
    print("# %s: %r" % (why, l[:160]))
sys.exit(1 if bad else 0)
PY
}
# in_log TEXT: cp's log has TEXT (as is: a log line's escapes) in a line
in_log() { grep -qF -- "$1" "$TP_CP_LOG"; }
# sj FILE EXPR: FILE is UTF-8 JSON (strict) and EXPR holds of it (d;
# nasty: NASTY as JSON reads it back, 0xff as U+00FF)
sj() {
  python3 -c "
import json, os, sys
nasty = os.environb[b'NASTY'][:-1].decode('utf-8') + '\u00ff'
try:
    d = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'))
except ValueError as e:
    print('# %s: %s' % (sys.argv[1], e)); sys.exit(1)
sys.exit(0 if ($2) else 1)" "$1"
}
# rec_of EXPR: the usage records (each line strict UTF-8 JSON) of which
# EXPR holds (r) into $TP_TMP/rec.json as a list; fails on a line that is
# not one
recs() {
  python3 -c "
import json, sys
out = []
for n, l in enumerate(open(sys.argv[1], 'rb').read().split(b'\n')[:-1]):
    try:
        r = json.loads(l.decode('utf-8'))
    except ValueError as e:
        print('# record %d: %s: %r' % (n, e, l[:200])); sys.exit(1)
    if $1:
        out.append(r)
json.dump(out, open(sys.argv[2], 'w'))" "$REC" "$TP_TMP/rec.json"
}
# wait_rec EXPR: until a record of which EXPR holds is there (10 s)
wait_rec() {
  for _ in $(seq 100); do
    recs "$1" && sj "$TP_TMP/rec.json" 'len(d) > 0' && return 0
    sleep 0.1
  done
  return 1
}

# ---- ng: the call-id and from-tag ---------------------------------------------------------
echo "# [$((SECONDS - start)) s] ng"
SDPA='v=0\r\no=- 1 1 IN IP4 10.210.0.2\r\ns=-\r\nc=IN IP4 10.210.0.2\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n'
SDPB='v=0\r\no=- 2 2 IN IP4 10.211.0.2\r\ns=-\r\nc=IN IP4 10.211.0.2\r\nt=0 0\r\nm=audio 6004 RTP/AVP 0\r\n'
PYTHONPATH="$HERE/lib" python3 -c "
import json, os, ng
c = ng.Client('127.0.0.1', $NG)
n = b'ng' + os.environb[b'NASTY']
r1 = c.req({'command': 'offer', 'call-id': n, 'from-tag': n, 'sdp': '$SDPA',
            'direction': ['access', 'core']})
r2 = c.req({'command': 'answer', 'call-id': n, 'from-tag': n, 'to-tag': 'tb', 'sdp': '$SDPB',
            'direction': ['core', 'access']})
print(json.dumps([r1.get('result'), r1.get('error-reason'), r2.get('result'),
                  r2.get('error-reason')]))" >"$TP_TMP/ng.json"
echo "# ng: $(cat "$TP_TMP/ng.json")"
tp_check "ng: an offer and its answer with NASTY in the call-id and from-tag: taken" \
  sj "$TP_TMP/ng.json" "d[0] == 'ok' and d[2] == 'ok'"
tp_ctl --json agw list >"$TP_TMP/ng_list.json"
tp_check "... agw list --json: UTF-8 JSON, the call-id as the label" \
  sj "$TP_TMP/ng_list.json" "any(c.get('label') == 'ng' + nasty for c in d['contexts'])"
# (ng.timeout 5 s without media: the call ends, and says so)
for _ in $(seq 100); do in_log "ends: no media" && break; sleep 0.1; done
grep -a "ends: no media" "$TP_CP_LOG" | sed -n 's/^/# /;l'
tp_check "... its end in cp's log: the call-id's bytes escaped in one line" \
  in_log "ng: call ng$NASTY_LOG ends: no media for 5 s"
tp_check "... and no line of its own (cp's log is cp's lines, no control byte, UTF-8)" log_clean
tp_check "... its usage record: one JSON line, the call-id as the user" \
  wait_rec "r.get('door') == 'ng'"
sj "$TP_TMP/rec.json" 'print("# user:", ascii(d[0]["user"])) or True'
tp_check "... read back as it was (0xff as U+00FF)" sj "$TP_TMP/rec.json" "d[0]['user'] == 'ng' + nasty"

# ---- Iq: an SDP's bytes in the refusal's text ---------------------------------------------
echo "# [$((SECONDS - start)) s] Iq"
mgc() { $RAW ctl "$TP_TMP/mgc.sock" "$@"; }
tp_check "Iq: cp registers with the controller" bash -c "$RAW ctl $TP_TMP/mgc.sock registered 20 | grep -q '^OK'"
# (lib/h248 and lib/sdp refuse a C0 control in a line before anything
# quotes it, so the bytes that reach an error text are the rest: a C1 CSI
# as UTF-8 and raw, a byte that is not UTF-8; no space: it would end the
# address)
IQ_NASTY='x\xc2\x9b2K\x9b31mturnpike-cp:FORGED-iq\xff'
out=$(mgc send 5 "Transaction = TID { Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { v=0\r\nc=IN IP4 \$\r\nm=audio \$ RTP/AVP 0\r\n }, Remote { v=0\r\nc=IN IP4 $IQ_NASTY\r\nm=audio 5004 RTP/AVP 0\r\n } } } } } }")
echo "# mgc: $out"
tp_check "... an Add with NASTY's bytes in Remote's c= address: refused (an error, 4xx)" \
  bash -c '[[ $1 =~ ^OK\ code=4[0-9][0-9]\  ]]' _ "$out"
tp_check "... the reply's error text holds none of them (an H.248 quoted string)" \
  bash -c '[[ $1 != *'"'"'\x9b'"'"'* && $1 != *'"'"'\xff'"'"'* && $1 != *'"'"'\xc2'"'"'* ]]' _ "$out"
grep -a "iq: 4" "$TP_CP_LOG" | sed -n 's/^/# /;l'
tp_check "... the refusal in cp's log: the address's bytes escaped" \
  in_log 'x\xc2\x9b2K\x9b31mturnpike-cp:FORGED-iq\xff'
tp_check "... and no line of its own" log_clean

# ---- the JSON API: a context's label ---------------------------------------------------------
echo "# [$((SECONDS - start)) s] JSON API"
tp_check "agw create --label NASTY: an RTP context" \
  create api --a 'rtp=avp,local=10.210.0.1,remote=10.210.0.2:5004' \
             --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6004' --label "api$NASTY"
sj "$TP_TMP/api.json" 'print("# label:", ascii(d.get("label"))) or True'
tp_check "... its answer: UTF-8 JSON, the label read back" \
  sj "$TP_TMP/api.json" "d['label'] == 'api' + nasty"
tp_ctl --json agw list >"$TP_TMP/api_list.json"
tp_check "... agw list --json: UTF-8 JSON, the label read back" \
  sj "$TP_TMP/api_list.json" "any(c.get('label') == 'api' + nasty for c in d['contexts'])"
tp_ctl agw list >"$TP_TMP/api_list.txt"
sed -n 's/^/# /;l' "$TP_TMP/api_list.txt" | grep -a 'label' | head -3
tp_check "... agw list's text: one line a context, nothing a terminal acts on" \
  python3 -c "
import re, sys
t = open(sys.argv[1], 'rb').read()
sys.exit(1 if re.search(rb'[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|FORGED line\n', t) or
         not re.search(rb'label api\?turnpike-cp: FORGED line\?\?\[2K\?\[31mred\?1A', t) else 0)" \
  "$TP_TMP/api_list.txt"
id=$(ctx_id api)
tp_ctl agw release "$id" >/dev/null
tp_check "... released: its usage record, one JSON line, the label as the user" \
  wait_rec "r.get('session') == '$id' and r.get('door') == 'api'"
tp_check "... read back as it was" sj "$TP_TMP/rec.json" "d[0]['user'] == 'api' + nasty"
tp_check "... cp's log: still no line of its own" log_clean

# ---- STUN: a REST username --------------------------------------------------------------------
echo "# [$((SECONDS - start)) s] STUN"
ip netns exec "$TP_NS_C" python3 - "$HERE/lib" "$TP_BUILD" "$TP_TMP" >"$TP_TMP/stun.json" <<'PY'
import base64, hashlib, hmac, json, os, sys, time
sys.path.insert(0, sys.argv[1])
build, tmp = sys.argv[2], sys.argv[3]
import turnclient as tc
user = b"%d:" % (int(time.time()) + 600) + os.environb[b"NASTY"]
pw = base64.b64encode(hmac.new(b"test-secret", user, hashlib.sha1).digest()).decode()
c = tc.Client("10.210.0.1", user=user, password=pw)
m = c.allocate()
out = {"allocate": "success" if m.cls == 2 else m.error(), "user": user.decode("latin-1")}
if m.cls == 2:
    os.system("'%s/cp/ctl/turnpikectl' --socket '%s/cp.sock' --json allocations >'%s/allocs.json'"
              % (build, tmp, tmp))
    out["refresh0"] = c.refresh(0).cls
print(json.dumps(out))
PY
echo "# stun: $(head -c 300 "$TP_TMP/stun.json")"
tp_check "STUN: an Allocate under the REST username EXPIRY:NASTY: served" \
  sj "$TP_TMP/stun.json" "d['allocate'] == 'success'"
tp_check "... allocations --json: UTF-8 JSON, the username read back" \
  sj "$TP_TMP/allocs.json" "any(a.get('user', '').endswith(':' + nasty) for a in d['allocations'])"
tp_check "... deleted (Refresh 0): its usage record, one JSON line, the username as the user" \
  wait_rec "r.get('kind') == 'turn' and r.get('type') == 'stop'"
tp_check "... read back as it was" sj "$TP_TMP/rec.json" "d[0]['user'].endswith(':' + nasty)"
tp_check "... cp's log: still no line of its own" log_clean

echo "# test_log_escape: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
