"""A local HTTP server on 127.0.0.1 (random port) replaying vendor payloads.

Each route (method, path) has a script: a list of answers served in order (the last one
repeats), or a function of the request. Every request is recorded (method, path, query,
JSON body, headers) so tests can assert exactly what a connector sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path("/work/shared/fixtures/connectors")
if not FIXTURES.exists():  # a fresh clone keeps shared/ beside the repository
    FIXTURES = Path(__file__).resolve().parents[5] / "shared" / "fixtures" / "connectors"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    method: str
    path: str
    query: dict
    body: Any
    headers: dict


class ReplayServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer] | Callable[[Request], Answer]] = {}
        self.served: dict[tuple[str, str], int] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                request = Request(self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}, body, dict(self.headers))
                answer = server.answer(request)
                if answer.delay:
                    time.sleep(answer.delay)
                payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = _handle  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, method: str, path: str, script: list[Answer] | Callable[[Request], Answer]) -> None:
        self.routes[(method, path)] = script

    def answer(self, request: Request) -> Answer:
        with self.lock:
            self.requests.append(request)
            script = self.routes.get((request.method, request.path))
            if script is None:
                return Answer(404, {"error": f"no route {request.method} {request.path}"})
            if callable(script):
                return script(request)
            count = self.served.get((request.method, request.path), 0)
            self.served[(request.method, request.path)] = count + 1
            return script[min(count, len(script) - 1)]

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def start(self) -> ReplayServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
