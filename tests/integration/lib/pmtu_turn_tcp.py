#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# TURN over TCP with RFC 6062 for test_tcp_pmtu.sh: a control connection
# allocates a TCP relay, Connects to the echo peer (tcprelay_peer.py),
# binds a data connection, and N bytes go to the peer and come back
# through dp's splice: the way back is a 10 MB download from dp to the
# client over its data connection. Exit 0 when byte-exact.
#   pmtu_turn_tcp.py SERVER PEER_IP ECHO_PORT BYTES
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402
from tcprelay_client import bind, connect, raw_exchange, tcp_allocate  # noqa: E402
from tcprelay_peer import pattern  # noqa: E402

server, peer_ip, echo_port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = tc.TcpClient(server, timeout=40)
m = tcp_allocate(c)
if m.cls != 2:
    print("# Allocate TCP: error %s" % m.error())
    sys.exit(1)
m, cid = connect(c, peer_ip, echo_port)
if m.cls != 2 or not cid:
    print("# Connect: error %s" % m.error())
    sys.exit(1)
d, m = bind(server, cid, nonce_from=c)
if m.cls != 2:
    print("# ConnectionBind: error %s" % m.error())
    sys.exit(1)
data = pattern(n, "pmtu")
t0 = time.time()
try:
    got = raw_exchange(d, data)
except Exception as e:  # noqa: BLE001
    print("# %d bytes through the splice: %s" % (n, e))
    sys.exit(1)
dt = time.time() - t0
ok = got == data
print("# %s: %d bytes to the peer and back through RFC 6062's splice in %.2f s, sha256 %s"
      % (server, n, dt, "equal" if ok else "DIFFERENT " + hashlib.sha256(got).hexdigest()[:16]))
sys.exit(0 if ok else 1)
