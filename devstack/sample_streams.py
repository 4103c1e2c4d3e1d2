"""The DynamoDB stream samples in ``events/`` (:mod:`devstack.sample_events`): for each stream
consumer, the records it exists for, built from the shared layer's own models so that their
images are the items it writes (fixed ids, sequence numbers and times)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from devstack.events import insert_record, modify_record, remove_record
from devstack.sample_bodies import SQS_BODIES

SAMPLE_TIME = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SAMPLE_STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/platform/stream/2026-11-22T12:00:00.000"


def outbox_sample() -> dict[str, Any]:
    """The outbox relay's event: the INSERT of the outbox item owing the sample welcome email."""
    from shared.messaging.email import EmailMessage, owed_email
    from shared.messaging.outbox import item_of

    email = EmailMessage.model_validate(SQS_BODIES["EmailQueue"][0])
    image = item_of(owed_email(email), created_at="2026-11-22T12:00:00.000Z").serialize()
    record = insert_record(
        image,
        SAMPLE_STREAM_ARN,
        sequence_number="100000000000000000001",
        event_id="00000000000000000000000000000001",
        at=SAMPLE_TIME,
    )
    return {"Records": [record]}


def _job_removed_sample() -> dict[str, Any]:
    """The job expiry consumer's event: the TTL's REMOVE of a completed job's record."""
    from shared.jobs.models import JobItem, job_key

    job = JobItem(
        *job_key("sample-job"),
        job_id="sample-job",
        job_type="system.canary",
        status="completed",
        max_attempts=3,
        backoff_base=2,
        backoff_cap=3600,
        attempts=1,
        attempts_total=1,
        progress=100,
        created_at="2026-11-15T12:00:00.000Z",
        started_at="2026-11-15T12:00:01.000Z",
        finished_at="2026-11-15T12:00:02.000Z",
        result='{"attempts":1}',
        ttl=SAMPLE_TIME,
    )
    record = remove_record(
        job.serialize(),
        SAMPLE_STREAM_ARN,
        sequence_number="100000000000000000002",
        event_id="00000000000000000000000000000002",
        at=SAMPLE_TIME,
        expired=True,
    )
    return {"Records": [record]}


def _message_created_sample() -> dict[str, Any]:
    """The real-time fan-out's event: the INSERT of a message (sent to the thread's subscribers)."""
    from shared.experience.models import MessageItem, message_lookup, message_sk, thread_pk

    message = MessageItem(
        thread_pk("sample-thread"),
        message_sk("sample-message"),
        message_id="sample-message",
        thread_id="sample-thread",
        seq=1,
        author_id="sample-user",
        author_name="Sample User",
        content="Hello from the sample event",
        created_at="2026-11-22T12:00:00.000Z",
    )
    message.gsi1pk, message.gsi1sk = message_lookup("sample-message"), "MESSAGE"
    record = insert_record(
        message.serialize(),
        SAMPLE_STREAM_ARN,
        sequence_number="100000000000000000003",
        event_id="00000000000000000000000000000003",
        at=SAMPLE_TIME,
    )
    return {"Records": [record]}


def _modify(old: Any, new: Any, sequence: str, event_id: str) -> dict[str, Any]:
    """The Lambda stream record of a MODIFY of ``old`` into ``new`` (PynamoDB items)."""
    return modify_record(
        old.serialize(), new.serialize(), SAMPLE_STREAM_ARN, sequence_number=sequence, event_id=event_id, at=SAMPLE_TIME
    )


def _marketplace_sample() -> dict[str, Any]:
    """The analytics consumer's event: an order's payment (pending to confirmed: GMV, top lists)
    and a sale taking a product from 4 to 2 in stock under its threshold of 3 (a low-stock
    crossing: its entry, and an alert email when the seller exists)."""
    from shared.commerce.orders.models import OrderItem, OrderLine
    from shared.commerce.products.models import ProductItem

    line = OrderLine(  # type: ignore[no-untyped-call]
        product_id="sample-product",
        seller_id="sample-seller",
        name="Blue Ceramic Coffee Mug",
        unit_price=1499,
        quantity=2,
        line_total=2998,
    )
    order: dict[str, Any] = {
        "order_id": "sample-order",
        "order_number": "ORD-20261122-00001",
        "user_id": "sample-customer",
        "user_email": "new.customer@example.com",
        "user_name": "New Customer",
        "currency": "usd",
        "subtotal": 2998,
        "tax_amount": 240,
        "shipping_amount": 599,
        "discount_amount": 0,
        "total_amount": 3837,
        "lines": [line],
        "seller_ids": ["sample-seller"],
        "shipping_address": {"firstName": "Carla", "lastName": "Customer", "address1": "1 Main Street"},
        "created_at": "2026-11-22T11:58:00.000Z",
    }
    paid_at = "2026-11-22T12:00:00.000Z"
    pending = OrderItem("ORDER#sample-order", "ORDER", status="pending", updated_at=order["created_at"], **order)
    paid = OrderItem(
        "ORDER#sample-order",
        "ORDER",
        status="confirmed",
        paid_amount=3837,
        payment_intent_id="pi_sample",
        paid_at=paid_at,
        confirmed_at=paid_at,
        updated_at=paid_at,
        version=2,
        **order,
    )
    product: dict[str, Any] = {
        "product_id": "sample-product",
        "seller_id": "sample-seller",
        "name": "Blue Ceramic Coffee Mug",
        "slug": "blue-ceramic-coffee-mug",
        "price": 1499,
        "status": "active",
        "low_stock_threshold": 3,
        "created_at": "2026-11-01T12:00:00.000Z",
        "updated_at": "2026-11-01T12:00:00.000Z",
    }
    before = ProductItem("PRODUCT#sample-product", "PRODUCT", stock_quantity=4, version=7, **product)
    after = ProductItem("PRODUCT#sample-product", "PRODUCT", stock_quantity=2, version=8, **product)
    return {
        "Records": [
            _modify(before, after, "100000000000000000003", "00000000000000000000000000000003"),
            _modify(pending, paid, "100000000000000000004", "00000000000000000000000000000004"),
        ]
    }


def _order_delivered_sample() -> dict[str, Any]:
    """The ledger consumer's event: a paid two-seller order becoming ``delivered`` (its payouts)."""
    from shared.commerce.orders.models import OrderLine
    from shared.commerce.orders.repository import new_order

    def line(product: str, seller: str, price: int, quantity: int) -> OrderLine:
        return OrderLine(  # type: ignore[no-untyped-call]
            product_id=product,
            seller_id=seller,
            name=product,
            unit_price=price,
            quantity=quantity,
            line_total=price * quantity,
        )

    fields: dict[str, Any] = {
        "order_number": "ORD-20261115-00042",
        "user_id": "sample-buyer",
        "user_email": "buyer@example.com",
        "user_name": "Sample Buyer",
        "status": "shipped",
        "currency": "usd",
        "subtotal": 5000,
        "tax_amount": 400,
        "shipping_amount": 0,
        "discount_amount": 0,
        "total_amount": 5400,
        "lines": [line("sample-mug", "sample-seller-a", 1500, 2), line("sample-book", "sample-seller-b", 2000, 1)],
        "seller_ids": ["sample-seller-a", "sample-seller-b"],
        "shipping_address": {"line1": "1 Sample Street", "city": "Springfield", "postalCode": "12345", "country": "US"},
        "payment_intent_id": "pi_sample",
        "paid_amount": 5400,
        "paid_at": "2026-11-15T12:00:05.000Z",
        "confirmed_at": "2026-11-15T12:00:05.000Z",
        "shipped_at": "2026-11-16T09:00:00.000Z",
    }
    old = new_order("sample-order", "2026-11-15T12:00:00.000Z", **fields)
    old.updated_at = "2026-11-16T09:00:00.000Z"
    new = new_order("sample-order", "2026-11-15T12:00:00.000Z", **{**fields, "status": "delivered"})
    new.delivered_at = new.updated_at = "2026-11-22T12:00:00.000Z"
    record = modify_record(
        old.serialize(),
        new.serialize(),
        SAMPLE_STREAM_ARN,
        sequence_number="100000000000000000003",
        event_id="00000000000000000000000000000003",
        at=SAMPLE_TIME,
    )
    return {"Records": [record]}


STREAM_SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "JobsExpiryFunction": _job_removed_sample,
    "RealtimeFanoutFunction": _message_created_sample,
    "AnalyticsStreamFunction": _marketplace_sample,
    "LedgerFunction": _order_delivered_sample,
}
