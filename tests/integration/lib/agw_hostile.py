#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# A stranger at an access-gateway server leg's port, over the kernel's TCP
# (and Python's OpenSSL): what test_agw_hostile makes connect before the
# real UE does. Prints one JSON line saying what it saw.
#
#   agw_hostile.py garbage SRC DST PORT N     connect from SRC, send N random
#                                             bytes, reset (SO_LINGER 0)
#   agw_hostile.py tls SRC DST PORT CERT KEY  a TLS client presenting CERT;
#                                             says how its handshake ended
#   agw_hostile.py hold SRC DST PORT K SECS   K silent connections, held SECS
#                                             or until reset; how many were
#   agw_hostile.py plain SRC DST PORT SECS    connect, send a line, read for
#                                             SECS: what came back (a spliced
#                                             stranger would get the peer's
#                                             bytes)
import json, os, select, socket, ssl, struct, sys, time


def conn(src, dst, port, timeout=5.0):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect((dst, port))
    return s


def rst(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def main():
    mode, src, dst, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    out = {"mode": mode}
    if mode == "garbage":
        s = conn(src, dst, port)
        s.sendall(os.urandom(int(sys.argv[5])))
        time.sleep(0.2)
        rst(s)
        out["sent"] = int(sys.argv[5])
    elif mode == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.load_cert_chain(sys.argv[5], sys.argv[6])
        try:
            t = ctx.wrap_socket(conn(src, dst, port))
            # TLS 1.3: the server judges our certificate after its own
            # Finished; its verdict is an alert, or a reset, at our read
            t.settimeout(3)
            data = t.recv(100)
            out["end"] = "eof" if not data else "data"
        except (ssl.SSLError, ConnectionError, socket.timeout, OSError) as e:
            out["end"] = "refused"
            out["error"] = str(e)[:120]
    elif mode == "hold":
        k, secs = int(sys.argv[5]), float(sys.argv[6])
        socks = []
        refused = 0
        for _ in range(k):
            try:
                socks.append(conn(src, dst, port))
            except OSError:
                refused += 1          # (reset at connect: the leg was taken)
            time.sleep(0.05)
        out["opened"] = len(socks)
        out["refused_at_connect"] = refused
        if len(sys.argv) > 7:
            open(sys.argv[7], "w").close()      # ready: all are open
        end = time.time() + secs
        reset = set()
        while time.time() < end and len(reset) < len(socks):
            r, _, _ = select.select([s for s in socks if s not in reset], [], [], 0.2)
            for s in r:
                try:
                    if not s.recv(4096):
                        reset.add(s)
                except OSError:
                    reset.add(s)
        out["ended"] = len(reset) + refused
        for s in socks:
            s.close()
    elif mode == "plain":
        secs = float(sys.argv[5])
        got = b""
        try:
            s = conn(src, dst, port)
            s.sendall(b"a stranger's bytes\r\n")
            s.settimeout(0.5)
            end = time.time() + secs
            while time.time() < end:
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    continue
                if not b:
                    out["end"] = "eof"
                    break
                got += b
        except ConnectionError as e:
            out["end"] = "reset"
            out["error"] = str(e)[:80]
        except OSError as e:
            out["end"] = "error"
            out["error"] = str(e)[:80]
        out["received"] = len(got)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
