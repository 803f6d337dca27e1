#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The clients' side of test_turn_tcp_relay_budget.sh: RFC 6062 clients
# that stop reading, against peers that flood them (tcprelay_peer.py,
# driven through files in DIR), and clients that must not notice.
#   tcprelay_budget.py SERVER DIR PEER_IP ECHO_PORT NFLOOD NBYTES NTINY
# Steps, each ended by a file the caller waits for (it reads dp's
# statistics) and one it answers with:
#   1. allocation A binds NFLOOD peers that each send NBYTES; A reads
#      nothing; allocation B (same user, same worker) Connects to the echo
#      peer and sends 1 MB through and back, byte-exact and in time; a
#      plain TURN-over-TCP client (UDP relay) allocates and gets a
#      permission -> DIR/flooded, then DIR/measured
#   2. A reads everything, byte-exact, each data connection its peer's
#   3. allocation C binds a peer that sends NTINY bytes a byte a send();
#      C reads nothing -> DIR/tiny, then DIR/measured2; C reads it all,
#      byte-exact
# Prints "ok - ..." or "not ok - ..." a check; exits with the number that
# failed.
import os
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402
from tcprelay_client import (attempt, ask_peer, bind, check, connect,  # noqa: E402
                             peer_result, raw_exchange, tcp_allocate, wait_file)
import tcprelay_client  # noqa: E402
from tcprelay_peer import pattern  # noqa: E402


def read_exact(d, n, timeout):
    """n bytes from data connection d (what came with its answer first)."""
    got = bytearray(d.buf)
    d.buf = b""
    d.sock.settimeout(timeout)
    while len(got) < n:
        x = d.sock.recv(min(262144, n - len(got)))
        if not x:
            break
        got += x
    return bytes(got)


def read_all_of(ds, n, timeout):
    """n bytes from each data connection of ds, read as they come."""
    got = [bytearray(d.buf) for d in ds]
    sel = selectors.DefaultSelector()
    for i, d in enumerate(ds):
        d.buf = b""
        d.sock.setblocking(False)
        if len(got[i]) < n:
            sel.register(d.sock, selectors.EVENT_READ, i)
    until = time.monotonic() + timeout
    while sel.get_map() and time.monotonic() < until:
        for key, _ in sel.select(1.0):
            i = key.data
            try:
                x = ds[i].sock.recv(262144)
            except BlockingIOError:
                continue
            got[i] += x
            if not x or len(got[i]) >= n:
                sel.unregister(ds[i].sock)
    for d in ds:
        d.sock.setblocking(True)
    return [bytes(g) for g in got]


def main():
    server, dirname, peer_ip = sys.argv[1], sys.argv[2], sys.argv[3]
    echo_port, nflood, nbytes, ntiny = (int(x) for x in sys.argv[4:8])

    if nflood > 0:
        flood_steps(server, dirname, peer_ip, echo_port, nflood, nbytes)
    tiny_step(server, dirname, peer_ip, ntiny)
    return tcprelay_client.fails


def flood_steps(server, dirname, peer_ip, echo_port, nflood, nbytes):
    # -- 1. A binds its flooding peers and reads nothing
    a = tc.TcpClient(server, timeout=20)
    m = tcp_allocate(a)
    check("A: Allocate TCP", m.cls == 2, "error %s" % m.error())
    m = a.permission((peer_ip, None))
    check("A: CreatePermission for the peers", m.cls == 2, "error %s" % m.error())
    names = ["flood%d" % k for k in range(nflood)]
    for n in names:
        ask_peer(dirname, n, a.relayed[0], a.relayed[1], nbytes, "flood")
    datas = []
    for k in range(nflood):
        try:
            cid, _peer = attempt(a, 20)
        except OSError as e:
            # (what the peers saw says whose side it was)
            check("A: ConnectionAttempt %d of %d" % (k + 1, nflood), False,
                  "%s; peers: %s" % (e, "; ".join(
                      "%s %s" % (n, peer_result(dirname, n, 0)) for n in names)))
            raise
        d, m = bind(server, cid, nonce_from=a)
        datas.append(d)
        if m.cls != 2:
            check("A: ConnectionBind", False, "error %s" % m.error())
    check("A: %d peers connected in and bound, each sending %d bytes, none read" %
          (nflood, nbytes), len(datas) == nflood)
    time.sleep(2.0)                  # (they fill whatever dp lets them)

    # -- B, meanwhile, on the same worker: 1 MB through and back
    b = tc.TcpClient(server, timeout=20)
    m = tcp_allocate(b)
    m, cid = connect(b, peer_ip, echo_port)
    db, m2 = bind(server, cid or 1, nonce_from=b)
    check("B: Allocate TCP, Connect to the echo peer, ConnectionBind",
          m.cls == 2 and m2.cls == 2, "errors %s %s" % (m.error(), m2.error()))
    data = pattern(1 << 20, "bystander")
    t0 = time.monotonic()
    try:
        got = raw_exchange(db, data)
        dt = time.monotonic() - t0
        check("B: 1 MB to the peer and back while A's peers flood, byte-exact",
              got == data, "%d bytes" % len(got))
        check("B: ... at normal speed (under 8 s)", dt < 8.0, "%.2f s" % dt)
    except Exception as e:  # noqa: BLE001
        check("B: 1 MB to the peer and back while A's peers flood", False,
              "%s after %.1f s" % (e, time.monotonic() - t0))
    # -- and a plain TURN-over-TCP client
    try:
        p = tc.TcpClient(server, timeout=8)
        m = p.allocate()
        ok = m.cls == 2
        if ok:
            m = p.permission((peer_ip, None))
            ok = m.cls == 2
        check("a plain TURN-over-TCP client: Allocate and CreatePermission", ok,
              "error %s" % m.error())
    except Exception as e:  # noqa: BLE001
        check("a plain TURN-over-TCP client: Allocate and CreatePermission", False, str(e))
    open(os.path.join(dirname, "flooded"), "w").close()
    if not wait_file(os.path.join(dirname, "measured"), 30):
        check("the caller measured", False, "no word in 30 s")

    # -- 2. A reads it all, every data connection as its bytes come (as
    # a client with several peers does)
    want = {pattern(nbytes, n)[:64]: pattern(nbytes, n) for n in names}
    t0 = time.monotonic()
    got = read_all_of(datas, nbytes, 30)
    exact = sum(g == want.get(g[:64]) for g in got)
    check("A reads: every peer's %d bytes arrive, byte-exact" % nbytes, exact == nflood,
          "%d of %d in %.1f s (%s bytes)" % (exact, nflood, time.monotonic() - t0,
                                            ", ".join(str(len(g)) for g in got)))
    for n in names:
        open(os.path.join(dirname, "done-" + n), "w").close()
    for d in datas:
        d.sock.close()
    for n in names:
        r = peer_result(dirname, n, 10)
        if not r.startswith("ok"):
            check("peer %s" % n, False, r)

    for s in (a, b, db):
        try:
            s.sock.close()
        except OSError:
            pass


def tiny_step(server, dirname, peer_ip, ntiny):
    # -- 3. a peer of 1-byte segments to a client that reads nothing
    c = tc.TcpClient(server, timeout=20)
    tcp_allocate(c)
    c.permission((peer_ip, None))
    ask_peer(dirname, "tiny", c.relayed[0], c.relayed[1], ntiny, "tiny")
    cid, _peer = attempt(c, 20)
    dc, m = bind(server, cid, nonce_from=c)
    # (a small receive buffer: what the client's kernel would take stays
    # in dp)
    dc.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    check("C: a peer sending a byte a send() (TCP_NODELAY), bound, not read", m.cls == 2,
          "error %s" % m.error())
    time.sleep(3.0)
    open(os.path.join(dirname, "tiny"), "w").close()
    if not wait_file(os.path.join(dirname, "measured2"), 30):
        check("the caller measured", False, "no word in 30 s")
    got = read_exact(dc, ntiny, 20)
    check("C reads: the tiny peer's %d bytes arrive, byte-exact" % ntiny,
          got == pattern(ntiny, "tiny"), "%d bytes" % len(got))
    dc.sock.close()
    c.sock.close()


if __name__ == "__main__":
    sys.exit(main())
