#!/usr/bin/env python3
"""Bench helpers on loopback: serves N synthetic series in the Prometheus text format (changing values, like a
busy exporter) and acts as a remote_write sink that accepts and discards. Usage: target_and_sink.py SERIES PORT"""
import http.server
import random
import sys
import threading
import time

series_count, port = int(sys.argv[1]), int(sys.argv[2])
lock = threading.Lock()
state = {"page": b"", "received": 0}


def render():
    lines = []
    now = time.time()
    for i in range(series_count):
        family = i % 100
        lines.append(f'bench_metric_{family}{{instance="host-{i // 100}",shard="{i % 7}",id="{i}"}} {random.random() * 1000 + now % 60:.3f}')
    return ("\n".join(lines) + "\n").encode()


def refresh():
    while True:
        page = render()
        with lock:
            state["page"] = page
        time.sleep(5)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with lock:
            page = state["page"]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with lock:
            state["received"] += length
        body = b'{"series":0,"samples":0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


state["page"] = render()
threading.Thread(target=refresh, daemon=True).start()
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
