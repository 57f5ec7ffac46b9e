#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Self-verifying UDP stream: each datagram carries its sequence number,
a pseudo-random payload and the SHA-256 of both. The receiver counts good
and corrupt datagrams and the wall-clock time of each good one, so a test
can tell that frames flowed again after a host restart and that none
arrived damaged.

  udpcheck.py send HOST PORT SECONDS RATE_PPS
  udpcheck.py recv BIND PORT SECONDS OUT.json
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time

SIZE = 1200


def payload(seq):
    body = hashlib.sha512(struct.pack("!Q", seq)).digest() * (SIZE // 64)
    head = struct.pack("!Q", seq) + body
    return head + hashlib.sha256(head).digest()


def send(host, port, secs, rate):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end = time.monotonic() + secs
    seq = 0
    t0 = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - t0) * rate)
        while seq < due:
            try:
                s.sendto(payload(seq), (host, port))
            except OSError:
                pass  # no route / no ARP while the host is away
            seq += 1
        time.sleep(0.001)
    print(json.dumps({"sent": seq}))


def recv(bind, port, secs, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((bind, port))
    s.settimeout(0.2)
    end = time.monotonic() + secs
    good = bad = 0
    last_good = 0.0
    times = []
    while time.monotonic() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if len(d) == 8 + SIZE // 64 * 64 + 32 and \
                hashlib.sha256(d[:-32]).digest() == d[-32:] and \
                d == payload(struct.unpack("!Q", d[:8])[0]):
            good += 1
            last_good = time.time()
            if good % 100 == 0:
                times.append(last_good)
        else:
            bad += 1
    with open(out + ".tmp", "w") as f:
        json.dump({"good": good, "bad": bad, "last_good": last_good,
                   "good_times": times}, f)
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 6 and a[1] == "send":
        send(a[2], int(a[3]), float(a[4]), float(a[5]))
    elif len(a) == 6 and a[1] == "recv":
        recv(a[2], int(a[3]), float(a[4]), a[5])
    else:
        sys.exit(__doc__)
