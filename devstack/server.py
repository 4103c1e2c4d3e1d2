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
  (:mod:`devstack.sqs_poller`, :mod:`devstack.stream_poller`); schedules fire at their times and
  on demand (:mod:`devstack.schedules`, :mod:`devstack.one_time_schedules`).
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

The parts: :mod:`devstack.http_server` (HTTP/1.1), :mod:`devstack.local_app` (dispatch, local
endpoints), :mod:`devstack.gateway` (events and replies), :mod:`devstack.server_info` (the info
page and the banner); this module starts and stops everything.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from devstack import outbox
from devstack.http_server import HttpHandler, HttpServer
from devstack.invoker import Invoker
from devstack.local_app import LocalApp, log
from devstack.local_aws import use_local_aws
from devstack.localstripe_server import DEFAULT_PORT as DEFAULT_STRIPE_PORT
from devstack.localstripe_server import LocalStripe, LocalStripeFailed, start_local_stripe
from devstack.moto_server import start_moto
from devstack.one_time_schedules import OneTimeSchedules
from devstack.process import clear_state, write_state
from devstack.schedules import Scheduler, schedules_of
from devstack.server_info import STRIPE_WEBHOOK_PATH, banner
from devstack.sqs_poller import SqsPoller, sqs_sources
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD, Stack, build_stack
from devstack.stream_poller import StreamPoller, stream_sources
from devstack.template import load_template
from devstack.workers import PooledInvoker
from devstack.ws_api import WebSocketApiError
from devstack.ws_server import IDLE_TIMEOUT_SECONDS, MAX_AGE_SECONDS, WebSocketServer, serve_websocket_api


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
    httpd: HttpServer | None = None
    serving: threading.Thread | None = None
    stripe: LocalStripe | None = None
    websocket: WebSocketServer | None = None
    pools: PooledInvoker | None = None
    state: Path | None = None
    try:
        use_local_aws(moto_url)
        outbox.install()
        try:
            httpd = HttpServer((host, port), HttpHandler)
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
        print(banner(app, (admin_email, admin_password), moto_url), flush=True)
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
