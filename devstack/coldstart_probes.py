"""The cold-start bench's probes (:mod:`devstack.bench_coldstart`): the scripts a fresh Python
process runs to time one function's import, first and warm invocation, the eager reference's
imports and GetItem, and the stack floor's; and running one of them."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

FUNCTION_PROBE = """
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

REFERENCE_PROBE = """
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
FLOOR_PROBE = """
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


def run_probe(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-S", "-B", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"probe failed ({args[-1]}):\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
