"""Property test of the job transitions: whatever the order of enqueues (with dedup keys and
delays), worker deliveries (duplicated), cancels, retries and expiries of finished records (their
stream REMOVE delivered twice), the counters equal the records' statuses, a job completes at
most once, and a dedup key has at most one live job."""

from __future__ import annotations

import json
from collections import Counter
from contextlib import suppress
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared.errors import Conflict
from shared.jobs import records, service
from shared.jobs.enqueue import enqueue
from shared.jobs.models import FINISHED, LIVE, STATUSES, JobItem

from tests.support.api import Api
from tests.support.aws import fake_aws
from tests.support.jobs import EXPIRY, Jobs, deleted_from_stream, expiry_event

Enqueue = st.tuples(
    st.just("enqueue"),
    st.integers(0, 3),  # failAttempts
    st.integers(1, 3),  # maxAttempts
    st.sampled_from([None, "a", "b"]),  # dedup key
    st.sampled_from([0, 0, 60]),  # delay (60 s: held in SQS through the whole example)
)
Act = st.tuples(st.sampled_from(["run", "duplicate", "cancel", "retry", "expire"]), st.integers(0, 20))
Steps = st.lists(st.one_of(Enqueue, Act), min_size=1, max_size=14)


def all_jobs() -> list[JobItem]:
    return list(records.list_jobs(status=None, job_type=None, limit=100, position=None).items)


def step(api: Api, jobs: Jobs, ids: list[str], action: tuple[Any, ...]) -> None:
    kind = action[0]
    if kind == "enqueue":
        _, fail, attempts, key, delay = action
        ids.append(
            enqueue("system.canary", {"failAttempts": fail}, max_attempts=attempts, dedup_key=key, delay_seconds=delay)
        )
        return
    if kind == "run":
        jobs.release_held()
        jobs.run()
        return
    if not ids:
        return
    job_id = ids[action[1] % len(ids)]
    if kind == "duplicate":  # SQS delivers a job's message once more, whatever its state
        api.aws.sqs.send_message(
            QueueUrl=api.aws.queue_urls["JobsQueue"], MessageBody=json.dumps({"jobId": job_id, "run": 0})
        )
        return
    if kind == "expire":  # the TTL removes a finished record; the stream delivers it at least once
        job = records.get(job_id)
        if job is not None and job.status in FINISHED:
            removed = deleted_from_stream(api, job.pk)
            assert api.invoke(EXPIRY, expiry_event(removed + removed)) == {"batchItemFailures": []}
            ids[:] = [known for known in ids if known != job_id]  # an enqueue deduplicated to it is gone too
        return
    with suppress(Conflict):  # a refused action (409) changes nothing
        service.cancel_job(job_id) if kind == "cancel" else service.retry_job(job_id)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=Steps)
def test_counters_and_records_agree_whatever_happens(steps: list[tuple[Any, ...]]) -> None:
    with fake_aws() as aws:
        api = Api(aws)
        jobs = Jobs(api)
        ids: list[str] = []
        for action in steps:
            step(api, jobs, ids, action)

        found = all_jobs()
        statuses = Counter(job.status for job in found)
        counted = records.counts().get("ALL", dict.fromkeys(STATUSES, 0))
        assert counted == {status: statuses.get(status, 0) for status in STATUSES}
        by_type = records.counts().get("TYPE#system.canary", dict.fromkeys(STATUSES, 0))
        assert by_type == counted
        for job in found:
            successes = [attempt for attempt in job.attempt_log if attempt.ended_at and attempt.error is None]
            assert len(successes) == (1 if job.status == "completed" else 0)
            assert int(job.attempts) <= int(job.max_attempts)
        live_keys = Counter(job.dedup_key for job in found if job.dedup_key and job.status in LIVE)
        assert all(count == 1 for count in live_keys.values())
