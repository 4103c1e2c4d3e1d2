"""Test environment: fake AWS credentials, test settings, and moto for every AWS call."""

from __future__ import annotations

import os

# Set before anything imports the shared layer (PynamoDB reads TABLE_NAME at import).
TEST_ENV = {
    "APP_ENV": "test",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "TABLE_NAME": "test-table",
    "EMAIL_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/EmailQueue",
    "STRIPE_EVENTS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/StripeEventsQueue",
    "JOBS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/JobsQueue",
    "JOBS_HIGH_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/JobsHighQueue",
    "JOBS_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/JobsDLQ",
    "JOBS_HIGH_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/JobsHighDLQ",
    "JOBS_QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:JobsQueue",
    "JOBS_HIGH_QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:JobsHighQueue",
    "JOBS_SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/JobsSchedulerRole",
    "UPLOADS_BUCKET": "uploadsbucket",
    "FILES_BUCKET": "filesbucket",
    "EXPORTS_BUCKET": "exportsbucket",
    "WEBSOCKET_URL": "wss://abc123.execute-api.us-east-1.amazonaws.com/dev",
    "WEBSOCKET_MANAGEMENT_ENDPOINT": "https://abc123.execute-api.us-east-1.amazonaws.com/dev",
    "JWT_SECRET": "test-signing-key-that-is-long-enough-0123456789",
    "EMAIL_FROM": "no-reply@example.com",
    "FRONTEND_URL": "https://app.test",
    "POWERTOOLS_SERVICE_NAME": "test",
    "POWERTOOLS_METRICS_NAMESPACE": "Test",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "AWS_LAMBDA_FUNCTION_NAME": "test-function",
}
for _key, _value in TEST_ENV.items():
    os.environ[_key] = _value
for _key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(_key, None)
