"""The admin jobs API through its handler (moto): roles, manual runs, listing, one job, retry,
cancel, stats and the DLQ redrive."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.jobs import Jobs

JOBS = "/api/v1/admin/jobs"


def create(api: Api, admin: Account, body: dict[str, object]) -> dict[str, object]:
    res = api.call("POST", JOBS, body, token=admin.access_token)
    assert res.status == 201, res.body
    data: dict[str, object] = res.data
    return data


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", JOBS),
        ("GET", f"{JOBS}/stats"),
        ("GET", f"{JOBS}/some-job"),
        ("POST", f"{JOBS}/some-job/retry"),
        ("POST", f"{JOBS}/some-job/cancel"),
        ("POST", f"{JOBS}/dlq/redrive"),
    ],
)
def test_only_admins_see_or_touch_jobs(api: Api, customer: Account, method: str, path: str) -> None:
    assert_problem(api.call(method, path, token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert api.call(method, path).status == 401


def test_a_customer_cannot_enqueue(api: Api, customer: Account) -> None:
    res = api.call("POST", JOBS, {"type": "system.canary"}, token=customer.access_token)
    assert_problem(res, 403, "INSUFFICIENT_PERMISSIONS")


def test_an_admin_enqueues_a_canary_and_reads_it(api: Api, admin: Account) -> None:
    created = create(api, admin, {"type": "system.canary", "payload": {"failAttempts": 0}, "maxAttempts": 5})
    assert created["status"] == "waiting"
    assert created["maxAttempts"] == 5

    Jobs(api).run()
    res = api.call("GET", f"{JOBS}/{created['jobId']}", token=admin.access_token)
    assert res.status == 200
    assert res.data["status"] == "completed"
    assert res.data["result"] == {"attempts": 1}
    assert res.data["attemptLog"][0]["number"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"type": "no.such-type"}, "UNKNOWN_JOB_TYPE"),
        ({"type": "identity.onboarding-email"}, "UNKNOWN_JOB_TYPE"),  # not runnable by hand
        ({"type": "system.canary", "payload": {"failAttempts": -1}}, "VALIDATION_ERROR"),
        ({"type": "system.canary", "payload": {"sleepMs": 5001}}, "VALIDATION_ERROR"),
        ({"type": "system.canary", "payload": {"failAttempts": "2"}}, "VALIDATION_ERROR"),
        ({"type": "system.canary", "delaySeconds": 5, "runAt": "2030-01-01T00:00:00Z"}, "VALIDATION_ERROR"),
        ({"type": "system.canary", "maxAttempts": 0}, "VALIDATION_ERROR"),
        ({"type": "system.canary", "priority": "urgent"}, "VALIDATION_ERROR"),
        ({"type": "system.canary", "status": "completed"}, "VALIDATION_ERROR"),
        ({"type": "orders.expire-unpaid", "payload": {"blob": "x" * 40_000}}, "VALIDATION_ERROR"),
    ],
)
def test_bad_manual_runs_are_refused(api: Api, admin: Account, body: dict[str, object], code: str) -> None:
    assert_problem(api.call("POST", JOBS, body, token=admin.access_token), 400, code)


def test_a_dedup_key_returns_the_live_job(api: Api, admin: Account) -> None:
    first = create(api, admin, {"type": "system.canary", "dedupKey": "once"})
    second = create(api, admin, {"type": "system.canary", "dedupKey": "once"})

    assert second["jobId"] == first["jobId"]


def test_listing_is_newest_first_filtered_and_paged(api: Api, admin: Account) -> None:
    ids = [create(api, admin, {"type": "system.canary", "delaySeconds": 60})["jobId"] for _ in range(3)]
    waiting = create(api, admin, {"type": "system.canary"})["jobId"]

    page = api.call("GET", JOBS, token=admin.access_token, query={"limit": "2"}).data
    assert [item["jobId"] for item in page["items"]] == [waiting, ids[2]]
    rest = api.call("GET", JOBS, token=admin.access_token, query={"limit": "5", "cursor": page["nextCursor"]}).data
    assert [item["jobId"] for item in rest["items"]] == [ids[1], ids[0]]
    assert rest["nextCursor"] is None

    delayed = api.call("GET", JOBS, token=admin.access_token, query={"status": "delayed"}).data["items"]
    assert {item["jobId"] for item in delayed} == set(ids)
    typed = api.call("GET", JOBS, token=admin.access_token, query={"type": "system.canary", "status": "waiting"})
    assert [item["jobId"] for item in typed.data["items"]] == [waiting]
    assert_problem(api.call("GET", JOBS, token=admin.access_token, query={"status": "lost"}), 400, "VALIDATION_ERROR")


def test_unknown_jobs_are_404(api: Api, admin: Account) -> None:
    for method, path in (("GET", "nope"), ("POST", "nope/retry"), ("POST", "nope/cancel")):
        assert_problem(api.call(method, f"{JOBS}/{path}", token=admin.access_token), 404, "JOB_NOT_FOUND")


def test_retry_only_failed_jobs(api: Api, admin: Account) -> None:
    jobs = Jobs(api)
    job = create(api, admin, {"type": "system.canary", "payload": {"failAttempts": 1}, "maxAttempts": 1})
    res = api.call("POST", f"{JOBS}/{job['jobId']}/retry", token=admin.access_token)
    assert_problem(res, 409, "JOB_NOT_FAILED")

    jobs.run()
    assert api.call("GET", f"{JOBS}/{job['jobId']}", token=admin.access_token).data["status"] == "failed"
    retried = api.call("POST", f"{JOBS}/{job['jobId']}/retry", token=admin.access_token)
    assert retried.status == 200
    assert (retried.data["status"], retried.data["attempts"]) == ("waiting", 0)

    jobs.run()
    done = api.call("GET", f"{JOBS}/{job['jobId']}", token=admin.access_token).data
    assert (done["status"], done["result"], done["attemptsTotal"]) == ("completed", {"attempts": 2}, 2)


def test_cancel_only_waiting_or_delayed_jobs_and_they_never_run(api: Api, admin: Account) -> None:
    jobs = Jobs(api)
    later = create(api, admin, {"type": "system.canary", "delaySeconds": 7200})
    api.relay_outbox()
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    assert len(scheduler.list_schedules()["Schedules"]) == 1

    cancelled = api.call("POST", f"{JOBS}/{later['jobId']}/cancel", token=admin.access_token)
    assert cancelled.status == 200
    assert cancelled.data["status"] == "cancelled"
    assert scheduler.list_schedules()["Schedules"] == []
    again = api.call("POST", f"{JOBS}/{later['jobId']}/cancel", token=admin.access_token)
    assert_problem(again, 409, "JOB_NOT_CANCELLABLE")

    now = create(api, admin, {"type": "system.canary"})
    api.call("POST", f"{JOBS}/{now['jobId']}/cancel", token=admin.access_token)
    assert jobs.run() == {"delivered": 1, "failed": 0}  # its message arrives and does nothing
    assert api.call("GET", f"{JOBS}/{now['jobId']}", token=admin.access_token).data["attemptLog"] == []


def test_stats_count_every_status_exactly(api: Api, admin: Account) -> None:
    jobs = Jobs(api)
    create(api, admin, {"type": "system.canary"})
    create(api, admin, {"type": "system.canary", "payload": {"failAttempts": 5}, "maxAttempts": 1})
    delayed = create(api, admin, {"type": "system.canary", "delaySeconds": 300})
    cancelled = create(api, admin, {"type": "system.canary", "delaySeconds": 300})
    api.call("POST", f"{JOBS}/{cancelled['jobId']}/cancel", token=admin.access_token)
    jobs.run()

    stats = api.call("GET", f"{JOBS}/stats", token=admin.access_token).data
    expected = {"waiting": 0, "delayed": 1, "active": 0, "completed": 1, "failed": 1, "cancelled": 1}
    assert stats["counts"] == expected
    assert stats["byType"]["system.canary"] == expected
    assert set(stats["queues"]) == {"normal", "high"}
    # SQS still delays the cancelled job's message too (it does nothing when it arrives)
    assert stats["queues"]["normal"] == {"visible": 0, "inFlight": 0, "delayed": 2, "dlq": 0}
    assert delayed["status"] == "delayed"


def test_redrive_moves_the_dlq_messages_back(api: Api, admin: Account) -> None:
    sqs, urls = api.aws.sqs, api.aws.queue_urls
    job = create(api, admin, {"type": "system.canary"})
    api.relay_outbox()
    (message,) = api.aws.queue_messages("JobsQueue")
    sqs.send_message(QueueUrl=urls["JobsDLQ"], MessageBody=message["Body"])

    res = api.call("POST", f"{JOBS}/dlq/redrive", token=admin.access_token)

    assert res.status == 200
    assert res.data["moved"] == {"normal": 1, "high": 0}
    assert api.call("GET", f"{JOBS}/stats", token=admin.access_token).data["queues"]["normal"]["dlq"] == 0
    assert Jobs(api).run() == {"delivered": 1, "failed": 0}
    done = api.call("GET", f"{JOBS}/{job['jobId']}", token=admin.access_token).data
    assert done["status"] == "completed"
    assert json.loads(json.dumps(done["result"])) == {"attempts": 1}
