#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# VLAN check without kernel VLAN support (this kernel has no 8021q): from
# a raw socket on the tap, say who we are in a tagged ARP request, send a
# tagged ICMP echo request, and expect dp's ARP reply and echo reply both
# tagged with the same VLAN id (read from the frame or from the kernel's
# packet auxdata when it stripped the tag).
#   vlanprobe.py IFACE DP_MAC VLAN
import socket
import struct
import sys
import time

SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    ifc, dmac, vid = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((ifc, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.settimeout(0.5)
    smac = s.getsockname()[4]
    tag = struct.pack("!HH", 0x8100, vid)
    me, dp = socket.inet_aton("10.210.0.2"), socket.inet_aton("10.210.0.1")
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + smac + me + b"\0" * 6 + dp
    s.send(b"\xff" * 6 + smac + tag + struct.pack("!H", 0x0806) + arp)
    time.sleep(0.2)
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"vlan"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 7, 0x4000, 64, 1, 0, me, dp)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s.send(dmac + smac + tag + struct.pack("!H", 0x0800) + ip + icmp)
    seen = set()
    end = time.time() + 3
    while time.time() < end and len(seen) < 2:
        try:
            data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(64))
        except socket.timeout:
            continue
        if data[6:12] != dmac:
            continue                      # not from dp
        vlan, off = None, 12
        etype = struct.unpack("!H", data[12:14])[0]
        if etype == 0x8100:
            vlan = struct.unpack("!H", data[14:16])[0] & 0xFFF
            etype, off = struct.unpack("!H", data[16:18])[0], 16
        for level, typ, val in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA:
                status = struct.unpack("I", val[:4])[0]
                if status & TP_STATUS_VLAN_VALID:
                    vlan = struct.unpack("H", val[16:18])[0] & 0xFFF
        body = data[off + 2:]
        if etype == 0x0806 and struct.unpack("!H", body[6:8])[0] == 2 and vlan == vid:
            seen.add("arp")
        if etype == 0x0800 and body[9] == 1 and body[20] == 0 and vlan == vid:
            seen.add("echo")
    print("tagged replies seen:", sorted(seen))
    sys.exit(0 if seen == {"arp", "echo"} else 1)


if __name__ == "__main__":
    main()
