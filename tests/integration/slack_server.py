"""A Slack incoming webhook on 127.0.0.1: it checks messages as Slack does and answers as
scripted (429 with Retry-After, 500…), then "ok".

It refuses what Slack refuses (`tests.unit.notify.slack_limits`) with 400 and Slack's error
string. What it accepted is kept for the tests to read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.unit.notify.slack_limits import slack_problem

WEBHOOK_PATH = "/services/T0000SECRET/B0000SECRET/XXXXsecretXXXXtokenXXXX"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str = ""
    retry_after: str | None = None


RATE_LIMITED = Answer(429, "rate_limited", retry_after="1")
SERVER_ERROR = Answer(500, "internal_error")
OK = Answer(200, "ok")


@dataclass
class SlackServer:
    """The fake webhook; `script` answers the next requests in order, then every one is OK."""

    port: int = 0
    script: list[Answer] = field(default_factory=list)
    always: Answer | None = None
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = WEBHOOK_PATH) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, raw: bytes) -> Answer:
        with self.lock:
            self.requests += 1
            self.paths.append(path)
            scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            return scripted
        if self.always is not None:
            return self.always
        problem = slack_problem(raw)
        if problem:
            self.refused.append(problem)
            return Answer(400, problem)
        self.accepted.append(json.loads(raw))
        return OK


@contextmanager
def running_slack(server: SlackServer | None = None) -> Iterator[SlackServer]:
    """The fake webhook listening on 127.0.0.1 for the duration of the block."""
    state = server or SlackServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            answer = state.answer(self.path, self.rfile.read(length))
            body = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            if answer.retry_after is not None:
                self.send_header("Retry-After", answer.retry_after)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args  # the test output stays clean

    http_server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = http_server.server_address[1]
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        http_server.shutdown()
        http_server.server_close()
        thread.join()
