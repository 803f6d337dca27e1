#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A ClientHello flood on every DTLS-SRTP media port beside a live WebRTC
# call (issue 68's "Bad input"): each datagram refused by dp's gates
# (dp/dtls_srtp/FEATURE.md "Gates") and counted by its reason, nothing
# kept, the call's media not delayed.
#   - the call: Debian's aiortc through ICE and DTLS-SRTP to a plain RTP
#     peer in the core's namespace (test_agw_webrtc's first call), and
#     30 other contexts with DTLS: our client's (a=setup actpass or
#     passive, ICE), our server's with ICE (no check passed: every source
#     a stranger) and without (a cookie first: RFC 6347 section 4.2.1);
#   - the flood (lib/dtls_flood.py): OpenSSL's own DTLS 1.2 ClientHello
#     with use_srtp, the same as DTLS 1.0, its two fragments, garbage
#     with a handshake record's header, round-robin at every access
#     port of the 31 contexts from 8 made-up sources, as fast as one
#     Python process sends for 5 s; then 1 s of the same at the call's
#     own port from the call's ICE-checked address and port (a spoofer's:
#     the association is up, nothing may start another);
#   - asserted: dp's dsrtp_* counters by reason are what the gates must
#     say of each datagram, their sum what reached dp; no handshake
#     started, the pool empty after; the call's association untouched
#     (up, one handshake); no port's rx_nombuf (a worker's pool drained
#     by what it hands another: dp/README.md); its media both ways lost
#     no more than 1% over the flood's window (index by index), the
#     median delay at the core's peer within 200 ms of before's, the
#     gaps (p99, max) and delays at both ends printed beside the 5 s
#     before; cp's `turnpikectl status` answered throughout.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
tp_debian_python aiortc python3-aiortc
W="$PY $HERE/lib/webrtc/agw_webrtc.py"
F="$HERE/lib/dtls_flood.py"
P="ip netns exec $TP_NS_P"
C="ip netns exec $TP_NS_C"
# (TP_FLOOD_S: the flood's seconds; TP_FLOOD_CLASSES: a regex of the
# classes below whose ports it aims at, all by default: a look at one)
FLOOD_S=${TP_FLOOD_S:-5}
st() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
at_least() { [ "$(st "$1" "d['$2']" || echo 0)" -ge "$3" ] 2>/dev/null; }

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 60;
        media_ports = [40000, 40999]; media_contexts = 64; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"
tp_need tp_wait_log "$TP_CP_LOG" "dp's DTLS-SRTP certificate, generation 1: sha-256 " "$TP_CP_PID" "cp" 10
tp_need $PY "$F" hello "$TP_TMP/hello.bin"

# ---- the 30 contexts the flood aims at besides the call's: CLASS by
# what our side is (client: actpass or passive signalled; server: active
# signalled) and ICE
fp="sha-256 $(printf 'AB:%.0s' $(seq 31))AB"
: >"$TP_TMP/classes"
other() {   # other N CLASS SETUP ICE
  local ice=
  [ "$4" = ice ] && ice=",ice=lite"
  create "o$1" --a "rtp=savpf,local=10.210.0.1,remote=10.210.0.2:$((5000 + 2 * $1)),rtcp_mux=true$ice,dtls=$3,dtls_fp=$fp" \
    --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:$((7000 + 2 * $1))" || return 1
  echo "$(ctx_port "o$1") $2" >>"$TP_TMP/classes"
}
made=0
for n in $(seq 1 30); do
  case $((n % 4)) in
    0) other "$n" client actpass ice ;;
    1) other "$n" client passive ice ;;
    2) other "$n" server_ice active ice ;;
    3) other "$n" server_cookie active noice ;;
  esac && made=$((made + 1))
done
tp_check "30 contexts with DTLS-SRTP: our client's (actpass, passive; ICE), our server's with ICE and without ($made)" \
  [ "$made" -eq 30 ]

# ---- the live call
ue ue 1 2
upid=$!
tp_need tp_wait_file "$TP_TMP/ue.offer.json" "$upid" "aiortc's offer" 20
o=$TP_TMP/ue.offer.json
tp_check "the call's context from aiortc's offer (ICE-lite, DTLS actpass)" \
  create ue --a "rtp=savpf,local=10.210.0.1,remote=$(j "$o" 'd["candidates"][0]'),rtcp_mux=true,ice=lite,ice_peer_ufrag=$(j "$o" 'd["ufrag"]'),dtls=$(j "$o" 'd["setup"]'),dtls_fp=$(j "$o" 'd["fingerprints"][0]')" \
    --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6004"
$W answer "$TP_TMP/ue.json" "$o" >"$TP_TMP/ue.answer.tmp" && mv "$TP_TMP/ue.answer.tmp" "$TP_TMP/ue.answer"
id=$(ctx_id ue)
pa=$(ctx_port ue)
pb=$(j "$TP_TMP/ue.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
ue_src=$(j "$o" 'd["candidates"][0]')
echo "$pa live" >>"$TP_TMP/classes"
rm -f "$TP_TMP/core.stop"
$P $W core 10.211.0.2 6004 10.211.0.1 "$pb" --status "$TP_TMP/core.st" --stop "$TP_TMP/core.stop" \
  --arrivals "$TP_TMP/core.arr" --seed 2 --seed-in 1 >"$TP_TMP/core.out" 2>&1 &
cpid=$!
tp_need tp_wait_until 25 "the core's 50 packets" at_least "$TP_TMP/core.st" exact 50
tp_check "the call is up: aiortc's media reach the core and the core's reach aiortc" \
  tp_wait_until 10 "aiortc's 50 frames" at_least "$TP_TMP/ue.st" exact 50

# ---- the 5 s before, then the flood
# (the taps' queues, kernel to dp, a FIFO deep enough for the flood
# while dp waits for a core on this shared machine: the kernel's
# fq_codel would drop what waits there past its 5 ms, the call's too,
# before dp saw it; what the gates do is measured, not that)
for nsif in "$TP_NS_C $TP_IF_A" "$TP_NS_P $TP_IF_K"; do
  set -- $nsif
  ip -n "$1" link set "$2" txqueuelen 100000
  ip netns exec "$1" tc qdisc replace dev "$2" root pfifo limit 100000 ||
    tp_die "no FIFO on $2"
done
statj() { tp_ctl --json status >"$1"; }
statj "$TP_TMP/status0.json"
tp_stats >/dev/null
grep '^worker=' "$TP_DP_LOG" | tail -n 2 >"$TP_TMP/stats0.txt"
grep '^port=' "$TP_DP_LOG" | tail -n 2 >"$TP_TMP/ports0.txt"
ip -n "$TP_NS_C" -s -j link show "$TP_IF_A" >"$TP_TMP/link0.json"
# cp's loop, timed before and during the flood: `turnpikectl status`
# every 0.2 s, "WALL_MS MS" lines
rm -f "$TP_TMP/ctl.stop"
( while [ ! -e "$TP_TMP/ctl.stop" ]; do
    t0=$(date +%s%N)
    if timeout 5 "$TP_BUILD/cp/ctl/turnpikectl" --socket "$TP_TMP/cp.sock" --json status >/dev/null 2>&1; then
      echo "$((t0 / 1000000)) $(( ($(date +%s%N) - t0) / 1000000 ))"
    else
      echo "$((t0 / 1000000)) fail"
    fi
    sleep 0.2
  done >"$TP_TMP/ctl.ms" ) &
lpid=$!
b0=$(date +%s.%N)
sleep "$FLOOD_S"
# (niced: the attacker is not on the call's machine; here it shares two
# cores with dp and the call's two ends)
$C nice -n 10 $PY "$F" flood "$TP_IF_A" "$TP_MAC_A" 10.210.0.1 --hello "$TP_TMP/hello.bin" --secs "$FLOOD_S" \
  --ports "$(grep -E " (${TP_FLOOD_CLASSES:-.*})\$" "$TP_TMP/classes" | cut -d' ' -f1 | paste -sd,)" --out "$TP_TMP/flood.json" \
  --spoof-src "$ue_src" --spoof-port "$pa" --spoof-secs 1 >/dev/null ||
  tp_not_ok "the flood ran"
touch "$TP_TMP/ctl.stop"; wait "$lpid"
# dp done with what the tap holds: its refusals as many as were sent, or
# unchanged for a second (up to 20 s: dp waits for a core here too)
sent=$(j "$TP_TMP/flood.json" 'd["total"] + d["spoof"]["total"]')
prev=-1
for _ in $(seq 20); do
  sleep 1
  statj "$TP_TMP/status1.json"
  now=$($PY "$F" refused --status0 "$TP_TMP/status0.json" --status1 "$TP_TMP/status1.json")
  [ "$now" -ge "$sent" ] || [ "$now" -eq "$prev" ] && break
  prev=$now
done
ip -n "$TP_NS_C" -s -j link show "$TP_IF_A" >"$TP_TMP/link1.json"
echo "# the taps' FIFOs: $(ip netns exec "$TP_NS_C" tc -s qdisc show dev "$TP_IF_A" | grep -o 'dropped [0-9]*') (access)," \
  "$(ip netns exec "$TP_NS_P" tc -s qdisc show dev "$TP_IF_K" | grep -o 'dropped [0-9]*') (core)"
qdrop=$(ip netns exec "$TP_NS_C" tc -s qdisc show dev "$TP_IF_A" | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -n 1)
tot=$(tp_stats)
grep '^dtls_srtp worker=' "$TP_DP_LOG" | tail -n 2 >"$TP_TMP/pool.txt"
grep '^worker=' "$TP_DP_LOG" | tail -n 2 >"$TP_TMP/stats1.txt"
grep '^port=' "$TP_DP_LOG" | tail -n 2 >"$TP_TMP/ports1.txt"
# (our HelloVerifyRequests to the made-up sources wait for ARP: dp's
# neighbour queue and its rate of requests bound what they cost)
echo "# dp since its start: arp_request_tx=$(tp_stat "$tot" arp_request_tx)" \
  "neigh_queued=$(tp_stat "$tot" neigh_queued) drop_neigh_queue_full=$(tp_stat "$tot" drop_neigh_queue_full)" \
  "drop_neigh_failed=$(tp_stat "$tot" drop_neigh_failed)"
sleep 1
touch "$TP_TMP/ue.stop" "$TP_TMP/core.stop"
wait "$upid"; wait "$cpid"
tp_ctl --json agw show "$id" >"$TP_TMP/show.json"

# ---- the figures and the judgement (lib/dtls_flood.py judge)
$PY "$F" judge --flood "$TP_TMP/flood.json" --classes "$TP_TMP/classes" \
  --status0 "$TP_TMP/status0.json" --status1 "$TP_TMP/status1.json" \
  --link0 "$TP_TMP/link0.json" --link1 "$TP_TMP/link1.json" --pool "$TP_TMP/pool.txt" \
  --stats0 "$TP_TMP/stats0.txt" --stats1 "$TP_TMP/stats1.txt" \
  --ports0 "$TP_TMP/ports0.txt" --ports1 "$TP_TMP/ports1.txt" \
  --core "$TP_TMP/core.arr" --ue "$TP_TMP/ue.arr" --before "$b0" --ctl "$TP_TMP/ctl.ms" \
  --show "$TP_TMP/show.json" --spoof-src "$ue_src" --qdisc-dropped "${qdrop:-0}" >"$TP_TMP/judge.out"
cat "$TP_TMP/judge.out"
TP_FAILS=$((TP_FAILS + $(grep -c '^not ok' "$TP_TMP/judge.out")))
tp_check "release" tp_ctl agw release "$id"
echo "# test_agw_dtls_flood: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
