#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# One end of an access-gateway splice, over the kernel's TCP (and Python's
# OpenSSL for TLS): send BYTES pseudo-random bytes (seeded: the other end
# knows their SHA-256) while reading until the end of the stream, in one
# thread (non-blocking, select: an SSL object is not to be shared between
# threads), then close the way the test says. Prints one JSON line: what
# went and came (lengths and SHA-256), how the stream ended, the time, the
# peer certificate's SHA-256 fingerprint over TLS.
#
#   agw_stream.py listen|connect ADDR PORT [--bytes N] [--seed S]
#       [--tls-cert C --tls-key K]   TLS with this certificate (listen: a
#                                    TLS server asking for the client's
#                                    certificate; connect: a TLS client
#                                    presenting it)
#       [--tls-role server|client]   TLS: the other role than the TCP one
#                                    (a connecting TLS server: dp's leg is a
#                                    TCP server and a TLS client)
#       [--close-first]              TLS: send close_notify right after the
#                                    data (the peer sends nothing back)
#       [--close-when-received]      TLS: send close_notify once our bytes
#                                    went and BYTES came (both ends TLS:
#                                    one has to end first)
#       [--hold]                     end our stream only after the peer's
#       [--pause-read S]             read nothing for the first S seconds
#       [--rcvbuf B]                 listen: SO_RCVBUF B (no autotuning)
#       [--rst-after N]              read N bytes, then reset (SO_LINGER 0)
#       [--garbage-after N]          TLS: read N bytes, then write a record
#                                    that fails authentication
#       [--timeout S] [--ready FILE] (listen: FILE made once listening)
import hashlib, json, os, random, select, socket, ssl, struct, sys, time


def arg(name, default=None, conv=str):
    if name in sys.argv:
        return conv(sys.argv[sys.argv.index(name) + 1])
    return default


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    total = arg("--bytes", 0, int)
    seed = arg("--seed", 1, int)
    cert, key = arg("--tls-cert"), arg("--tls-key")
    timeout = arg("--timeout", 60.0, float)
    rst_after = arg("--rst-after", -1, int)
    garbage_after = arg("--garbage-after", -1, int)
    close_first = "--close-first" in sys.argv
    close_recv = "--close-when-received" in sys.argv
    hold = "--hold" in sys.argv
    pause = arg("--pause-read", 0.0, float)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    out = {"mode": mode}
    data = random.Random(seed).randbytes(total) if total else b""
    out["sent_sha"] = hashlib.sha256(data).hexdigest()
    t_end = time.time() + timeout

    if mode == "listen":
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if arg("--rcvbuf"):
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, arg("--rcvbuf", 0, int))
        ls.bind((addr, port))
        ls.listen(4)
        ls.settimeout(timeout)
        if arg("--ready"):
            open(arg("--ready"), "w").close()
        raw, peer = ls.accept()
        ls.close()
    else:
        raw = socket.create_connection((addr, port), timeout=timeout)
    raw.settimeout(max(1.0, t_end - time.time()))
    t0 = time.time()
    pause_until = t0 + pause        # from the connection on
    s = raw
    tls_server = arg("--tls-role", "server" if mode == "listen" else "client") == "server"
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if tls_server
                             else ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_cert_chain(cert, key)
        ctx.check_hostname = False
        if tls_server:
            # ask for the client's certificate; trust is by fingerprint
            # (printed, the test compares), as the gateway's is
            ctx.verify_mode = ssl.CERT_OPTIONAL
            ctx.load_verify_locations(arg("--tls-ca", cert))
        else:
            ctx.verify_mode = ssl.CERT_NONE
        try:
            s = ctx.wrap_socket(raw, server_side=tls_server)
        except (ssl.SSLError, OSError) as e:
            out["error"] = "handshake: %s" % e
            print(json.dumps(out))
            return 1
        der = s.getpeercert(binary_form=True)
        out["peer_fp"] = hashlib.sha256(der).hexdigest() if der else None
        out["tls_version"] = s.version()
    s.setblocking(False)
    h = hashlib.sha256()
    got = 0
    sent = 0
    send_done = total == 0
    recv_done = False
    shut = False
    out["end"] = None
    chunk = None
    try:
        while not (send_done and recv_done):
            if time.time() > t_end:
                out["error"] = "timeout"
                break
            if send_done and not shut and not cert and (not hold or recv_done):
                s.shutdown(socket.SHUT_WR)
                shut = True
            if send_done and not shut and cert and close_recv and got >= total:
                s.setblocking(True)
                s.settimeout(max(1.0, t_end - time.time()))
                try:
                    s.unwrap()              # close_notify, then the peer's
                    out["end"] = "eof"
                except (ssl.SSLError, OSError) as e:
                    out["end"] = "unwrap: %s" % e
                shut = True
                recv_done = True
                break
            if send_done and not shut and cert and close_first:
                s.setblocking(True)
                s.settimeout(5)
                try:
                    s = s.unwrap()          # close_notify (the peer's back)
                except (ssl.SSLError, OSError) as e:
                    out["unwrap"] = str(e)
                shut = True
                out["end"] = "close_notify"
                recv_done = True
                break
            pending = cert is not None and s.pending() > 0
            rl = [s] if not recv_done and time.time() >= pause_until else []
            wl = [s] if not send_done else []
            if not pending:
                r, w, _ = select.select(rl, wl, [], 0.5)
            else:
                r, w = [s], []
            if r:
                try:
                    b = s.recv(262144)
                    if not b:
                        recv_done = True
                        out["end"] = "eof"
                    else:
                        h.update(b)
                        got += len(b)
                        if rst_after >= 0 and got >= rst_after:
                            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                            s.close()
                            out["end"] = "we_reset"
                            break
                        if garbage_after >= 0 and got >= garbage_after:
                            # an application-data record whose tag cannot
                            # verify, on the TCP connection under TLS
                            os.write(s.fileno(), b"\x17\x03\x03\x00\x20" + os.urandom(32))
                            garbage_after = -1
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    pass
                except ConnectionResetError:
                    recv_done = True
                    out["end"] = "reset"
                except ssl.SSLError as e:
                    recv_done = True
                    out["end"] = "ssl_error: %s" % e.reason
            if w and not send_done:
                if chunk is None:
                    chunk = data[sent:sent + 65536]
                try:
                    n = s.send(chunk)
                    sent += n
                    chunk = chunk[n:] if n < len(chunk) else None
                    if sent >= total:
                        send_done = True
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    send_done = True
                    out["send_error"] = "reset"
                except ssl.SSLError as e:
                    send_done = True
                    out["send_error"] = "ssl: %s" % e.reason
        if cert and out.get("end") == "eof" and not shut:
            # the peer's close_notify came and our data went: ours
            s.setblocking(True)
            s.settimeout(5)
            try:
                s.unwrap()
            except (ssl.SSLError, OSError) as e:
                out["unwrap"] = str(e)
    finally:
        try:
            s.close()
        except OSError:
            pass
    out["sent"] = sent
    out["recv"] = got
    out["recv_sha"] = h.hexdigest()
    out["secs"] = round(time.time() - t0, 3)
    print(json.dumps(out))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
