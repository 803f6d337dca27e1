#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# One end of an MSRP session (RFC 4975) through the access gateway's
# TCP-leg context, over the kernel's TCP and Python's OpenSSL
# (test_li_msrp.sh): N SEND requests, each a chunk of its own transaction
# (bodies of 1 to 7,000 bytes, seeded: a chunk longer than lawful
# interception's ring slot comes to the MF in pieces), sent while the
# peer's are read; both ends send at once. The exact bytes sent and
# received are written to files, so the test compares the MF's X3
# payloads with them byte for byte.
#
#   msrp_end.py listen|connect ADDR PORT --tag T --peer-tag P --n N
#       --tls-cert C --tls-key K [--tls-role server|client]
#       --sent FILE --recv FILE [--done FILE] [--wait FILE]
#       [--ready FILE] [--bind ADDR] [--timeout S]
# It reads until it has the peer's whole stream (msrp_stream(P, N): the
# peer's tag and count are known), writes --done, then waits for --wait
# (the peer's --done: the peer has ours) before it closes (TLS
# close_notify, then FIN). One JSON line: what went and came, the local
# and remote addresses of its TCP connection.
import json, os, random, select, socket, ssl, sys, time


def arg(name, default=None, conv=str):
    if name in sys.argv:
        return conv(sys.argv[sys.argv.index(name) + 1])
    return default


def msrp_stream(tag, n):
    """tag's n SEND requests, back to back (RFC 4975 section 7.1)."""
    r = random.Random(tag)
    out = bytearray()
    for k in range(n):
        size = r.choice((1, 40, 300, 1500, 1888, 1889, 3000, 7000, r.randint(1, 7000)))
        body = bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 .,") for _ in range(size))
        tid = "t%dk%d" % (tag, k)
        out += ("MSRP %s SEND\r\n"
                "To-Path: msrp://peer%d.example:2855/s%d;tcp\r\n"
                "From-Path: msrp://ue%d.example:2855/s%d;tcp\r\n"
                "Message-ID: m%d-%d\r\n"
                "Byte-Range: 1-%d/%d\r\n"
                "Content-Type: text/plain\r\n\r\n" % (tid, tag, tag, tag, tag, tag, k, size, size)).encode()
        out += body + ("\r\n-------%s$\r\n" % tid).encode()
    return bytes(out)


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tag, ptag, n = arg("--tag", 1, int), arg("--peer-tag", 2, int), arg("--n", 20, int)
    timeout = arg("--timeout", 30.0, float)
    t_end = time.time() + timeout
    data = msrp_stream(tag, n)
    want = len(msrp_stream(ptag, n))
    out = {"mode": mode}
    if mode == "listen":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(2)
        ls.settimeout(timeout)
        if arg("--ready"):
            open(arg("--ready"), "w").close()
        raw, _ = ls.accept()
        ls.close()
    else:
        bind = arg("--bind")
        raw = socket.create_connection((addr, port), timeout=timeout,
                                       source_address=(bind, 0) if bind else None)
    out["local"] = "%s:%d" % raw.getsockname()[:2]
    out["remote"] = "%s:%d" % raw.getpeername()[:2]
    tls_server = arg("--tls-role", "server" if mode == "listen" else "client") == "server"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if tls_server else ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_cert_chain(arg("--tls-cert"), arg("--tls-key"))
    ctx.check_hostname = False
    # (trust is by fingerprint, at the gateway: we ask, it shows one)
    if tls_server:
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(arg("--tls-ca", arg("--tls-cert")))
    else:
        ctx.verify_mode = ssl.CERT_NONE
    raw.settimeout(timeout)
    s = ctx.wrap_socket(raw, server_side=tls_server)
    s.setblocking(False)
    got = bytearray()
    sent = 0
    while (sent < len(data) or len(got) < want) and time.time() < t_end:
        rl = [s] if len(got) < want else []
        wl = [s] if sent < len(data) else []
        if s.pending() > 0:
            r, w = [s], []
        else:
            r, w, _ = select.select(rl, wl, [], 0.2)
        if r:
            try:
                b = s.recv(65536)
                if not b:
                    break
                got += b
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
        if w:
            try:
                # (a SEND or two a write: the gateway's reads see chunks
                # of every size)
                sent += s.send(data[sent:sent + 9000])
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
    open(arg("--sent"), "wb").write(data[:sent])
    open(arg("--recv"), "wb").write(bytes(got))
    out["sent"] = sent
    out["recv"] = len(got)
    out["recv_ok"] = bytes(got) == msrp_stream(ptag, n)
    if arg("--done"):
        open(arg("--done"), "w").close()
    while arg("--wait") and not os.path.exists(arg("--wait")) and time.time() < t_end:
        time.sleep(0.05)
    s.setblocking(True)
    s.settimeout(3)
    try:
        s.unwrap()
        out["end"] = "close_notify"
    except (ssl.SSLError, OSError) as e:
        out["end"] = "unwrap: %s" % e
    try:
        s.close()
    except OSError:
        pass
    print(json.dumps(out))
    return 0 if out["recv_ok"] and sent == len(data) else 1


if __name__ == "__main__":
    sys.exit(main())
