"""The bodies of the sample events in ``events/`` (:mod:`devstack.sample_events`): what a client
sends each HttpApi route that takes one, what an integration sends with its API key, and what
lands on each SQS queue (S3's notifications, Stripe's events, jobs, emails). Placeholders, not
fixtures that must succeed as they are."""

from __future__ import annotations

from typing import Any

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
