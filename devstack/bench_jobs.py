"""``make bench`` section for background jobs: DynamoDB calls per job, step by step (in-process,
moto), and jobs per second through the local stack (HTTP enqueue → outbox stream → relay → SQS →
worker), measured end to end.

The local stack runs one invocation at a time, and switching between functions with different
environments rebuilds the shared layer's clients and connection (``Invoker``); enqueue, relay
and worker alternate, so the jobs/s figure is mostly that cost, not the job system's.

The per-job calls are what a job costs wherever it runs: enqueue one transaction (record, outbox
item, counters), relay a consistent read and an update, and each attempt a consistent read and
two transactions (start, finish: record and counters).
"""

from __future__ import annotations

import json
import time
from functools import partial
from typing import Any

from devstack.metering import Meter, bench_environment, measure

TABLE = "bench-jobs"
THROUGHPUT_JOBS = 30
ENV = {
    "APP_ENV": "local",
    "JWT_SECRET": "bench-signing-key-that-is-long-enough-0123456789",
    "TABLE_NAME": TABLE,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}


def _row(label: str, meter: Meter, elapsed: float) -> list[str]:
    return [label, str(meter.total_calls), f"{meter.write_units:g}", meter.operations(), f"{elapsed:.1f}"]


def per_job_calls() -> list[list[str]]:
    import boto3
    from moto import mock_aws

    from devstack.events import sqs_event_from_messages
    from devstack.resources import create_queues, create_table

    rows: list[list[str]] = []
    with bench_environment(ENV), mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        urls = create_queues(sqs)
        arn = sqs.get_queue_attributes(QueueUrl=urls["JobsQueue"], AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        extra = {"JOBS_QUEUE_URL": urls["JobsQueue"], "JOBS_HIGH_QUEUE_URL": urls["JobsHighQueue"]}
        with bench_environment(extra):
            from shared.data.table import configure_table
            from shared.jobs import worker
            from shared.jobs.enqueue import enqueue
            from shared.jobs.registry import load_catalog
            from shared.messaging import outbox
            from shared.messaging.clients import reset_clients
            from shared.messaging.models import outbox_key

            reset_clients()
            configure_table(TABLE)
            load_catalog()

            def run_once(label: str) -> None:
                message = sqs.receive_message(QueueUrl=urls["JobsQueue"], MaxNumberOfMessages=1)["Messages"][0]
                record = sqs_event_from_messages([message], arn)["Records"][0]
                delivery = worker.Delivery(record["body"], arn, record["receiptHandle"])

                def attempt() -> str:
                    try:
                        return worker.run(delivery)
                    except worker.RetryLater:
                        sqs.change_message_visibility(
                            QueueUrl=urls["JobsQueue"], ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                        )
                        return "retrying"

                meter, outcome, elapsed = measure(attempt)
                rows.append(_row(f"{label} ({outcome})", meter, elapsed))
                if outcome != "retrying":
                    sqs.delete_message(QueueUrl=urls["JobsQueue"], ReceiptHandle=message["ReceiptHandle"])

            for label, payload in (("canary, succeeds", {}), ("canary, fails once", {"failAttempts": 1})):
                meter, job_id, elapsed = measure(partial(enqueue, "system.canary", payload))
                rows.append(_row(f"enqueue: {label}", meter, elapsed))
                pk, sk = outbox_key("jobs", f"{job_id}#0")
                meter, _, elapsed = measure(partial(outbox.relay, pk, sk))
                rows.append(_row("relay to the queue", meter, elapsed))
                run_once("attempt 1")
                if payload:
                    run_once("attempt 2")
            meter, _, elapsed = measure(lambda: enqueue("system.canary", {}, dedup_key="bench"))
            rows.append(_row("enqueue with a dedup key", meter, elapsed))
            meter, _, elapsed = measure(lambda: enqueue("system.canary", {}, dedup_key="bench"))
            rows.append(_row("enqueue, dedup key held (returns the live job)", meter, elapsed))
    return rows


def throughput() -> list[list[str]]:
    """Enqueue :data:`THROUGHPUT_JOBS` canaries over HTTP and time them until all completed."""
    from devstack.process import running_stack
    from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD

    with running_stack(LOCAL_SCHEDULES="off") as stack:
        api = stack.api
        token = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
        admin = str(token.data["accessToken"])
        started = time.perf_counter()
        calls: list[int] = []
        for _ in range(THROUGHPUT_JOBS):
            res = api("POST", "/api/v1/admin/jobs", {"type": "system.canary"}, token=admin)
            calls.append(int(res.headers.get("x-local-dynamodb-calls", "0")))
        enqueued = time.perf_counter() - started
        deadline = time.monotonic() + 120
        completed = 0
        while time.monotonic() < deadline:
            stats: Any = api("GET", "/api/v1/admin/jobs/stats", token=admin).data
            completed = int(stats["counts"]["completed"])
            if completed >= THROUGHPUT_JOBS:
                break
            time.sleep(0.1)
        total = time.perf_counter() - started
    return [
        [
            f"{THROUGHPUT_JOBS} canaries",
            f"{THROUGHPUT_JOBS / enqueued:.1f}",
            f"{completed / total:.1f}",
            f"{total:.1f}",
            f"{sum(calls) / len(calls):g}",
            json.dumps(completed == THROUGHPUT_JOBS),
        ]
    ]


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    return [
        (
            "Jobs: DynamoDB calls per step of a job (in-process, moto; the worker's own, without SQS)",
            ["step", "calls", "WCU", "operations", "ms"],
            per_job_calls(),
        ),
        (
            "Jobs per second through the local stack (HTTP enqueue -> stream -> relay -> SQS -> worker;"
            " one machine, every function in one process)",
            ["run", "enqueued/s", "completed/s", "total s", "DynamoDB calls per POST", "all completed"],
            throughput(),
        ),
    ]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, head, rows in section():
        print_table(title, head, rows)
