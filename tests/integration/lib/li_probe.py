#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Probes of turnpike's X1 door below HTTP, for test_li_x1.sh.

  li_probe.py --host H --port P conns
      three TCP connections from one address, none saying a word: prints
      "third closed|open" (is the third cut at once?) and
      "first_closed_after SECONDS" (or "first_closed_after never" in 6 s)
  li_probe.py --host H --port P dribble
      a TLS ClientHello sent one byte every 0.25 s (a slow handshake):
      prints "closed_after SECONDS" or "closed_after never" (8 s)
  li_probe.py --host H --port P [--cert C --key K] [--tls 1.1|1.2|1.3]
              [--ciphers OPENSSL-LIST] handshake
      one TLS handshake, nothing sent after it: prints "ok" (the server
      took the handshake and waits a second at least), "refused REASON" (a
      TLS alert, in the handshake or, in TLS 1.3, right after the client's
      Finished), "closed_in_handshake" (closed before the client's side of
      the handshake was done), "closed" (closed after it: in TLS 1.3 the
      server judges the client's certificate after the client finished).
"""
import argparse
import select
import socket
import ssl
import time
import warnings

# TLS 1.1 is asked for on purpose (the door must refuse it)
warnings.simplefilter('ignore', DeprecationWarning)


def gone(s, wait):
    """Whether the server closed s within wait seconds."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b''
    except socket.timeout:
        return False
    except OSError:
        return True


def conns(a):
    socks = [socket.create_connection((a.host, a.port), timeout=2) for _ in range(3)]
    t0 = time.monotonic()
    print('third', 'closed' if gone(socks[2], 1.0) else 'open')
    print('first_closed_after',
          f'{time.monotonic() - t0:.1f}' if gone(socks[0], 6.0) else 'never')


def client_hello():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    t = ctx.wrap_bio(i, o)
    try:
        t.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return o.read()


def dribble(a):
    hello = client_hello()
    s = socket.create_connection((a.host, a.port), timeout=2)
    t0 = time.monotonic()
    for k in range(len(hello)):
        if time.monotonic() - t0 > 8:
            break
        try:
            s.send(hello[k:k + 1])
        except OSError:
            print('closed_after', f'{time.monotonic() - t0:.1f}')
            return
        r, _, _ = select.select([s], [], [], 0.25)
        if r and gone(s, 0.01):
            print('closed_after', f'{time.monotonic() - t0:.1f}')
            return
    print('closed_after never')


def handshake(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the server's side is what is probed
    if a.tls:
        v = {'1.1': ssl.TLSVersion.TLSv1_1, '1.2': ssl.TLSVersion.TLSv1_2,
             '1.3': ssl.TLSVersion.TLSv1_3}[a.tls]
        ctx.minimum_version = ctx.maximum_version = v
    if a.ciphers:
        ctx.set_ciphers(a.ciphers)
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    s = socket.create_connection((a.host, a.port), timeout=3)
    try:
        t = ctx.wrap_socket(s)
    except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionError):
        print('closed_in_handshake')
        return
    except ssl.SSLError as e:
        print('refused', e.reason)
        return
    except OSError:
        print('closed_in_handshake')
        return
    # TLS 1.3: the server judges the client's certificate after the
    # client's Finished; its alert comes with the first read
    t.settimeout(1.0)
    try:
        print('ok' if t.recv(1) != b'' else 'closed')
    except socket.timeout:
        print('ok')
    except ssl.SSLError as e:
        print('refused', e.reason)
    except OSError:
        print('closed')


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--host', required=True)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--tls')
    p.add_argument('--ciphers')
    p.add_argument('mode', choices=('conns', 'dribble', 'handshake'))
    a = p.parse_args()
    {'conns': conns, 'dribble': dribble, 'handshake': handshake}[a.mode](a)


if __name__ == '__main__':
    main()
