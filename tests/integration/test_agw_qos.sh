#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A leg's DSCP (H.248.52 ds/dscp) and the policing of what its peer sends
# (H.248.53 tman/pol, sdr, mbs), the kernel's TCP at both ends (the UE in
# the clients' namespace towards dp's server legs on 10.210.0.1; the core's
# peers in the peers' namespace, 10.211.0.2):
#   A. over JSON: a context whose UE leg has dscp 46: a capture in the UE's
#      namespace sees dp's data segments marked 46, one in the core's sees
#      0; agw.modify_leg to dscp 10 on the live leg: its next segments 10.
#   B. the UE sends 3 MB through a context unpoliced (the reference time)
#      and through one whose UE leg is policed at 1 MB/s, burst 64 KB:
#      byte-exact both; the policed one takes about 3 s (at least 2.2 s,
#      the unpoliced well under), the splice's policed_pauses moved.
#   C. over Iq (Erlang megaco as the MGC, when installed): an Add with
#      ds/dscp 46 and tman/pol ON, sdr, mbs: agw show reports them; a
#      ds/dscp of 64 is answered 449, tman/pol ON without sdr 472.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
Q="python3 $HERE/lib/agw_qos.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
H248_DIR=$TP_TMP
have_megaco=0
command -v erl >/dev/null && [ -d "$(ls -d /usr/lib/erlang/lib/megaco-* 2>/dev/null | head -1)" ] &&
  have_megaco=1
base=$((40000 + ($$ % 5000) * 2))
MGCP=$base; IQP=$((base + 1))
iqconf=""
[ $have_megaco = 1 ] && iqconf="iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; };"
[ $have_megaco = 1 ] && {
  h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
  trap 'rc=$?; h248_kill mgc 2>/dev/null; (exit $rc); tp_cleanup' EXIT
}

TP_MBUFS=16383 tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups)
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20; };
$iqconf"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

wait_file() { for _ in $(seq 200); do [ -f "$1" ] && return 0; sleep 0.05; done; return 1; }
# bg_ready NAME NS ARGS...: a listener of agw_qos.py in NS, once ready
bg_ready() {
  local name=$1 ns=$2; shift 2
  rm -f "$TP_TMP/$name.ready"
  ip netns exec "$ns" $Q "$@" --ready "$TP_TMP/$name.ready" >"$TP_TMP/$name.out" 2>&1 &
  wait_file "$TP_TMP/$name.ready"
}
# dscps PCAP: the DS code points of the data segments in it, sorted, unique
dscps() {
  tshark -r "$1" -Y 'tcp.len > 0' -T fields -e ip.dsfield.dscp 2>/dev/null | sort -un | tr '\n' ' ' |
    sed 's/ $//'
}
splice_sum() {
  echo $(( $(tp_stat "$(tp_stats "splice worker=0")" "$1") +
           $(tp_stat "$(tp_stats "splice worker=1")" "$1") ))
}

# ---- A. DSCP over JSON, and its change on a live leg ----------------------------------
$C tshark -q -i "$TP_IF_A" -f "tcp and src host 10.210.0.1" -w "$TP_TMP/a_ue.pcap" \
  >"$TP_TMP/ts_a.log" 2>&1 &
ts_a=$!
$P tshark -q -i "$TP_IF_K" -f "tcp and dst host 10.211.0.2 and dst port 5101" -w "$TP_TMP/a_core.pcap" \
  >"$TP_TMP/ts_k.log" 2>&1 &
ts_k=$!
tp_need tp_wait_log "$TP_TMP/ts_a.log" 'Capturing on' "$ts_a" "tshark on the UE's link" 20
tp_need tp_wait_log "$TP_TMP/ts_k.log" 'Capturing on' "$ts_k" "tshark on the core's link" 20
bg_ready ap "$TP_NS_P" echo 10.211.0.2 5101
pp=$!
tp_check "agw create with a leg's dscp 46 (turnpikectl: dscp= in the leg's spec)" \
  create a --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2,dscp=46' \
  --b 'tcp=client,remote=10.211.0.2:5101'
tp_check "... agw show reports dscp 46 on leg a, 0 on leg b" \
  test "$(tp_ctl --json agw show "$(ctx_id a)" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["legs"][0]["dscp"], d["legs"][1]["dscp"])')" = "46 0"
$C $Q ue 10.210.0.1 "$(ctx_port a)" 40000 "40000:$TP_TMP/a.go" --mark "$TP_TMP/a.ue" \
  >"$TP_TMP/a.ue" 2>&1 &
ue=$!
wait_file "$TP_TMP/a.ue.1"
sleep 0.5
kill -INT $ts_a; wait $ts_a
cp "$TP_TMP/a_ue.pcap" "$TP_TMP/a_ue1.pcap"
tp_check "... dp's data segments to the UE carry DSCP 46 ($(dscps "$TP_TMP/a_ue1.pcap"))" \
  test "$(dscps "$TP_TMP/a_ue1.pcap")" = 46
$C tshark -q -i "$TP_IF_A" -f "tcp and src host 10.210.0.1" -w "$TP_TMP/a_ue2.pcap" \
  >"$TP_TMP/ts_a2.log" 2>&1 &
ts_a=$!
tp_need tp_wait_log "$TP_TMP/ts_a2.log" 'Capturing on' "$ts_a" "tshark on the UE's link" 20
tp_check "agw.modify_leg dscp 10 on the live leg (turnpikectl agw modify-leg --dscp)" \
  tp_ctl agw modify-leg "$(ctx_id a)" --leg a --dscp 10
touch "$TP_TMP/a.go"
wait $ue
sleep 0.5
kill -INT $ts_a $ts_k; wait $ts_a $ts_k
tp_ctl agw release "$(ctx_id a)" >/dev/null
wait $pp
tp_check "... the UE's 2 steps echoed byte-exact ($(cat "$TP_TMP/a.ue"))" \
  test "$(j "$TP_TMP/a.ue" 'd["steps"]')" = "[True, True]"
tp_check "... dp's data segments to the UE after it carry DSCP 10 ($(dscps "$TP_TMP/a_ue2.pcap"))" \
  test "$(dscps "$TP_TMP/a_ue2.pcap")" = 10
tp_check "... and those to the core (leg b) 0 throughout ($(dscps "$TP_TMP/a_core.pcap"))" \
  test "$(dscps "$TP_TMP/a_core.pcap")" = 0
out=$(tp_ctl agw modify-leg "$(ctx_id a)" --leg a --dscp 64 2>&1)
tp_check "bad values get clear errors: --dscp 64 ($out)" grep -q "0 to 63" <<<"$out"
out=$(tp_ctl agw create --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2,dscp=64' 2>&1)
tp_check "... turnpikectl refuses dscp=64 ($out)" grep -q "0 to 63" <<<"$out"
out=$(tp_ctl agw create --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2,police_rate=1000' 2>&1)
tp_check "... cp refuses a police rate without its burst ($out)" grep -q "burst" <<<"$out"

# ---- B. policing: the same 3 MB unpoliced, then at 1 MB/s ------------------------------
N=3000000
run_police() {   # run_police NAME PORT SPEC-EXTRA
  bg_ready "$1p" "$TP_NS_P" sink 10.211.0.2 "$2" --expect $N --seed 7
  local pp=$!
  create "$1" --a "tcp=server,local=10.210.0.1,remote=10.210.0.2$3" \
    --b "tcp=client,remote=10.211.0.2:$2" || return 1
  $C $Q send 10.210.0.1 "$(ctx_port "$1")" --bytes $N --seed 7 >"$TP_TMP/$1.ue" 2>&1 &
  local ue=$!
  wait $pp
  tp_ctl agw release "$(ctx_id "$1")" >/dev/null
  wait $ue
  echo "#   $1: $(cat "$TP_TMP/$1p.out")"
}
p0=$(splice_sum policed_pauses)
run_police b0 5102 ""
tp_check "unpoliced: 3 MB byte-exact" test "$(j "$TP_TMP/b0p.out" 'd["recv"], d["ok"]')" = "$N True"
p1=$(splice_sum policed_pauses)
tp_check "... no policing pause ($p0 -> $p1)" test "$p1" -eq "$p0"
run_police b1 5103 ",police_rate=1000000,police_burst=65536"
p2=$(splice_sum policed_pauses)
t0=$(j "$TP_TMP/b0p.out" 'd["secs"]'); t1=$(j "$TP_TMP/b1p.out" 'd["secs"]')
echo "# 3 MB: unpoliced ${t0} s, policed at 1 MB/s burst 64 KB ${t1} s; policed_pauses $p1 -> $p2"
tp_check "policed at 1 MB/s: 3 MB byte-exact" test "$(j "$TP_TMP/b1p.out" 'd["recv"], d["ok"]')" = "$N True"
tp_check "... in 2.2 to 4.5 s (${t1} s; unpoliced ${t0} s, under 1.5 s)" \
  python3 -c "import sys; t0,t1=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if 0 <= t0 < 1.5 and 2.2 <= t1 <= 4.5 else 1)" "$t0" "$t1"
tp_check "... the splice's policed_pauses moved ($p1 -> $p2)" test "$p2" -gt "$p1"

# ---- C. over Iq: ds/dscp and tman on Add ------------------------------------------------
if [ $have_megaco = 1 ]; then
  mgc() { h248_expect mgc "$1" "$2" 20; }
  sdp() { h248_sdp "$@"; }
  loc=$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *' 'a=setup:passive')
  rem=$(sdp "c=IN IP4 10.210.0.2" 'm=message 9 TCP/MSRP *' 'a=setup:active')
  add_lc() { mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive, $1 }, Local { $loc }, Remote { $rem } } } } }" "$2"; }
  tp_check "cp registers with the MGC" mgc "wait-registered 15000" '^OK registered n=1'
  tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered
  tp_check "Iq Add with ds/dscp = 46, tman/pol = ON, tman/sdr = 125000, tman/mbs = 32000" \
    add_lc 'ds/dscp = 46, tman/pol = ON, tman/sdr = 125000, tman/mbs = 32000, tman/pdr = 250000, tman/dvt = 20000' \
    '^REPLY [0-9]+ ctx=[0-9]+ '
  id=$(tp_ctl --json agw list | python3 -c 'import json,sys
d=json.load(sys.stdin); its=d["contexts"]
print([c["id"] for c in its if c["door"]=="iq"][-1])')
  tp_check "... agw show reports dscp 46, police 125000 B/s burst 32000" \
    test "$(tp_ctl --json agw show "$id" | python3 -c 'import json,sys; l=json.load(sys.stdin)["legs"][0]; print(l["dscp"], l["police"]["rate"], l["police"]["burst"])')" = "46 125000 32000"
  tp_check "Iq Add with ds/dscp = 0x2E (hex), sdr without mbs: the default burst" \
    add_lc 'ds/dscp = 0x2E, tman/pol = ON, tman/sdr = 1000000' '^REPLY [0-9]+ ctx=[0-9]+ '
  id2=$(tp_ctl --json agw list | python3 -c 'import json,sys
d=json.load(sys.stdin); its=d["contexts"]
print([c["id"] for c in its if c["door"]=="iq"][-1])')
  tp_check "... dscp 46, police 1000000 B/s burst 250000" \
    test "$(tp_ctl --json agw show "$id2" | python3 -c 'import json,sys; l=json.load(sys.stdin)["legs"][0]; print(l["dscp"], l["police"]["rate"], l["police"]["burst"])')" = "46 1000000 250000"
  tp_check "ds/dscp = 64: 449" add_lc 'ds/dscp = 64' '^ERROR [0-9]+ 449 '
  tp_check "tman/pol = ON without tman/sdr: 472" add_lc 'tman/pol = ON' '^ERROR [0-9]+ 472 '
  tp_check "tman/pol = MAYBE: 449" add_lc 'tman/pol = MAYBE' '^ERROR [0-9]+ 449 '
  tp_ctl agw release "$id" >/dev/null; tp_ctl agw release "$id2" >/dev/null
  h248_stop mgc
else
  echo "# C skipped: no Erlang megaco"
fi

echo "# test_agw_qos: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
