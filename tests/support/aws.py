"""moto-backed AWS for tests, built from template.yaml (table, queues, bucket)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws
from shared.commerce.uploads.storage import reset_storage
from shared.data.table import configure_table
from shared.email.delivery import reset_delivery
from shared.messaging.clients import reset_clients
from shared.security.passwords import reset_hasher
from shared.settings import reset_settings

from devstack.resources import create_buckets, create_queues, create_table


@dataclass
class FakeAws:
    dynamodb: Any
    sqs: Any
    s3: Any
    ses: Any
    queue_urls: dict[str, str]

    def queue_messages(self, logical_id: str, max_messages: int = 10) -> list[dict[str, Any]]:
        """Receive (and delete) up to ``max_messages`` from a queue."""
        url = self.queue_urls[logical_id]
        received = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=0)
        messages: list[dict[str, Any]] = received.get("Messages", [])
        for message in messages:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return messages

    def queue_arn(self, logical_id: str) -> str:
        attrs = self.sqs.get_queue_attributes(QueueUrl=self.queue_urls[logical_id], AttributeNames=["QueueArn"])
        return str(attrs["Attributes"]["QueueArn"])


def _reset_caches() -> None:
    reset_settings()
    reset_clients()
    reset_storage()
    reset_delivery()
    reset_hasher()
    configure_table(os.environ["TABLE_NAME"])


# Keeping boto3's default session between mocks keeps its loaded service models, which makes
# each fake_aws() about ten times cheaper; moto still wipes every backend on entry.
_MOCK_CONFIG: Any = {"core": {"reset_boto3_session": False}}


def _share_pynamodb_session() -> None:
    """PynamoDB opens a new botocore session per connection, and every test drops the
    connection (configure_table): one session for all of them saves parsing the DynamoDB
    service model again in every test. (A Lambda container builds its connection once.)"""
    import botocore.session
    import pynamodb.connection.base

    shared = botocore.session.get_session()
    pynamodb.connection.base.get_session = lambda: shared  # type: ignore[attr-defined]


_share_pynamodb_session()


@contextmanager
def fake_aws() -> Iterator[FakeAws]:
    with mock_aws(config=_MOCK_CONFIG):
        _reset_caches()
        region = os.environ["AWS_REGION"]
        dynamodb = boto3.client("dynamodb", region_name=region)
        sqs = boto3.client("sqs", region_name=region)
        s3 = boto3.client("s3", region_name=region)
        ses = boto3.client("ses", region_name=region)
        create_table(dynamodb, os.environ["TABLE_NAME"])
        urls = create_queues(sqs)
        create_buckets(s3)
        ses.verify_email_identity(EmailAddress=os.environ["EMAIL_FROM"])
        try:
            yield FakeAws(dynamodb=dynamodb, sqs=sqs, s3=s3, ses=ses, queue_urls=urls)
        finally:
            _reset_caches()
