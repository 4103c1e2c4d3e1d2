"""The analytics consumer's event source, for in-process tests: the table's stream as moto keeps
it, read in order, each record in Lambda's shape, filtered by the template's FilterCriteria and
delivered to ``AnalyticsStreamFunction`` (as the DynamoDB event source does)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from devstack.events import stream_record
from devstack.filters import accepts, parse_filters
from devstack.routes import function_events
from tests.support.api import Api

CONSUMER = "AnalyticsStreamFunction"


def consumer_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda sends the consumer for ``records``, after the template's FilterCriteria."""
    (event,) = (e for e in function_events(CONSUMER).values() if e.get("Type") == "DynamoDB")
    filters = parse_filters(event["Properties"]["FilterCriteria"])
    return {"Records": [record for record in records if accepts(filters, record)]}


def table_stream(api: Api) -> list[dict[str, Any]]:
    """Every record on the table's stream so far, oldest first, as Lambda delivers them."""
    table = os.environ["TABLE_NAME"]
    arn = api.aws.dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = boto3.client(
        "dynamodbstreams", region_name=os.environ["AWS_REGION"], config=Config(account_id_endpoint_mode="disabled")
    )
    found: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            found.extend(stream_record(raw, arn) for raw in page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return found


@dataclass
class Stream:
    """Delivers the stream's new records to the consumer, remembering how far it got."""

    api: Api
    position: int = 0

    def take(self) -> list[dict[str, Any]]:
        records = table_stream(self.api)
        fresh, self.position = records[self.position :], len(records)
        return consumer_event(fresh)["Records"]

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """One batch (Lambda never invokes with none)."""
        assert records, "an empty batch"
        return self.api.invoke(CONSUMER, {"Records": records})

    def run(self) -> list[dict[str, Any]]:
        """Deliver every new record in batches of 100; returns them (asserting none failed)."""
        records = self.take()
        for start in range(0, len(records), 100):
            assert self.deliver(records[start : start + 100]) == {"batchItemFailures": []}
        return records
