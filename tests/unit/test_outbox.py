"""The outbox's pure parts: owed messages and their keys, the relay's FilterCriteria (as the local
stack applies them), and the relay function's import footprint."""

from __future__ import annotations

import os
from typing import Any

import pytest
from shared.messaging import outbox
from shared.messaging.email import EmailMessage, owed_email
from shared.messaging.models import OWED_SHARDS, outbox_key, owed_index_keys
from shared.settings import ConfigurationError

from devstack.filters import accepts, matches, parse_filters
from tests.support.outbox import relay_filters


def record(event_name: str = "INSERT", item_type: str = "OUTBOX") -> dict[str, Any]:
    return {
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"PK": {"S": "OUTBOX#email#x"}, "SK": {"S": "OUTBOX"}},
            "NewImage": {"PK": {"S": "OUTBOX#email#x"}, "type": {"S": item_type}, "n": {"N": "5"}},
        },
    }


def test_an_email_is_owed_to_the_email_queue_under_its_business_key() -> None:
    message = EmailMessage(id="welcome:u1", template="welcome", to="a@example.com", data={"name": "A"})

    owed = owed_email(message)

    assert (owed.destination, owed.key) == ("email", "welcome:u1")
    assert owed.body == message.model_dump()
    assert outbox_key(owed.destination, owed.key) == ("OUTBOX#email#welcome:u1", "OUTBOX")


def test_owed_items_spread_over_the_index_shards_oldest_first() -> None:
    partitions = {owed_index_keys("email", f"welcome:{n}", "2026-01-01T00:00:00.000Z")[0] for n in range(200)}
    assert partitions == {f"OUTBOX#OWED#{shard}" for shard in range(OWED_SHARDS)}
    early = owed_index_keys("email", "k", "2026-01-01T00:00:00.000Z")
    late = owed_index_keys("email", "k", "2026-01-01T00:05:00.000Z")
    assert early[0] == late[0]
    assert early[1] < late[1]


def test_a_destination_without_a_queue_is_a_configuration_error(configure: Any) -> None:
    configure(STRIPE_EVENTS_QUEUE_URL="")
    with pytest.raises(ConfigurationError):
        outbox.queue_url("stripe-events")
    with pytest.raises(ConfigurationError):
        outbox.queue_url("jobs")
    assert outbox.queue_url("email") == os.environ["EMAIL_QUEUE_URL"]


# ------------------------------------------------------------------------------ FilterCriteria


def test_the_relay_receives_only_inserts_of_outbox_items() -> None:
    filters = relay_filters()

    assert accepts(filters, record())
    assert not accepts(filters, record(event_name="MODIFY"))
    assert not accepts(filters, record(event_name="REMOVE"))
    assert not accepts(filters, record(item_type="USER"))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT", "MODIFY"]}, True),
        ({"eventName": ["REMOVE"]}, False),
        ({"dynamodb": {"NewImage": {"PK": {"S": [{"prefix": "OUTBOX#"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"PK": {"S": [{"suffix": "#y"}]}}}}, False),
        ({"eventName": [{"equals-ignore-case": "insert"}]}, True),
        ({"eventName": [{"anything-but": ["REMOVE"]}]}, True),
        ({"eventName": [{"anything-but": "INSERT"}]}, False),
        ({"dynamodb": {"OldImage": [{"exists": False}]}}, True),
        ({"dynamodb": {"NewImage": [{"exists": True}]}}, True),
        ({"dynamodb": {"NewImage": {"missing": [{"exists": True}]}}}, False),
        ({"dynamodb": {"NewImage": {"type": {"S": ["OUTBOX"]}}}, "eventName": ["REMOVE"]}, False),
        ({"dynamodb": {"NewImage": {"type": ["OUTBOX"]}}}, False),
    ],
)
def test_filter_patterns_match_as_lambda_does(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, record()) is expected


def test_numeric_filters_and_list_fields() -> None:
    value = {"size": 5, "tags": ["a", "b"]}
    assert matches({"size": [{"numeric": [">", 0, "<=", 5]}]}, value)
    assert not matches({"size": [{"numeric": ["<", 5]}]}, value)
    assert matches({"tags": ["b"]}, value)
    assert not matches({"tags": ["c"]}, value)


def test_no_filters_accept_everything_and_bad_patterns_are_refused() -> None:
    assert accepts((), record(event_name="REMOVE"))
    assert parse_filters(None) == ()
    assert parse_filters({"Filters": [{"Pattern": '{"a": ["b"]}'}]}) == ({"a": ["b"]},)
    with pytest.raises(ValueError, match="not a JSON object"):
        parse_filters({"Filters": [{"Pattern": "[1]"}]})
    with pytest.raises(ValueError, match="expected an object or a list"):
        matches({"eventName": "INSERT"}, record())


# ------------------------------------------------------------------------------ cold start
