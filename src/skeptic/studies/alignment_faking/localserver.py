"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests and the latency benchmark.

It lets the harness be exercised through a real HTTP path (Inspect's ``openai-api`` provider) with no model
and no network: ``reply(messages)`` decides each answer, and ``latency_s`` adds a fixed delay per request.
With ``status`` other than 200 every request is answered with that HTTP status and an OpenAI-style error
body whose message is ``reply(messages)`` (e.g. a 401 that echoes the caller's key, as some providers do).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[list[dict[str, Any]]], str]


def chat_server(
    reply: Reply, latency_s: float = 0.0, status: int = 200, hang: threading.Event | None = None
) -> tuple[ThreadingHTTPServer, list[dict[str, Any]]]:
    """Start the server on an ephemeral loopback port in a daemon thread; call ``server.shutdown()`` when done.

    With ``hang``, the server reads each request and then never answers until ``hang`` is set (a provider
    that stays silent); set it before ``server.shutdown()``.

    Returns the server and the list of requests it has seen (path, headers, body, arrival time from
    ``time.perf_counter``), appended as they arrive.
    """
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real providers do

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "headers": dict(self.headers), "body": body, "time": time.perf_counter()})
            if hang is not None:
                hang.wait()
                return
            if latency_s:
                time.sleep(latency_s)
            message = {"role": "assistant", "content": reply(body["messages"])}
            doc: dict[str, Any] = {
                "id": "chatcmpl-skeptic-local",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
            if status != 200:
                doc = {"error": {"message": message["content"], "type": "invalid_request_error", "code": None}}
            data = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen
