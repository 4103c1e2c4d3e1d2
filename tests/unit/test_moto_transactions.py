"""The local stack's moto patch: a cancelled TransactWriteItems undoes exactly its own writes
(items backed up one by one, not the whole table), and streams none of them."""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from devstack.moto_streams import keep_streams_through_cancellations


def _table(client: Any) -> None:
    client.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def _key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "x"}}


def test_a_cancelled_transaction_undoes_only_its_own_writes_and_streams_none() -> None:
    keep_streams_through_cancellations()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _table(client)
        client.put_item(TableName="t", Item={**_key("a"), "n": {"N": "1"}})
        client.put_item(TableName="t", Item={**_key("b"), "n": {"N": "1"}})
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends["123456789012"]["us-east-1"].tables["t"]
        shard = table.stream_shard
        assert shard is not None
        streamed = len(shard.items)

        with pytest.raises(ClientError) as cancelled:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": "t",
                            "Key": _key("a"),
                            "UpdateExpression": "SET n = :two",
                            "ExpressionAttributeValues": {":two": {"N": "2"}},
                        }
                    },
                    {"Delete": {"TableName": "t", "Key": _key("b")}},
                    {"Put": {"TableName": "t", "Item": {**_key("c"), "n": {"N": "1"}}}},
                    {
                        "Put": {
                            "TableName": "t",
                            "Item": {**_key("b2"), "n": {"N": "1"}},
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                ]
            )
        assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"

        assert client.get_item(TableName="t", Key=_key("a"))["Item"]["n"] == {"N": "1"}
        assert "Item" in client.get_item(TableName="t", Key=_key("b"))
        assert "Item" not in client.get_item(TableName="t", Key=_key("c"))
        assert len(shard.items) == streamed

        client.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {**_key("d")}}}])
        assert len(shard.items) == streamed + 1
        assert copy.deepcopy(table) is not table  # outside a transaction, a real copy
