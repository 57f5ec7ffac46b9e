#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Small network helpers for tests/seal/test_macsec.sh (stdlib only).

  nettool.py sniff IFACE SECS PATTERN     frames seen on IFACE that contain
                                          PATTERN (the host's capture)
  nettool.py scan FILE PATTERN            occurrences of PATTERN in FILE
                                          (the whole shared region)
  nettool.py udp IP PORT COUNT PATTERN    send COUNT datagrams holding PATTERN
  nettool.py recv IP PORT OUT SECS        accept one TCP stream, write it to
                                          OUT, print its sha256
  nettool.py send IP PORT FILE            send FILE over TCP, print its sha256
  nettool.py macsec-stats                 parse `ip -s macsec show` on stdin;
                                          print name=value for every counter
"""
import hashlib
import re
import socket
import sys
import time


def sniff(iface, secs, pat):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    s.settimeout(0.2)
    end = time.time() + float(secs)
    frames = hits = 0
    print("ready", flush=True)
    while time.time() < end:
        try:
            f = s.recv(65536)
        except socket.timeout:
            continue
        frames += 1
        hits += pat.encode() in f
    print(f"frames={frames} hits={hits}", flush=True)


def scan(path, pat):
    data = open(path, "rb").read()
    print(f"hits={data.count(pat.encode())}")


def udp(ip, port, count, pat):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    body = (pat.encode() + b" ") * 20
    for i in range(int(count)):
        s.sendto(body, (ip, int(port)))
        time.sleep(0.002)


def recv(ip, port, out, secs):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ip, int(port)))
    ls.listen(1)
    ls.settimeout(float(secs))
    print("ready", flush=True)
    c, _ = ls.accept()
    c.settimeout(float(secs))
    h = hashlib.sha256()
    with open(out, "wb") as f:
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
            f.write(b)
    c.close()
    print(h.hexdigest(), flush=True)


def send(ip, port, path):
    data = open(path, "rb").read()
    c = socket.create_connection((ip, int(port)), timeout=20)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    print(hashlib.sha256(data).hexdigest())


def macsec_stats():
    lines = sys.stdin.read().split("\n")
    for i, ln in enumerate(lines):
        m = re.match(r"\s*stats:\s+(.*)$", ln)
        if not m or i + 1 >= len(lines):
            continue
        names, vals = m.group(1).split(), lines[i + 1].split()
        for n, v in zip(names, vals):
            print(f"{n}={v}")


cmd, args = sys.argv[1], sys.argv[2:]
{"sniff": sniff, "scan": scan, "udp": udp, "recv": recv, "send": send,
 "macsec-stats": macsec_stats}[cmd](*args)
