#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Iq: the control association with two controllers (cp/iq/FEATURE.md, "The
# control association"): two Erlang/OTP megaco MGCs (iq/tp_mgc.erl), A and
# B, on two loopback ports, cp configured with iq.mgc = [A, B] and
# iq.request_timeout = 3 (our requests given up after 3 s, not 30).
#   1. cp registers with A (Restart, 901 Cold Boot). A's reply names
#      MgcIdToTry [127.0.0.1]:<a port not in iq.mgc> (A's and B's host):
#      not followed, cp stays with A and B hears nothing.
#   2. HandOff: A's ServiceChange HandOff with MgcIdToTry B is answered, cp
#      registers with B (HandOff, 903 MGC Directed Change) and answers A
#      505 from then on; B hands us back to A the same way.
#   3. Failover (a second context's leg ends once A is dead: its Notify,
#      never answered, goes to B after the move): A sets H.248.14's it/ito
#      on ROOT (mit 0.5 s), makes a
#      context, and dies; cp's inactivity Notify to A is never answered:
#      given up after 3 s, cp registers with B (Failover, 909 MGC
#      Impending Failure); B audits A's context under its ContextID.
#   4. MgcIdToTry followed: A restarted, told to name B in its next
#      ServiceChange reply; B hands us off to A, A's reply sends us on to
#      B, and cp registers with B.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
h248_require_megaco
H248_DIR=$TP_TMP

# A, B, cp's Iq and a port nobody uses, on loopback (test_iq.sh takes
# 40000-49999, test_iq_causes.sh 61000-64799, the metrics endpoint
# 20000-39999; this is above the kernel's ephemeral ports, 32768-60999)
base=$((64800 + ($$ % 180) * 4))
AP=$base; BP=$((base + 1)); IQP=$((base + 2)); NOWHERE=$((base + 3))
h248_spawn a --listen 127.0.0.1:$AP --timeout 5000
h248_spawn b --listen 127.0.0.1:$BP --timeout 5000
h248_ready a || tp_die "MGC A did not start: $H248_LINE"
h248_ready b || tp_die "MGC B did not start: $H248_LINE"
trap 'rc=$?; h248_kill a 2>/dev/null; h248_kill b 2>/dev/null; (exit $rc); tp_cleanup' EXIT

ma() { h248_expect a "$1" "$2" 20; }
mb() { h248_expect b "$1" "$2" 20; }
# handoff MGC PORT: MGC's ServiceChange HandOff to the controller on PORT
handoff() {
  h248_expect "$1" "send Context = - { ServiceChange = ROOT { Services { Method = HandOff, Reason = \"903 MGC Directed Change\", MgcIdToTry = [127.0.0.1]:$2 } } }" \
    '^REPLY [0-9]+ ctx=- ' 20
}
# with PORT: cp's status says it is registered with the controller on PORT
with() {
  python3 -c 'import json,sys; q=json.loads(sys.argv[1])["iq"]; print("#   status:", q["association"], q["controller"]); sys.exit(0 if q["association"] == "registered" and q["controller"] == sys.argv[2] else 1)' \
    "$(tp_ctl --json status)" "127.0.0.1:$1"
}
# settle PORT: cp registered with the controller on PORT, that controller's
# reply to our ServiceChange taken (a request that overtakes it is
# answered 505, H.248.1 §11.2)
registered_with() {
  [ "$(python3 -c 'import json,sys; q=json.loads(sys.argv[1])["iq"]; print(q["association"], q["controller"])' \
       "$(tp_ctl --json status 2>/dev/null)" 2>/dev/null)" = "registered 127.0.0.1:$1" ]
}
settle() { tp_need tp_wait_until 10 "cp registered with 127.0.0.1:$1" registered_with "$1"; }

tp_check "A told to name MgcIdToTry [127.0.0.1]:$NOWHERE (not in iq.mgc) in its reply" \
  ma "redirect [127.0.0.1]:$NOWHERE" '^OK redirect='

maddr=127.0.0.1:$((20000 + $$ % 20000))
TP_MBUFS=8191 tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "
ipc = { name = \"/$TP_ID\"; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"$maddr\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 90; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$AP\", \"127.0.0.1:$BP\"];
       request_timeout = 3; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# ---- 1. registration with the first; a MgcIdToTry not in iq.mgc ---------------------
tp_check "cp registers with A, the first of iq.mgc: ServiceChange Restart, 901 Cold Boot" \
  ma "wait-registered 15000" '^OK registered n=1 peer=[^ ]+ method=restart reason=901'
settle $AP
stays_a() {
  ma audit-root '^REPLY [0-9]+ ctx=- ' && mb status ' registered=0 ' && with $AP
}
tp_check "... MgcIdToTry naming another port of A's host, not in iq.mgc, not followed: cp stays with A (its AuditValue answered, B hears nothing)" stays_a

# ---- 2. HandOff ----------------------------------------------------------------------
tp_check "A's ServiceChange HandOff, MgcIdToTry B: answered" handoff a $BP
tp_check "... cp registers with B: ServiceChange HandOff, 903 MGC Directed Change" \
  mb "wait-registered 15000" '^OK registered n=1 peer=[^ ]+ method=handOff reason=903'
settle $BP
with_b() { mb audit-root '^REPLY [0-9]+ ctx=- ' && ma audit-root '^ERROR [0-9]+ 505 ' && with $BP; }
tp_check "... B's AuditValue answered, A's now 505" with_b
tp_check "B hands us back to A the same way" handoff b $AP
tp_check "... cp registers with A: HandOff, 903" \
  ma "wait-registered 15000" '^OK registered n=2 peer=[^ ]+ method=handOff reason=903'
settle $AP

# ---- 3. Failover ---------------------------------------------------------------------
sdp() { h248_sdp "$@"; }
tp_check "A makes a context (a termination waiting for the UE)" \
  ma "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { $(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *') }, Remote { $(sdp 'c=IN IP4 10.210.0.2' 'm=message 9 TCP/MSRP *' 'a=setup:active') } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
CTX=$(h248_grab 'ctx=([0-9]+)'); TERM=$(h248_grab 'Add = ([^ ]+) ')
echo "#   context $CTX, termination $TERM"
tp_check "A makes a second one, its end asked for (g/cause)" \
  ma "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { $(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *') }, Remote { $(sdp 'c=IN IP4 10.210.0.2' 'm=message 9 TCP/MSRP *' 'a=setup:active') } } }, Events = 7 { g/cause } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
CTX2=$(h248_grab 'ctx=([0-9]+)'); PORT2=$(h248_grab 'm=message ([0-9]+) ')
tp_check "A sets the inactivity timer on ROOT (it/ito, mit 0.5 s)" \
  ma "send Context = - { Modify = ROOT { Events = 9 { it/ito { mit = 50 } } } }" '^REPLY [0-9]+ ctx=- '
t0=$SECONDS
h248_kill a
# the second context's UE connects and resets: its Notify goes to A, dead
ip netns exec "$TP_NS_C" python3 -c 'import socket, struct, sys, time
s = socket.create_connection(("10.210.0.1", int(sys.argv[1])), 5)
time.sleep(0.2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' "$PORT2"
tp_check "A dies: its it/ito Notify unanswered for iq.request_timeout, cp registers with B: Failover, 909 MGC Impending Failure" \
  mb "wait-registered 15000" '^OK registered n=2 peer=[^ ]+ method=failover reason=909'
echo "#   failover $((SECONDS - t0)) s after A died"
# what cp still repeated to A stops with the move: nothing comes to A's
# port while B's checks run (a restarted A took those repeats for a new
# association beside cp's HandOff, and lost the HandOff)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.1)
n, end = 0, time.monotonic() + 2.5
while time.monotonic() < end:
    try:
        d, a = s.recvfrom(65535)
        n += a == ("127.0.0.1", int(sys.argv[2]))
    except socket.timeout:
        pass
print(n)' "$AP" "$IQP" >"$TP_TMP/to_a_after" 2>&1 &
quiet_pid=$!
tp_check "... the leg's end A never answered is told to B (g/cause FT, rst)" \
  mb "wait-notify 15000" "^OK notify n=[0-9]+ .*Context = $CTX2 .*generalcause *= *ft.*rst"
settle $BP
tp_check "... contexts kept: B audits A's context under its ContextID" \
  mb "send Context = $CTX { AuditValue = $TERM { Audit { Statistics } } }" "^REPLY [0-9]+ ctx=$CTX "
tp_check "... B turns the inactivity timer off" mb "send Context = - { Modify = ROOT { Events } }" '^REPLY [0-9]+ ctx=- '
lost() {
  python3 -c 'import json,sys; s=json.loads(sys.argv[1])["iq"]["stats"]; print("#   associations_lost", s["associations_lost"], "requests_gave_up", s["requests_gave_up"]); sys.exit(0 if s["associations_lost"] == 1 and s["requests_gave_up"] >= 1 else 1)' \
    "$(tp_ctl --json status)" && with $BP
}
tp_check "... counted: one association lost, a request given up" lost

wait "$quiet_pid"
echo "#   datagrams from cp to A's port in the 2.5 s after the move: $(cat "$TP_TMP/to_a_after")"
tp_check "... cp repeats nothing to A once it has moved to B" test "$(cat "$TP_TMP/to_a_after")" = 0

# ---- 4. MgcIdToTry followed ------------------------------------------------------------
# (its ids from 1000: cp keeps its replies to the first A's requests 30 s,
# and would answer a new request 1 with the old reply)
h248_start a --listen 127.0.0.1:$AP --timeout 5000 --first-tid 1000 || tp_die "MGC A did not start again: $H248_LINE"
tp_check "A restarted, told to name B (MgcIdToTry [127.0.0.1]:$BP) in its next reply" \
  ma "redirect [127.0.0.1]:$BP" '^OK redirect='
tp_check "B hands us off to A" handoff b $AP
tp_check "... cp's ServiceChange HandOff reaches A" \
  ma "wait-registered 15000" '^OK registered n=1 peer=[^ ]+ method=handOff reason=903'
tp_check "... A's reply names B: cp registers with B" \
  mb "wait-registered 15000" '^OK registered n=3 peer=[^ ]+ method=handOff reason=903'
settle $BP
tp_check "... B's AuditValue answered, A's 505" with_b

echo "# test_iq_assoc took $((SECONDS - start)) s"
h248_stop a
h248_stop b
[ "$TP_FAILS" -eq 0 ]
