"""The local stack's HTTP/1.1 server: reads each request (every method, malformed ones answered
in the API's error envelope), hands it to the :class:`~devstack.local_app.LocalApp`, writes the
reply and logs one line per request."""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devstack.apigw import BadRequest, read_body
from devstack.gateway import HOP_BY_HOP, Reply, Request, problem
from devstack.local_app import LocalApp, log


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: LocalApp | None = None


class HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "devstack"
    server: HttpServer

    def handle_one_request(self) -> None:
        """As the standard library's, except that every method reaches :meth:`_serve`: API Gateway
        answers an unknown method (``TRACE``, ``PROPFIND``) like an unknown route, a JSON 404,
        not an HTML 501."""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._serve()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed request lines and headers, answered in the error envelope (then closed)."""
        status = HTTPStatus(code)
        self.close_connection = True
        self.request_version = self.protocol_version  # a status line even when the request line was garbage
        self._send(problem(status.value, status.name, message or status.phrase, str(uuid.uuid4())))

    def _serve(self) -> None:
        started = time.monotonic()
        app = self.server.app
        headers = list(self.headers.items())
        try:
            body = read_body(self.headers, self.rfile)
        except BadRequest as exc:
            self.close_connection = True
            reply = problem(exc.status, exc.code, exc.message, str(uuid.uuid4()))
            body = b""
        else:
            request = Request(self.command, self.path, headers, body, self.client_address[0])
            if app is None:
                reply = problem(503, "STARTING", "The local stack is starting", str(uuid.uuid4()))
            else:
                reply = app.handle(request)
        self._send(reply)
        ms = (time.monotonic() - started) * 1000
        ddb = f" ddb {reply.dynamodb}" if reply.dynamodb else ""
        log(f"{self.command} {self.path.split('?', 1)[0]} {reply.status} {ms:.0f}ms {reply.function or '-'}{ddb}")

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for key, value in reply.headers:
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are logged by ``_serve`` in one line."""
