#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The access gateway's contexts one termination at a time (H.248's Add,
# Modify, Subtract; cp's agw.add_leg, agw.modify_leg, agw.subtract_leg,
# turnpikectl agw add-leg/modify-leg/subtract-leg), the kernel's TCP at
# both ends (the UE in the clients' namespace, dp's server legs on
# 10.210.0.1; the core's peers in the peers' namespace, 10.211.0.2):
#   A. a context made with the UE's leg only; the UE's bytes are held; the
#      core's termination added later gets them, then bytes cross both
#      ways byte-exact; the empty slot had no setup deadline.
#   B. modify of a waiting server leg's remote: the first remote (the UE's
#      address from one port) refuses the UE's connection from another
#      port; after the modify (any port) the UE's connection is taken.
#   C. subtract of the core's leg with the UE's held: the old peer sees
#      its stream end (FIN), what the UE sends meanwhile (within agw.hold)
#      reaches the termination added next, byte-exact, then bytes go back.
#   D. each leg's own setup time: a leg added late that does not come up
#      in its time releases the context (setup_timeout), while the first
#      one's was met long before.
#   E. cp restarted with a one-leg context (the UE's up, its bytes held):
#      the new cp has it back, slot b empty; a termination added through
#      it gets the held bytes.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
L="python3 $HERE/lib/agw_legs.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"

TP_MBUFS=8191 tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups)
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 3; hold = 65536; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

js() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }
# leg_states NAME: the legs' states as cp says them now ("up empty", ...)
leg_states() {
  tp_ctl --json agw show "$(ctx_id "$1")" >"$TP_TMP/$1.show" 2>/dev/null &&
    j "$TP_TMP/$1.show" '" ".join(l["state"] for l in d["legs"])'
}
# wait_states NAME STATES: until cp says so (10 s)
wait_states() {
  for _ in $(seq 100); do
    [ "$(leg_states "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  echo "# $1's legs: $(leg_states "$1"), not $2"; return 1
}
wait_file() { for _ in $(seq 200); do [ -f "$1" ] && return 0; sleep 0.05; done; return 1; }
# peer_bg NAME PORT ARGS...: a core peer listening on 10.211.0.2:PORT
peer_bg() {
  local name=$1 port=$2; shift 2
  rm -f "$TP_TMP/$name.ready"
  $P $L peer 10.211.0.2 "$port" --ready "$TP_TMP/$name.ready" "$@" >"$TP_TMP/$name.out" 2>&1 &
  wait_file "$TP_TMP/$name.ready"
}
events_of() { tp_ctl events --id "$(ctx_id "$1")" >"$TP_TMP/$1.events" 2>&1; cat "$TP_TMP/$1.events"; }
# evseq NAME: the context's events as "LEG:TYPE" (RELEASED: "released:CAUSE")
evseq() {
  tp_ctl --json events --id "$(ctx_id "$1")" | python3 -c '
import json, sys
out = []
for line in sys.stdin:
    e = json.loads(line)
    out.append("released:" + e["cause"] if e["type"] == "released" else "%d:%s" % (e["leg"], e["type"]))
print(" ".join(out))'
}
# sub_event NAME: its leg 1 subtracted, cause controller, with the bytes
sub_event() { events_of "$1" | grep -q " leg=1 subtracted cause=controller .*bytes=$2"; }
released_with() {   # released_with NAME CAUSE
  tp_ctl events --id "$(ctx_id "$1")" --follow --until released --timeout 10 \
    >"$TP_TMP/$1.events" 2>&1
  grep -q " released cause=$2" "$TP_TMP/$1.events"
}

# ---- A. one leg, the second added later -----------------------------------------
create a --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --label one-leg
tp_check "a context of one termination: leg b empty" test "$(leg_states a)" = "waiting empty"
# the UE sends 30000 bytes at once (held: agw.hold 64 KB), then waits for 7000
$C $L ue 10.210.0.1 "$(ctx_port a)" 30000:11:7000:12 --mark "$TP_TMP/a.ue" >"$TP_TMP/a.ue" 2>&1 &
ue=$!
wait_states a "up empty"
sleep 4        # past agw.setup_timeout (3 s): an empty slot has no deadline
tp_check "... the UE's leg up, the empty slot past the setup time: still there" \
  test "$(leg_states a)" = "up empty"
peer_bg ap 5001 --expect 30000 --seed 11 --reply 7000 --rseed 12
pp=$!
tp_check "turnpikectl agw add-leg: the core's termination joins slot b" \
  tp_ctl agw add-leg "$(ctx_id a)" --leg b --term 'tcp=client,remote=10.211.0.2:5001'
wait_file "$TP_TMP/a.ue.1"
tp_check "... both legs up" wait_states a "up up"
tp_check "... released by the controller" tp_ctl agw release "$(ctx_id a)"
wait $ue; wait $pp
echo "#   ue:   $(cat "$TP_TMP/a.ue")"; echo "#   peer: $(cat "$TP_TMP/ap.out")"
tp_check "... the peer got the UE's 30000 held bytes byte-exact, the UE the peer's 7000" \
  test "$(j "$TP_TMP/ap.out" 'd["recv"], d["recv_ok"], d["extra"], d["end"]')" = "30000 True 0 eof" -a \
  "$(j "$TP_TMP/a.ue" 'd["steps"][0]["recv"], d["steps"][0]["ok"], d["end"]')" = "7000 True eof"
tp_check "... events: leg 0 up, leg 1 up, both down, released controller ($(evseq a))" \
  test "$(evseq a)" = "0:leg_up 1:leg_up 0:leg_down 1:leg_down released:controller"

# ---- B. modify of a waiting server leg's remote ---------------------------------------
peer_bg bp 5002 --expect 5000 --seed 21 --reply 6000 --rseed 22
pp=$!
create b --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2:4444' --b 'tcp=client,remote=10.211.0.2:5002' --setup-timeout 20
# (installed in dp: its client leg is up; a SYN before that is refused
# for want of a listener, not for its port)
wait_states b "waiting up"
r=$($C $L connect 10.210.0.1 "$(ctx_port b)" --wait 3 2>"$TP_TMP/b.err"); [ -n "$r" ] || sed "s/^/# /" "$TP_TMP/b.err"
tp_check "a server leg's first remote (10.210.0.2:4444): the UE from another port is refused ($r)" \
  grep -qxE 'rst|refused' <<<"$(js "$r" 'd["end"]')"
tp_check "turnpikectl agw modify-leg: its remote becomes 10.210.0.2 (any port)" \
  tp_ctl agw modify-leg "$(ctx_id b)" --leg a --remote 10.210.0.2
tp_check "... cp shows the new remote" \
  test "$(tp_ctl --json agw show "$(ctx_id b)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["legs"][0]["remote"])')" = 10.210.0.2
$C $L ue 10.210.0.1 "$(ctx_port b)" 5000:21:6000:22 >"$TP_TMP/b.ue" 2>&1 &
ue=$!
tp_check "... the UE's connection now taken, both legs up" wait_states b "up up"
tp_ctl agw release "$(ctx_id b)" >/dev/null
wait $ue; wait $pp
tp_check "... bytes byte-exact both ways" \
  test "$(j "$TP_TMP/bp.out" 'd["recv"], d["recv_ok"]')" = "5000 True" -a \
  "$(j "$TP_TMP/b.ue" 'd["steps"][0]["recv"], d["steps"][0]["ok"]')" = "6000 True"
tp_check "... dp counted the refused connection" \
  test "$( (tp_stats 'agw worker=0'; tp_stats 'agw worker=1') | tr ' ' '\n' | grep -c '^refused_wrong_address=[1-9]')" -ge 1

# ---- C. subtract one leg, the other held, a new termination gets its bytes ----------------
peer_bg c1 5003 --expect 1000 --seed 31 --reply 500 --rseed 32
p1=$!
create c --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=client,remote=10.211.0.2:5003'
rm -f "$TP_TMP/c.go"
# step 1 with the first peer; step 2 (after c.go) 40000 bytes held, then 800 back from the second
$C $L ue 10.210.0.1 "$(ctx_port c)" 1000:31:500:32 "40000:33:800:34:$TP_TMP/c.go" \
  --mark "$TP_TMP/c.ue" >"$TP_TMP/c.ue" 2>&1 &
ue=$!
wait_file "$TP_TMP/c.ue.1"
tp_check "turnpikectl agw subtract-leg: the core's termination leaves" \
  tp_ctl agw subtract-leg "$(ctx_id c)" --leg b
wait $p1
echo "#   first peer: $(cat "$TP_TMP/c1.out")"
tp_check "... the first peer got its 1000 bytes and then its stream's end (FIN)" \
  test "$(j "$TP_TMP/c1.out" 'd["recv"], d["recv_ok"], d["extra"], d["end"]')" = "1000 True 0 eof"
tp_check "... leg b empty, the UE's held" test "$(leg_states c)" = "up empty"
touch "$TP_TMP/c.go"
sleep 1        # the UE's 40000 bytes go to dp, held there (agw.hold 64 KB)
peer_bg c2 5004 --expect 40000 --seed 33 --reply 800 --rseed 34
p2=$!
tp_check "turnpikectl agw add-leg: a new termination in slot b (any empty slot)" \
  tp_ctl agw add-leg "$(ctx_id c)" --term 'tcp=client,remote=10.211.0.2:5004'
wait_file "$TP_TMP/c.ue.2"
tp_ctl agw release "$(ctx_id c)" >/dev/null
wait $ue; wait $p2
echo "#   second peer: $(cat "$TP_TMP/c2.out")"; echo "#   ue: $(cat "$TP_TMP/c.ue")"
tp_check "... the second peer got the 40000 bytes sent while no leg was there, byte-exact" \
  test "$(j "$TP_TMP/c2.out" 'd["recv"], d["recv_ok"], d["extra"]')" = "40000 True 0"
tp_check "... and the UE the second peer's 800" \
  test "$(j "$TP_TMP/c.ue" '[(s["recv"], s["ok"]) for s in d["steps"]]')" = "[(500, True), (800, True)]"
tp_check "... the subtracted event: leg 1, cause controller, its bytes (1000 in, 500 back)" \
  sub_event c 1000/500,500/1000
ev_in_order() {
  evseq c | grep -Eqx '(0:leg_up 1:leg_up|1:leg_up 0:leg_up) 1:subtracted 1:leg_up 0:leg_down 1:leg_down released:controller'
}
tp_check "... events in order ($(evseq c))" ev_in_order

# ---- D. each leg's own setup time -----------------------------------------------------
create d --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --setup-timeout 2
$C $L ue 10.210.0.1 "$(ctx_port d)" 0:1:0:1 --timeout 20 >"$TP_TMP/d.ue" 2>&1 &
ue=$!
wait_states d "up empty"
sleep 3        # the first leg's time long met
tp_check "turnpikectl agw add-leg with its own setup time (2 s): a server leg nobody connects to" \
  tp_ctl agw add-leg "$(ctx_id d)" --leg b --setup-timeout 2 \
  --term 'tcp=server,local=10.211.0.1,remote=10.211.0.2'
sleep 1
tp_check "... a second later still there" test "$(leg_states d)" = "up waiting"
tp_check "... then released setup_timeout" released_with d setup_timeout
tp_check "... naming the leg that was late" grep -q 'legs up: 0, not 1 at the setup deadline' "$TP_TMP/d.events"
wait $ue
tp_check "... the UE's connection ended with it" test "$(j "$TP_TMP/d.ue" 'd["end"]')" = eof

# ---- E. cp restarted with a one-leg context ------------------------------------------------
create e --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2'
$C $L ue 10.210.0.1 "$(ctx_port e)" 20000:41:900:42 --mark "$TP_TMP/e.ue" >"$TP_TMP/e.ue" 2>&1 &
ue=$!
wait_states e "up empty"
sleep 0.5
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp restarted: it has the one-leg context back (leg a up, leg b empty)" wait_states e "up empty"
peer_bg ep 5005 --expect 20000 --seed 41 --reply 900 --rseed 42
pp=$!
tp_check "... a termination added through the new cp" \
  tp_ctl agw add-leg "$(ctx_id e)" --leg b --term 'tcp=client,remote=10.211.0.2:5005'
wait_file "$TP_TMP/e.ue.1"
tp_ctl agw release "$(ctx_id e)" >/dev/null
wait $ue; wait $pp
tp_check "... gets the bytes held across the restart, byte-exact, and they go back" \
  test "$(j "$TP_TMP/ep.out" 'd["recv"], d["recv_ok"]')" = "20000 True" -a \
  "$(j "$TP_TMP/e.ue" 'd["steps"][0]["recv"], d["steps"][0]["ok"]')" = "900 True"

tp_check "no context left in cp" \
  test "$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["agw"]["contexts"])')" = 0
echo "# test_agw_legs: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
