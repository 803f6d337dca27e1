#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# A TLS client whose OpenSSL sends a fatal alert after the handshake: the
# far end of a gateway leg that ends with tls_alert. Neither Python's ssl
# nor openssl s_client can be told to send an alert, so this one gives
# its OpenSSL a reason to: it runs TLS over memory BIOs (ssl.SSLObject),
# completes the handshake, then flips one bit in the authentication tag of
# the first record the server sends after it; OpenSSL refuses the record
# and writes its fatal bad_record_mac alert (encrypted, in sequence, as
# any alert it sends), which goes to the server as it is. Prints one JSON
# line: the handshake's version, the peer certificate's SHA-256, the
# error OpenSSL raised, how many alert bytes went, how the stream ended.
#
#   tls_alert_client.py ADDR PORT --tls-cert C --tls-key K [--send N]
#       [--timeout S]
#   --send N: N bytes to the server after the handshake (the server's
#             answer, or its session tickets, is the record spoiled)
import hashlib, json, socket, ssl, sys, time


def arg(name, default=None, conv=str):
    if name in sys.argv:
        return conv(sys.argv[sys.argv.index(name) + 1])
    return default


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    timeout = arg("--timeout", 10.0, float)
    out = {}
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_cert_chain(arg("--tls-cert"), arg("--tls-key"))
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE      # (trust is by fingerprint: printed)
    sock = socket.create_connection((addr, port), timeout=timeout)
    sock.settimeout(timeout)
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inb, outb, server_side=False)

    def flush():
        b = outb.read()
        if b:
            sock.sendall(b)
        return len(b)

    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            flush()
            b = sock.recv(65536)
            if not b:
                out["error"] = "eof in the handshake"
                print(json.dumps(out))
                return 1
            inb.write(b)
    flush()
    der = tls.getpeercert(binary_form=True)
    out["tls_version"] = tls.version()
    out["peer_fp"] = hashlib.sha256(der).hexdigest() if der else None
    n = arg("--send", 0, int)
    if n:
        tls.write(b"x" * n)
        flush()
    # the server's records from here on, whole: the first one spoiled
    buf = b""
    while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
        b = sock.recv(65536)
        if not b:
            out["error"] = "eof before a record"
            print(json.dumps(out))
            return 1
        buf += b
    end = 5 + int.from_bytes(buf[3:5], "big")
    rec = bytearray(buf[:end])
    rec[-1] ^= 0x01                      # the tag's last byte
    out["spoiled_record"] = {"type": rec[0], "len": end - 5}
    inb.write(bytes(rec))
    try:
        tls.read(65536)
        out["error"] = "the spoiled record was taken"
        print(json.dumps(out))
        return 1
    except ssl.SSLError as e:
        out["ssl_error"] = e.reason or str(e)
    out["alert_bytes"] = flush()
    # the server's answer to our alert: it closes
    t_end = time.time() + timeout
    out["end"] = None
    try:
        while time.time() < t_end:
            if not sock.recv(65536):
                out["end"] = "eof"
                break
    except ConnectionResetError:
        out["end"] = "reset"
    except socket.timeout:
        out["end"] = "timeout"
    sock.close()
    print(json.dumps(out))
    return 0 if out["alert_bytes"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
