#!/usr/bin/env python3
"""The two HTTP endpoints eziopxe-client needs from a server, on loopback, for bench/client-disk.sh:
GET /image.torrent (the file given) and POST /progress (answered "the room is done", so the client
never waits to seed). Prints "listening PORT" once it accepts connections.

Usage: client-web.py TORRENT
"""
import http.server
import sys

REPLY = b'{"roomDone":true,"stop":false}'


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/image.torrent":
            self.send_error(404)
            return
        with open(sys.argv[1], "rb") as f:
            self.answer(f.read(), "application/x-bittorrent")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/progress":
            self.send_error(404)
            return
        self.answer(REPLY, "application/json")

    def answer(self, body, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # one line per progress report would drown the benchmark's output


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()
