"""The job worker with real SQS event shapes (moto): backoff, at most one successful run,
crash recovery, stale messages, dedup keys, exact counters, delayed jobs and the onboarding email."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from shared.clock import iso, now
from shared.jobs import records
from shared.jobs.enqueue import enqueue
from shared.jobs.models import JobItem

from tests.support.api import Api
from tests.support.jobs import WORKER, Jobs

SAMPLE = Path(__file__).parents[2] / "events" / "jobs_worker" / "sqs_jobsQueue.json"


@pytest.fixture
def jobs(api: Api) -> Jobs:
    return Jobs(api)


def job(job_id: str) -> JobItem:
    found = records.get(job_id)
    assert found is not None
    return found


def counts(job_type: str | None = None) -> dict[str, int]:
    return records.counts().get("ALL" if job_type is None else f"TYPE#{job_type}", {})


def in_flight(api: Api, queue: str = "JobsQueue") -> int:
    attrs = api.aws.sqs.get_queue_attributes(
        QueueUrl=api.aws.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )
    return int(attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"])


def sample_event(body: dict[str, Any], receipt: str = "sample-receipt-0") -> dict[str, Any]:
    """The committed sample event (as Lambda delivers a JobsQueue record), carrying ``body``."""
    event: dict[str, Any] = json.loads(SAMPLE.read_text())
    event["Records"][0]["body"] = json.dumps(body)
    event["Records"][0]["receiptHandle"] = receipt
    return event


def test_a_canary_fails_twice_then_completes_with_backoff(api: Api, jobs: Jobs) -> None:
    # Given a canary planned to fail its first two attempts
    job_id = enqueue("system.canary", {"failAttempts": 2})
    assert counts()["waiting"] == 1

    # When attempt 1 fails
    assert jobs.run() == {"delivered": 1, "failed": 1}
    # Then the job is delayed 2 s, its message held (invisible) rather than visible again
    first = job(job_id)
    assert (first.status, first.attempts, first.last_error) == ("delayed", 1, "canary attempt 1 of 2 planned failures")
    assert first.run_at is not None
    wait = datetime.fromisoformat(first.run_at) - now()
    assert timedelta(seconds=1) < wait <= timedelta(seconds=2)
    assert jobs.visible() == 0
    assert in_flight(api) == 1
    assert (counts("system.canary")["waiting"], counts("system.canary")["delayed"]) == (0, 1)

    # When the backoff ran out twice (attempt 2 fails after 4 s of wait is set)
    jobs.release_held()
    assert jobs.run() == {"delivered": 1, "failed": 1}
    second = job(job_id)
    assert second.attempts == 2
    assert second.run_at is not None
    assert timedelta(seconds=3) < datetime.fromisoformat(second.run_at) - now() <= timedelta(seconds=4)
    jobs.release_held()
    assert jobs.run() == {"delivered": 1, "failed": 0}

    # Then it completed with its result, every attempt logged, the counters exact
    done = job(job_id)
    assert done.status == "completed"
    assert json.loads(done.result or "null") == {"attempts": 3}
    assert [(a.number, a.error is None) for a in done.attempt_log] == [(1, False), (2, False), (3, True)]
    assert all(a.ended_at for a in done.attempt_log)
    assert done.progress == 100
    assert done.ttl is not None
    assert counts() == {"waiting": 0, "delayed": 0, "active": 0, "completed": 1, "failed": 0, "cancelled": 0}
    assert jobs.visible() + in_flight(api) == 0


def test_a_redelivered_message_of_a_finished_job_does_nothing(api: Api, jobs: Jobs) -> None:
    job_id = enqueue("system.canary")
    jobs.run()
    before = (job(job_id).attempts_total, counts())

    # When SQS delivers the same message again (the sample event shape)
    result = api.invoke(WORKER, sample_event({"jobId": job_id, "run": 0}))

    # Then it is acknowledged and nothing changed
    assert result == {"batchItemFailures": []}
    assert (job(job_id).attempts_total, counts()) == before


def test_messages_that_are_not_jobs_or_name_no_job_are_acknowledged(api: Api) -> None:
    assert api.invoke(WORKER, json.loads(SAMPLE.read_text())) == {"batchItemFailures": []}
    assert api.invoke(WORKER, sample_event({"hello": "world"})) == {"batchItemFailures": []}


def test_a_job_that_exhausts_its_attempts_fails_and_an_admin_retry_runs_it_again(api: Api, jobs: Jobs) -> None:
    job_id = enqueue("system.canary", {"failAttempts": 3}, max_attempts=2)
    jobs.run()
    jobs.release_held()
    assert jobs.run() == {"delivered": 1, "failed": 0}  # the last attempt's failure is final

    failed = job(job_id)
    assert (failed.status, failed.attempts) == ("failed", 2)
    assert counts()["failed"] == 1
    assert jobs.visible() + in_flight(api) == 0

    # When an admin retries it: attempts start again in a new run
    assert records.requeue(failed)
    retried = job(job_id)
    assert (retried.status, retried.attempts, retried.run, retried.ttl) == ("waiting", 0, 1, None)
    # A stale message of the first run changes nothing
    assert api.invoke(WORKER, sample_event({"jobId": job_id, "run": 0})) == {"batchItemFailures": []}
    assert job(job_id).status == "waiting"

    jobs.run()  # attempt 3 overall fails again
    jobs.release_held()
    jobs.run()  # attempt 4 > failAttempts: completes
    done = job(job_id)
    assert done.status == "completed"
    assert json.loads(done.result or "null") == {"attempts": 4}
    assert counts() == {"waiting": 0, "delayed": 0, "active": 0, "completed": 1, "failed": 0, "cancelled": 0}


def test_a_crashed_attempt_is_retried_once_its_lease_expired(api: Api, jobs: Jobs) -> None:
    job_id = enqueue("system.canary")
    waiting = job(job_id)
    # Given attempt 1 started and its worker died (the lease is over)
    assert records.start(waiting, lease_seconds=60, crashed=False)
    JobItem(waiting.pk, waiting.sk).update(actions=[JobItem.lease_until.set(iso(now() - timedelta(seconds=1)))])

    # When SQS delivers the message again
    assert jobs.run() == {"delivered": 1, "failed": 0}

    # Then attempt 2 ran; attempt 1 is logged as unfinished
    done = job(job_id)
    assert (done.status, done.attempts) == ("completed", 2)
    assert "did not finish" in (done.attempt_log[0].error or "")
    assert counts()["active"] == 0


def test_a_second_delivery_while_an_attempt_runs_is_held_not_run(api: Api, jobs: Jobs) -> None:
    job_id = enqueue("system.canary")
    assert records.start(job(job_id), lease_seconds=60, crashed=False)

    assert jobs.run() == {"delivered": 1, "failed": 1}
    assert job(job_id).attempts == 1
    assert jobs.visible() == 0


def test_a_dedup_key_allows_one_live_job(jobs: Jobs) -> None:
    first = enqueue("system.canary", dedup_key="nightly")
    assert enqueue("system.canary", dedup_key="nightly") == first
    assert counts()["waiting"] == 1

    jobs.run()
    again = enqueue("system.canary", dedup_key="nightly")
    assert again != first


def test_a_job_type_without_handler_fails_its_attempts(jobs: Jobs) -> None:
    job_id = enqueue("nobody.handles-this", max_attempts=1)
    jobs.run()

    failed = job(job_id)
    assert failed.status == "failed"
    assert "no handler" in (failed.last_error or "")


def test_high_priority_jobs_go_to_their_own_queue(jobs: Jobs) -> None:
    job_id = enqueue("system.canary", priority="high")

    assert jobs.run("JobsQueue") == {"delivered": 0, "failed": 0}
    assert jobs.run("JobsHighQueue") == {"delivered": 1, "failed": 0}
    assert job(job_id).status == "completed"


def test_a_short_delay_goes_through_sqs_and_a_long_one_through_a_one_time_schedule(api: Api, jobs: Jobs) -> None:
    soon = enqueue("system.canary", delay_seconds=600)
    later = enqueue("system.canary", delay_seconds=3600)
    assert api.relay_outbox() == {"batchItemFailures": []}

    delayed = api.aws.sqs.get_queue_attributes(
        QueueUrl=api.aws.queue_urls["JobsQueue"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    schedule = scheduler.get_schedule(Name=f"job-{later}-0", GroupName="default")
    assert schedule["ScheduleExpression"].startswith("at(")
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert json.loads(schedule["Target"]["Input"]) == {"jobId": later, "run": 0}
    assert schedule["Target"]["Arn"] == api.aws.queue_arn("JobsQueue")
    assert (job(soon).status, job(later).status) == ("delayed", "delayed")
    assert counts()["delayed"] == 2


def test_the_onboarding_email_job_is_owed_with_the_registration(
    api: Api, jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.identity.jobs import ONBOARDING_EMAIL

    account = api.register(name="Olga Onboard")
    (found,) = records.list_jobs(status=None, job_type=ONBOARDING_EMAIL, limit=10, position=None).items
    assert found.status == "delayed"
    assert json.loads(found.payload) == {"userId": account.id}
    assert found.run_at is not None
    assert datetime.fromisoformat(found.run_at) - now() > timedelta(hours=23)

    # When its message arrives early (a copy), it is held; at its time the email is sent
    api.relay_outbox()
    message = {"jobId": found.job_id, "run": 0}
    api.aws.sqs.send_message(QueueUrl=api.aws.queue_urls["JobsQueue"], MessageBody=json.dumps(message))
    assert Jobs(api).run() == {"delivered": 1, "failed": 1}
    assert job(found.job_id).status == "delayed"
    tomorrow = now() + timedelta(days=1, seconds=1)
    monkeypatch.setattr("shared.jobs.worker.now", lambda: tomorrow)
    assert api.invoke(WORKER, sample_event(message)) == {"batchItemFailures": []}
    assert job(found.job_id).status == "completed"
    api.deliver_emails()
    assert [m.subject for m in api.mails_to(account.email, "Getting started with Platform")]


def test_the_onboarding_email_is_skipped_when_the_account_is_gone(api: Api, configure: Any) -> None:
    from shared.identity import repository
    from shared.identity.jobs import ONBOARDING_EMAIL

    configure(ONBOARDING_EMAIL_DELAY_SECONDS="0")
    account = api.register(name="Gone Soon")
    (found,) = records.list_jobs(status="waiting", job_type=ONBOARDING_EMAIL, limit=10, position=None).items
    user = repository.get_user(account.id)
    assert user is not None
    repository.delete_user(user)

    Jobs(api).run()

    done = job(found.job_id)
    assert done.status == "completed"
    assert json.loads(done.result or "null") == {"skipped": "account deleted"}
    api.deliver_emails()
    assert api.mails_to(account.email, "Getting started with Platform") == []
