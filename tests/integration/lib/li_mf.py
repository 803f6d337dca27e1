#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A test mediation function for ETSI TS 103 221-2 (X2/X3): a TLS server
(Python's ssl: its certificate and key, the NE's certificate required and
checked against --ca) that reads PDUs from each connection (the header's
lengths frame them, as TS 103 221-2 §5.2.3-§5.2.4 say) and writes each one
into a pcap as a TCP segment of its own from 10.0.0.1:40000 to
10.0.0.2:--port, so that tshark's 5gli dissector, which reads a PDU from
the segment it starts in, decodes them (`-d tcp.port==PORT,5gli`). The
pcap is flushed after every PDU. Runs until killed.

Keepalives (TS 103 221-2 §6.2.4): each one is answered with its
acknowledgement (type 4, the same sequence number: the same 48 bytes with
the type changed) and logged "keepalive SEQ acked", unless the file
--ctl/noack exists ("keepalive SEQ ignored"). Each connection's start and
end are logged ("connected", "closed"). --chatty: an MF that sends
acknowledgements of no keepalive non-stop and reads nothing.

Usage: li_mf.py --port P --cert C --key K --ca CA --pcap FILE [--ctl DIR]
"""
import argparse
import os
import socket
import ssl
import struct
import threading
import time

lock = threading.Lock()
seq = [1]


def pcap_open(path):
    f = open(path, 'wb')
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.flush()
    return f


def cksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def segment(pdu, port):
    """One Ethernet/IPv4/TCP frame carrying pdu (checksums right)."""
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    tcp = struct.pack('!HHIIBBHHH', 40000, port, seq[0], 1, 5 << 4, 0x18, 65535, 0, 0)
    seq[0] = (seq[0] + len(pdu)) & 0xffffffff
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp) + len(pdu))
    c = cksum(pseudo + tcp + pdu)
    tcp = tcp[:16] + struct.pack('!H', c) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp) + len(pdu), 0, 0x4000, 64, 6,
                     0, src, dst)
    ip = ip[:10] + struct.pack('!H', cksum(ip)) + ip[12:]
    eth = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00'
    return eth + ip + tcp + pdu


def keepalive(conn, pdu, ctl):
    """Our answer to a keepalive (type 3), unless ctl/noack exists."""
    sq = struct.unpack('!I', pdu[44:48])[0] if len(pdu) == 48 else -1
    if ctl and os.path.exists(os.path.join(ctl, 'noack')):
        print('keepalive %d ignored' % sq, flush=True)
        return
    conn.sendall(pdu[:2] + b'\x00\x04' + pdu[4:])
    print('keepalive %d acked' % sq, flush=True)


def chatter(conn):
    """--chatty: acknowledgements of keepalive 99, never sent, until the
    peer closes; how many is logged."""
    ack = struct.pack('!HHIIHH', 5, 4, 48, 0, 0, 0) + bytes(24) + struct.pack('!HHI', 8, 4, 99)
    n = 0
    try:
        while True:
            conn.sendall(ack * 64)
            n += 64
    except (OSError, ssl.SSLError):
        pass
    print('chatted %d, closed' % n, flush=True)
    conn.close()


def serve(conn, pcap, port, ctl):
    buf = b''
    try:
        while True:
            d = conn.recv(65536)
            if not d:
                break
            buf += d
            while len(buf) >= 12:
                hl, pl = struct.unpack('!II', buf[4:12])
                if hl < 40:
                    raise ValueError('header length %d' % hl)
                if len(buf) < hl + pl:
                    break
                pdu, buf = buf[:hl + pl], buf[hl + pl:]
                fr = segment(pdu, port)
                t = time.time()
                with lock:
                    pcap.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6), len(fr),
                                           len(fr)) + fr)
                    pcap.flush()
                if struct.unpack('!H', pdu[2:4])[0] == 3:
                    keepalive(conn, pdu, ctl)
    except (OSError, ValueError, ssl.SSLError):
        pass
    finally:
        print('closed', flush=True)
        conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--cert', required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--ca', required=True)
    p.add_argument('--pcap', required=True)
    p.add_argument('--ctl', default='')
    p.add_argument('--chatty', action='store_true',
                   help='after the handshake, send acknowledgements of no keepalive '
                   'non-stop (reading nothing)')
    p.add_argument('--tls12-ciphers', default='',
                   help='TLS 1.2 only, with these suites (OpenSSL names)')
    a = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if a.tls12_ciphers:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(a.tls12_ciphers)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    pcap = pcap_open(a.pcap)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(8)
    print('listening', flush=True)
    while True:
        c, _ = ls.accept()
        try:
            s = ctx.wrap_socket(c, server_side=True)
        except (OSError, ssl.SSLError) as e:
            print('refused:', e, flush=True)
            c.close()
            continue
        print('connected', flush=True)
        if a.chatty:
            threading.Thread(target=chatter, args=(s,), daemon=True).start()
            continue
        threading.Thread(target=serve, args=(s, pcap, a.port, a.ctl), daemon=True).start()


if __name__ == '__main__':
    main()
