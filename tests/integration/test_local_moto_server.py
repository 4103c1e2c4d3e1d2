"""The local stack's moto server (``devstack.moto_server``) handles one AWS request at a time,
except a long-polling SQS ``ReceiveMessage``, so concurrent functions race as they would in AWS."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import start_moto


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server, url = start_moto()
    try:
        yield url
    finally:
        server.stop()


def _client(service: str, url: str) -> Any:
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def test_one_of_many_concurrent_conditional_writes_wins(moto_url: str) -> None:
    dynamodb = _client("dynamodb", moto_url)
    dynamodb.create_table(
        TableName="race",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
    )
    outcomes: list[str] = []
    refused: list[str] = []
    start = threading.Barrier(12)

    def claim(worker: int) -> None:
        client = _client("dynamodb", moto_url)
        start.wait()
        for attempt in range(5):
            try:
                client.put_item(
                    TableName="race",
                    Item={"PK": {"S": f"seat-{attempt}"}, "by": {"S": str(worker)}},
                    ConditionExpression="attribute_not_exists(PK)",
                )
                outcomes.append(f"won-{attempt}")
            except ClientError as exc:
                refused.append(exc.response["Error"]["Code"])

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [f"won-{attempt}" for attempt in range(5)]
    assert refused == ["ConditionalCheckFailedException"] * (12 * 5 - 5)


def test_a_long_poll_does_not_hold_other_requests(moto_url: str) -> None:
    sqs = _client("sqs", moto_url)
    queue = sqs.create_queue(QueueName="long-poll")["QueueUrl"]
    received: list[Any] = []
    poll = threading.Thread(
        target=lambda: received.append(_client("sqs", moto_url).receive_message(QueueUrl=queue, WaitTimeSeconds=20))
    )
    poll.start()
    _client("s3", moto_url).create_bucket(Bucket="meanwhile")  # answered while the poll waits
    assert poll.is_alive()
    sqs.send_message(QueueUrl=queue, MessageBody="wake up")
    poll.join(timeout=30)
    assert received[0]["Messages"][0]["Body"] == "wake up"
