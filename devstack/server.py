"""``make run``: the whole API at ``http://127.0.0.1:$PORT`` from ``template.yaml``, without Docker
or an AWS account.

* AWS is moto in server mode, in this process, one request at a time (:mod:`devstack.moto_server`;
  ``LOCAL_AWS_PORT``, default a free port); the template's table, queues and buckets are created
  at start, and ``AWS_ENDPOINT_URL`` + fake credentials point every client (boto3, PynamoDB,
  Powertools) at it.
* Each HttpApi route runs the function's own handler with an API Gateway v2 event. Every
  invocation (HTTP, WebSocket, SQS, streams, schedules) runs in one of the function's worker
  processes, up to ``LOCAL_CONCURRENCY`` (3) at once per function, as Lambda's execution
  environments do (:mod:`devstack.workers`); workers reach moto over HTTP.
* A WebSocket API of the template (``AWS::ApiGatewayV2::Api``, ``ProtocolType: WEBSOCKET``) is
  served at ``ws://127.0.0.1:$LOCAL_WS_PORT/<stage>`` (default ``PORT + 1``; 0 = a free port) with
  its management API (``/<stage>/@connections/{id}``) on the same port (:mod:`devstack.ws_server`);
  every function's ``WEBSOCKET_URL`` and ``WEBSOCKET_MANAGEMENT_ENDPOINT`` point there.
* SQS queues and DynamoDB streams are polled and delivered to their functions
  (:mod:`devstack.pollers`); schedules fire at their times and on demand (:mod:`devstack.schedules`).
* Stripe is ``localstripe`` in a subprocess on ``LOCAL_STRIPE_PORT`` (default 8420; 0 = a free
  port), empty at start, with our webhook route registered: a PaymentIntent confirmed there is
  delivered as a signed event to ``POST /api/v1/webhooks/stripe``. Functions get
  ``STRIPE_API_BASE`` pointing at it and the local ``STRIPE_SECRET_KEY``/``STRIPE_WEBHOOK_SECRET``.
* Local-only endpoints (never in the template): ``GET /_local/info``, ``GET|DELETE /_local/emails``
  (``?to=``), ``POST /_local/invoke/{FunctionLogicalId}`` (body: the event),
  ``GET /_local/schedules``, ``POST /_local/schedules/{name}``, ``GET /openapi.json``, ``GET /docs``.

Environment: ``PORT`` (3000), ``HOST`` (127.0.0.1), ``LOCAL_AWS_PORT``, ``LOCAL_VISIBILITY_TIMEOUT``
(seconds, overrides every queue's visibility timeout), ``LOCAL_CONCURRENCY`` (workers per function),
``LOCAL_WS_PORT``, ``LOCAL_WS_IDLE_TIMEOUT`` (600 s), ``LOCAL_WS_MAX_AGE`` (7200 s),
``LOCAL_SCHEDULES=off`` (fire schedules only on demand), ``ADMIN_EMAIL`` / ``ADMIN_PASSWORD`` /
``ADMIN_NAME``, ``JWT_SECRET``, ``FRONTEND_URL``, ``POWERTOOLS_*`` (e.g.
``POWERTOOLS_LOG_LEVEL=WARNING``), ``LOCAL_STRIPE_PORT`` (8420), ``LOCAL_STRIPE=off`` (no local
Stripe; ``STRIPE_API_BASE`` may then point elsewhere), ``STRIPE_SECRET_KEY``
(``sk_test_localstripe``), ``STRIPE_WEBHOOK_SECRET`` (``whsec_local_development_secret``).
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote

from devstack import docs, local_pages, outbox
from devstack.apigw import BadRequest, http_event, read_body
from devstack.localstripe_server import DEFAULT_PORT as DEFAULT_STRIPE_PORT
from devstack.localstripe_server import LocalStripe, LocalStripeFailed, start_local_stripe
from devstack.metering import metered
from devstack.moto_server import start_moto
from devstack.pollers import SqsPoller, SqsSource, StreamPoller, StreamSource, sqs_sources, stream_sources
from devstack.process import clear_state, write_state
from devstack.routes import Route, http_routes, match
from devstack.schedules import (
    OneTimeSchedules,
    Schedule,
    ScheduleNotFound,
    Scheduler,
    find_schedule,
    fire,
    schedules_of,
)
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD, Invoker, Stack, build_stack, use_local_aws
from devstack.template import load_template
from devstack.workers import FunctionError, PooledInvoker
from devstack.ws_api import WebSocketApiError
from devstack.ws_server import IDLE_TIMEOUT_SECONDS, MAX_AGE_SECONDS, WebSocketServer, serve_websocket_api

_HOP_BY_HOP = {"content-length", "connection", "transfer-encoding", "keep-alive"}
STRIPE_WEBHOOK_PATH = "/api/v1/webhooks/stripe"


def log(line: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} {line}", flush=True)


# ------------------------------------------------------------------------------ request/reply


@dataclass
class Request:
    method: str
    target: str  # the raw request target: path and query string
    headers: list[tuple[str, str]]
    body: bytes
    client_ip: str

    @property
    def raw_path(self) -> str:
        return self.target.split("?", 1)[0] or "/"

    @property
    def raw_query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    function: str | None = None
    dynamodb: str = ""


def envelope(data: Any, request_id: str, status: int = 200) -> Reply:
    body = {"success": True, "data": data, "meta": {"requestId": request_id}}
    return _json_reply(status, body)


def problem(status: int, code: str, message: str, request_id: str, **extra: Any) -> Reply:
    """The API's error envelope (same fields as ``shared.http.errors.problem``)."""
    error = {
        "code": code,
        "message": message,
        "type": f"urn:problem-type:{code.lower().replace('_', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "errors": {},
        "requestId": request_id,
        **extra,
    }
    return _json_reply(status, {"success": False, "error": error})


def _json_reply(status: int, body: Any) -> Reply:
    return Reply(status, [("Content-Type", "application/json")], json.dumps(body, default=str).encode())


def api_event(request: Request, route: Route, params: dict[str, str], *, request_id: str) -> dict[str, Any]:
    """The API Gateway HTTP API (payload 2.0) event for ``request`` on ``route``."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            headers[key] = f"{headers[key]},{value}" if key in headers else value
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {request.client_ip}" if forwarded else request.client_ip
    headers.setdefault("x-forwarded-proto", "http")
    host = headers.get("host", "")
    if ":" in host:
        headers.setdefault("x-forwarded-port", host.rsplit(":", 1)[1])
    query: dict[str, str | list[str]] = {}
    for key, values in parse_qs(request.raw_query, keep_blank_values=True).items():
        query[key] = values if len(values) > 1 else values[0]
    event = http_event(
        request.method,
        request.raw_path,
        route_key=route.route_key,
        path_parameters={key: unquote(value) for key, value in params.items()} or None,
        query=query or None,
        headers=headers,
        cookies=cookies or None,
        body=request.body or None,
        source_ip=request.client_ip,
        request_id=request_id,
    )
    event["rawQueryString"] = request.raw_query
    return event


def reply_from_result(result: Any) -> Reply:
    """The HTTP response API Gateway makes of a function's (payload 2.0) result."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Payload 2.0: a result without statusCode is a 200 with the result as its JSON body.
        body = result if isinstance(result, str) else json.dumps(result, default=str)
        return Reply(200, [("Content-Type", "application/json")], body.encode())
    multi = {key.lower(): values for key, values in (result.get("multiValueHeaders") or {}).items()}
    headers = [
        (key, str(value))
        for key, value in (result.get("headers") or {}).items()
        if key.lower() not in multi and key.lower() not in _HOP_BY_HOP
    ]
    for key, values in (result.get("multiValueHeaders") or {}).items():
        if key.lower() not in _HOP_BY_HOP:
            headers.extend((key, str(value)) for value in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw = result.get("body") or ""
    payload = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return Reply(int(result["statusCode"]), headers, payload)


def _preflight_route(path: str) -> tuple[Route, dict[str, str]] | None:
    """An ``OPTIONS`` request goes to the function serving ``path`` (CORS preflight)."""
    for route in http_routes():
        found = route.regex.match(path)
        if found:
            return Route(route.function, "OPTIONS", route.path, route.regex), dict(found.groupdict())
    return None


# ------------------------------------------------------------------------------------- the app


class LocalApp:
    """Dispatches one HTTP request: local endpoints, or the template's routes through the functions."""

    def __init__(
        self,
        stack: Stack,
        *,
        base_url: str,
        aws_endpoint: str,
        schedules: list[Schedule],
        sqs: list[SqsSource],
        streams: list[StreamSource],
        stripe_url: str | None = None,
        websocket: WebSocketServer | None = None,
    ) -> None:
        self.stack = stack
        self.websocket = websocket
        self.base_url = base_url
        self.aws_endpoint = aws_endpoint
        self.stripe_url = stripe_url
        self.schedules = schedules
        self.sqs = sqs
        self.streams = streams
        self._openapi: dict[str, Any] | None = None

    def handle(self, request: Request) -> Reply:
        request_id = str(uuid.uuid4())
        path = request.raw_path
        try:
            page = docs.serve(request.method, path)
            if page is not None:
                return Reply(*page)
            if path == "/openapi.json" and request.method in ("GET", "HEAD"):
                return self._openapi_reply(request_id)
            if path == "/_local" or path.startswith("/_local/"):
                return self._local(request, request_id)
            page = local_pages.render(request.method, path, request.raw_query)
            if page is not None:
                return Reply(*page)
            return self._api(request, request_id)
        except Exception:
            log(f"local stack error:\n{traceback.format_exc()}")
            return problem(500, "INTERNAL_ERROR", "Internal server error", request_id)

    # -- the template's routes ----------------------------------------------------------------
    def _api(self, request: Request, request_id: str) -> Reply:
        method = request.method.upper()
        found = match(method, request.raw_path)
        if found is None and method == "OPTIONS":
            found = _preflight_route(request.raw_path)
        if found is None:
            return problem(404, "ROUTE_NOT_FOUND", "No such route", request_id)
        route, params = found
        event = api_event(request, route, params, request_id=request_id)
        with metered() as meter:
            try:
                result = self.stack.invoker.invoke(route.function, event)
            except Exception:
                log(f"{route.function} raised:\n{traceback.format_exc()}")
                reply = problem(500, "INTERNAL_ERROR", "Internal server error", request_id)
            else:
                reply = reply_from_result(result)
        reply.headers.append(("apigw-requestid", request_id))
        reply.headers.extend(
            [
                ("x-local-dynamodb-calls", str(meter.total_calls)),
                ("x-local-dynamodb-rcu", f"{meter.read_units:g}"),
                ("x-local-dynamodb-wcu", f"{meter.write_units:g}"),
                ("x-local-dynamodb-ops", meter.operations()),
            ]
        )
        reply.function = route.function
        reply.dynamodb = meter.summary()
        return reply

    # -- local endpoints ------------------------------------------------------------------------
    def _local(self, request: Request, request_id: str) -> Reply:
        method = request.method.upper()
        path = request.raw_path.rstrip("/")
        query = dict(parse_qsl(request.raw_query))
        if path == "/_local/info" and method == "GET":
            return envelope(self.info(), request_id)
        if path == "/_local/emails" and method == "GET":
            return envelope({"items": outbox.emails(query.get("to"))}, request_id)
        if path == "/_local/emails" and method == "DELETE":
            return envelope({"deleted": outbox.clear()}, request_id)
        if path == "/_local/schedules" and method == "GET":
            one_time = [schedule.to_json() for schedule in OneTimeSchedules(self.stack, threading.Event()).pending()]
            return envelope({"items": [s.to_json() for s in self.schedules] + one_time}, request_id)
        found = re.fullmatch(r"/_local/schedules/([^/]+)", path)
        if found and method == "POST":
            try:
                schedule = find_schedule(self.schedules, unquote(found.group(1)))
            except ScheduleNotFound as exc:
                return problem(404, "SCHEDULE_NOT_FOUND", str(exc), request_id)
            return self._run(schedule.function, lambda: fire(self.stack, schedule), request_id)
        found = re.fullmatch(r"/_local/invoke/([^/]+)", path)
        if found and method == "POST":
            function = unquote(found.group(1))
            if function not in self.stack.functions:
                known = ", ".join(self.stack.functions)
                return problem(404, "FUNCTION_NOT_FOUND", f"no function {function!r} (known: {known})", request_id)
            try:
                event = json.loads(request.body) if request.body.strip() else {}
            except ValueError:
                return problem(400, "INVALID_JSON", "The request body is not valid JSON", request_id)
            return self._run(function, lambda: self.stack.invoker.invoke(function, event), request_id)
        return problem(404, "ROUTE_NOT_FOUND", "No such local endpoint", request_id)

    def _run(self, function: str, work: Callable[[], Any], request_id: str) -> Reply:
        try:
            result = work()
        except Exception as exc:
            log(f"{function} raised:\n{traceback.format_exc()}")
            if isinstance(exc, FunctionError):
                error_type, message, trace = exc.error_type, exc.error_message, exc.stack_trace
            else:
                error_type, message, trace = type(exc).__name__, str(exc), traceback.format_exception(exc)
            reply = problem(
                500,
                "FUNCTION_ERROR",
                f"{function} raised {error_type}: {message}",
                request_id,
                errorType=error_type,
                errorMessage=message,
                stackTrace=trace,
            )
        else:
            reply = envelope(result, request_id)
        reply.function = function
        return reply

    def _openapi_reply(self, request_id: str) -> Reply:
        if self._openapi is None:
            try:
                module = importlib.import_module("devstack.openapi")
            except ModuleNotFoundError as exc:
                if exc.name != "devstack.openapi":
                    raise
                module = None
            merged = getattr(module, "merged_openapi", None)
            if merged is None:
                return problem(501, "NOT_IMPLEMENTED", "devstack.openapi.merged_openapi() is not available", request_id)
            spec = dict(self.stack.invoker.run(None, merged))
            spec["servers"] = [{"url": self.base_url, "description": "local stack"}]
            self._openapi = spec
        return _json_reply(200, self._openapi)

    def info(self) -> dict[str, Any]:
        res = self.stack.resources
        ws = self.websocket
        invoker = self.stack.invoker
        return {
            "apiUrl": self.base_url,
            "websocketUrl": ws.url if ws else None,
            "websocketManagementEndpoint": ws.management_url if ws else None,
            "websocketRoutes": [{"routeKey": r.key, "function": r.function} for r in ws.api.routes.values()]
            if ws
            else [],
            "concurrency": invoker.size if isinstance(invoker, PooledInvoker) else 1,
            "workers": invoker.workers() if isinstance(invoker, PooledInvoker) else {},
            "awsEndpointUrl": self.aws_endpoint,
            "stripeUrl": self.stripe_url,
            "region": res.region,
            "accountId": res.account,
            "tableName": res.table_name,
            "tables": res.tables,
            "streams": res.stream_arns,
            "queues": res.queue_urls,
            "queueArns": res.queue_arns,
            "buckets": res.buckets,
            "functions": sorted(self.stack.functions),
            "routes": [{"method": r.method, "path": r.path, "function": r.function} for r in http_routes()],
            "eventSources": [
                *(
                    {"type": "SQS", "queue": s.queue, "function": s.function, "settings": s.describe()}
                    for s in self.sqs
                ),
                *(
                    {"type": "DynamoDB", "table": s.table, "function": s.function, "settings": s.describe()}
                    for s in self.streams
                ),
            ],
            "schedules": [s.to_json() for s in self.schedules],
        }


# ---------------------------------------------------------------------------------- HTTP server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: LocalApp | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "devstack"
    server: _Server

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
                if key.lower() not in _HOP_BY_HOP:
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


# ------------------------------------------------------------------------------------------ main


def _banner(app: LocalApp, admin: tuple[str, str], moto_url: str) -> str:
    stack = app.stack
    lines = [
        f"Local stack from template.yaml (no Docker, no AWS account): {app.base_url}",
        f"  docs {app.base_url}/docs  spec {app.base_url}/openapi.json  emails {app.base_url}/_local/emails",
        f"  AWS (moto) {moto_url}  table {stack.resources.table_name}  region {stack.resources.region}",
        f"  Stripe (localstripe) {app.stripe_url}  webhook {app.base_url}{STRIPE_WEBHOOK_PATH}"
        if app.stripe_url
        else "  Stripe: no local Stripe (LOCAL_STRIPE=off)",
        "Routes",
    ]
    for route in sorted(http_routes(), key=lambda r: (r.path, r.method)):
        lines.append(f"  {route.method:<7} {route.path:<44} {route.function}")
    lines.append("Queues")
    for queue, url in stack.resources.queue_urls.items():
        consumers = [f"{s.function} ({s.describe()})" for s in app.sqs if s.queue == queue]
        props = stack.template["Resources"][queue].get("Properties") or {}
        redrive = props.get("RedrivePolicy") or {}
        dlq = redrive.get("deadLetterTargetArn")
        dlq_name = dlq["Fn::GetAtt"][0] if isinstance(dlq, dict) and "Fn::GetAtt" in dlq else dlq
        extra = f"; DLQ {dlq_name} after {redrive.get('maxReceiveCount')} receives" if dlq else ""
        lines.append(f"  {queue:<20} -> {', '.join(consumers) or 'no consumer'}{extra}  {url}")
    lines.append("Streams")
    lines.extend(f"  {s.table} -> {s.function} ({s.describe()})" for s in app.streams)
    if not app.streams:
        lines.append("  (none)")
    if app.websocket:
        api = app.websocket.api
        lines.append(f"WebSocket API {app.websocket.url}")
        lines.append(f"  management {app.websocket.management_url}/@connections/{{id}}")
        lines.append(f"  route selection {api.selection_expression}")
        lines.extend(f"  {r.key:<20} -> {r.function}{' (two-way)' if r.two_way else ''}" for r in api.routes.values())
    lines.append("Schedules")
    lines.extend(f"  {s.name:<20} -> {s.function} {s.describe()}" for s in app.schedules)
    if not app.schedules:
        lines.append("  (none)")
    lines.append(f"Admin {admin[0]} / {admin[1]}")
    return "\n".join(lines)


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


def _websocket(stack: Stack, host: str, http_port: int) -> WebSocketServer | None:
    """The template's WebSocket API on ``LOCAL_WS_PORT`` (default the HTTP port + 1)."""
    setting = _env_int("LOCAL_WS_PORT")
    port = (http_port + 1 if http_port else 0) if setting is None else setting
    idle = float(os.environ.get("LOCAL_WS_IDLE_TIMEOUT") or IDLE_TIMEOUT_SECONDS)
    max_age = float(os.environ.get("LOCAL_WS_MAX_AGE") or MAX_AGE_SECONDS)
    return serve_websocket_api(stack, host=host, port=port, log=log, idle_timeout=idle, max_age=max_age)


def _start_stripe(caller_env: dict[str, str], base_url: str) -> LocalStripe | None:
    """Start localstripe (unless ``LOCAL_STRIPE=off``), register our webhook route with it, and
    point the functions' ``STRIPE_API_BASE`` at it (through ``caller_env``)."""
    from shared.security.secrets import LOCAL_STRIPE_WEBHOOK_SECRET

    if os.environ.get("LOCAL_STRIPE", "on").lower() in ("0", "off", "false", "no"):
        return None
    port = _env_int("LOCAL_STRIPE_PORT")
    stripe = start_local_stripe(DEFAULT_STRIPE_PORT if port is None else port)
    try:
        secret = caller_env.get("STRIPE_WEBHOOK_SECRET") or LOCAL_STRIPE_WEBHOOK_SECRET
        stripe.register_webhook(f"{base_url}{STRIPE_WEBHOOK_PATH}", secret)
    except Exception:
        stripe.stop()
        raise
    caller_env["STRIPE_API_BASE"] = stripe.url
    return stripe


def main() -> int:  # noqa: PLR0915 - the start-up sequence reads best in one place
    caller_env = dict(os.environ)
    host = os.environ.get("HOST") or "127.0.0.1"
    port_setting = _env_int("PORT")
    port = 3000 if port_setting is None else port_setting  # PORT=0: any free port
    visibility = _env_int("LOCAL_VISIBILITY_TIMEOUT")
    run_schedules = os.environ.get("LOCAL_SCHEDULES", "on").lower() not in ("0", "off", "false", "no")
    admin_email = os.environ.get("ADMIN_EMAIL") or DEFAULT_ADMIN_EMAIL
    admin_password = os.environ.get("ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
    admin_name = os.environ.get("ADMIN_NAME") or "Administrator"

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    stop = threading.Event()
    moto, moto_url = start_moto(_env_int("LOCAL_AWS_PORT") or 0)
    threads: list[threading.Thread] = []
    httpd: _Server | None = None
    serving: threading.Thread | None = None
    stripe: LocalStripe | None = None
    websocket: WebSocketServer | None = None
    pools: PooledInvoker | None = None
    state: Path | None = None
    try:
        use_local_aws(moto_url)
        outbox.install()
        try:
            httpd = _Server((host, port), _Handler)
        except OSError as bind_error:
            print(f"cannot listen on {host}:{port}: {bind_error} (set PORT=...)", file=sys.stderr)
            return 1
        actual_port = int(httpd.server_address[1])
        base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{actual_port}"  # noqa: S104
        try:
            stripe = _start_stripe(caller_env, base_url)
        except (OSError, LocalStripeFailed) as stripe_error:
            print(
                f"cannot start the local Stripe: {stripe_error} (set LOCAL_STRIPE_PORT=... or LOCAL_STRIPE=off)",
                file=sys.stderr,
            )
            return 1
        stack = build_stack(load_template(), port=actual_port, caller_env=caller_env)
        local_invoker = stack.invoker
        assert isinstance(local_invoker, Invoker)
        pools = PooledInvoker(local_invoker)
        stack.invoker = pools
        try:
            websocket = _websocket(stack, host, actual_port)
        except (OSError, WebSocketApiError) as ws_error:
            print(f"cannot serve the WebSocket API: {ws_error} (set LOCAL_WS_PORT=...)", file=sys.stderr)
            return 1
        pools.warm_up()

        from shared.identity.users import ensure_admin

        try:
            stack.invoker.run(None, lambda: ensure_admin(admin_email, admin_password, admin_name))
        except Exception as exc:
            print(f"cannot create the admin {admin_email}: {exc}", file=sys.stderr)
            return 2

        sqs = sqs_sources(stack, visibility)
        streams = stream_sources(stack)
        schedules = schedules_of(stack)
        threads.extend(
            SqsPoller(source, stack, stop, log, index)
            for source in sqs
            if source.enabled
            for index in range(source.pollers(pools.size))
        )
        threads.extend(StreamPoller(source, stack, stop, log) for source in streams if source.enabled)
        if run_schedules and schedules:
            threads.append(Scheduler(stack, schedules, stop, log))
        if run_schedules:
            threads.append(OneTimeSchedules(stack, stop, log))
        app = LocalApp(
            stack,
            base_url=base_url,
            aws_endpoint=moto_url,
            schedules=schedules,
            sqs=sqs,
            streams=streams,
            stripe_url=stripe.url if stripe else None,
            websocket=websocket,
        )
        httpd.app = app
        for thread in threads:
            thread.start()
        if websocket is not None:
            websocket.start()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        serving = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        serving.start()
        print(_banner(app, (admin_email, admin_password), moto_url), flush=True)
        log(f"ready: {base_url}")
        state = write_state(
            {
                "apiUrl": base_url,
                "websocketUrl": websocket.url if websocket else None,
                "stripeUrl": app.stripe_url,
                "awsEndpointUrl": moto_url,
            }
        )
        while not stop.wait(0.5):
            pass
        log("stopping")
        return 0
    finally:
        clear_state(state)
        stop.set()
        if httpd is not None:
            if serving is not None:
                httpd.shutdown()
            httpd.server_close()
        if websocket is not None:
            websocket.stop()
        deadline = time.monotonic() + 5  # pollers in an invocation are daemons: not waited for longer
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if pools is not None:
            pools.close()
        if stripe is not None:
            stripe.stop()
        moto.stop()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is stopped by now; tearing down the interpreter would only free moto's
    # in-memory AWS (gigabytes after a long test session), which can take longer than the
    # 20 s a supervisor allows for a clean stop.
    os._exit(code)
