"""Background jobs on the local stack over HTTP: a canary that fails twice then completes with its
attempts 2 s then 4 s apart (the backoff through SQS visibility), a delayed job's one-time schedule
listed and deleted by a cancel, the unpaid-order expiry enqueued by its schedule, and a removed
finished record leaving the stats through the stream's expiry consumer."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest

from devstack.httpclient import Client
from tests.e2e.conftest import LocalStack, eventually
from tests.e2e.test_catalog_basics import admin_token
from tests.e2e.test_products import account

pytestmark = pytest.mark.e2e
JOBS = "/api/v1/admin/jobs"


def get_job(api: Client, token: str, job_id: str) -> dict[str, Any]:
    res = api("GET", f"{JOBS}/{job_id}", token=token)
    assert res.status == 200, res.body
    data: dict[str, Any] = res.data
    return data


def finished(api: Client, token: str, job_id: str) -> dict[str, Any] | None:
    job = get_job(api, token, job_id)
    return job if job["status"] in ("completed", "failed") else None


def test_a_canary_fails_twice_then_completes_with_exponential_gaps(stack: LocalStack, api: Client) -> None:
    token = admin_token(api)
    created = api("POST", JOBS, {"type": "system.canary", "payload": {"failAttempts": 2}}, token=token)
    assert created.status == 201, created.body

    job = eventually(lambda: finished(api, token, created.data["jobId"]), timeout=15)

    assert job["status"] == "completed"
    assert job["result"] == {"attempts": 3}
    starts = [datetime.fromisoformat(attempt["startedAt"]) for attempt in job["attemptLog"]]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(starts)]
    assert len(gaps) == 2
    # Each retry waits at least base·2^(n-1) (2 s, then 4 s); the upper bounds leave room for a
    # loaded machine's polling delays without accepting the next step of the curve.
    assert 1.9 <= gaps[0] <= 4.0, gaps
    assert 3.9 <= gaps[1] <= 7.5, gaps
    assert gaps[1] > gaps[0], gaps
    assert [attempt["error"] is None for attempt in job["attemptLog"]] == [False, False, True]


def test_customers_cannot_see_jobs(stack: LocalStack, api: Client) -> None:
    customer = account(api)
    assert api("GET", f"{JOBS}/stats", token=customer["accessToken"]).status == 403


def test_a_far_delayed_job_has_a_one_time_schedule_that_a_cancel_deletes(stack: LocalStack, api: Client) -> None:
    token = admin_token(api)
    created = api("POST", JOBS, {"type": "system.canary", "delaySeconds": 3600}, token=token)
    assert created.status == 201, created.body
    name = f"job-{created.data['jobId']}-0"

    def listed() -> bool:
        items = api("GET", "/_local/schedules").data["items"]
        return any(item["name"] == name and item["type"] == "OneTime" for item in items)

    eventually(listed, timeout=10)
    cancelled = api("POST", f"{JOBS}/{created.data['jobId']}/cancel", token=token)
    assert cancelled.status == 200
    assert cancelled.data["status"] == "cancelled"
    assert not listed()


def test_the_expiry_schedule_enqueues_a_cron_job_that_runs(stack: LocalStack, api: Client) -> None:
    token = admin_token(api)
    fired = api("POST", "/_local/schedules/ExpireUnpaidOrders")
    assert fired.status == 200, fired.body
    job_id = fired.data["jobId"]

    job = eventually(lambda: finished(api, token, job_id), timeout=10)

    assert job["type"] == "orders.expire-unpaid"
    assert job["status"] == "completed"
    assert set(job["result"]) == {"cancelled", "paid", "failed"}


def test_a_removed_finished_record_leaves_the_stats_through_the_stream(stack: LocalStack, api: Client) -> None:
    # Given a completed canary, counted
    token = admin_token(api)
    created = api("POST", JOBS, {"type": "system.canary", "payload": {}}, token=token)
    assert created.status == 201, created.body
    eventually(lambda: finished(api, token, created.data["jobId"]), timeout=15)
    (source,) = [s for s in stack.info["eventSources"] if s["function"] == "JobsExpiryFunction"]
    assert "on failure -> JobsExpiryDLQ" in source["settings"]

    def completed() -> int:
        res = api("GET", f"{JOBS}/stats", token=token)
        assert res.status == 200, res.body
        return int(res.data["byType"]["system.canary"]["completed"])

    before = completed()

    # When its record goes from the table (as the TTL removes it; moto never expires items)
    stack.client("dynamodb").delete_item(
        TableName=stack.info["tableName"], Key={"PK": {"S": f"JOB#{created.data['jobId']}"}, "SK": {"S": "JOB"}}
    )

    # Then the stream's REMOVE reaches the expiry consumer and the count goes down by one
    eventually(lambda: completed() == before - 1, timeout=15)
    assert "stream Table -> JobsExpiryFunction" in stack.log()
    assert api("GET", f"{JOBS}/{created.data['jobId']}", token=token).status == 404
