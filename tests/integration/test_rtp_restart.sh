#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two calls through the access gateway (the JSON door), SRTP-SRTP and
# SRTP-RTP, while dp, then cp, then dp again restart under them; real
# turnpike-dp and turnpike-cp, the calls' ends on Debian's libsrtp2
# (lib/srtp_call.py, not dp's SRTP):
#   - SRTP-SRTP: both terminations RTP/SAVP, the UE's, the core's and our
#     two keys all different (ours made by cp); SRTP-RTP beside it: every
#     packet byte-exact after libsrtp2 unprotected it, both ways; RTCP
#     compounds (SR + SDES; SRTCP on SAVP) both ways, the first UE's with
#     rtcp-mux, the others on the RTCP port of a pair; the UEs behind a
#     NAT (latched);
#   - dp restarted mid-call: cp installs both contexts again with their
#     keys and SRTP positions (kept fresh by cp: nothing here asks); the
#     streams go on with the next sequence numbers, decrypted on both sides
#     (SRTP and SRTCP: nothing refused as a replay), the latched UEs get
#     media again, and a packet of the UE's from before the restart sent
#     again after it is refused by dp, not relayed; what dp protects goes
#     on at once, shifted past the position cp gave plus the bound
#     (IPC_SRTP_POS_LAG: the dp before may have used those indices, RFC
#     3711 section 9.1): each SRTP end hears the other within 2 s of cp
#     seeing the restart (not after up to 512 packets' silence), the
#     sequence numbers it gets jump forward (a shift seen, of at most 512
#     and more than 0), dp counts the shifted starts
#     (rtp_srtp_restart_gap), and a packet the plain core sent before the
#     restart, sent again once its stream went on, is not protected again
#     (below the floor), the UE sees no replay and no packet twice;
#   - cp killed (SIGKILL) mid-call and started again: not one packet lost
#     either way, both contexts listed again (dp's RTP_STATE) with their
#     counters; dp restarted again under that cp: the calls go on;
#   - release; tshark decodes the RTP leg (RTP, the RTCP dp decrypted) and
#     the SRTP legs' RTP with no malformed packet;
#   - the SRTP keys rule at the JSON door: our key equal to the remote's, a
#     leg added again after its subtraction with the other leg's key, or
#     with our key the remote key it had: refused with the JSON door's
#     error object (the keys named), counted; with the remote key it had
#     (the remote's keystream, not ours): added.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
CALL="python3 $HERE/lib/srtp_call.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
SUITE=AES_CM_128_HMAC_SHA1_80
# jt FILE EXPR: true when EXPR holds of FILE's JSON (d)
jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
# st WHO EXPR: EXPR over WHO's (ue, core) status now
st() { j "$TP_TMP/$1.st" "$2"; }
# wait_for SECS CMD...: until CMD holds, up to SECS
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; "$@"; }
caps=()
cleanup_caps() { for p in "${caps[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; caps=(); }
# (the call's ends stop once told, or once TP_TMP is gone)
trap 'r=$?; touch "$TP_TMP/stop" 2>/dev/null; cleanup_caps; (exit $r); tp_cleanup' EXIT

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"

# captures of both legs, kept across dp's restart (the new taps come into
# the same namespaces: "any" takes them too)
for ns in "$TP_NS_C" "$TP_NS_P"; do
  ip netns exec "$ns" dumpcap -q -i any -f "udp portrange 5000-6999" -w "$TP_TMP/$ns.pcapng" \
    2>"$TP_TMP/$ns.cap.log" &
  caps+=($!)
  tp_need tp_wait_log "$TP_TMP/$ns.cap.log" 'Capturing on' "$!" "dumpcap in $ns" 20
done

key() { python3 -c 'import base64,os; print(base64.b64encode(os.urandom(30)).decode())'; }
KU=$(key) KC=$(key) KU2=$(key)
tp_check "an SRTP-SRTP context (our keys made by cp)" \
  create call --a "rtp=savp,local=10.210.0.1,remote=10.210.0.2:5004,rtcp_mux=true,crypto=$SUITE:$KU,our_crypto=$SUITE" \
              --b "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6004,crypto=$SUITE:$KC,our_crypto=$SUITE" --label srtp-srtp
tp_check "an SRTP-RTP context" \
  create call2 --a "rtp=savp,local=10.210.0.1,remote=10.210.0.2:5204,crypto=$SUITE:$KU2,our_crypto=$SUITE" \
               --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6204" --label srtp-rtp
id=$(ctx_id call); id2=$(ctx_id call2)
port() { j "$TP_TMP/$1.json" "d['legs'][$2]['local'].rsplit(':',1)[1]"; }
pa=$(port call 0); pb=$(port call 1); pa2=$(port call2 0); pb2=$(port call2 1)
rb=$(j "$TP_TMP/call.json" 'd["legs"][1]["rtcp_port"]')
ra2=$(j "$TP_TMP/call2.json" 'd["legs"][0]["rtcp_port"]'); rb2=$(j "$TP_TMP/call2.json" 'd["legs"][1]["rtcp_port"]')
KA=$(j "$TP_TMP/call.json" 'd["legs"][0]["our_crypto"]["key"]')
KB=$(j "$TP_TMP/call.json" 'd["legs"][1]["our_crypto"]["key"]')
KA2=$(j "$TP_TMP/call2.json" 'd["legs"][0]["our_crypto"]["key"]')
echo "# SRTP-SRTP $id: the UE's termination $pa (rtcp-mux), the core's $pb (RTCP $rb)"
echo "# SRTP-RTP $id2: the UE's termination $pa2 (RTCP $ra2), the core's $pb2 (RTCP $rb2)"
tp_check "four different keys in the SRTP-SRTP call: the UE's, the core's, ours to each" \
  python3 -c 'import sys, base64; k = sys.argv[1:]; sys.exit(0 if len(set(k)) == 4 and all(len(base64.b64decode(x)) == 30 for x in k) else 1)' \
  "$KU" "$KC" "$KA" "$KB"
tp_check "the RTCP ports are the next ones" test "$rb" = $((pb + 1)) -a "$ra2" = $((pa2 + 1)) -a "$rb2" = $((pb2 + 1))

# The SRTP keys rule at the JSON door (cp/agw's, RFC 3711 §9.1: one key for
# two streams is one keystream twice): our key to a termination its remote's,
# a leg added again after its subtraction with the other leg's key, or with
# our key the remote key it had: refused, the JSON door's error object saying
# which keys (never their octets), nothing made; with the remote key it had
# (the remote's keystream, which we only decrypt: a fork's branch answering
# again, an Iq Subtract and Add back to a key): added.
# refused NAME SENTENCE AGW-ARGS...: the agw command fails, its error is SENTENCE
refused() {
  local name=$1 want=$2; shift 2
  tp_ctl --json agw "$@" >"$TP_TMP/$name.json" 2>/dev/null && { echo "# $name: taken"; return 1; }
  [ "$(j "$TP_TMP/$name.json" 'd["ok"] is False and d["error"]')" = "$want" ] ||
    { echo "# $name: $(cat "$TP_TMP/$name.json")"; return 1; }
}
KX=$(key) KY=$(key) KZ=$(key)
n_ctx() { tp_ctl --json agw list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["contexts"]))'; }
n0=$(n_ctx)
tp_check "our key to a termination its remote's key: refused (the JSON door's error)" \
  refused same "our key to termination 0 is termination 0's remote key: one key for two streams (RFC 3711 section 9.1)" \
  create --a "rtp=savp,local=10.210.0.1,remote=10.210.0.2:5404,crypto=$SUITE:$KX,our_crypto=$SUITE:$KX" \
         --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6404"
tp_check "... nothing made ($n0 contexts)" test "$(n_ctx)" = "$n0"
tp_check "a context of keys of its own" \
  create keys --a "rtp=savp,local=10.210.0.1,remote=10.210.0.2:5404,crypto=$SUITE:$KX,our_crypto=$SUITE" \
              --b "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6404,crypto=$SUITE:$KY,our_crypto=$SUITE"
kid=$(ctx_id keys)
tp_check "... its leg b subtracted" tp_ctl agw subtract-leg "$kid" --leg b
tp_check "... added again with leg a's key: refused" \
  refused other "termination 1's remote key is termination 0's remote key: one key for two streams (RFC 3711 section 9.1)" \
  add-leg "$kid" --leg b --term "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6404,crypto=$SUITE:$KX,our_crypto=$SUITE"
tp_check "... with our key the remote key it had: refused" \
  refused ours "our key to termination 1 was used before in context $kid as termination 1's remote key: one key for two streams (RFC 3711 section 9.1)" \
  add-leg "$kid" --leg b --term "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6404,crypto=$SUITE:$KZ,our_crypto=$SUITE:$KY"
quiet() { "$@" >/dev/null; }
tp_check "... with the remote key it had: added" \
  quiet tp_ctl agw add-leg "$kid" --leg b --term "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6404,crypto=$SUITE:$KY,our_crypto=$SUITE"
tp_check "... the refusals counted (status agw.rtp.keys_refused 3)" \
  test "$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["agw"]["rtp"]["keys_refused"])')" = 3
tp_check "... released" tp_ctl agw release "$kid"

# The UEs speak first, from another port than signalled (a NAT), and
# latch; the core's ends start once they did, so that no packet is sent
# to a port nobody has.
$C $CALL 10.210.0.2 5104 10.210.0.1 "$pa" --mux --tag 1 --peer-tag 2 --tx-key "$KU" --rx-key "$KA" \
  --status "$TP_TMP/ue.st" --stop "$TP_TMP/stop" --replay "$TP_TMP/replay" --pause "$TP_TMP/pause" &
pids=($!)
$C $CALL 10.210.0.2 5304 10.210.0.1 "$pa2" --tag 3 --peer-tag 4 --tx-key "$KU2" --rx-key "$KA2" \
  --status "$TP_TMP/ue2.st" --stop "$TP_TMP/stop" &
pids+=($!)
latched() { tp_ctl --json agw show "$1" 2>/dev/null | grep -q "\"latched_rtp\": *\"$2\""; }
both_latched() { latched "$id" 10.210.0.2:5104 && latched "$id2" 10.210.0.2:5304; }
tp_check "the UEs' streams latched (10.210.0.2:5104, 10.210.0.2:5304)" wait_for 10 both_latched
$P $CALL 10.211.0.2 6004 10.211.0.1 "$pb" --tag 2 --peer-tag 1 --tx-key "$KC" --rx-key "$KB" \
  --status "$TP_TMP/core.st" --stop "$TP_TMP/stop" &
pids+=($!)
$P $CALL 10.211.0.2 6204 10.211.0.1 "$pb2" --tag 4 --peer-tag 3 \
  --status "$TP_TMP/core2.st" --stop "$TP_TMP/stop" --replay "$TP_TMP/replay2" \
  --pause "$TP_TMP/pause2" &
pids+=($!)
ENDS="ue core ue2 core2"
other() { case $1 in ue) echo core ;; core) echo ue ;; ue2) echo core2 ;; core2) echo ue2 ;; esac; }
flowing() {
  local w
  for w in $ENDS; do
    [ -f "$TP_TMP/$w.st" ] && [ "$(st $w 'd["recv"] >= '"$1"' and d["rtcp_recv"] > 1')" = True ] || return 1
  done
}
tp_check "RTP and RTCP both ways in both calls (SRTP, SRTCP where SAVP)" wait_for 15 flowing 60
clean() {  # nothing libsrtp2 refused, nothing changed or twice
  local w
  for w in $ENDS; do
    tp_check "$w: every packet byte-exact, nothing refused (auth, replay; SRTP and SRTCP) $1" \
      test "$(st $w 'd["auth_fail"] == 0 and d["replay_fail"] == 0 and d["rtcp_bad"] == 0 and d["bad"] == 0 and d["dup"] == 0')" = True
  done
}
clean "before the restarts"
for w in $ENDS; do echo "# $w: $(cat "$TP_TMP/$w.st")"; done

# ---- dp restarted mid-call: cp installs both contexts again
# restart_dp: dp stopped and started; both calls go on (each end gets the
# other's packets sent after the restart, SRTCP/RTCP too)
restarted() { [ "$(grep -c 'dp restarted' "$TP_CP_LOG")" -gt "$1" ]; }
restart_dp() {
  local w n0
  declare -A sent0 rtcp0
  for w in $ENDS; do rtcp0[$w]=$(st $w 'd["rtcp_recv"]'); done
  tp_check "dp stops ($1)" tp_dp_stop
  n0=$(grep -c 'dp restarted' "$TP_CP_LOG")
  tp_dp_start "$TP_TMP/dp.conf"
  tp_check "cp saw dp's restart" wait_for 10 restarted "$n0"
  # each SRTP end whose other sends (not paused) hears it again at once:
  # what dp protects goes on shifted, not refused up to the bound
  for w in ue core ue2; do
    [ -e "$TP_TMP/$(pause_of "$(other $w)")" ] && continue
    heard() { [ "$(st "$1" 'd["last"] is not None and d["last"] > '"$2")" = True ]; }
    tp_check "$w hears the other again within 2 s of cp seeing dp's restart" \
      wait_for 2 heard $w "$(st "$(other $w)" 'd["sent"]')"
  done
  [ -z "${2:-}" ] || $2
  for w in $ENDS; do sent0[$w]=$(st $w 'd["sent"]'); done
  again() { [ "$(st "$1" 'd["last"] is not None and d["last"] > '"$2"' + 25 and d["rtcp_recv"] > '"$3"' + 1')" = True ]; }
  for w in $ENDS; do
    tp_check "$w gets media again after dp's restart (the other's next packets, RTCP too)" \
      wait_for 5 again $w "${sent0[$(other $w)]}" "${rtcp0[$w]}"
  done
  # the SRTP ends' sequence numbers jumped: a shift past the position and
  # the bound, none back (0 before the restarts, each restart $3 one more,
  # at most 512 more)
  for w in ue core ue2; do
    tp_check "$w: the sequence numbers dp protects jumped forward ($(st $w 'd["shifts"]'))" \
      test "$(st $w 'len(d["shifts"]) == '"$3"' + 1 and all(0 <= s <= '"$3"' * 512 for s in d["shifts"]) and max(d["shifts"]) > 0')" = True
  done
  for w in $ENDS; do echo "# $w: longest time without media $(st $w 'd["gap_max"]') s"; done
  clean "after dp's restart ($1)"
}
# pause_of WHO: the file that holds WHO's stream (ue's, core2's; none else)
pause_of() { case $1 in ue) echo pause ;; core2) echo pause2 ;; *) echo never-paused ;; esac; }
# shifted: dp's count of SRTP streams it started shifted (all workers)
shifted() { tp_ctl --json status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(w["dp"]["tcp"].get("rtp_srtp_restart_gap", 0) for w in d["workers"]))'; }
# The UE holds its stream over the first restart (its sequence stands),
# so that a packet of it from before is within the new dp's window: only
# the SRTP position cp gave the new dp tells dp the packet was taken. The
# plain core of call2 holds its stream too, so that a packet of it from
# before is past that position: once the core goes on after the restart
# (its stream shifted to the floor), that packet sent again falls below
# the floor, and only the floor keeps dp from protecting it again. cp
# gives what it heard last: it asks on its own before a stream can have
# moved 1,024 packets (here, within 10 s of the call's start, then about
# every 20 s); the operator's agw show after the UE paused makes it fresh.
touch "$TP_TMP/pause" "$TP_TMP/pause2"
sleep 2.5
replay_k=$(( $(st ue 'd["sent"]') - 5 ))
# the plain core's packet the old dp protected towards the UE (the UE got
# it): cp's position of that stream is older than it (nothing asked here;
# dp told it at most 256 packets before)
replay_k2=$(( $(st core2 'd["sent"]') - 5 ))
tp_ctl --json agw show "$id" >/dev/null
# replay: once the new dp has the contexts (the UE's next packet would
# latch its stream again), a pre-restart packet of the UE's, sent again
# from the UE's own source; then the UE goes on
# (installed: the UE hears the core again)
installed() { [ "$(st ue 'd["last"] > '"$1")" = True ]; }
installed2() { [ "$(st core2 'd["last"] > '"$1")" = True ]; }
replay() {
  # the plain core's replay, once the new dp has call2 (the core hears
  # the UE again) and the core went on (the UE hears it at once, its
  # stream shifted): not protected again, nothing more at the UE
  wait_for 10 installed2 "$(st ue2 'd["sent"]')"
  local k2=$(st core2 'd["sent"]')
  rm -f "$TP_TMP/pause2"
  heard2() { [ "$(st ue2 'd["last"] is not None and d["last"] > '"$1")" = True ]; }
  tp_check "the plain core goes on: the UE hears it within 2 s (not silent up to the bound)" \
    wait_for 2 heard2 "$((k2 + 5))"
  tp_ctl --json agw show "$id2" >"$TP_TMP/show5.json"
  g0=$(j "$TP_TMP/show5.json" 'd["legs"][0]["stats"]["srtp_fail"]')
  echo "$replay_k2" >"$TP_TMP/replay2"
  sleep 1
  tp_ctl --json agw show "$id2" >"$TP_TMP/show6.json"
  tp_check "a pre-restart packet of the plain core's ($replay_k2) sent again after its stream went on: refused by dp (below the floor)" \
    test "$(st core2 "$replay_k2"' in d["replayed"]')" = True -a \
         "$(j "$TP_TMP/show6.json" 'd["legs"][0]["stats"]["srtp_fail"] == '"$g0"' + 1')" = True
  tp_check "... the UE saw no replay, no packet twice (no index used twice under our key)" \
    test "$(st ue2 'd["replay_fail"] == 0 and d["dup"] == 0')" = True
  wait_for 5 installed "$(st core 'd["sent"]')"
  tp_ctl --json agw show "$id" >"$TP_TMP/show3.json"
  f0=$(j "$TP_TMP/show3.json" 'd["legs"][0]["stats"]["srtp_fail"]')
  c0=$(st core 'd["recv"]')
  echo "$replay_k" >"$TP_TMP/replay"
  sleep 1
  tp_ctl --json agw show "$id" >"$TP_TMP/show4.json"
  tp_check "a pre-restart UE packet ($replay_k) replayed after the restart: refused by dp" \
    jt "$TP_TMP/show4.json" "d['legs'][0]['stats']['srtp_fail'] == $f0 + 1 and d['legs'][1]['stats']['srtp_fail'] == 0"
  tp_check "... and not relayed (the core saw no packet more, no replay)" \
    test "$(st core 'd["replay_fail"] == 0 and d["dup"] == 0 and d["recv"] == '"$c0")" = True
  rm -f "$TP_TMP/pause"
}
restart_dp "the first time" replay 1
tp_check "dp started the three streams it protects shifted (rtp_srtp_restart_gap 3)" \
  test "$(shifted)" = 3
# ---- cp killed mid-call and started again: no packet lost
declare -A nr
for w in $ENDS; do nr[$w]=$(st $w 'len(d["ranges"])'); done
ue_k0=$(st ue 'd["sent"]')
# (the UE's termination's SRTP failures: the UE's replay; what each
# termination was sent is short of those)
tp_ctl --json agw show "$id" >"$TP_TMP/show0.json"
fa=$(j "$TP_TMP/show0.json" 'd["legs"][0]["stats"]["srtp_fail"]')
kill -KILL "$TP_CP_PID"; wait "$TP_CP_PID" 2>/dev/null; TP_CP_PID=
sleep 2
tp_check "media went on while cp was down" \
  test "$(st core 'd["last"]')" -gt "$((ue_k0 + 50))"
rm -f "$TP_TMP/cp.sock"
tp_cp_start "$TP_TMP/dp.conf"
tp_ctl --json agw list >"$TP_TMP/list.json"
tp_check "the new cp has both contexts back from dp (agw list)" \
  jt "$TP_TMP/list.json" "sorted(c['id'] for c in d['contexts']) == sorted([$id, $id2])"
tp_ctl --json agw show "$id" >"$TP_TMP/show1.json"
tp_check "... with their counters (over dp's restart too), the latch, no SRTP failure but the replay ($fa)" \
  jt "$TP_TMP/show1.json" "all(l['stats']['rtp_in'] > $ue_k0 / 2 and l['stats']['rtp_out'] + l['stats']['srtp_fail'] > $ue_k0 / 2 and l['stats']['rtcp_in'] > 5 for l in d['legs']) and d['legs'][0]['stats']['srtp_fail'] == $fa and $fa >= 1 and d['legs'][0]['stats']['latched_rtp'] == '10.210.0.2:5104'"
sleep 1
for w in $ENDS; do
  tp_check "$w: not one packet lost over cp's restart ($(st $w 'd["ranges"]'))" \
    test "$(st $w 'len(d["ranges"])')" = "${nr[$w]}"
done
clean "after cp's restart"

# ---- dp restarted again: the contexts the new cp took from dp go on too
restart_dp "under the cp that took the contexts back" "" 2

# ---- the end
touch "$TP_TMP/stop"
wait "${pids[@]}"
for w in $ENDS; do echo "# $w: $(cat "$TP_TMP/$w.st")"; done
# each end got the other's packets to the last one sent, less those sent
# while dp was down (two gaps, no other loss)
for w in $ENDS; do
  tp_check "$w: the other's packets to the last, one gap a dp restart only" \
    test "$(python3 -c '
import json, sys
me, other = (json.load(open(f)) for f in sys.argv[1:3])
r = me["ranges"]
print(me["done"] and other["done"] and len(r) <= 3 and r[-1][1] == other["sent"] - 1 and me["bad"] == 0)' \
      "$TP_TMP/$w.st" "$TP_TMP/$(other $w).st")" = True
done
tp_check "release both" tp_ctl agw release "$id"
tp_ctl agw release "$id2" >/dev/null
sleep 0.5
tp_check "released: gone from cp" bash -c "! '$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' agw show $id >/dev/null 2>&1"
tp_check "status: no RTP context left" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["agw"]["rtp"]["contexts"] == 0 else 1)' "$(tp_ctl --json status)"

# tshark: the plain leg (the SRTP-RTP call's core side) whole, RTP and the
# RTCP compounds dp decrypted from the UE's SRTCP; the SRTP legs' RTP (its
# header is clear). SRTCP is left out: without the SDP's keys tshark reads
# its encrypted part as RTCP and finds it malformed.
cleanup_caps
tsh() {  # FILE FILTER DECODES...: frames of FILTER that tshark shows
  local f=$1 y=$2; shift 2
  tshark -r "$f" "$@" -Y "$y" 2>/dev/null | wc -l
}
fp=$TP_TMP/$TP_NS_P.pcapng fc=$TP_TMP/$TP_NS_C.pcapng
dp2=(-d "udp.port==$pb2,rtp" -d "udp.port==$rb2,rtcp")
nrtp=$(tsh "$fp" "udp.port==$pb2 && rtp" "${dp2[@]}")
nrtcp=$(tsh "$fp" "udp.port==$rb2 && rtcp" "${dp2[@]}")
nbad=$(tsh "$fp" "(udp.port==$pb2 || udp.port==$rb2) && (_ws.malformed || _ws.expert.severity == error)" "${dp2[@]}")
tp_check "tshark, the RTP leg: $nrtp RTP, $nrtcp RTCP, $nbad malformed" \
  test "$nrtp" -gt 300 -a "$nrtcp" -gt 10 -a "$nbad" = 0
ds=(-d "udp.port==$pb,rtp" -d "udp.port==$pa2,rtp")
ns=$(( $(tsh "$fp" "udp.port==$pb && rtp" "${ds[@]}") + $(tsh "$fc" "udp.port==$pa2 && rtp" "${ds[@]}") ))
nbad=$(( $(tsh "$fp" "udp.port==$pb && (_ws.malformed || _ws.expert.severity == error)" "${ds[@]}") +
         $(tsh "$fc" "udp.port==$pa2 && (_ws.malformed || _ws.expert.severity == error)" "${ds[@]}") ))
tp_check "tshark, the SRTP legs' RTP: $ns packets, $nbad malformed" \
  test "$ns" -gt 600 -a "$nbad" = 0

echo "# test_rtp_restart: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
