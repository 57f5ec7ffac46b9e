#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count the IPv4/UDP frames from one source address arriving on an
interface, by destination port, for a number of seconds.

  udpcount.py IFACE SRC-IP SECONDS PORT...   prints "PORT=COUNT ..." and
                                             "ready" on stderr once bound
"""
import socket
import struct
import sys
import time


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    iface, src, secs = sys.argv[1], socket.inet_aton(sys.argv[2]), float(sys.argv[3])
    ports = {int(p): 0 for p in sys.argv[4:]}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((iface, 0))
    s.settimeout(0.2)
    print("ready", file=sys.stderr, flush=True)
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            f = s.recv(2048)
        except socket.timeout:
            continue
        if len(f) < 38 or f[23] != 17 or f[26:30] != src:
            continue
        ihl = (f[14] & 15) * 4
        dport = struct.unpack("!H", f[14 + ihl + 2:14 + ihl + 4])[0]
        if dport in ports:
            ports[dport] += 1
    print(" ".join("%d=%d" % kv for kv in sorted(ports.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
