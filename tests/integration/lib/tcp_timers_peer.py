#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Kernel TCP peers for test_tcp_timers.sh (run in the clients' namespace).

fill HOST PORT READY: connect to dp's diagnostic echo with a small receive
  buffer, write without reading until nothing more goes for a second (our
  window and dp's are full: dp holds what we sent and what it cannot echo),
  touch READY, then hold the socket open, reading nothing, until killed.
turn HOST PORT READY: connect to TURN over TCP, send one STUN Binding
  request and read its answer, touch READY, then stay connected and silent
  until killed (the kernel answers dp's keepalives meanwhile).
Each prints a JSON line of what it did.
"""
import json
import os
import select
import socket
import struct
import sys
import time


def fill(host, port, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    s.settimeout(5)
    s.connect((host, port))
    s.setblocking(False)
    chunk = b"x" * 16384
    sent = 0
    last = time.monotonic()
    while time.monotonic() - last < 1.0:
        _, w, _ = select.select([], [s], [], 0.2)
        if not w:
            continue
        try:
            n = s.send(chunk)
        except BlockingIOError:
            continue
        if n > 0:
            sent += n
            last = time.monotonic()
    print(json.dumps({"sent": sent}), flush=True)
    open(ready, "w").close()
    while True:
        time.sleep(1)


def turn(host, port, ready):
    s = socket.create_connection((host, port), timeout=5)
    txid = os.urandom(12)
    s.sendall(struct.pack("!HHI", 0x0001, 0, 0x2112A442) + txid)
    buf = b""
    while len(buf) < 20 or len(buf) < 20 + struct.unpack("!H", buf[2:4])[0]:
        d = s.recv(4096)
        if not d:
            break
        buf += d
    ok = len(buf) >= 20 and struct.unpack("!H", buf[0:2])[0] == 0x0101 and buf[8:20] == txid
    print(json.dumps({"answered": ok}), flush=True)
    if not ok:
        sys.exit(1)
    open(ready, "w").close()
    while True:
        time.sleep(1)


if __name__ == "__main__":
    {"fill": fill, "turn": turn}[sys.argv[1]](sys.argv[2], int(sys.argv[3]), sys.argv[4])
