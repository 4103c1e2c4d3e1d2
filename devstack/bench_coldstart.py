"""``make bench``: the whole cold start of every function, as deployed, against an eager reference.

For every function of ``template.yaml``, in a fresh Python process per sample:

- the code as the build ships it: the function folder and the layer (``python/shared``) copied
  and compiled to unchecked-hash bytecode by :mod:`devstack.bytecode`, imported without writing
  bytecode, the dependencies from this venv;
- the function's template environment (resolved against a running local stack: its moto, its
  queues, its local Stripe), ``LAMBDA_TASK_ROOT`` set and tracing as the template deploys it
  (``Tracing: Active``: the real tracer, with a trace header; segments go to a daemon address
  nobody listens on, as UDP);
- **import** ms of ``app``, **first** invocation ms of a representative event from ``events/``
  (an admin's token in its ``authorization``), then a **warm** invocation of the same event.

Interleaved with the functions, in the same run, the **eager reference**: a process importing
boto3, pydantic, jwt, pynamodb, stripe, argon2, Powertools' ``APIGatewayHttpResolver`` and
idempotency, then one DynamoDB GetItem through boto3 against the same moto; and the **stack
floor**: the least a function of this stack can import (Powertools' validating resolver with one
pydantic route, its Logger, a PynamoDB model) and one GetItem through PynamoDB. Medians of
``BENCH_RUNS`` (≥ 5) samples. ``python -m devstack.bench_coldstart --json`` prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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

RUNS = max(5, int(os.environ.get("BENCH_RUNS", "5")))
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
HEADER = ["function", "import ms", "x ref", "first ms", "warm ms", "first-warm", "import+first", "x ref+get", "status"]
GOAL_IMPORT = 0.45
GOAL_TOTAL = 0.80
GOAL_FIRST_OVER_WARM_MS = 100.0

_FUNCTION_PROBE = """
import json, sys, time
task_root, layer, event_file = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path[:0] = [task_root, layer]
class Context:
    function_name = sys.argv[4]
    memory_limit_in_mb = 512
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + sys.argv[4]
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/" + sys.argv[4]
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 10000
with open(event_file) as handle:
    events = json.load(handle)
started = time.perf_counter()
import app
imported = time.perf_counter()
first = app.lambda_handler(events[0], Context())
invoked = time.perf_counter()
app.lambda_handler(events[1], Context())
warm = time.perf_counter()
status = first.get("statusCode") if isinstance(first, dict) else None
print(json.dumps({"import": (imported - started) * 1000, "first": (invoked - imported) * 1000,
                  "warm": (warm - invoked) * 1000, "status": status}))
"""

_REFERENCE_PROBE = """
import json, sys, time
started = time.perf_counter()
import boto3, pydantic, jwt, pynamodb.models, stripe, argon2
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities import idempotency
imported = time.perf_counter()
boto3.client("dynamodb").get_item(TableName=sys.argv[1], Key={"PK": {"S": "BENCH#none"}, "SK": {"S": "BENCH"}})
got = time.perf_counter()
print(json.dumps({"import": (imported - started) * 1000, "getitem": (got - imported) * 1000}))
"""

# The least an API function of this stack can import and do (DESIGN.md fixes it): Powertools'
# resolver with pydantic validation and one route taking a model, its Logger, a PynamoDB model,
# and one GetItem through it. No project code, no tracing, nothing else: what no refactor of
# ours can go under while the stack stays what it is.
_FLOOR_PROBE = """
import json, os, sys, time
started = time.perf_counter()
from typing import Annotated
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

class Row(Model):
    class Meta:
        table_name = sys.argv[1]
        region = os.environ["AWS_REGION"]
        host = os.environ["AWS_ENDPOINT_URL"]
    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)

class Payload(BaseModel):
    name: str

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)

@app.post("/items")
def create(body: Annotated[Payload, Body()]) -> dict:
    return {"name": body.name}

imported = time.perf_counter()
try:
    Row.get("BENCH#none", "BENCH")
except Row.DoesNotExist:
    pass
got = time.perf_counter()
print(json.dumps({"import": (imported - started) * 1000, "getitem": (got - imported) * 1000}))
"""


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


def _run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-S", "-B", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"probe failed ({args[-1]}):\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(runs: int = RUNS, only: set[str] | None = None, baseline: Path | None = None) -> dict[str, Any]:
    """Interleaved samples of every function (or of ``only``) and of the reference; medians.
    With ``baseline``, each function is measured beside its build from that checkout."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-coldstart-") as tmp,
        targets(Path(tmp), baseline) as (every, ref_env, table),
    ):
        found = [target for target in every if not only or target.function.split("@")[0] in only]
        samples: dict[str, list[dict[str, Any]]] = {target.function: [] for target in found}
        reference: list[dict[str, Any]] = []
        floor: list[dict[str, Any]] = []
        for serial in range(runs):
            reference.append(_run(["-c", _REFERENCE_PROBE, table], ref_env))
            floor.append(_run(["-c", _FLOOR_PROBE, table], ref_env))
            for target in found:
                args = ["-c", _FUNCTION_PROBE, str(target.task_root), target.env["BENCH_LAYER"]]
                events = str(target.write_events(serial))
                samples[target.function].append(_run([*args, events, target.function], target.env))
    ref_import = statistics.median(s["import"] for s in reference)
    ref_total = statistics.median(s["import"] + s["getitem"] for s in reference)
    floor_import = statistics.median(s["import"] for s in floor)
    floor_total = statistics.median(s["import"] + s["getitem"] for s in floor)
    functions: dict[str, Any] = {}
    for name, runs_of in samples.items():
        imported = statistics.median(s["import"] for s in runs_of)
        first = statistics.median(s["first"] for s in runs_of)
        warm = statistics.median(s["warm"] for s in runs_of)
        total = statistics.median(s["import"] + s["first"] for s in runs_of)
        functions[name] = {
            "import_ms": round(imported, 1),
            "first_ms": round(first, 1),
            "warm_ms": round(warm, 1),
            "import_plus_first_ms": round(total, 1),
            "import_ratio": round(imported / ref_import, 3),
            "total_ratio": round(total / ref_total, 3),
            "first_minus_warm_ms": round(first - warm, 1),
            "status": runs_of[-1].get("status"),
        }
    current = {name: f for name, f in functions.items() if "@" not in name}
    api = {name: f for name, f in current.items() if f["status"] is not None}
    worst_api = max(api, key=lambda name: api[name]["import_plus_first_ms"]) if api else None
    return {
        "runs": runs,
        "reference": {"import_ms": round(ref_import, 1), "import_plus_getitem_ms": round(ref_total, 1)},
        "floor": {
            "import_ms": round(floor_import, 1),
            "import_plus_getitem_ms": round(floor_total, 1),
            "import_ratio": round(floor_import / ref_import, 3),
            "total_ratio": round(floor_total / ref_total, 3),
        },
        "functions": functions,
        "goals": {
            "max_import_ratio": max(f["import_ratio"] for f in current.values()),
            "import_ratio_goal": GOAL_IMPORT,
            "worst_api_function": worst_api,
            "worst_api_total_ratio": api[worst_api]["total_ratio"] if worst_api else None,
            "total_ratio_goal": GOAL_TOTAL,
            "max_first_minus_warm_ms": max(f["first_minus_warm_ms"] for f in current.values()),
            "first_minus_warm_goal_ms": GOAL_FIRST_OVER_WARM_MS,
        },
    }


def tables(result: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    ref = result["reference"]
    rows = [
        [
            name,
            f"{f['import_ms']:.0f}",
            f"{f['import_ratio']:.2f}",
            f"{f['first_ms']:.0f}",
            f"{f['warm_ms']:.0f}",
            f"{f['first_minus_warm_ms']:+.0f}",
            f"{f['import_plus_first_ms']:.0f}",
            f"{f['total_ratio']:.2f}",
            str(f["status"] if f["status"] is not None else "-"),
        ]
        for name, f in sorted(result["functions"].items())
    ]
    reference = [f"{ref['import_ms']:.0f}", "1.00", "", "", "", f"{ref['import_plus_getitem_ms']:.0f}", "1.00", ""]
    rows.append(["eager reference", *reference])
    floor = result["floor"]
    floor_row = [f"{floor['import_ms']:.0f}", f"{floor['import_ratio']:.2f}", "", "", ""]
    rows.append(
        ["stack floor", *floor_row, f"{floor['import_plus_getitem_ms']:.0f}", f"{floor['total_ratio']:.2f}", ""]
    )
    goals = result["goals"]
    summary = [
        [
            "every import <= 0.45 x reference import",
            f"worst {goals['max_import_ratio']:.2f} x",
            f"{floor['import_ratio']:.2f} x",
        ],
        [
            "worst API function import + first <= 0.80 x reference + GetItem",
            f"{goals['worst_api_function']}: {goals['worst_api_total_ratio']:.2f} x",
            f"{floor['total_ratio']:.2f} x",
        ],
        ["first invocation <= warm + 100 ms", f"worst {goals['max_first_minus_warm_ms']:+.0f} ms", ""],
    ]
    return [
        (
            f"Cold start as deployed (compiled layer, template environment, tracing as deployed, moto), "
            f"median of {result['runs']} fresh processes",
            HEADER,
            rows,
        ),
        (
            "Cold-start goals (ratios to the eager reference, same run; the floor is the fixed stack alone)",
            ["goal", "measured", "stack floor"],
            summary,
        ),
    ]


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    return tables(measure())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold start of every function against an eager reference")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    parser.add_argument("--functions", default="", help="comma-separated logical ids (default: every function)")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout: measure its build of each function too, interleaved (A/B)"
    )
    args = parser.parse_args(argv)
    result = measure(only={name for name in args.functions.split(",") if name}, baseline=args.baseline)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    from devstack.bench import print_table

    for title, header, rows in tables(result):
        print_table(title, header, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
