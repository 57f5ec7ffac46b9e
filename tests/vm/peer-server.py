#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The peer of the VM test's TCP check, run inside the peer namespace.

GET /payload sends the payload file; GET /slow sends it in 40 pieces over
about 10 s (a download that a backend restart interrupts); POST /upload reads the body and answers
"bytes=N sha256=HEX", which the guest prints on its console; GET /generation
sends the content of the GENERATION file, which the test bumps when it has
restarted the host backend. The server stops by itself after LIFETIME
seconds.

    peer-server.py ADDR PORT PAYLOAD LIFETIME GENERATION
"""
import hashlib
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    payload = b""
    generation = ""

    def log_message(self, fmt, *args):
        sys.stderr.write("peer: " + (fmt % args) + "\n")

    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/payload":
            self.reply(self.payload)
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(self.payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            step = (len(self.payload) + 39) // 40
            for off in range(0, len(self.payload), step):
                self.wfile.write(self.payload[off:off + step])
                self.wfile.flush()
                time.sleep(0.25)
        elif self.path == "/generation":
            with open(self.generation, "rb") as f:
                self.reply(f.read().strip())
        else:
            self.send_error(404)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        h = hashlib.sha256()
        left = n
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        self.reply(f"bytes={n - left} sha256={h.hexdigest()}\n".encode())


def main():
    addr, port, path, lifetime = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    Handler.generation = sys.argv[5]
    with open(path, "rb") as f:
        Handler.payload = f.read()
    # Threads: /generation is answered while a /slow download runs.
    srv = http.server.ThreadingHTTPServer((addr, port), Handler)
    srv.daemon_threads = True
    srv.timeout = 1.0
    end = time.monotonic() + lifetime
    print("peer: listening", flush=True)
    while time.monotonic() < end:
        srv.handle_request()
    srv.server_close()


if __name__ == "__main__":
    main()
