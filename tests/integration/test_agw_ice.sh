#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ICE-lite with consent freshness on an RTP termination (issue 68; dp/rtp
# FEATURE.md "ICE"), through the JSON door (turnpikectl agw create with
# ice=lite), real turnpike-dp and turnpike-cp, and a client no one here
# wrote: Debian's python3-aioice 0.8 as a full, controlling agent in the
# clients' namespace (lib/ice_client.py), against the termination's host
# address with our ufrag and pwd from the create's answer:
#   - its checks answered by dp, its nomination (regular: the gateway is
#     lite) where media go; its RTP over the nominated pair reaches the
#     core's side byte-exact, the core's reaches it;
#   - meanwhile a stranger's 1,000 checks under a wrong ufrag and 1,000
#     under our ufrag and a wrong password: refused (401s within the
#     termination's error budget, the rest unanswered), counted by reason,
#     the HMACs bounded by the termination's budget, the call's media
#     all delivered;
#   - a check by hand with a wrong ufrag, and with a wrong password: 401,
#     no MESSAGE-INTEGRITY; media from a source no check passed: dropped;
#   - agw show's ICE: the nominated pair, checks answered and refused,
#     consent fresh; the event log's rtp_nominated;
#   - the client stops checking (aioice closed): agw.ice_consent_ms (3 s
#     here) later the consent is lost, cp told once (rtp_consent_lost),
#     the core's media stop reaching it; one valid check from its pair by
#     hand: rtp_consent_regained, media again.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
tp_debian_python aioice python3-aioice
ICE="$PY $HERE/lib/ice_client.py"
R="python3 $HERE/lib/rtp_peer.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
N=${AGW_ICE_PACKETS:-200}
FLOOD=1000

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; ice_consent_ms = 3000; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"
tp_check "dp says ICE-lite is on, consent 3000 ms" grep -q "ICE-lite on (consent 3000 ms)" "$TP_DP_LOG"

tp_check "a context whose UE leg does ICE-lite (the JSON door: ice=lite, the peer's ufrag)" \
  create call --a 'rtp=avp,local=10.210.0.1,remote=10.210.0.2:5004,rtcp_mux=true,ice=lite,ice_peer_ufrag=cLnt' \
              --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6004'
id=$(ctx_id call)
pa=$(j "$TP_TMP/call.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')
pb=$(j "$TP_TMP/call.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
ufrag=$(j "$TP_TMP/call.json" 'd["legs"][0]["ice"]["ufrag"]')
pwd=$(j "$TP_TMP/call.json" 'd["legs"][0]["ice"]["pwd"]')
echo "# context $id: UE side port $pa (ICE ufrag $ufrag), core side port $pb"
tp_check "cp made our ufrag and pwd (8 and 24 ice-chars), the core leg has no ICE" \
  jt "$TP_TMP/call.json" "len(d['legs'][0]['ice']['ufrag'])==8 and len(d['legs'][0]['ice']['pwd'])==24 and d['legs'][0]['ice']['peer_ufrag']=='cLnt' and d['legs'][0]['ice']['mode']=='lite' and d['legs'][1]['ice'] is None"
tp_check "an ICE ufrag past this gateway's bound: refused with a sentence" \
  bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' agw create --a 'rtp=avp,local=10.210.0.1,ice=lite,ice_ufrag=$(printf 'u%.0s' $(seq 33)),ice_pwd=0123456789abcdefghijkl' --b 'rtp=avp,local=10.211.0.1' 2>&1 | grep -q 'our ICE ufrag of 33 characters: RFC 8839 allows 4 to 256, this gateway takes 4 to 32'"

# before any check: nothing goes to the UE, not even to its signalled
# remote, and what it sends from there is not taken
$C $R 10.210.0.2 5004 10.210.0.1 "$pa" --count 5 --seed 9 --timeout 1 >"$TP_TMP/early.out" 2>&1
tp_check "media from a source no check passed: dropped, none relayed" \
  test "$(dpc rtp_dropped_stranger)" -ge 5 -a "$(dpc rtp_relayed_rtp)" -eq 0

# the call: aioice checks, nominates, media both ways over its pair while
# a stranger floods
rm -f "$TP_TMP/ready"
$P $R 10.211.0.2 6004 10.211.0.1 "$pb" --count "$N" --seed 2 --seed-in 1 --wait-first \
  --timeout 30 --ready "$TP_TMP/ready" >"$TP_TMP/core.out" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
# (agw show is taken in the client's linger, while its consent checks go
# on each second: after it closes, consent lapses in 3 s, which a loaded
# box's next few commands can outlast)
rm -f "$TP_TMP/media-done"
$C $ICE call 10.210.0.2 10.210.0.1 "$pa" --ufrag "$ufrag" --pwd "$pwd" --my-ufrag cLnt \
  --count "$N" --seed 1 --seed-in 2 --flood "$FLOOD" --linger 4 --done "$TP_TMP/media-done" \
  >"$TP_TMP/ue.out" 2>&1 &
upid=$!
tp_wait_file "$TP_TMP/media-done" "$upid" "aioice's call" 60 || tp_die "$TP_WAIT_WHY"
tp_ctl --json agw show "$id" >"$TP_TMP/show.json"
tp_ctl agw show "$id" >"$TP_TMP/show.txt" 2>&1
wait $upid
wait $cpid
echo "# ue (aioice): $(cat "$TP_TMP/ue.out")"
echo "# core:        $(cat "$TP_TMP/core.out")"
tp_check "aioice's checks answered, its pair nominated (the termination's host candidate)" \
  jt "$TP_TMP/ue.out" "'error' not in d and d['nominated']=='10.210.0.1:$pa'"
ue_src=$(j "$TP_TMP/ue.out" 'd["local"]')
tp_check "the core got every packet aioice sent over the pair, byte-exact" \
  jt "$TP_TMP/core.out" "d['recv']==$N and d['exact']==$N and d['from']==['10.211.0.1:$pb']"
tp_check "aioice got every core packet over the nominated pair, byte-exact" \
  jt "$TP_TMP/ue.out" "d['recv']==$N and d['exact']==$N"
tp_check "the stranger's $FLOOD checks under a wrong ufrag: 401s within the error budget, the rest unanswered" \
  jt "$TP_TMP/ue.out" "set(d['floods']['xxxx/$(echo "$pwd" | cut -c1-4)']['answers']) <= {'error 401'} and sum(d['floods']['xxxx/$(echo "$pwd" | cut -c1-4)']['answers'].values()) <= 40"
tp_check "... counted (rtp_ice_refused_unknown_ufrag), no HMAC paid for one" \
  test "$(dpc rtp_ice_refused_unknown_ufrag)" -ge "$FLOOD"
bad=$(dpc rtp_ice_refused_bad_integrity)
fl=$(dpc rtp_ice_refused_flood)
echo "# our ufrag, a wrong password: $bad HMACs paid, $fl over the budget"
tp_check "the $FLOOD under our ufrag and a wrong password: all refused, the HMACs bounded by the termination's budget" \
  test "$((bad + fl))" -ge "$FLOOD" -a "$bad" -le 500 -a "$fl" -ge 1
tp_check "aioice's own checks all answered meanwhile (consent kept)" \
  test "$(dpc rtp_ice_consent_lost)" -eq 0 -a "$(dpc rtp_ice_nominations)" -eq 1

# by hand: a wrong ufrag, a wrong password
$C $ICE check 10.210.0.2 5302 10.210.0.1 "$pa" --user "zzzz:cLnt" --pwd "$pwd" >"$TP_TMP/wrong-ufrag.out"
$C $ICE check 10.210.0.2 5303 10.210.0.1 "$pa" --user "$ufrag:cLnt" --pwd "wrongwrongwrongwrongwr" >"$TP_TMP/wrong-pwd.out"
echo "# wrong ufrag: $(cat "$TP_TMP/wrong-ufrag.out"); wrong pwd: $(cat "$TP_TMP/wrong-pwd.out")"
tp_check "a check with a wrong ufrag: 401, no MESSAGE-INTEGRITY" \
  jt "$TP_TMP/wrong-ufrag.out" "d['answer']=='error' and d['code']==401 and not d['ours']"
tp_check "a check with a wrong password: 401, no MESSAGE-INTEGRITY" \
  jt "$TP_TMP/wrong-pwd.out" "d['answer']=='error' and d['code']==401 and not d['ours']"

sed 's/^/# /' "$TP_TMP/show.txt"
tp_check "agw show: the nominated pair is aioice's, checks answered and refused, consent fresh" \
  jt "$TP_TMP/show.json" "d['legs'][0]['ice']['nominated']=='$ue_src' and d['legs'][0]['ice']['checks_answered']>=2 and d['legs'][0]['ice']['checks_refused']>=2*$FLOOD and d['legs'][0]['ice']['consent']=='fresh' and 'pwd' not in d['legs'][0]['ice']"
tp_check "turnpikectl agw show prints it" grep -q "ice lite ufrag $ufrag, peer ufrag cLnt, nominated $ue_src, consent fresh" "$TP_TMP/show.txt"
tp_ctl --json events --id "$id" >"$TP_TMP/events1.json"
tp_check "the event log has the nomination (rtp_nominated, aioice's pair)" \
  python3 -c "import json,sys; e=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; n=[x for x in e if x['type']=='rtp_nominated']; sys.exit(0 if len(n)==1 and n[0]['source']=='$ue_src' and n[0]['flow']=='rtp' else 1)" "$TP_TMP/events1.json"

# the client stopped its checks: consent lost 3 s after the last
for _ in $(seq 60); do [ "$(dpc rtp_ice_consent_lost)" -ge 1 ] && break; sleep 0.1; done
tp_check "consent lost after the client stopped checking (rtp_ice_consent_lost 1)" \
  test "$(dpc rtp_ice_consent_lost)" -eq 1
sleep 0.5
tp_ctl --json events --id "$id" >"$TP_TMP/events2.json"
tp_check "... cp told once (rtp_consent_lost, the pair's remote, 3 s and more since its last check)" \
  python3 -c "import json,sys; e=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; n=[x for x in e if x['type']=='rtp_consent_lost']; sys.exit(0 if len(n)==1 and n[0]['source']=='$ue_src' and n[0]['silent_ms']>=3000 else 1)" "$TP_TMP/events2.json"
drop0=$(dpc rtp_dropped_no_consent)
$P $R 10.211.0.2 6004 10.211.0.1 "$pb" --count 10 --seed 3 --timeout 1 >/dev/null 2>&1
tp_check "the core's media no longer reach it (rtp_dropped_no_consent)" \
  test "$(dpc rtp_dropped_no_consent)" -ge "$((drop0 + 10))"
# one valid check from its pair: consent again
uport=${ue_src##*:}
$C $ICE check 10.210.0.2 "$uport" 10.210.0.1 "$pa" --user "$ufrag:cLnt" --pwd "$pwd" >"$TP_TMP/again.out"
tp_check "a valid check from the pair: answered, under our password" \
  jt "$TP_TMP/again.out" "d['answer']=='response' and d['code']==0 and d['ours']"
sleep 0.5
tp_ctl --json events --id "$id" >"$TP_TMP/events3.json"
tp_check "... consent regained (rtp_consent_regained in the event log, once)" \
  python3 -c "import json,sys; e=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; n=[x for x in e if x['type']=='rtp_consent_regained']; sys.exit(0 if len(n)==1 and n[0]['source']=='$ue_src' else 1)" "$TP_TMP/events3.json"
rm -f "$TP_TMP/ready"
$C $R 10.210.0.2 "$uport" 10.210.0.1 "$pa" --count 5 --seed 4 --seed-in 5 --wait-first --timeout 5 \
  --ready "$TP_TMP/ready" >"$TP_TMP/ue2.out" 2>&1 &
upid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
$P $R 10.211.0.2 6004 10.211.0.1 "$pb" --count 5 --seed 5 --seed-in 4 --timeout 3 >/dev/null 2>&1
wait $upid
tp_check "the core's media reach the client's pair again" \
  jt "$TP_TMP/ue2.out" "d['recv']==5 and d['exact']==5"

tp_check "release" tp_ctl agw release "$id"
echo "# test_agw_ice: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
