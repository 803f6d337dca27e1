#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The access gateway against strangers: the
# real dp and cp, the kernel's TCP and Python's OpenSSL in the clients'
# namespace as the UE (10.210.0.2) and as a stranger on another address of
# the same network (10.210.0.3), the peer in the peers' namespace.
#   A. A server leg goes to the signalled peer, whoever connects first:
#      a TLS leg without remote (a stranger's garbage and reset; a
#      stranger's TLS with another certificate; a stranger holding more
#      silent connections than may handshake at once), a TLS leg and a
#      plain leg with remote (a stranger from elsewhere refused at once,
#      never spliced); then the UE's bytes go through, byte-exact.
#   B. A plain server leg without remote is refused at create, unless
#      accept_any; a leg that never gets its peer is released at its
#      setup time naming the last stranger refused; server ports differ
#      across cp restarts (drawn from getrandom()).
#   C. agw.peers: dp's own address, loopback, link-local, multicast and
#      the unspecified address are refused as remotes of either role,
#      private ones pass; a deny list given by a reload takes at once.
#   D. The controller role (cp.agw_group): a member (not an operator)
#      creates and releases contexts and reads events with turnpikectl,
#      and is refused anything else.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
S="python3 $HERE/lib/agw_stream.py"
H="python3 $HERE/lib/agw_hostile.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
UE=10.210.0.2 STRANGER=10.210.0.3

tp_mkcert dp ue other
fp() { tp_certfp "$1"; }

# the controllers' group (D), removed at the end
CTLGROUP=tpagw$$
groupadd "$CTLGROUP" || tp_die "groupadd failed"
trap 'groupdel "$CTLGROUP" 2>/dev/null; tp_cleanup' EXIT

write_conf() {   # write_conf FILE [AGW_PEERS]
  tp_write_conf "$1" "0" "" "" "" \
    "$(tp_turn_groups "agw_group = \"$CTLGROUP\";")
tls = { certificate = \"$TP_TMP/dp.pem\"; private_key = \"$TP_TMP/dp.key\"; };
agw = { ports = [20000, 20999]; max_contexts = 64; setup_timeout = 20; ${2:-} };"
}
write_conf "$TP_TMP/dp.conf"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip -n "$TP_NS_C" addr add "$STRANGER/24" dev "$TP_IF_A" || tp_die "cannot add the stranger's address"

released() {   # released NAME: its released event line (waits 10 s)
  tp_ctl events --id "$(ctx_id "$1")" --follow --until released --timeout "${2:-10}" \
    >"$TP_TMP/$1.events" 2>&1
  grep ' released ' "$TP_TMP/$1.events"
}
agw_stat() { tp_stat "$(tp_stats "agw worker=0")" "$1"; }
shaof() { python3 -c "import hashlib,random,sys; print(hashlib.sha256(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2]))).hexdigest())" "$@"; }
N=200000
SHA_UE=$(shaof 1 $N) SHA_PEER=$(shaof 2 $N)

# ue_after NAME STRANGER_CMD... : the peer listens, the stranger does its
# thing at the context's port, then the UE connects (TLS with its
# certificate when the leg is TLS) and N bytes go each way: byte-exact.
peer_up() {
  rm -f "$TP_TMP/ready"
  $P $S listen 10.211.0.2 5000 --bytes $N --seed 2 --timeout 30 --ready "$TP_TMP/ready" \
    >"$TP_TMP/peer.out" 2>&1 &
  PEER=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
}
ue_through() {   # ue_through NAME [UE ARGS]: the UE's N bytes each way
  local name=$1; shift
  $C $S connect 10.210.0.1 "$(ctx_port "$name")" --bytes $N --seed 1 --timeout 30 "$@" \
    >"$TP_TMP/$name.ue" 2>&1
  wait $PEER
  echo "#   ue:   $(cut -c1-200 "$TP_TMP/$name.ue")"
  echo "#   peer: $(cut -c1-200 "$TP_TMP/peer.out")"
  [ "$(j "$TP_TMP/$name.ue" 'd["recv"], d["recv_sha"]')" = "$N $SHA_PEER" ] &&
    [ "$(j "$TP_TMP/peer.out" 'd["recv"], d["recv_sha"]')" = "$N $SHA_UE" ]
}
UE_TLS=(--tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key")
TLS_A="tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue)"
B='tcp=client,remote=10.211.0.2:5000'

# ---- A. the signalled peer takes the leg -------------------------------------
r0=$(agw_stat candidates_refused)
peer_up
create garb --a "$TLS_A" --b "$B" || tp_die "create: $(cat "$TP_TMP/garb.err")"
$C $H garbage $STRANGER 10.210.0.1 "$(ctx_port garb)" 300 >"$TP_TMP/garb.stranger"
sleep 1
tp_check "TLS leg, no remote: a stranger sent 300 bytes and reset first; the UE still gets the leg, byte-exact" \
  ue_through garb "${UE_TLS[@]}"
tp_check "... the stranger was refused as a candidate (candidates_refused $r0 -> $(agw_stat candidates_refused))" \
  test "$(agw_stat candidates_refused)" -gt "$r0"
tp_check "... the leg came up from the UE's address" \
  grep -q "leg=0 leg_up .*remote=$UE:" <(tp_ctl events --id "$(ctx_id garb)")

peer_up
create oth --a "$TLS_A" --b "$B" || tp_die "create: $(cat "$TP_TMP/oth.err")"
$C $H tls $STRANGER 10.210.0.1 "$(ctx_port oth)" "$TP_TMP/other.pem" "$TP_TMP/other.key" \
  >"$TP_TMP/oth.stranger"
tp_check "TLS leg, no remote: a stranger's handshake with another certificate is refused ($(cat "$TP_TMP/oth.stranger"))" \
  test "$(j "$TP_TMP/oth.stranger" 'd["end"]')" != data
tp_check "... and the UE that comes next gets the leg, byte-exact" ue_through oth "${UE_TLS[@]}"

peer_up
create hold --a "$TLS_A" --b "$B" || tp_die "create: $(cat "$TP_TMP/hold.err")"
e0=$(agw_stat candidates_evicted) d0=$(agw_stat candidates_dropped)
rm -f "$TP_TMP/held"
$C $H hold $STRANGER 10.210.0.1 "$(ctx_port hold)" 6 15 "$TP_TMP/held" >"$TP_TMP/hold.stranger" &
hpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/held" ] && break; sleep 0.1; done
tp_check "TLS leg, no remote: a stranger holds 6 silent connections (4 may handshake at once); the UE still gets the leg, byte-exact" \
  ue_through hold "${UE_TLS[@]}"
wait $hpid
tp_check "... the stranger's connections were all reset ($(cat "$TP_TMP/hold.stranger"); evicted +$(( $(agw_stat candidates_evicted) - e0 )), dropped when the UE took the leg +$(( $(agw_stat candidates_dropped) - d0 )))" \
  test "$(j "$TP_TMP/hold.stranger" 'd["ended"]')" = 6 -a "$(agw_stat candidates_evicted)" -ge $((e0 + 2))

peer_up
w0=$(agw_stat refused_wrong_address)
create trem --a "$TLS_A,remote=$UE" --b "$B" || tp_die "create: $(cat "$TP_TMP/trem.err")"
$C $H tls $STRANGER 10.210.0.1 "$(ctx_port trem)" "$TP_TMP/ue.pem" "$TP_TMP/ue.key" \
  >"$TP_TMP/trem.stranger"
tp_check "TLS leg with remote $UE: a stranger from $STRANGER is refused at once, even with the UE's certificate ($(cut -c1-100 "$TP_TMP/trem.stranger"))" \
  test "$(j "$TP_TMP/trem.stranger" 'd["end"]')" = refused -a "$(agw_stat refused_wrong_address)" -gt "$w0"
tp_check "... the UE gets the leg, byte-exact" ue_through trem "${UE_TLS[@]}"

peer_up
create prem --a "tcp=server,local=10.210.0.1,remote=$UE" --b "$B" ||
  tp_die "create: $(cat "$TP_TMP/prem.err")"
$C $H plain $STRANGER 10.210.0.1 "$(ctx_port prem)" 2 >"$TP_TMP/prem.stranger"
tp_check "plain leg with remote $UE: a stranger first is refused and reads none of the peer's bytes ($(cat "$TP_TMP/prem.stranger"))" \
  test "$(j "$TP_TMP/prem.stranger" 'd["received"]')" = 0
tp_check "... the UE gets the leg, byte-exact" ue_through prem

# ---- B. what a context must say ------------------------------------------------
create nor --a 'tcp=server,local=10.210.0.1' --b "$B"
tp_check "a plain server leg without remote is refused at create: $(cut -c1-160 "$TP_TMP/nor.err")" \
  grep -q 'needs "remote".*accept_any' "$TP_TMP/nor.err"
tp_check "... with accept_any=true it is created" \
  create any --a 'tcp=server,local=10.210.0.1,accept_any=true' --b 'tcp=server,local=10.211.0.1,remote=10.211.0.2'
tp_ctl agw release "$(ctx_id any)" >/dev/null

create st --a "$TLS_A" --b 'tcp=server,local=10.211.0.1,remote=10.211.0.2' --setup-timeout 3 ||
  tp_die "create: $(cat "$TP_TMP/st.err")"
$C $H tls $STRANGER 10.210.0.1 "$(ctx_port st)" "$TP_TMP/other.pem" "$TP_TMP/other.key" >/dev/null
line=$(released st 10)
echo "#   $line" | cut -c1-300
tp_check "a leg that never got its peer: released setup_timeout naming the last stranger refused and why" \
  grep -q "released cause=setup_timeout.*last leg 0 refused $STRANGER:[0-9]*: fingerprint_mismatch" <<<"$line"

ports_now() {   # three contexts' server ports, released again
  local p=()
  for k in 1 2 3; do
    create "pp$k" --a "tcp=server,local=10.210.0.1,remote=$UE" --b "$B" >/dev/null || return 1
    p+=("$(ctx_port "pp$k")")
    tp_ctl agw release "$(ctx_id "pp$k")" >/dev/null
    released "pp$k" >/dev/null
  done
  echo "${p[*]}"
}
# (each set right after a fresh cp: an unseeded random() gave the same
# first draws at every start)
tp_cp_stop; tp_cp_start "$TP_TMP/dp.conf"
p1=$(ports_now)
tp_cp_stop; tp_cp_start "$TP_TMP/dp.conf"
p2=$(ports_now)
tp_check "server ports are not the same after a cp restart ($p1 / $p2)" test -n "$p1" -a "$p1" != "$p2"

# ---- C. agw.peers ----------------------------------------------------------------
for r in 10.210.0.1:5000 10.211.0.1:5000 127.0.0.1:5000 169.254.1.1:5000 224.0.0.1:5000 \
         0.0.0.0:5000 '[::1]:5000' '[fe80::1]:5000' '[fd00:211::1]:5000'; do
  create bad --a "tcp=server,local=10.210.0.1,remote=$UE" --b "tcp=client,remote=$r"
  tp_check "a client leg to $r is refused by agw.peers: $(cut -c1-140 "$TP_TMP/bad.err")" \
    grep -q 'refused by agw.peers' "$TP_TMP/bad.err"
done
create bad --a "tcp=server,local=10.210.0.1,remote=127.0.0.1" --b "$B"
tp_check "a server leg's remote 127.0.0.1 is refused too" grep -q 'refused by agw.peers' "$TP_TMP/bad.err"
tp_check "a private remote (10.211.0.2:5000) passes by default" \
  create ok --a "tcp=server,local=10.210.0.1,remote=$UE" --b "$B"
tp_ctl agw release "$(ctx_id ok)" >/dev/null
write_conf "$TP_TMP/dp.conf" 'peers = { deny = [ "10.211.0.0/24" ]; };'
tp_ctl reload >"$TP_TMP/reload.out" 2>&1
create bad --a "tcp=server,local=10.210.0.1,remote=$UE" --b "$B"
tp_check "a reload's agw.peers deny list takes at once ($(grep -o 'agw.peers[^"]*' "$TP_TMP/reload.out" | head -1))" \
  grep -q 'refused by agw.peers.*deny' "$TP_TMP/bad.err"
write_conf "$TP_TMP/dp.conf"
tp_ctl reload >/dev/null 2>&1

# ---- D. the controller role --------------------------------------------------------
chmod 755 "$TP_TMP"   # (the socket's folder: others may reach the socket's ACL)
asctl() { setpriv --reuid=nobody --regid=nogroup --groups="$(getent group "$CTLGROUP" | cut -d: -f3)" \
            "$TP_BUILD/cp/ctl/turnpikectl" --socket "$TP_TMP/cp.sock" "$@"; }
ctl_create() {   # (two server legs: nothing connects, it stays until released)
  asctl --json agw create --a "tcp=server,local=10.210.0.1,remote=$UE" \
    --b 'tcp=server,local=10.211.0.1,remote=10.211.0.2' >"$TP_TMP/ctl.json"
}
ctl_rest() {
  local id
  id=$(j "$TP_TMP/ctl.json" 'd["id"]')
  { asctl agw list && asctl events --id "$id" && asctl agw release "$id"; } >"$TP_TMP/ctl.out" 2>&1 ||
    { sed 's/^/#   /' "$TP_TMP/ctl.out"; return 1; }
}
tp_check "a member of cp.agw_group (not root, not an operator) creates a context" ctl_create
tp_check "... lists, reads its events and releases it" ctl_rest
out=$(asctl users list 2>&1)
tp_check "... and is refused anything else: users list ($out)" grep -q 'permission denied: the controller group' <<<"$out"
out=$(asctl reload 2>&1)
tp_check "... reload ($(echo "$out" | cut -c1-60))" grep -q 'permission denied' <<<"$out"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$TP_BUILD/cp/ctl/turnpikectl" --socket "$TP_TMP/cp.sock" agw list 2>&1)
tp_check "a user in neither group cannot reach the socket ($(echo "$out" | cut -c1-80))" \
  grep -qi 'permission denied' <<<"$out"

[ $TP_FAILS -eq 0 ]
