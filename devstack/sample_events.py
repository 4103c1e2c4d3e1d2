"""Write ``events/``: one sample event per HttpApi route, SQS source, DynamoDB stream source and
ScheduleV2 with an ``Input``, as AWS sends them.

``make events`` regenerates them; ``make invoke FN=... EVENT=events/...`` and the tests use them.
Request ids, times and tokens in them are fixed placeholders; the files are data, not fixtures
that must succeed as they are (e.g. ``auth/me.json`` carries no valid token).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstack.apigw import http_event, sqs_event
from devstack.events import insert_record, modify_record, remove_record
from devstack.routes import function_code_dir, function_events, function_names, http_routes, route_roles
from devstack.template import ROOT

EVENTS = ROOT / "events"
SAMPLE_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLWlkIn0.c2lnbmF0dXJl"

BODIES: dict[str, Any] = {
    "POST /api/v1/auth/register": {
        "email": "new.customer@example.com",
        "password": "Passw0rd-sample",
        "name": "New Customer",
    },
    "POST /api/v1/auth/login": {"email": "new.customer@example.com", "password": "Passw0rd-sample"},
    "POST /api/v1/auth/refresh": {"refreshToken": "user-id.session-id.secret"},
    "POST /api/v1/auth/change-password": {"currentPassword": "Passw0rd-sample", "newPassword": "N3w-passw0rd"},
    "POST /api/v1/auth/forgot-password": {"email": "new.customer@example.com"},
    "POST /api/v1/auth/reset-password": {"token": "user-id.secret", "password": "N3w-passw0rd"},
    "POST /api/v1/auth/verify-email": {"token": "user-id.secret"},
    "PATCH /api/v1/users/me": {"name": "Renamed Customer"},
    "DELETE /api/v1/users/me": {"password": "Passw0rd-sample"},
    "PATCH /api/v1/users/{userId}": {"status": "suspended"},
    "POST /api/v1/game/new": {"clientSeed": "my-lucky-seed"},
    "POST /api/v1/products": {
        "name": "Blue Ceramic Coffee Mug",
        "description": "A 350 ml ceramic mug, dishwasher safe.",
        "shortDescription": "Ceramic coffee mug, 350 ml",
        "price": 1499,
        "stockQuantity": 25,
        "tags": ["kitchen", "mugs"],
        "status": "active",
    },
    "PATCH /api/v1/products/{productId}": {"price": 1299, "stockQuantity": 30},
    "POST /api/v1/products/{productId}/reviews": {"rating": 5, "title": "Great mug", "comment": "Keeps coffee warm."},
    "PATCH /api/v1/products/{productId}/reviews/{reviewId}": {"rating": 4},
    "POST /api/v1/categories": {"name": "Electronics", "description": "Phones, laptops and more"},
    "PATCH /api/v1/categories/{categoryId}": {"name": "Consumer Electronics"},
    "PATCH /api/v1/sellers/me": {"storeName": "Owl Books", "description": "Second-hand books"},
    "POST /api/v1/admin/sellers/{sellerId}/reject": {"reason": "Incomplete tax details"},
    "POST /api/v1/uploads": {"purpose": "avatar", "contentType": "image/png", "contentLength": 20480},
    "POST /api/v1/cart/items": {"productId": "sample-productId", "quantity": 2},
    "PATCH /api/v1/cart/items/{productId}": {"quantity": 3},
    "POST /api/v1/orders": {
        "shippingAddress": {
            "firstName": "Carla",
            "lastName": "Customer",
            "address1": "1 Main Street",
            "city": "Springfield",
            "postalCode": "12345",
            "country": "US",
        },
        "notes": "Leave at the door",
    },
    "POST /api/v1/orders/{orderId}/cancel": {"reason": "Changed my mind"},
    "POST /api/v1/orders/{orderId}/ship": {
        "trackingNumber": "1Z999AA10123456784",
        "trackingUrl": "https://track.example.com/1Z999",
    },
    "POST /api/v1/orders/{orderId}/refund": {"amount": 500, "reason": "Damaged box"},
    "POST /api/v1/payments/intent": {"orderId": "sample-orderId"},
    "POST /api/v1/payments/confirm": {"orderId": "sample-orderId"},
    "POST /api/v1/admin/jobs": {"type": "system.canary", "payload": {"failAttempts": 2}},
}
# A Stripe event as Stripe posts it (the webhook sample carries no valid Stripe-Signature: a 400).
STRIPE_EVENT: dict[str, Any] = {
    "id": "evt_sample",
    "object": "event",
    "type": "payment_intent.succeeded",
    "created": 1795348800,
    "livemode": False,
    "data": {
        "object": {
            "id": "pi_sample",
            "object": "payment_intent",
            "amount": 2599,
            "currency": "usd",
            "status": "succeeded",
            "metadata": {"orderId": "sample-orderId"},
        }
    },
}
BODIES["POST /api/v1/webhooks/stripe"] = STRIPE_EVENT
BODIES.update(
    {
        "POST /api/v1/users": {"email": "new.member@example.com", "password": "Passw0rd-sample", "name": "New Member"},
        "PUT /api/v1/users/{userId}": {"name": "Renamed Member"},
        "POST /api/v1/threads": {"title": "Quarterly planning", "metadata": {"topic": "q3"}, "participantIds": []},
        "PUT /api/v1/threads/{threadId}": {"title": "Renamed thread"},
        "PATCH /api/v1/threads/{threadId}": {"status": "archived"},
        "POST /api/v1/threads/{threadId}/participants": {"userId": "01jd0000000000000000000000"},
        "POST /api/v1/threads/{threadId}/read": {"messageId": "01jd0000000000000000000001"},
        "POST /api/v1/threads/{threadId}/messages": {"content": "Hello **team**", "clientMessageId": "client-1"},
        "PUT /api/v1/messages/{messageId}": {"content": "Hello again"},
        "PATCH /api/v1/messages/{messageId}": {"content": "Hello again"},
        "POST /api/v1/messages/{messageId}/reactions": {"emoji": ":tada:"},
        "POST /api/v1/messages/{messageId}/actions": {"actionId": "approve", "value": "yes"},
        "POST /api/v1/posts": {
            "title": "Getting started with serverless Python",
            "content": "# Why serverless\n\nLambda runs your code on demand.",
            "tagNames": ["Python", "Serverless"],
            "status": "published",
        },
        "PUT /api/v1/posts/{postId}": {"title": "Serverless Python, revisited", "tagNames": ["Python"]},
        "PATCH /api/v1/posts/{postId}": {"publishAt": "2030-01-01T09:00:00Z"},
        "POST /api/v1/posts/{postId}/comments": {"content": "Thanks, this helped!"},
        "PUT /api/v1/profiles/me": {"bio": "Writes about serverless.", "website": "https://example.com"},
        "PATCH /api/v1/profiles/me": {"location": "Lisbon"},
        "POST /api/v1/files": {"filename": "q3-chart.png", "contentType": "image/png", "size": 48213},
        "PUT /api/v1/files/{fileId}": {"filename": "q3-revenue-chart.png"},
        "PATCH /api/v1/files/{fileId}": {"filename": "q3-revenue-chart.png"},
        "POST /api/v1/threads/{threadId}/artifacts": {
            "type": "report",
            "title": "Quarterly numbers",
            "summary": "Revenue by region",
            "content": {"columns": ["region", "revenue"], "rows": [["EMEA", 1200], ["APAC", 900]]},
        },
        "PUT /api/v1/artifacts/{artifactId}": {"title": "Q3 numbers", "expectedVersion": 1},
        "PATCH /api/v1/artifacts/{artifactId}": {"content": {"text": "Revised"}, "expectedVersion": 2},
        "POST /api/v1/artifacts/{artifactId}/restore": {"version": 1},
        "POST /api/v1/api-keys": {"name": "Assistant", "scopes": ["experience:assistant"]},
    }
)
# Routes with a second sample, sent by an integration with its API key instead of a user's token.
API_KEY_SAMPLES: dict[str, Any] = {
    "POST /api/v1/threads/{threadId}/messages": {"content": "Revenue is up 12 %", "role": "assistant"},
}
SAMPLE_API_KEY = "pak_01jd0000000000000000000000.c2FtcGxlLXNlY3JldA"
# What S3 writes to the file events queue: the test event it sends when the notification is
# configured, then an ObjectCreated event (one record) for a form upload, in AWS's full shape.
S3_OBJECT_CREATED: dict[str, Any] = {
    "Records": [
        {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": "us-east-1",
            "eventTime": "2026-11-22T12:00:00.000Z",
            "eventName": "ObjectCreated:Post",
            "userIdentity": {"principalId": "AWS:AROAEXAMPLEROLEID:FilesFunction"},
            "requestParameters": {"sourceIPAddress": "203.0.113.10"},
            "responseElements": {
                "x-amz-request-id": "C3D13FE58DE4C810",
                "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
            },
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "files-object-created",
                "bucket": {
                    "name": "filesbucket",
                    "ownerIdentity": {"principalId": "A3NL1KOZZKEXAMPLE"},
                    "arn": "arn:aws:s3:::filesbucket",
                },
                "object": {
                    "key": "files/01jd0000000000000000000002/original",
                    "size": 48213,
                    "eTag": "0123456789abcdef0123456789abcdef",
                    "sequencer": "0055AED6DCD90281E5",
                },
            },
        }
    ]
}
S3_TEST_EVENT = {
    "Service": "Amazon S3",
    "Event": "s3:TestEvent",
    "Time": "2026-11-22T12:00:00.000Z",
    "Bucket": "filesbucket",
}
SQS_BODIES: dict[str, list[dict[str, Any]]] = {
    "FileEventsQueue": [S3_TEST_EVENT, S3_OBJECT_CREATED],
    "StripeEventsQueue": [STRIPE_EVENT],
    "JobsQueue": [{"jobId": "sample-jobId", "run": 0}],
    "JobsHighQueue": [{"jobId": "sample-jobId", "run": 0}],
    "EmailQueue": [
        {
            "id": "welcome:sample-user",
            "template": "welcome",
            "to": "new.customer@example.com",
            "data": {"name": "New Customer", "role": "customer", "status": "approved"},
        }
    ],
}


SAMPLE_TIME = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SAMPLE_STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/platform/stream/2026-11-22T12:00:00.000"


def _stream_sample() -> dict[str, Any]:
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


STREAM_SAMPLES = {
    "JobsExpiryFunction": _job_removed_sample,
    "RealtimeFanoutFunction": _message_created_sample,
    "AnalyticsStreamFunction": _marketplace_sample,
    "LedgerFunction": _order_delivered_sample,
}

# The WebSocket API's routes (its function has no SAM event: API Gateway V2 integrates it).
WEBSOCKET_FUNCTION = "WebSocketFunction"
WEBSOCKET_SAMPLES: dict[str, tuple[str, str | None, dict[str, str] | None]] = {
    "connect": ("$connect", None, {"ticket": "sample-ticket"}),
    "subscribe": ("subscribe", '{"action": "subscribe", "threadId": "sample-threadId"}', None),
    "typing": ("typing", '{"action": "typing", "threadId": "sample-threadId"}', None),
    "ping": ("ping", '{"action": "ping"}', None),
    "default": ("$default", '{"action": "unknown"}', None),
    "disconnect": ("$disconnect", None, None),
}


def _websocket_samples() -> dict[Path, dict[str, Any]]:
    from devstack.websocket_events import websocket_event

    folder = EVENTS / Path(function_code_dir(WEBSOCKET_FUNCTION)).name
    found: dict[Path, dict[str, Any]] = {}
    for name, (route_key, body, query) in WEBSOCKET_SAMPLES.items():
        found[folder / f"websocket_{name}.json"] = websocket_event(
            route_key,
            "sample-connection=",
            body=body,
            query=query,
            api_id="sample-api",
            domain_name="sample-api.execute-api.us-east-1.amazonaws.com",
            source_ip="203.0.113.10",
            connected_at=1795348800000,
            now_ms=1795348800000,
            request_id=f"sample-{name}",
            message_id="sample-message=",
            websocket_key="c2FtcGxlLWtleS0xMjM0NQ==",
        )
    return found


def _file_name(method: str, path: str) -> str:
    tail = re.sub(r"[{}]", "", path.removeprefix("/api/v1/").strip("/")).replace("/", "_").replace("-", "_")
    return f"{method.lower()}_{tail or 'root'}.json"


def _fixed(event: dict[str, Any], name: str) -> dict[str, Any]:
    event["requestContext"]["requestId"] = f"sample-{name}"
    event["requestContext"]["time"] = "22/Nov/2026:12:00:00 +0000"
    event["requestContext"]["timeEpoch"] = 1795348800000
    return event


def build() -> dict[Path, dict[str, Any]]:
    files: dict[Path, dict[str, Any]] = {}
    roles = route_roles()
    for route in http_routes():
        folder = Path(function_code_dir(route.function)).name
        concrete = re.sub(r"\{(\w+)\}", lambda m: f"sample-{m.group(1)}", route.path)
        params = {name: f"sample-{name}" for name in re.findall(r"\{(\w+)\}", route.path)} or None
        headers = {} if roles[route.route_key] is None else {"Authorization": f"Bearer {SAMPLE_TOKEN}"}
        query = {"limit": "20"} if route.route_key == "GET /api/v1/users" else None
        event = http_event(
            route.method,
            concrete,
            route_key=route.route_key,
            path_parameters=params,
            headers=headers,
            query=query,  # type: ignore[arg-type]
            body=BODIES.get(route.route_key),
            source_ip="203.0.113.10",
        )
        name = _file_name(route.method, route.path)
        files[EVENTS / folder / name] = _fixed(event, name.removesuffix(".json"))
        if route.route_key in API_KEY_SAMPLES:
            keyed = http_event(
                route.method,
                concrete,
                route_key=route.route_key,
                path_parameters=params,
                headers={"X-Api-Key": SAMPLE_API_KEY},
                body=API_KEY_SAMPLES[route.route_key],
                source_ip="203.0.113.10",
            )
            keyed_name = name.replace(".json", "_api_key.json")
            files[EVENTS / folder / keyed_name] = _fixed(keyed, keyed_name.removesuffix(".json"))
    for function in function_names():
        folder = Path(function_code_dir(function)).name
        for event_name, event in function_events(function).items():
            if event.get("Type") == "ScheduleV2" and "Input" in event["Properties"]:
                # What the schedule sends the function: its Input (e.g. the cron job to enqueue).
                files[EVENTS / folder / f"schedule_{event_name[0].lower()}{event_name[1:]}.json"] = json.loads(
                    event["Properties"]["Input"]
                )
            if event.get("Type") == "DynamoDB":
                sample_of = STREAM_SAMPLES.get(function, _stream_sample)
                files[EVENTS / folder / f"dynamodb_{event_name[0].lower()}{event_name[1:]}.json"] = sample_of()
            if event.get("Type") != "SQS":
                continue
            queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            arn = f"arn:aws:sqs:us-east-1:123456789012:{queue}"
            bodies = [json.dumps(body) for body in SQS_BODIES.get(queue, [{}])]
            sample = sqs_event(bodies, arn)
            for index, record in enumerate(sample["Records"]):
                record["messageId"] = f"00000000-0000-4000-8000-{index:012d}"
                record["receiptHandle"] = f"sample-receipt-{index}"
                record["attributes"]["SentTimestamp"] = "1795348800000"
                record["attributes"]["ApproximateFirstReceiveTimestamp"] = "1795348800000"
            files[EVENTS / folder / f"sqs_{event_name[0].lower()}{event_name[1:]}.json"] = sample
    return files | _websocket_samples()


def main() -> int:
    files = build()
    for path, event in sorted(files.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(event, indent=2) + "\n")
    print(f"wrote {len(files)} events under {EVENTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
