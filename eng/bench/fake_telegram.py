#!/usr/bin/env python3
"""A loopback Telegram Bot API for eng/bench.sh alert-latency: answers every method as Telegram does
(POST /bot<token>/<method>, JSON or form bodies, chunked or not, {"ok":true,"result":…}) and appends one JSON line per
sendMessage / editMessageText to LOG with its arrival time (Unix seconds), chat, message id, the message it replies
to, and text. Usage: fake_telegram.py PORT LOG"""
import http.server
import itertools
import json
import sys
import threading
import time
import urllib.parse

port, log_path = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
message_ids = itertools.count(1)
log = open(log_path, "a", buffering=1)


def read_body(handler):
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def parse(handler, body):
    kind = handler.headers.get("Content-Type", "")
    if "json" in kind:
        return json.loads(body or b"{}")
    return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}


def reply_to(payload):
    parameters = payload.get("reply_parameters")
    if isinstance(parameters, str):
        parameters = json.loads(parameters)
    if isinstance(parameters, dict) and "message_id" in parameters:
        return int(parameters["message_id"])
    return int(payload["reply_to_message_id"]) if payload.get("reply_to_message_id") else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = read_body(self)
        arrived = time.time()
        method = self.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            payload = parse(self, body)
        except ValueError:
            payload = {}
        chat = str(payload.get("chat_id", ""))
        result = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "bench", "username": "bench_bot"}
        elif method in ("sendMessage", "editMessageText"):
            with lock:
                message_id = next(message_ids) if method == "sendMessage" else int(payload.get("message_id") or 0)
                log.write(json.dumps({"t": arrived, "method": method, "chat": chat, "message_id": message_id,
                                      "reply_to": reply_to(payload), "text": payload.get("text", "")}) + "\n")
            result = {"message_id": message_id, "date": int(arrived), "chat": {"id": int(chat) if chat.lstrip("-").isdigit() else 0,
                                                                               "type": "private"},
                      "text": payload.get("text", "")}
        answer = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
