#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The clients' side of test_turn_tcp_relay.sh: RFC 6062 (TURN-TCP) request
# by request, against the peers' side (tcprelay_peer.py, in the peers'
# namespace, driven through files in DIR). Prints "ok - ..." or
# "not ok - ..." a check; exits with the number that failed.
#   tcprelay_client.py SERVER DIR PEER_IP ECHO_PORT [restart|lazy]
# restart: across a restart of cp, which the caller makes between the
# files DIR/ready (written here) and DIR/restarted (waited for here).
# lazy: a peer connection whose bind never comes (30 s); DIR/lazy-ready
# (written here) once it waits.
import hashlib
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402
from tcprelay_peer import pattern  # noqa: E402

CONNECT, CONNECTION_BIND, CONNECTION_ATTEMPT = 0xA, 0xB, 0xC
A_CONNECTION_ID = 0x2A
A_EVEN_PORT = 0x18

fails = 0


def check(what, cond, detail=""):
    global fails
    if cond:
        print("ok - %s%s" % (what, (": " + detail) if detail else ""))
    else:
        fails += 1
        print("not ok - %s%s" % (what, (": " + detail) if detail else ""))
    sys.stdout.flush()


def tcp_allocate(c, extra=()):
    m = c.transact(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 6, 0, 0, 0))] +
                   list(extra))
    if m.cls == 2:
        c.relayed = tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid)
    return m


def connect(c, ip, port):
    m = c.transact(CONNECT, [(tc.A_XOR_PEER, (ip, port))])
    cid = m.get(A_CONNECTION_ID)
    return m, (struct.unpack("!I", cid)[0] if cid is not None else None)


def bind(server, cid, user="test", password="test", nonce_from=None):
    """A data connection and its ConnectionBind (the control connection's
    nonce and realm, as clients do): (socket, answer)."""
    d = tc.TcpClient(server, user=user, password=password, timeout=10)
    if nonce_from is not None:
        d.realm, d.nonce = nonce_from.realm, nonce_from.nonce
    m = d.transact(CONNECTION_BIND, [(A_CONNECTION_ID, struct.pack("!I", cid))])
    return d, m


def attempt(c, timeout=10.0):
    """The next ConnectionAttempt on control connection c: (cid, peer)."""
    c.sock.settimeout(timeout)
    while True:
        m = tc.Msg(c.recv())
        if m.method == CONNECTION_ATTEMPT and m.cls == 1:
            return (struct.unpack("!I", m.get(A_CONNECTION_ID))[0],
                    tc.unxor_addr(m.get(tc.A_XOR_PEER), m.tid))


def raw_exchange(d, data):
    """data through a bound data connection to the echo peer and back."""
    s = d.sock
    s.settimeout(20)
    got = bytearray(d.buf)           # (bytes that came with the answer)
    d.buf = b""
    sent = 0
    while sent < len(data) or len(got) < len(data):
        if sent < len(data):
            sent += s.send(data[sent:sent + 16384])
        s.setblocking(False)
        try:
            while True:
                x = s.recv(65536)
                if not x:
                    raise ConnectionError("closed after %d bytes" % len(got))
                got += x
        except BlockingIOError:
            pass
        s.settimeout(20)
        if sent >= len(data) and len(got) < len(data):
            x = s.recv(65536)
            if not x:
                raise ConnectionError("closed after %d bytes" % len(got))
            got += x
    return bytes(got)


def ask_peer(dirname, name, ip, port, n, mode):
    with open(os.path.join(dirname, "connect-" + name + ".tmp"), "w") as f:
        f.write("%s %d %d %s\n" % (ip, port, n, mode))
    os.rename(os.path.join(dirname, "connect-" + name + ".tmp"),
              os.path.join(dirname, "connect-" + name))


def peer_result(dirname, name, timeout):
    p = os.path.join(dirname, "result-" + name)
    until = time.monotonic() + timeout
    while True:
        if os.path.exists(p):
            return open(p).read().strip()
        if time.monotonic() >= until:
            return "fail no result in %d s" % timeout
        time.sleep(0.1)


def lazy_main():
    """A bind that never comes (§5.3: 30 s, then the peer connection goes).
    Mostly a wait: DIR/lazy-ready says when the peer connection waits for
    its bind, and the test does other work (not a cp restart: a restarted
    cp gives a waiting connection a fresh 30 s) until the result."""
    server, dirname, peer_ip = sys.argv[1], sys.argv[2], sys.argv[3]
    lazy = tc.TcpClient(server, timeout=10)
    m = tcp_allocate(lazy)
    check("Allocate REQUESTED-TRANSPORT TCP over TCP", m.cls == 2 and lazy.relayed is not None,
          "relayed %s:%d" % lazy.relayed if lazy.relayed else "error %s" % m.error())
    if lazy.relayed is None:
        open(os.path.join(dirname, "lazy-ready"), "w").close()
        return fails
    lazy.permission((peer_ip, None))
    ask_peer(dirname, "lazy", lazy.relayed[0], lazy.relayed[1], 1000, "wait")
    cid_lazy, _ = attempt(lazy)
    t_lazy = time.monotonic()
    open(os.path.join(dirname, "lazy-ready"), "w").close()
    left = 33 - (time.monotonic() - t_lazy)
    r = peer_result(dirname, "lazy", max(left, 1) + 5)
    check("no ConnectionBind in 30 s: the peer connection is closed", r.startswith("ok ended"),
          r + " (CONNECTION-ID %#x)" % cid_lazy)
    ok_time = False
    try:
        ok_time = float(r.split("after ")[1].split(" s")[0]) >= 29.0
    except (IndexError, ValueError):
        pass
    check("... not before 30 s", ok_time, r)
    lazy.sock.close()
    return fails


def main():
    server, dirname, peer_ip, echo_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

    # -- Allocate's refusals (§5.1)
    u = tc.Client(server, timeout=2)
    m = tcp_allocate(u)
    check("Allocate TCP over UDP: 400", m.error() == 400, "got %s" % m.error())
    t = tc.TcpClient(server, timeout=10)
    m = tcp_allocate(t, [(A_EVEN_PORT, b"\x00")])
    check("Allocate TCP with EVEN-PORT: 400", m.error() == 400, "got %s" % m.error())

    # -- Connect (§5.2) and ConnectionBind (§5.4): bytes both ways
    c = tc.TcpClient(server, timeout=40)
    tcp_allocate(c)
    m = c.transact(tc.CHANNEL_BIND, [(tc.A_CHANNEL, struct.pack("!HH", 0x4001, 0)),
                                     (tc.A_XOR_PEER, (peer_ip, echo_port))])
    check("ChannelBind on a TCP allocation: 400", m.error() == 400, "got %s" % m.error())
    m, cid = connect(c, peer_ip, echo_port)
    check("Connect to the echo peer", m.cls == 2 and cid,
          "CONNECTION-ID %#x" % cid if cid else "error %s" % m.error())
    m2, _ = connect(c, peer_ip, echo_port)
    check("a second Connect to the same peer: 446", m2.error() == 446, "got %s" % m2.error())
    d, m = bind(server, cid or 1, nonce_from=c)
    check("ConnectionBind on a new connection", m.cls == 2, "got %s" % m.error())
    data = pattern(300000, "connect")
    try:
        got = raw_exchange(d, data)
        check("300 KB to the peer and back through the splice, byte-exact", got == data,
              "sha256 %s" % hashlib.sha256(got).hexdigest()[:16])
    except Exception as e:  # noqa: BLE001
        check("300 KB to the peer and back through the splice", False, str(e))
    # -- data in the same write as the ConnectionBind: it waits
    # in dp's TCP for cp's answer (under the window, then the budget),
    # none of it read out and held beside; it arrives byte-exact
    c2 = tc.TcpClient(server, timeout=40)
    tcp_allocate(c2)
    m, cid2 = connect(c2, peer_ip, echo_port)
    if cid2:
        d3 = tc.TcpClient(server, timeout=20)
        d3.realm, d3.nonce = c2.realm, c2.nonce
        req = d3.build(CONNECTION_BIND, [(A_CONNECTION_ID, struct.pack("!I", cid2))])
        data = pattern(60000, "eager")
        d3.send_raw(req + data)
        m = tc.Msg(d3._frame())
        check("ConnectionBind with 60 KB behind it in one write: bound", m.cls == 2,
              "got %s" % m.error())
        try:
            got = raw_exchange(d3, b"")
            while len(got) < len(data):
                x = d3.sock.recv(65536)
                if not x:
                    break
                got += x
            check("... the 60 KB reached the peer and came back, byte-exact", got == data,
                  "%d bytes" % len(got))
        except Exception as e:  # noqa: BLE001
            check("... the 60 KB reached the peer and came back", False, str(e))
        d3.sock.close()
    else:
        check("Connect from a second allocation", False, "error %s" % m.error())
    d2, m = bind(server, cid or 1, nonce_from=c)
    check("a second ConnectionBind of the same CONNECTION-ID: 400", m.error() == 400,
          "got %s" % m.error())
    d3, m = bind(server, 0x5a5a5a5a, nonce_from=c)
    check("ConnectionBind of an unknown CONNECTION-ID: 400", m.error() == 400,
          "got %s" % m.error())
    m, _ = connect(c, peer_ip, echo_port + 1)
    check("Connect to a port nobody listens on: 447", m.error() == 447, "got %s" % m.error())
    m, _ = connect(c, "10.210.0.2", echo_port)
    check("Connect to an address the peer policy refuses: 403", m.error() == 403,
          "got %s" % m.error())
    # -- another user's ConnectionBind: 400, as an unknown CONNECTION-ID's
    # (441 told a stranger that the id is live)
    o = tc.TcpClient(server, timeout=10)
    tcp_allocate(o)
    m, cid_o = connect(o, peer_ip, echo_port)
    d4, m = bind(server, cid_o or 1, user="other", password="other", nonce_from=o)
    check("ConnectionBind by another user than the allocation's: 400", m.error() == 400,
          "got %s" % m.error())
    d5, m = bind(server, ((cid_o or 1) ^ 0x5a5a) or 7, user="other", password="other",
                 nonce_from=o)
    check("... the same as for an unknown CONNECTION-ID: 400", m.error() == 400,
          "got %s" % m.error())

    # -- a peer that connects in and sends first (§5.3): its bytes arrive
    # after the bind, byte-exact
    p = tc.TcpClient(server, timeout=20)
    tcp_allocate(p)
    p.permission((peer_ip, None))
    ask_peer(dirname, "first", p.relayed[0], p.relayed[1], 40000, "reply")
    cid_in, peer = attempt(p)
    check("ConnectionAttempt for a peer that connected in", peer[0] == peer_ip,
          "from %s:%d, CONNECTION-ID %#x" % (peer[0], peer[1], cid_in))
    time.sleep(0.5)                  # its bytes wait in dp meanwhile
    d5, m = bind(server, cid_in, nonce_from=p)
    check("ConnectionBind of the incoming connection", m.cls == 2, "got %s" % m.error())
    want = pattern(40000, "first")
    try:
        d5.sock.settimeout(10)
        got = bytearray(d5.buf)
        while len(got) < len(want):
            x = d5.sock.recv(65536)
            if not x:
                break
            got += x
        g = bytes(got)
        k = next((i for i in range(min(len(g), len(want))) if g[i] != want[i]), -1)
        check("the peer's 40 KB sent before the bind arrive after it, byte-exact",
              g == want, "%d bytes%s" % (len(g), "" if g == want else
                                         "; first difference at %d (%d came with the bind's "
                                         "answer), the 32 bytes there are at %d of the "
                                         "stream" % (k, len(d5.buf), want.find(g[k:k + 32]))))
        d5.sock.sendall(want[::-1])
        r = peer_result(dirname, "first", 20)
        check("and the client's answer reaches the peer", r.startswith("ok"), r)
    except Exception as e:  # noqa: BLE001
        check("the peer's bytes after the bind", False, str(e))

    # -- no permission for the peer: its connection is closed at once
    n = tc.TcpClient(server, timeout=10)
    tcp_allocate(n)
    ask_peer(dirname, "noperm", n.relayed[0], n.relayed[1], 100, "wait")
    r = peer_result(dirname, "noperm", 15)
    check("a peer without a permission is closed at once", r.startswith("ok ended by reset"), r)

    # -- the allocation ends: its connections with it (§5.5)
    m = c.refresh(0)
    check("Refresh 0 deletes the TCP allocation", m.cls == 2, "got %s" % m.error())
    try:
        d.sock.settimeout(5)
        x = d.sock.recv(100)
        check("its data connection ends with it", x == b"", "read %d bytes" % len(x))
    except ConnectionResetError:
        check("its data connection ends with it", True, "reset")
    except socket.timeout:
        check("its data connection ends with it", False, "still open after 5 s")

    for s in (u, t, c, d, d2, d3, o, d4, p, d5, n):
        try:
            s.sock.close()
        except OSError:
            pass
    return fails


def wait_file(path, timeout):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if os.path.exists(path):
            return True
        time.sleep(0.1)
    return False


def restart_main():
    """A bound connection and one waiting for its bind, across cp's restart:
    the bound one carries on, the waiting one binds with the CONNECTION-ID
    the ConnectionAttempt gave before the restart, and the allocation's end
    still ends both."""
    server, dirname, peer_ip, echo_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    c = tc.TcpClient(server, timeout=20)
    m = tcp_allocate(c)
    check("before cp's restart: Allocate TCP", m.cls == 2, "error %s" % m.error())
    c.permission((peer_ip, None))
    m, cid = connect(c, peer_ip, echo_port)
    d, m = bind(server, cid or 1, nonce_from=c)
    check("before: Connect and ConnectionBind", m.cls == 2, "error %s" % m.error())
    one = pattern(50000, "before")
    check("before: 50 KB through the bound connection", raw_exchange(d, one) == one)
    ask_peer(dirname, "across", c.relayed[0], c.relayed[1], 20000, "reply")
    cid_in, _ = attempt(c)
    open(os.path.join(dirname, "ready"), "w").close()
    if not wait_file(os.path.join(dirname, "restarted"), 60):
        check("cp restarted", False, "no word in 60 s")
        return fails
    two = pattern(50000, "after")
    try:
        check("after cp's restart: the connection bound before carries 50 KB, byte-exact",
              raw_exchange(d, two) == two)
    except Exception as e:  # noqa: BLE001
        check("after cp's restart: the connection bound before", False, str(e))
    d2, m = bind(server, cid_in, nonce_from=c)
    check("after: ConnectionBind of the CONNECTION-ID given before the restart",
          m.cls == 2, "error %s" % m.error())
    want = pattern(20000, "across")
    got = bytearray(d2.buf)
    d2.sock.settimeout(10)
    try:
        while len(got) < len(want):
            x = d2.sock.recv(65536)
            if not x:
                break
            got += x
        d2.sock.sendall(want[::-1])
    except OSError as e:
        check("after: the peer's bytes", False, str(e))
    check("after: the peer's 20 KB, byte-exact, and the answer reaches it",
          bytes(got) == want and peer_result(dirname, "across", 20).startswith("ok"),
          "%d bytes; peer: %s" % (len(got), peer_result(dirname, "across", 1)))
    m = c.refresh(0)
    ends = 0
    for s in (d, d2):
        try:
            s.sock.settimeout(5)
            ends += s.sock.recv(100) == b""
        except ConnectionResetError:
            ends += 1
        except socket.timeout:
            pass
    check("after: Refresh 0 ends both data connections", m.cls == 2 and ends == 2,
          "%d of 2 ended" % ends)
    return fails


if __name__ == "__main__":
    mode = sys.argv[5] if len(sys.argv) > 5 else ""
    sys.exit(restart_main() if mode == "restart" else lazy_main() if mode == "lazy" else main())
