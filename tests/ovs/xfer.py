#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A TCP transfer checked end to end by sha256 (iperf3 -F drops the tail of
what is still in flight when its test ends, so it cannot check content).

  xfer.py serve IP PORT            accept one connection, read to EOF,
                                   print "<bytes> <sha256>"
  xfer.py send IP PORT BYTES SEED  send BYTES pseudo-random bytes, print
                                   "<bytes> <sha256>"
"""
import hashlib
import random
import socket
import sys


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("serve", "send"):
        print(__doc__, file=sys.stderr)
        return 2
    ip, port = sys.argv[2], int(sys.argv[3])
    h = hashlib.sha256()
    n = 0
    if sys.argv[1] == "serve":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((ip, port))
        ls.listen(1)
        ls.settimeout(60)
        c, _ = ls.accept()
        c.settimeout(30)
        while True:
            b = c.recv(1 << 16)
            if not b:
                break
            h.update(b)
            n += len(b)
        c.close()
    else:
        total, rnd = int(sys.argv[4]), random.Random(int(sys.argv[5]))
        s = socket.create_connection((ip, port), timeout=30)
        while n < total:
            b = rnd.randbytes(min(1 << 16, total - n))
            s.sendall(b)
            h.update(b)
            n += len(b)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)  # wait for the receiver to close: all was read
        s.close()
    print(n, h.hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
