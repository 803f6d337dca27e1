#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# RTP contexts of the access gateway through the JSON door (turnpikectl agw
# create with RTP legs), real turnpike-dp and turnpike-cp, real UDP RTP
# from both sides (lib/rtp_peer.py in the clients' and peers' namespaces):
#   - a context of two RTP/AVP terminations (the UE's on the access
#     address, the core's on the core address), ports from agw.media_ports,
#     the answer held until dp held it (cp/agw's replies_held);
#   - the UE sends from another port than signalled (a NAT): latched, the
#     core's media reaches it there; payloads byte-exact both ways;
#   - a stranger's packets to the UE's termination: dropped and counted,
#     never relayed;
#   - agw show's counters equal what each side sent; the event log has the
#     latch; release (rtp_released), nothing left;
#   - the latching a leg asks for (latch=strict, handover, false; the
#     default relatch; latch_signalled) as agw show has it;
#   - the usage record (cp/acct) of the released context: door, tenant,
#     label, each termination's profile, local and latched addresses,
#     packets and octets both ways, the stranger's drops, the cause, no
#     key; a context whose terminations are subtracted one by one: a
#     record each, then the context's with none left.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
R="python3 $HERE/lib/rtp_peer.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
N=${AGW_RTP_PACKETS:-200}
# jt FILE EXPR: true when EXPR holds of FILE's JSON (d)
jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };
accounting = { file = \"$TP_TMP/usage.jsonl\"; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"

tp_check "an RTP-RTP context through turnpikectl agw create" \
  create call --a 'rtp=avp,local=10.210.0.1,remote=10.210.0.2:5004' \
              --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6004' --label call-1
id=$(ctx_id call)
pa=$(j "$TP_TMP/call.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')
pb=$(j "$TP_TMP/call.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
echo "# context $id: UE side port $pa, core side port $pb"
tp_check "its ports are even, in agw.media_ports" \
  test $((pa % 2)) = 0 -a $((pb % 2)) = 0 -a "$pa" -ge 40000 -a "$pb" -le 40999
tp_ctl --json status >"$TP_TMP/held.json"
tp_check "the create's answer held until dp held the context (agw.replies_held 1)" \
  jt "$TP_TMP/held.json" "d['agw']['replies_held']==1 and d['agw']['replies_held_late']==0"

rm -f "$TP_TMP/ready"
$P $R 10.211.0.2 6004 10.211.0.1 "$pb" --count "$N" --seed 2 --seed-in 1 --wait-first \
  --ready "$TP_TMP/ready" >"$TP_TMP/core.out" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
# the UE behind a NAT: from 5104, not the 5004 its SDP said
$C $R 10.210.0.2 5104 10.210.0.1 "$pa" --count "$N" --seed 1 --seed-in 2 >"$TP_TMP/ue.out" 2>&1
wait $cpid
echo "# ue:   $(cat "$TP_TMP/ue.out")"
echo "# core: $(cat "$TP_TMP/core.out")"
tp_check "the core got every UE packet byte-exact" \
  jt "$TP_TMP/core.out" "d['recv']==$N and d['exact']==$N and d['from']==['10.211.0.1:$pb']"
tp_check "the UE (latched at port 5104) got every core packet byte-exact" \
  jt "$TP_TMP/ue.out" "d['recv']==$N and d['exact']==$N and d['from']==['10.210.0.1:$pa']"
# a stranger while the UE's stream is latched
$C $R 10.210.0.2 5300 10.210.0.1 "$pa" --count 7 --seed 9 --timeout 1 >/dev/null 2>&1
sleep 0.5
tp_ctl --json agw show "$id" >"$TP_TMP/show.json"
tp_check "agw show: the UE's source latched (10.210.0.2:5104)" \
  jt "$TP_TMP/show.json" "d['legs'][0]['stats']['latched_rtp']=='10.210.0.2:5104'"
tp_check "agw show: packets and octets in and out equal what each side sent" \
  jt "$TP_TMP/show.json" "[(l['stats']['rtp_in'], l['stats']['rtp_out'], l['stats']['rtp_in_octets']) for l in d['legs']]==[($N,$N,$N*172),($N,$N,$N*172)]"
tp_check "agw show: the stranger's 7 packets dropped and counted, none relayed" \
  jt "$TP_TMP/show.json" "d['legs'][0]['stats']['drop_stranger']==7 and d['legs'][1]['stats']['rtp_out']==$N"
tp_check "agw list has the RTP context" \
  bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' --json agw list | grep -q '\"kind\": *\"rtp\"'"
tp_check "the event log has the latch" \
  bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' --json agw events --id $id 2>/dev/null | grep -q rtp_latched || '$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' events --id $id | grep -q rtp_latched"
tp_check "release" tp_ctl agw release "$id"
sleep 0.5
tp_check "released: gone from cp" bash -c "! '$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' agw show $id >/dev/null 2>&1"
tp_check "status: no RTP context left" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["agw"]["rtp"]["contexts"] == 0 and d["agw"]["rtp"]["released"] == 1 else 1)' "$(tp_ctl --json status)"

# usage records: rec FILTER: the records of the usage file that FILTER (of r) takes
rec() { python3 -c "import json,sys; print(json.dumps([r for r in map(json.loads, open(sys.argv[1])) if ($1)]))" "$TP_TMP/usage.jsonl"; }
for _ in $(seq 20); do grep -q "\"session\":\"$id\"" "$TP_TMP/usage.jsonl" 2>/dev/null && break; sleep 0.1; done
rec "r['session']=='$id'" >"$TP_TMP/rec.json"
echo "# record: $(cat "$TP_TMP/rec.json")"
tp_check "usage record: one for the released RTP context (door api, tenant, label, cause)" \
  jt "$TP_TMP/rec.json" "len(d)==1 and d[0]['kind']=='agw' and d[0]['media']=='rtp' and d[0]['scope']=='context' and d[0]['door']=='api' and d[0]['tenant']=='default' and d[0]['user']=='call-1' and d[0]['reason']=='controller' and d[0]['exact'] and d[0]['duration']>0"
tp_check "usage record: both terminations, profile, local and latched remote addresses" \
  jt "$TP_TMP/rec.json" "[(l['leg'], l['profile'], l['local'], l['remote'], l['latched']) for l in d[0]['legs']]==[(0,'RTP/AVP','10.210.0.1:$pa','10.210.0.2:5104',True),(1,'RTP/AVP','10.211.0.1:$pb','10.211.0.2:6004',True)]"
tp_check "usage record: packets and octets in and out equal what each side sent" \
  jt "$TP_TMP/rec.json" "[(l['packets_in'], l['packets_out'], l['bytes_in'], l['bytes_out']) for l in d[0]['legs']]==[($N,$N,$N*172,$N*172)]*2 and d[0]['packets_from_client']==$N and d[0]['bytes_to_client']==$N*172"
tp_check "usage record: the stranger's 7 packets dropped, no SRTP failure, no key" \
  jt "$TP_TMP/rec.json" "d[0]['legs'][0]['drops']['stranger']==7 and d[0]['legs'][1]['drops']['stranger']==0 and all(l['srtp_failures']==0 for l in d[0]['legs']) and 'key' not in json.dumps(d)"

# the latching a leg asks for (a policy by name, bound to the remote's
# address), as agw show has it; the door's default (relatch) beside; a
# name that is no policy refused
tp_check "a context whose UE leg latches strictly, bound to its remote's address" \
  create latch --a 'rtp=avp,local=10.210.0.1,remote=10.210.0.2:5004,latch=strict,latch_signalled=true' \
               --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6004,latch=handover'
tp_ctl --json agw show "$(ctx_id latch)" >"$TP_TMP/latch-show.json"
tp_check "agw show: strict and signalled on the UE's leg, handover on the core's" \
  jt "$TP_TMP/latch-show.json" "[(l['latch'], l['latch_signalled']) for l in d['legs']]==[('strict',True),('handover',False)]"
tp_check "a leg's latch=false: off; the default: relatch" \
  create latch2 --a 'rtp=avp,local=10.210.0.1,remote=10.210.0.2:5004,latch=false' \
                --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6004'
tp_ctl --json agw show "$(ctx_id latch2)" >"$TP_TMP/latch2-show.json"
tp_check "... as agw show has them" \
  jt "$TP_TMP/latch2-show.json" "[l['latch'] for l in d['legs']]==['off','relatch']"
tp_check "latch=sometimes: refused" \
  bash -c "! '$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' agw create --a 'rtp=avp,local=10.210.0.1,latch=sometimes' --b 'rtp=avp,local=10.211.0.1' 2>/dev/null"
tp_ctl agw release "$(ctx_id latch)" >/dev/null
tp_ctl agw release "$(ctx_id latch2)" >/dev/null

# terminations subtracted one by one: a record each, then the context's
tp_check "a second RTP context" \
  create sub --a 'rtp=avp,local=10.210.0.1,remote=10.210.0.2:5006' \
             --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6006' --label call-2
id2=$(ctx_id sub)
tp_check "subtract its UE termination" tp_ctl agw subtract-leg "$id2" --leg a
tp_check "subtract its core termination (the context ends)" tp_ctl agw subtract-leg "$id2" --leg b
for _ in $(seq 20); do [ "$(grep -c "\"session\":\"$id2\"" "$TP_TMP/usage.jsonl")" -ge 3 ] && break; sleep 0.1; done
rec "r['session']=='$id2'" >"$TP_TMP/rec2.json"
tp_check "usage records: one for each subtracted termination, then the context's with none left" \
  jt "$TP_TMP/rec2.json" "[(r['scope'], [l['leg'] for l in r['legs']]) for r in d]==[('termination',[0]),('termination',[1]),('context',[])] and d[0]['legs'][0]['local'].startswith('10.210.0.1:') and d[0]['legs'][0]['remote']=='10.210.0.2:5006' and not d[0]['legs'][0]['latched']"

echo "# test_agw_rtp: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
