"""Events as Lambda's event sources deliver them: SQS records from received messages, DynamoDB
stream records, EventBridge scheduled events. (API Gateway events: :mod:`devstack.apigw`.)"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """One Lambda SQS record from a ``ReceiveMessage`` message (attributes requested with ``All``)."""
    attributes = {key: str(value) for key, value in (message.get("Attributes") or {}).items()}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": attributes,
        "messageAttributes": {
            name: _message_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": _region_of(queue_arn),
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sqs_event_from_messages(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {"Records": [sqs_record(message, queue_arn) for message in messages]}


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """``{"StringValue", "DataType"}`` (SQS API) → ``{"stringValue", "dataType", ...}`` (Lambda)."""
    converted: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues") or []),
        "binaryListValues": [_b64(item) for item in value.get("BinaryListValues") or []],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        converted["binaryValue"] = _b64(value["BinaryValue"])
    return converted


def _b64(value: bytes | str) -> str:
    return base64.b64encode(value if isinstance(value, bytes) else value.encode()).decode()


def _region_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


def stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A Lambda DynamoDB stream record from a ``GetRecords`` record (boto3 client shape)."""
    dynamodb = dict(record.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record.get("eventID", uuid.uuid4().hex),
        "eventName": record.get("eventName"),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion") or _region_of(stream_arn),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    } | ({"userIdentity": record["userIdentity"]} if record.get("userIdentity") else {})


def _image_record(
    name: str, image: dict[str, Any], stream_arn: str, *, sequence_number: str, event_id: str, at: datetime
) -> dict[str, Any]:
    """The raw (``GetRecords``) record of an INSERT (``image`` new) or REMOVE (``image`` old)."""
    return {
        "eventID": event_id,
        "eventName": name,
        "awsRegion": _region_of(stream_arn),
        "dynamodb": {
            "ApproximateCreationDateTime": at,
            "Keys": {"PK": image["PK"], "SK": image["SK"]},
            "NewImage" if name == "INSERT" else "OldImage": image,
            "SequenceNumber": sequence_number,
            "SizeBytes": len(json.dumps(image)),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def insert_record(
    image: dict[str, Any], stream_arn: str, *, sequence_number: str, event_id: str, at: datetime
) -> dict[str, Any]:
    """The Lambda stream record of the INSERT of ``image`` (a DynamoDB-JSON item keyed PK/SK)."""
    raw = _image_record("INSERT", image, stream_arn, sequence_number=sequence_number, event_id=event_id, at=at)
    return stream_record(raw, stream_arn)


def modify_record(
    old: dict[str, Any],
    new: dict[str, Any],
    stream_arn: str,
    *,
    sequence_number: str,
    event_id: str,
    at: datetime,
) -> dict[str, Any]:
    """The Lambda stream record of a MODIFY from ``old`` to ``new`` (both images)."""
    raw = _image_record("INSERT", new, stream_arn, sequence_number=sequence_number, event_id=event_id, at=at)
    raw["eventName"] = "MODIFY"
    raw["dynamodb"]["OldImage"] = old
    return stream_record(raw, stream_arn)


def remove_record(
    image: dict[str, Any], stream_arn: str, *, sequence_number: str, event_id: str, at: datetime, expired: bool
) -> dict[str, Any]:
    """The Lambda stream record of the REMOVE of ``image``; ``expired``: by the TTL, whose
    deletions carry DynamoDB's service identity."""
    raw = _image_record("REMOVE", image, stream_arn, sequence_number=sequence_number, event_id=event_id, at=at)
    if expired:
        raw["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return stream_record(raw, stream_arn)


def scheduled_event(
    resource_arn: str,
    *,
    region: str,
    account: str,
    source: str = "aws.events",
    at: datetime | None = None,
) -> dict[str, Any]:
    """The event an EventBridge rule (or Scheduler schedule) sends to its Lambda target."""
    when = (at or datetime.now(UTC)).astimezone(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": source,
        "account": account,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [resource_arn],
        "detail": {},
    }
