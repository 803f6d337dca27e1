#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# BUNDLE groups (RFC 9143) through the JSON door (turnpikectl agw create
# with a leg's bundle_* keys), real turnpike-dp and turnpike-cp: dp takes
# what cp/agw makes of a group (BUNDLE slice 7; its packets are slices
# 5-6's, not looked at here):
#   - an owner (its mid, MID extension, payload type) and a member of it
#     (its mid, payload type, SSRC; no port of its own) each installed by
#     dp (contexts_added 2, none refused, no setup_failed release);
#   - agw show: the owner's members, the member's owner and the transport
#     (the owner's address and port), turnpikectl's bundle line;
#   - a member whose mid the group has: refused by cp with its sentence,
#     nothing sent to dp;
#   - the owner released: its member released too, dp answering both;
#   - an SRTP (SDES) owner and member across dp's restart: the new dp
#     installs both (cp gives owners first, members keyed as their owner
#     at their own positions), refuses none; the member lives on.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
# adds N: wait (5 s at most) until dp's RTP_ADD counters say N installed,
# none refused (dp publishes its counters on its own time, after the
# apply the held answer waited for)
adds() {
  for _ in $(seq 50); do
    [ "$(dpc rtp_contexts_added) $(dpc rtp_contexts_refused)" = "$1 0" ] && return 0
    sleep 0.1
  done
  echo "# rtp_contexts_added $(dpc rtp_contexts_added), refused $(dpc rtp_contexts_refused)"
  return 1
}
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"

tp_check "a BUNDLE owner: the first section's context" \
  create owner --a 'rtp=avpf,local=10.210.0.1,remote=10.210.0.2:5004,rtcp_mux=true,bundle_mid=0,bundle_mid_ext=1,bundle_pt=0,bundle_pt=8' \
               --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6004' --label audio
oid=$(ctx_id owner)
tp_check "a member of it: the next section's, no port of its own" \
  create member --a "rtp=avpf,rtcp_mux=true,bundle_with=$oid,bundle_mid=1,bundle_pt=96,bundle_ssrc=4660" \
                --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6006' --label video
mid=$(ctx_id member)
echo "# owner $oid, member $mid"
tp_check "the member on its owner's worker, its leg without a local port" \
  jt "$TP_TMP/member.json" "d['worker']==json.load(open('$TP_TMP/owner.json'))['worker'] and d['legs'][0]['local'] is None and d['legs'][0]['bundle']['role']=='member'"
tp_check "dp installed both (contexts_added 2), refused none" adds 2
tp_ctl --json agw show "$oid" >"$TP_TMP/owner-show.json"
tp_ctl --json agw show "$mid" >"$TP_TMP/member-show.json"
tp_check "agw show: the owner's bundle (mid 0, extension 1, payload types 0 and 8, its member)" \
  jt "$TP_TMP/owner-show.json" "d['legs'][0]['bundle']=={'role':'owner','mid':'0','pt':[0,8],'ssrc':[],'ssrc_clashes':0,'clash_ssrc':None,'mid_ext':1,'members':[$mid]}"
tp_check "agw show: the member's (mid 1, its owner, the owner's address and port as its transport)" \
  jt "$TP_TMP/member-show.json" "(b:=d['legs'][0]['bundle'])['role']=='member' and b['with']==$oid and b['with_leg']==0 and b['mid']=='1' and b['ssrc']==[4660] and b['transport']==json.load(open('$TP_TMP/owner-show.json'))['legs'][0]['local']"
tp_ctl agw show "$mid" >"$TP_TMP/member-show.txt"
tp_check "turnpikectl agw show's bundle line" \
  grep -q "bundle member mid 1, mid_ext 1, of context $oid leg 0, transport 10.210.0.1:" "$TP_TMP/member-show.txt"
tp_check "a member whose mid the group has: refused by cp" \
  bash -c "! '$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' agw create --a 'rtp=avpf,rtcp_mux=true,bundle_with=$oid,bundle_mid=1,bundle_pt=97' 2>'$TP_TMP/clash.err'"
tp_check "... with its sentence" grep -q 'mid "1" is context' "$TP_TMP/clash.err"
tp_check "... nothing sent to dp" adds 2
tp_check "release the owner" tp_ctl agw release "$oid"
for _ in $(seq 50); do
  tp_ctl --json events --id "$mid" >"$TP_TMP/ev-m.json" 2>/dev/null
  grep -q rtp_released "$TP_TMP/ev-m.json" && break
  sleep 0.1
done
tp_check "its member released too, dp's word on it (controller)" \
  grep -q '"type": *"rtp_released".*"cause": *"controller"\|"cause": *"controller".*"type": *"rtp_released"' "$TP_TMP/ev-m.json"
for _ in $(seq 50); do
  tp_ctl --json agw list >"$TP_TMP/list.json" 2>/dev/null
  jt "$TP_TMP/list.json" "d.get('count', len(d.get('contexts', [])))==0" && break
  sleep 0.1
done
tp_check "nothing left" jt "$TP_TMP/list.json" "d.get('count', len(d.get('contexts', [])))==0"

# ---- SRTP (SDES) groups across dp's restart: cp gives the new dp the
# owner first, the member after, keyed as its owner at its own positions
key=$(head -c 30 /dev/urandom | base64)
tp_check "an SRTP owner (SDES)" \
  create sowner --a "rtp=savpf,local=10.210.0.1,remote=10.210.0.2:5008,rtcp_mux=true,crypto=AES_CM_128_HMAC_SHA1_80:$key,our_crypto=AES_CM_128_HMAC_SHA1_80,bundle_mid=a,bundle_mid_ext=2,bundle_pt=0" \
                --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6008'
soid=$(ctx_id sowner)
tp_check "its SRTP member" \
  create smember --a "rtp=savpf,rtcp_mux=true,bundle_with=$soid,bundle_mid=v,bundle_pt=96" \
                 --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6010'
smid=$(ctx_id smember)
tp_check "the member's answer shows no key (the group's is the owner's)" \
  jt "$TP_TMP/smember.json" "d['legs'][0]['our_crypto'] is None and d['legs'][0]['crypto'] is None and d['legs'][0]['bundle']['with']==$soid"
tp_check "dp installed both" adds 4
n0=$(grep -c 'dp restarted' "$TP_CP_LOG")
kill -KILL "$TP_DP_PID"; wait "$TP_DP_PID" 2>/dev/null; TP_DP_PID=
tp_dp_start "$TP_TMP/dp.conf"
tp_check "cp saw dp's restart" tp_wait_until 10 "cp's word" bash -c "[ \$(grep -c 'dp restarted' '$TP_CP_LOG') -gt $n0 ]"
tp_check "the new dp installed the owner and its member (contexts_added 2), refused none" \
  adds 2
tp_ctl --json agw show "$smid" >"$TP_TMP/smember-show.json"
tp_check "the member lives on, its owner's member" \
  jt "$TP_TMP/smember-show.json" "d['state']=='live' and d['legs'][0]['bundle']['with']==$soid"
tp_check "release the SRTP owner" tp_ctl agw release "$soid"
for _ in $(seq 50); do
  tp_ctl --json agw list >"$TP_TMP/list2.json" 2>/dev/null
  jt "$TP_TMP/list2.json" "d.get('count', len(d.get('contexts', [])))==0" && break
  sleep 0.1
done
tp_check "both gone" jt "$TP_TMP/list2.json" "d.get('count', len(d.get('contexts', [])))==0"

echo "# test_agw_bundle: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
