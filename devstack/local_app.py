"""The local stack's HTTP dispatch: the local endpoints (``/_local/...``, ``/openapi.json``,
``/docs``, the local pages), and every other request through the template's routes to the
functions, metered (DynamoDB calls, capacity) in ``x-local-dynamodb-*`` headers."""

from __future__ import annotations

import importlib
import json
import re
import threading
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from devstack import docs, local_pages, outbox
from devstack.gateway import (
    Reply,
    Request,
    api_event,
    envelope,
    json_reply,
    preflight_route,
    problem,
    reply_from_result,
)
from devstack.metering import metered
from devstack.one_time_schedules import OneTimeSchedules
from devstack.routes import match
from devstack.schedules import Schedule, ScheduleNotFound, find_schedule, fire
from devstack.server_info import stack_info
from devstack.sqs_poller import SqsSource
from devstack.stack import Stack
from devstack.stream_poller import StreamSource
from devstack.workers import FunctionError
from devstack.ws_server import WebSocketServer


def log(line: str) -> None:
    """One timestamped line of the stack's log (its stdout), for the app, the HTTP server and start-up."""
    print(f"{datetime.now().strftime('%H:%M:%S')} {line}", flush=True)


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
            found = preflight_route(request.raw_path)
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
            return envelope(stack_info(self), request_id)
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
        return json_reply(200, self._openapi)
