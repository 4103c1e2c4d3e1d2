"""What the cold-start bench (:mod:`devstack.bench_coldstart`) measures each function with: a
running local stack's resources, each function's build, its template environment as Lambda would
set it, and its representative event from ``events/`` made fresh for every sample."""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.artifacts import build_artifacts, layer_dependencies
from devstack.template import ROOT, load_template

EVENTS = ROOT / "events"
# Each function's representative request: what most of its callers do first.
REPRESENTATIVE = {
    "HealthFunction": "health/get_health.json",
    "AuthFunction": "auth/get_auth_me.json",
    "UsersFunction": "users/get_users_me.json",
    "BlackjackFunction": "blackjack/get_stats_me.json",
    "EmailWorkerFunction": "email_worker/sqs_emailQueue.json",
    "StripeWebhookFunction": "stripe_webhook/post_webhooks_stripe.json",
    "StripeEventsFunction": "stripe_events/sqs_stripeEventsQueue.json",
    "OrdersFunction": "orders/get_orders.json",
    "PaymentsFunction": "payments/post_payments_intent.json",
    "CategoriesFunction": "categories/get_categories.json",
    "ProductsFunction": "products/get_products.json",
    "CartFunction": "cart/get_cart.json",
    "SellersFunction": "sellers/get_admin_sellers.json",
    "UploadsFunction": "uploads/post_uploads.json",
    "FilesFunction": "files/get_files.json",
    "ThreadsFunction": "threads/get_threads.json",
    "MessagesFunction": "messages/get_threads_threadId_messages.json",
    "FileWorkerFunction": "file_worker/sqs_fileEvents.json",
}
SCHEDULED_EVENT = {"version": "0", "source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}
TRACE_HEADER = "Root=1-65a1b2c3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1"


@dataclass
class Target:
    function: str
    task_root: Path
    event_file: Path
    env: dict[str, str]
    event: dict[str, Any]
    token: str
    webhook_secret: str | None

    def write_events(self, serial: int) -> Path:
        """The first and the warm event of sample ``serial`` (signed now, unique ids)."""
        pair = [personalised(self.event, self.token, serial * 2 + n, self.webhook_secret) for n in (0, 1)]
        self.event_file.write_text(json.dumps(pair))
        return self.event_file


def personalised(event: dict[str, Any], token: str, serial: int, webhook_secret: str | None) -> dict[str, Any]:
    """The sample event with the bench's admin token, a Stripe webhook signed now with the local
    secret, and SQS message ids made unique (so the warm call is a new message, not an
    idempotent replay)."""
    from shared.commerce.payments.signatures import expected_signature

    event = json.loads(json.dumps(event))
    headers = event.get("headers")
    if isinstance(headers, dict) and "authorization" in headers:
        headers["authorization"] = f"Bearer {token}"
    if isinstance(headers, dict) and webhook_secret and "/webhooks/stripe" in str(event.get("rawPath")):
        body = json.loads(event["body"])
        body["id"] = f"{body['id']}_{serial}_{uuid.uuid4().hex[:8]}"
        event["body"] = json.dumps(body)
        stamp = int(time.time())
        signature = expected_signature(event["body"].encode(), webhook_secret, stamp)
        headers["stripe-signature"] = f"t={stamp},v1={signature}"
    for record in event.get("Records") or []:
        record["messageId"] = str(uuid.uuid4())
        try:
            body = json.loads(record.get("body") or "")
        except ValueError:
            continue
        if isinstance(body, dict) and isinstance(body.get("id"), str):
            body["id"] = f"{body['id']}-{serial}-{uuid.uuid4().hex[:8]}"
            record["body"] = json.dumps(body)
    return event


def lambda_environment(
    function: str, environment: dict[str, str], info: dict[str, Any], traced: bool, deps: Path
) -> dict[str, str]:
    env = {key: value for key, value in environment.items() if key != "POWERTOOLS_TRACE_DISABLED"}
    if not traced:
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
    env.update(
        PATH=os.environ.get("PATH", ""),
        HOME=os.environ.get("HOME", tempfile.gettempdir()),
        LAMBDA_TASK_ROOT="/var/task",
        AWS_LAMBDA_FUNCTION_NAME=function,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512",
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_EXECUTION_ENV="AWS_Lambda_python3.13",
        AWS_ENDPOINT_URL=str(info["awsEndpointUrl"]),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=str(info["region"]),
        AWS_DEFAULT_REGION=str(info["region"]),
        AWS_XRAY_DAEMON_ADDRESS="127.0.0.1:2000",
        _X_AMZN_TRACE_ID=TRACE_HEADER,
        POWERTOOLS_LOG_LEVEL="WARNING",
        PYTHONPATH=str(deps),
    )
    return env


@contextmanager
def targets(workdir: Path, baseline: Path | None = None) -> Iterator[tuple[list[Target], dict[str, str], str]]:
    """Start a local stack, build the artifacts, and yield each function's probe inputs, the
    reference's environment and the table name. With ``baseline`` (another checkout), each
    function is also built from there, as ``<function>@baseline``."""
    from devstack.intrinsics import Intrinsics
    from devstack.local_aws import LocalResources
    from devstack.process import running_stack
    from devstack.specs import function_properties, function_specs
    from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD

    template = load_template()
    with running_stack(LOCAL_SCHEDULES="off") as stack:
        info = stack.info
        resources = LocalResources(
            region=info["region"],
            account=info["accountId"],
            tables=info["tables"],
            stream_arns=info["streams"],
            queue_urls=info["queues"],
            queue_arns=info["queueArns"],
            buckets=info["buckets"],
        )
        caller_env = {**os.environ, "STRIPE_API_BASE": str(info.get("stripeUrl") or "")}
        specs = function_specs(template, Intrinsics(template, resources), port=0, caller_env=caller_env)
        token = stack.api(
            "POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD}
        ).data["accessToken"]
        code_dirs = {name: spec.code_dir for name, spec in specs.items()}
        layer = build_artifacts(workdir / "build", code_dirs)
        baseline_layer = build_artifacts(workdir / "baseline", code_dirs, baseline) if baseline else None
        deps = layer_dependencies(workdir / "deps")
        found: list[Target] = []
        for name, spec in sorted(specs.items()):
            sample = REPRESENTATIVE.get(name) or _default_sample(spec.code_dir)
            event = json.loads((EVENTS / sample).read_text()) if sample else SCHEDULED_EVENT
            traced = function_properties(template, name).get("Tracing") == "Active"
            env = lambda_environment(name, spec.environment, info, traced, deps) | {"BENCH_LAYER": str(layer)}
            env.update(_websocket_environment(spec.environment, info))
            secret = spec.environment.get("STRIPE_WEBHOOK_SECRET")
            found.append(Target(name, workdir / "build" / name, workdir / f"{name}.json", env, event, token, secret))
            if baseline_layer is not None:
                base_env = env | {"BENCH_LAYER": str(baseline_layer)}
                task_root, events = workdir / "baseline" / name, workdir / f"{name}@baseline.json"
                found.append(Target(f"{name}@baseline", task_root, events, base_env, event, token, secret))
        reference_env = lambda_environment("Reference", {}, info, traced=False, deps=deps)
        yield found, reference_env, str(info["tableName"])


def _websocket_environment(environment: dict[str, str], info: dict[str, Any]) -> dict[str, str]:
    """The local WebSocket API's addresses in place of the template's ``execute-api`` ones (the
    stack passes its functions the same; the probes run outside it)."""
    local = {
        "WEBSOCKET_URL": info.get("websocketUrl"),
        "WEBSOCKET_MANAGEMENT_ENDPOINT": info.get("websocketManagementEndpoint"),
    }
    return {key: str(value) for key, value in local.items() if key in environment and value}


def _default_sample(code_dir: Path) -> str | None:
    """A function without a chosen event gets its shortest sample, a plain listing (GET) first;
    one without samples (a schedule) gets :data:`SCHEDULED_EVENT`."""
    folder = EVENTS / code_dir.name
    samples = sorted(folder.glob("*.json"), key=lambda p: (not p.name.startswith("get_"), len(p.name), p.name))
    return f"{folder.name}/{samples[0].name}" if samples else None
