#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Play a hostile guest from outside: for SECONDS, write random and boundary
values into the fields the guest owns in queue 0's guest-to-host ring
(producer index and lengths) of a Folio region, as a broken or malicious
guest kernel could. Offsets follow docs/design.md: rings start at 8192,
ring 0 is queue 0 guest->host, producer at +0, lengths from +256.

  hostile.py REGION SECONDS ENTRIES
"""
import mmap
import os
import random
import struct
import sys
import time

BOUNDARY = [0, 1, 13, 14, 0xffffffff, 0x7fffffff, 0x10000, 0x80000000]


def main(path, secs, entries):
    fd = os.open(path, os.O_RDWR)
    m = mmap.mmap(fd, 8192 + 256 + 4 * entries)
    end = time.monotonic() + secs
    writes = 0
    while time.monotonic() < end:
        v = random.choice(BOUNDARY + [random.getrandbits(32)])
        struct.pack_into("<I", m, 8192, v)
        struct.pack_into("<I", m, 8192 + 256 + 4 * random.randrange(entries),
                         random.choice(BOUNDARY))
        writes += 1
        if writes % 64 == 0:
            time.sleep(0.001)
    m.close()
    os.close(fd)
    print(writes)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
