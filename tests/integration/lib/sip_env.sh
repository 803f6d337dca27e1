# SPDX-License-Identifier: BSD-3-Clause
# A P-CSCF's world for the tests that drive a media proxy over ng through
# Debian's Kamailio (test_ng_kamailio.sh, test_webrtc_sip.sh): the
# namespaces and links, the media proxy (turnpike, or the real rtpengine as
# the reference: TP_NG_PROXY=turnpike|rtpengine), baresip user agents,
# Kamailio and the captures. Source after lib/dp_env.sh, then sip_env_init
# after tp_env_init.
#
#   namespace C: the access side, 10.210.0.2 on the media link to the
#                proxy's access address 10.210.0.1; its SIP to Kamailio
#                over a link of its own, from the same address
#   namespace P: the core side, 10.211.0.2, the proxy's core address
#                10.211.0.1; its SIP the same way
#   namespace S: Kamailio, SIP on $SIP (10.230.0.1), ng to the proxy at
#                $NG from 10.231.0.2; it forwards nothing, so media between
#                C and P can only go through the proxy
#   namespace M: the proxy's ng address (rtpengine whole, or turnpike-cp)
#
#   sip_env_init            names (NS_S, NS_M, SIP, NG, NG_PORT, PROXY),
#                           the EXIT trap (sip_cleanup, then tp_cleanup)
#   sip_proxy_start         S and M, the proxy (it makes C and P), its ng
#                           pong checked (else the test bails out), the
#                           links from S to C and to P
#   proxy_calls             the calls the proxy holds (ng list; turnpike:
#                           also agw list's contexts), "N" or "N M"
#   sip_capture NS IF NAME  dumpcap on IF in NS into $TP_TMP/NAME.pcapng;
#   sip_capture_ready N     ... until N of them capture;
#   sip_capture_stop        ... all ended, their files whole
#   sip_ua NAME NS IF IP ACCOUNT...
#                           a baresip in NS on IP:5060 (config in
#                           $TP_TMP/NAME, its log $TP_TMP/NAME.log, its
#                           commands through the fifo $TP_TMP/NAME/in,
#                           which the caller opens); sets SIP_UA_PID.
#                           SIP_UA_PORT: another SIP port; SIP_UA_VIDEO=1:
#                           video too (VP8, fakevideo's test card)
#   kam_start CFG           Kamailio in S with CFG (log
#                           $TP_TMP/kamailio.log); kam_up: true once its
#                           SIP socket ($SIP:5060, UDP) is bound
#   wait_log FILE PATTERN COUNT [SECONDS]
#                           until FILE has COUNT lines matching PATTERN
#   jt FILE EXPR            true when python's EXPR holds of FILE's JSON (d)
#   now                     the epoch time, with nanoseconds
# Any process the test starts itself goes into SIP_PIDS to be ended.

sip_env_init() {
  PROXY=${TP_NG_PROXY:-turnpike}
  T="python3 $(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/ng_trace.py"
  NS_S=${TP_ID}s
  NS_M=${TP_ID}m
  SIP=10.230.0.1       # Kamailio
  NG=10.231.0.1        # the proxy's ng address
  NG_PORT=22291
  SIP_PIDS= CAP_PIDS= KAM_PID= PROXY_PID=
  trap sip_cleanup EXIT
  local tool
  for tool in kamailio baresip dumpcap tshark; do
    command -v $tool >/dev/null || tp_die "$tool not installed (tools/bootstrap)"
  done
}

sip_cleanup() {
  local rc=$? p
  for p in $SIP_PIDS $KAM_PID $PROXY_PID $CAP_PIDS; do
    kill -TERM "$p" 2>/dev/null
  done
  for p in $SIP_PIDS $KAM_PID $PROXY_PID $CAP_PIDS; do
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  ip netns del "$NS_S" 2>/dev/null
  ip netns del "$NS_M" 2>/dev/null
  (exit $rc)
  tp_cleanup
}

jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
now() { date +%s.%N; }

# veth NAME_A NS_A NAME_B NS_B: a veth pair, each end in its namespace, up
veth() {
  ip link add "$1" type veth peer name "$3" || tp_die "cannot make veth $1"
  ip link set "$1" netns "$2" && ip link set "$3" netns "$4" || tp_die "cannot move veth $1"
  ip -n "$2" link set "$1" up && ip -n "$4" link set "$3" up
}

# ---- the media proxies: each leaves the access side at 10.210.0.1 (to C's
# 10.210.0.2 on the interface TP_IF_A), the core side at 10.211.0.1 (to
# P's 10.211.0.2 on TP_IF_K), and ng on $NG:$NG_PORT in namespace M.

# rtpengine (lib/rtpengine_env.sh) in M, with veths where dp's taps would be
start_proxy_rtpengine() {
  ip netns add "$TP_NS_C" && ip netns add "$TP_NS_P" || tp_die "cannot add namespaces"
  veth "$TP_IF_A" "$TP_NS_C" "${TP_ID}ma" "$NS_M"
  veth "$TP_IF_K" "$TP_NS_P" "${TP_ID}mk" "$NS_M"
  ip -n "$NS_M" addr add 10.210.0.1/24 dev "${TP_ID}ma"
  ip -n "$NS_M" addr add 10.211.0.1/24 dev "${TP_ID}mk"
  local ns
  for ns in "$TP_NS_C" "$TP_NS_P"; do ip -n "$ns" link set lo up; done
  ip -n "$TP_NS_C" addr add 10.210.0.2/24 dev "$TP_IF_A" && ip -n "$TP_NS_C" link set "$TP_IF_A" up
  ip -n "$TP_NS_P" addr add 10.211.0.2/24 dev "$TP_IF_K" && ip -n "$TP_NS_P" link set "$TP_IF_K" up
  # (rtpe_start deletes calls at once: a call is gone from `list` when
  # Kamailio's delete is answered; rtpengine keeps it 30 s by default)
  RTPE_NS=$NS_M
  rtpe_start --interface=access/10.210.0.1 --interface=core/10.211.0.1 \
    --listen-ng="$NG:$NG_PORT" --port-min=30000 --port-max=30999
  PROXY_PID=$RTPE_PID
}

# turnpike: dp's tap ports are the access and core addresses (lib/dp_env.sh
# moves them into C and P); turnpike-cp runs in namespace M, whose only
# address is the ng one (cp reaches dp through shared memory, not the
# network), and its ng door answers Kamailio's address alone.
# TP_NG_CONF_EXTRA: more of the configuration's groups.
start_proxy_turnpike() {
  tp_write_conf "$TP_TMP/tp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };
ng = { listen = \"$NG:$NG_PORT\"; allow = [\"10.231.0.2/32\"];
       access = [\"access\", \"internal\"]; core = [\"core\", \"external\"]; };
accounting = { file = \"$TP_TMP/usage.jsonl\"; };
${TP_NG_CONF_EXTRA:-}"
  tp_dp_start "$TP_TMP/tp.conf"
  TP_CP_LOG=$TP_TMP/cp.log
  : >"$TP_CP_LOG"
  ip netns exec "$NS_M" "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/tp.conf" >>"$TP_CP_LOG" 2>&1 &
  TP_CP_PID=$!
  tp_cp_wait_ready
}

ng_pong() { ip netns exec "$NS_S" $T ng "$NG" "$NG_PORT" '{"command": "ping"}' 1 2>/dev/null | grep -q '"pong"'; }

sip_proxy_start() {
  # Kamailio's namespace: SIP on a loopback address, ng towards M
  ip netns add "$NS_S" && ip netns add "$NS_M" || tp_die "cannot add namespaces"
  ip -n "$NS_S" link set lo up
  ip -n "$NS_S" addr add "$SIP/32" dev lo
  ip -n "$NS_M" link set lo up
  veth "${TP_ID}sm" "$NS_S" "${TP_ID}ms" "$NS_M"
  ip -n "$NS_S" addr add 10.231.0.2/24 dev "${TP_ID}sm"
  ip -n "$NS_M" addr add "$NG/24" dev "${TP_ID}ms"
  case $PROXY in
    rtpengine) . "$(dirname "${BASH_SOURCE[0]}")/rtpengine_env.sh"; start_proxy_rtpengine ;;
    turnpike)  start_proxy_turnpike ;;
    *) tp_die "TP_NG_PROXY=$PROXY: rtpengine or turnpike" ;;
  esac
  local until=$((SECONDS + 15))
  until ng_pong || [ "$SECONDS" -ge "$until" ]; do sleep 0.2; done
  tp_check "the proxy ($PROXY) answers an ng ping with pong" ng_pong
  # (without it Kamailio lets the SDP through as it came: nothing to test)
  [ "$TP_FAILS" -eq 0 ] || tp_die "no ng answer from $PROXY at $NG:$NG_PORT"
  # then a link from S to each side (routes to their one address): each
  # reaches Kamailio from its media address, the one its SDP names
  veth "${TP_ID}sc" "$NS_S" "${TP_ID}cs" "$TP_NS_C"
  veth "${TP_ID}sp" "$NS_S" "${TP_ID}ps" "$TP_NS_P"
  ip -n "$NS_S" route add 10.210.0.2/32 dev "${TP_ID}sc" src "$SIP"
  ip -n "$NS_S" route add 10.211.0.2/32 dev "${TP_ID}sp" src "$SIP"
  ip -n "$TP_NS_C" route add "$SIP/32" dev "${TP_ID}cs" src 10.210.0.2
  ip -n "$TP_NS_P" route add "$SIP/32" dev "${TP_ID}ps" src 10.211.0.2
}

# proxy_calls: the calls the proxy holds (ng list, asked from Kamailio's
# namespace: the ng door answers no one else); turnpike: also agw list's
# contexts
proxy_calls() {
  local n
  n=$(timeout 10 ip netns exec "$NS_S" $T ng "$NG" "$NG_PORT" '{"command": "list"}' |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d.get("calls", [])) if d.get("result")=="ok" else "error")')
  if [ "$PROXY" = turnpike ]; then
    n="$n $(timeout 10 "$TP_BUILD/cp/ctl/turnpikectl" --socket "$TP_TMP/cp.sock" --json agw list | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d.get("contexts", [])))')"
  fi
  echo "$n"
}

# ---- captures
sip_capture() {   # NS IFACE NAME
  ip netns exec "$1" dumpcap -q -i "$2" -w "$TP_TMP/$3.pcapng" >"$TP_TMP/$3.cap.log" 2>&1 &
  CAP_PIDS="$CAP_PIDS $!"
}
sip_capture_ready() {
  for _ in $(seq 100); do
    [ "$(cat "$TP_TMP"/*.cap.log 2>/dev/null | grep -c 'Capturing on')" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
sip_capture_stop() {
  local p
  for p in $CAP_PIDS; do kill -INT "$p" 2>/dev/null; done
  for p in $CAP_PIDS; do wait "$p" 2>/dev/null; done
  CAP_PIDS=
}

# ---- baresip, sine in, audio out to nowhere (aubridge's player with no
# source on its device), G.711, stdin commands through a fifo; with
# SIP_UA_VIDEO=1 video too, VP8 of fakevideo's source, shown on its
# display (nowhere), small and slow for the tests' CPU
sip_ua() {   # NAME NS IFACE IP ACCOUNTS...
  local name=$1 ns=$2 ifc=$3 ip=$4 d=$TP_TMP/$1 video=
  shift 4
  mkdir -p "$d"
  [ "${SIP_UA_VIDEO:-0}" = 1 ] && video="module vp8.so
module fakevideo.so
video_source fakevideo,nil
video_display fakevideo,nil
video_size 320x240
video_bitrate 300000
video_fps 15"
  cat >"$d/config" <<CONF
poll_method epoll
sip_listen $ip:${SIP_UA_PORT:-5060}
net_interface $ifc
audio_player aubridge,nil
audio_alert aubridge,nil
audio_source ausine,440
ausrc_srate 48000
ausrc_channels 2
rtp_stats yes
statmode_default off
module_path /usr/lib/baresip/modules
module stdio.so
module g711.so
module ausine.so
module aubridge.so
module srtp.so
module_app account.so
module_app menu.so
$video
CONF
  printf '%s\n' "$@" >"$d/accounts"
  mkfifo "$d/in"
  ip netns exec "$ns" baresip -4 -f "$d" <"$d/in" >"$d.log" 2>&1 &
  SIP_UA_PID=$!
  SIP_PIDS="$SIP_PIDS $!"
}

# ---- Kamailio: no database, its files in $TP_TMP/kam
kam_start() {   # CFG
  mkdir -p "$TP_TMP/kam"
  ip netns exec "$NS_S" kamailio -f "$1" -DD -E -m 32 -M 4 \
    -Y "$TP_TMP/kam" -w "$TP_TMP/kam" -P "$TP_TMP/kam/kamailio.pid" >"$TP_TMP/kamailio.log" 2>&1 &
  KAM_PID=$!
}
# Kamailio serves once its SIP socket is bound
kam_up() { tp_wait_listen "$NS_S" udp "$SIP" 5060 "$KAM_PID" kamailio; }

# wait_log FILE PATTERN COUNT [SECONDS]: until FILE has COUNT lines matching
wait_log() {
  local until=$((SECONDS + ${4:-10}))
  while [ "$SECONDS" -lt "$until" ]; do
    [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.1
  done
  return 1
}
