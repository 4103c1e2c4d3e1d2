"""The job expiry consumer with real stream record shapes (moto): a removed job record lowers
exactly its status and type counters, once, whatever the stream replays."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.jobs import records
from shared.jobs.enqueue import enqueue
from shared.jobs.models import STATUSES

from devstack.events import insert_record
from tests.support.api import Api
from tests.support.jobs import EXPIRY, Jobs, deleted_from_stream, expiry_event, removal
from tests.support.outbox import STREAM_ARN

SAMPLE = Path(__file__).parents[2] / "events" / "jobs_expiry" / "dynamodb_jobsRemovedStream.json"


def counts(key: str = "ALL") -> dict[str, int]:
    return records.counts().get(key, dict.fromkeys(STATUSES, 0))


def zeros(**nonzero: int) -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0) | nonzero


def image(job_id: str) -> dict[str, Any]:
    found = records.get(job_id)
    assert found is not None
    return found.serialize()


def finished_jobs(jobs: Jobs) -> tuple[str, str]:
    """One completed and one failed canary."""
    done = enqueue("system.canary", {"failAttempts": 0})
    failed = enqueue("system.canary", {"failAttempts": 5}, max_attempts=1)
    jobs.run()
    return done, failed


def test_an_expired_completed_job_lowers_exactly_its_counts_once(api: Api) -> None:
    # Given a completed and a failed job
    done, failed = finished_jobs(Jobs(api))
    assert counts() == zeros(completed=1, failed=1)
    record = removal(image(done))

    # When the TTL removes the completed one's record and the consumer gets its REMOVE
    result = api.invoke(EXPIRY, expiry_event([record]))

    # Then only its status and type counts went down
    assert result == {"batchItemFailures": []}
    assert counts() == zeros(failed=1)
    assert counts("TYPE#system.canary") == zeros(failed=1)

    # And replaying the same record (and a copy of it from another batch) changes nothing
    assert api.invoke(EXPIRY, expiry_event([record, record])) == {"batchItemFailures": []}
    assert counts() == zeros(failed=1)
    assert counts("TYPE#system.canary") == zeros(failed=1)
    assert records.get(failed) is not None


def test_a_deleted_record_fed_from_moto_stream_is_uncounted(api: Api) -> None:
    # Given a failed job
    _, failed = finished_jobs(Jobs(api))

    # When its record is deleted in the table and the stream's REMOVE reaches the consumer
    (record,) = deleted_from_stream(api, f"JOB#{failed}")
    event = expiry_event([record])
    assert event["Records"] == [record]
    assert api.invoke(EXPIRY, event) == {"batchItemFailures": []}

    # Then the counts equal the records left
    assert counts() == zeros(completed=1)
    assert [job.status for job in records.list_jobs(status=None, job_type=None, limit=10, position=None).items] == [
        "completed"
    ]


def test_a_removed_live_job_leaves_its_count_and_gives_back_its_dedup_key(api: Api) -> None:
    # Given a waiting job holding a dedup key
    job_id = enqueue("system.canary", {}, dedup_key="only-one", delay_seconds=60)
    assert counts() == zeros(delayed=1)

    # When someone deletes its record (the TTL never removes a live job)
    (record,) = deleted_from_stream(api, f"JOB#{job_id}")
    assert api.invoke(EXPIRY, expiry_event([record])) == {"batchItemFailures": []}

    # Then it is no longer counted and the key takes a new job
    assert counts() == zeros()
    assert records.claim_holder("only-one") is None
    assert enqueue("system.canary", {}, dedup_key="only-one") != job_id


def test_only_removals_of_job_records_reach_the_consumer(api: Api) -> None:
    # Given the removal of a job record, its insert, and the removal of another item
    job_id = enqueue("system.canary", {})
    job_image = image(job_id)
    other = {**job_image, "type": {"S": "OUTBOX"}}
    removed = removal(job_image, expired=False)

    # When the template's FilterCriteria select what the consumer gets
    inserted = insert_record(job_image, STREAM_ARN, sequence_number="1", event_id="insert", at=datetime.now(UTC))
    event = expiry_event([removed, inserted, removal(other)])

    # Then only the job record's removal is delivered
    assert event["Records"] == [removed]


def test_the_committed_sample_event_is_uncounted_once(api: Api) -> None:
    # Given one completed canary counted
    enqueue("system.canary", {})
    Jobs(api).run()
    assert counts("TYPE#system.canary") == zeros(completed=1)

    # When the sample (the TTL's removal of a completed canary) arrives twice
    event: dict[str, Any] = json.loads(SAMPLE.read_text())
    assert api.invoke(EXPIRY, event) == {"batchItemFailures": []}
    assert api.invoke(EXPIRY, event) == {"batchItemFailures": []}

    # Then the completed count went down by one
    assert counts() == zeros()
    assert counts("TYPE#system.canary") == zeros()
