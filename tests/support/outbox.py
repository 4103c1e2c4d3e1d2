"""The outbox relay's half of the stream, for in-process tests: DynamoDB stream records built from
outbox items' images (as the table's stream would deliver their INSERTs) and the relay run on them."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

from shared.messaging import outbox
from shared.messaging.models import OutboxItem

from devstack.events import insert_record as stream_insert
from devstack.filters import accepts, parse_filters
from devstack.routes import function_events

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/test-table/stream/2026-11-01T00:00:00.000"
RELAY = "OutboxRelayFunction"
_sequence = itertools.count(100_000_000_000_000_000_000)


def insert_record(item: OutboxItem) -> dict[str, Any]:
    """The stream record of ``item``'s INSERT, as Lambda delivers it (``NEW_AND_OLD_IMAGES``)."""
    return stream_insert(
        item.serialize(),
        STREAM_ARN,
        sequence_number=str(next(_sequence)),
        event_id=uuid.uuid4().hex,
        at=datetime.now(UTC),
    )


def owed_items() -> list[OutboxItem]:
    """Every item still owed, oldest first."""
    items = outbox.owed_before("9999")
    return sorted(items, key=lambda item: item.created_at)


def relay_filters() -> tuple[dict[str, Any], ...]:
    """The template's FilterCriteria of the relay's stream event."""
    (event,) = (e for e in function_events(RELAY).values() if e.get("Type") == "DynamoDB")
    return parse_filters(event["Properties"]["FilterCriteria"])


def stream_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda sends the relay for ``records``, after the template's FilterCriteria."""
    filters = relay_filters()
    return {"Records": [record for record in records if accepts(filters, record)]}
