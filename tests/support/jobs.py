"""The job system's event sources, for in-process tests: the outbox relayed, the job queues
received and delivered to the worker as the SQS event source does (records that succeed are
deleted; failed ones stay, held by the worker's backoff)."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devstack.events import remove_record, sqs_event_from_messages
from devstack.filters import accepts, parse_filters
from devstack.routes import function_events
from tests.support.api import Api
from tests.support.outbox import STREAM_ARN

WORKER = "JobsWorkerFunction"
EXPIRY = "JobsExpiryFunction"
_sequence = itertools.count(200_000_000_000_000_000_000)


def removal(image: dict[str, Any], *, expired: bool = True) -> dict[str, Any]:
    """The stream record of the REMOVE of ``image`` (a DynamoDB-JSON item); ``expired``: by the TTL."""
    return remove_record(
        image,
        STREAM_ARN,
        sequence_number=str(next(_sequence)),
        event_id=uuid.uuid4().hex,
        at=datetime.now(UTC),
        expired=expired,
    )


def expiry_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda sends the expiry consumer for ``records``, after the template's FilterCriteria."""
    (event,) = (e for e in function_events(EXPIRY).values() if e.get("Type") == "DynamoDB")
    filters = parse_filters(event["Properties"]["FilterCriteria"])
    return {"Records": [record for record in records if accepts(filters, record)]}


@dataclass
class Jobs:
    api: Api
    held: list[dict[str, Any]] = field(default_factory=list)  # messages last reported failed

    def run(self, queue: str = "JobsQueue") -> dict[str, int]:
        """Relay the outbox, then deliver every visible message of ``queue`` to the worker, once.
        Returns how many records were delivered and how many failed."""
        assert self.api.relay_outbox() == {"batchItemFailures": []}
        sqs, url = self.api.aws.sqs, self.api.aws.queue_urls[queue]
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return {"delivered": 0, "failed": 0}
        result = self.api.invoke(WORKER, sqs_event_from_messages(messages, self.api.aws.queue_arn(queue)))
        failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        self.held = [m for m in messages if m["MessageId"] in failed]
        return {"delivered": len(messages), "failed": len(failed)}

    def release_held(self, queue: str = "JobsQueue") -> None:
        """Skip the wait of the messages held by the last backoff: the jobs' time (``runAt``)
        is now, and their messages are visible again."""
        from shared.clock import iso, now
        from shared.jobs import records
        from shared.jobs.models import JobItem

        for message in self.held:
            job = records.get(str(json.loads(message["Body"]).get("jobId", "")))
            if job is not None and job.status == "delayed":
                JobItem(job.pk, job.sk).update(actions=[JobItem.run_at.set(iso(now()))])
        for message in self.held:
            self.api.aws.sqs.change_message_visibility(
                QueueUrl=self.api.aws.queue_urls[queue], ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        self.held = []

    def visible(self, queue: str = "JobsQueue") -> int:
        attrs = self.api.aws.sqs.get_queue_attributes(
            QueueUrl=self.api.aws.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def deleted_from_stream(api: Api, pk: str) -> list[dict[str, Any]]:
    """Delete the item ``pk``/``JOB`` in moto and return its REMOVE as the table's stream carries
    it, in Lambda's record shape (moto never expires TTL items: this is how one goes)."""
    from tests.support.analytics import table_stream

    api.aws.dynamodb.delete_item(TableName=os.environ["TABLE_NAME"], Key={"PK": {"S": pk}, "SK": {"S": "JOB"}})
    return [r for r in table_stream(api) if r["eventName"] == "REMOVE" and r["dynamodb"]["Keys"]["PK"]["S"] == pk]
