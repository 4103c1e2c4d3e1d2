"""The local stack's generic machinery against a small fake template, in-process (moto mocked):
intrinsics and local environments, SQS and DynamoDB stream delivery, schedules, event shapes."""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import boto3
import pytest
from moto import mock_aws

from devstack.events import scheduled_event
from devstack.gateway import Request, api_event, reply_from_result
from devstack.invoker import reset_shared_caches
from devstack.lambda_runtime import load_handler
from devstack.local_aws import use_local_aws
from devstack.pollers import failed_identifiers
from devstack.routes import match
from devstack.schedule_expressions import Cron, parse_expression
from devstack.schedules import ScheduleNotFound, Scheduler, find_schedule, fire, schedules_of
from devstack.specs import LOCAL_JWT_SECRET
from devstack.sqs_poller import SqsPoller, sqs_sources
from devstack.stack import Stack, build_stack
from devstack.stream_poller import StreamPoller, stream_sources
from devstack.template import ROOT

RECORDER = ROOT / "tests/e2e/fixtures/recorder"

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Greeting": {"Type": "String", "Default": "hello"},
        "JwtSecretName": {"Type": "String"},
    },
    "Conditions": {"IsLocal": {"Fn::Equals": [{"Ref": "Greeting"}, "hello"]}},
    "Globals": {
        "Function": {
            "Handler": "app.lambda_handler",
            "Timeout": 5,
            "Environment": {"Variables": {"TABLE_NAME": {"Ref": "Table"}, "JWT_SECRET_ID": {"Ref": "JwtSecretName"}}},
        }
    },
    "Resources": {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "PK", "AttributeType": "S"},
                    {"AttributeName": "SK", "AttributeType": "S"},
                ],
                "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            },
        },
        "JobsDLQ": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "JobsQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": 30,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDLQ", "Arn"]}, "maxReceiveCount": 2},
            },
        },
        "Uploads": {"Type": "AWS::S3::Bucket"},
        "StreamDLQ": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Relay": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "tests/e2e/fixtures/recorder/",
                "Events": {
                    "Owed": {
                        "Type": "DynamoDB",
                        "Properties": {
                            "Stream": {"Fn::GetAtt": ["Table", "StreamArn"]},
                            "StartingPosition": "TRIM_HORIZON",
                            "BatchSize": 4,
                            "BisectBatchOnFunctionError": True,
                            "MaximumRetryAttempts": 1,
                            "FilterCriteria": {
                                "Filters": [
                                    {
                                        "Pattern": json.dumps(
                                            {
                                                "eventName": ["INSERT"],
                                                "dynamodb": {"NewImage": {"kind": {"S": ["owed"]}}},
                                            }
                                        )
                                    }
                                ]
                            },
                            "DestinationConfig": {
                                "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["StreamDLQ", "Arn"]}}
                            },
                        },
                    }
                },
            },
        },
        "Recorder": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "tests/e2e/fixtures/recorder/",
                "MemorySize": 256,
                "Environment": {
                    "Variables": {
                        "QUEUE_URL": {"Ref": "JobsQueue"},
                        "QUEUE_NAME": {"Fn::GetAtt": ["JobsQueue", "QueueName"]},
                        "QUEUE_ARN": {"Fn::GetAtt": "JobsQueue.Arn"},
                        "BUCKET": {"Ref": "Uploads"},
                        "GREETING": {"Fn::Sub": "${Greeting}-${AWS::Region}"},
                        "INDEXES": {"Fn::Sub": "${Table.Arn}/index/*"},
                        "STREAM": {"Fn::GetAtt": ["Table", "StreamArn"]},
                        "MODE": {"Fn::If": ["IsLocal", "yes", "no"]},
                        "FIRST": {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]},
                        "JOINED": {"Fn::Join": ["-", ["x", {"Ref": "AWS::AccountId"}]]},
                        "DROPPED": {"Ref": "AWS::NoValue"},
                    }
                },
                "Events": {
                    "Nightly": {"Type": "Schedule", "Properties": {"Schedule": "cron(0 3 * * ? *)"}},
                    "Every5": {
                        "Type": "ScheduleV2",
                        "Properties": {
                            "ScheduleExpression": "rate(5 minutes)",
                            "Name": "five-minutes",
                            "Input": '{"job": "sweep"}',
                        },
                    },
                    "Paused": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)", "Enabled": False}},
                    "Changes": {
                        "Type": "DynamoDB",
                        "Properties": {
                            "Stream": {"Fn::GetAtt": ["Table", "StreamArn"]},
                            "StartingPosition": "TRIM_HORIZON",
                            "BatchSize": 2,
                            "FunctionResponseTypes": ["ReportBatchItemFailures"],
                        },
                    },
                    "Jobs": {
                        "Type": "SQS",
                        "Properties": {
                            "Queue": {"Fn::GetAtt": ["JobsQueue", "Arn"]},
                            "BatchSize": 5,
                            "FunctionResponseTypes": ["ReportBatchItemFailures"],
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture
def stack() -> Iterator[Stack]:
    saved = dict(os.environ)
    with mock_aws():
        use_local_aws(None)
        yield build_stack(TEMPLATE, port=4321, caller_env={"JWT_SECRET_ID": "prod-secret"})
    os.environ.clear()
    os.environ.update(saved)
    reset_shared_caches(os.environ.get("TABLE_NAME"))


@pytest.fixture
def recorder() -> Iterator[Any]:
    module = sys.modules[load_handler(RECORDER).__module__]
    module.CALLS.clear()
    module.FAIL.clear()
    module.RAISE.clear()
    yield module
    module.CALLS.clear()
    module.FAIL.clear()
    module.RAISE.clear()


# --------------------------------------------------------------------------- environment


def test_function_environment_resolves_intrinsics_and_local_overrides(stack: Stack) -> None:
    res = stack.resources
    env = stack.functions["Recorder"].environment
    assert env["TABLE_NAME"] == "platform-local" == res.table_name
    assert env["QUEUE_URL"] == res.queue_urls["JobsQueue"]
    assert env["QUEUE_URL"].endswith("/JobsQueue")
    assert env["QUEUE_NAME"] == "JobsQueue"
    assert env["QUEUE_ARN"] == res.queue_arns["JobsQueue"] == "arn:aws:sqs:us-east-1:123456789012:JobsQueue"
    assert env["BUCKET"] == res.buckets["Uploads"] == "uploads"
    assert env["GREETING"] == "hello-us-east-1"
    assert env["INDEXES"] == "arn:aws:dynamodb:us-east-1:123456789012:table/platform-local/index/*"
    assert env["STREAM"] == res.stream_arns["Table"]
    assert env["STREAM"].startswith("arn:aws:dynamodb:us-east-1:123456789012:table/platform-local/stream/")
    assert (env["MODE"], env["FIRST"], env["JOINED"]) == ("yes", "a", "x-123456789012")
    assert "DROPPED" not in env
    assert env["APP_ENV"] == "local"
    assert env["JWT_SECRET"] == LOCAL_JWT_SECRET
    assert "JWT_SECRET_ID" not in env
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert env["FRONTEND_URL"] == "http://127.0.0.1:4321"
    spec = stack.functions["Recorder"]
    assert (spec.timeout, spec.memory, spec.handler) == (5, 256, "app.lambda_handler")


def test_invocation_sets_function_name_and_environment(stack: Stack, recorder: Any) -> None:
    os.environ["JWT_SECRET_ID"] = "leaked-from-the-shell"
    assert stack.invoker.invoke("Recorder", {"ping": 1}) == {"ok": True}
    call = recorder.CALLS[-1]
    assert call["function"] == call["env_function"] == "Recorder"
    assert call["greeting"] == "hello-us-east-1"
    assert "JWT_SECRET_ID" not in os.environ


# --------------------------------------------------------------------------------- SQS


def test_sqs_source_reads_the_event_settings(stack: Stack) -> None:
    (source,) = sqs_sources(stack, visibility_timeout=1)
    assert (source.function, source.queue, source.batch_size) == ("Recorder", "JobsQueue", 5)
    assert source.report_failures
    assert source.visibility_timeout == 1
    assert source.queue_arn == stack.resources.queue_arns["JobsQueue"]


def test_sqs_partial_failures_are_redelivered_then_dead_lettered(stack: Stack, recorder: Any) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = stack.resources.queue_urls["JobsQueue"]
    for body in ("ok-1", "ok-2", "bad"):
        sqs.send_message(
            QueueUrl=url, MessageBody=body, MessageAttributes={"kind": {"DataType": "String", "StringValue": "t"}}
        )
    recorder.FAIL["bad"] = 10
    stopped = threading.Event()
    stopped.set()  # no waiting inside poll_once
    (source,) = sqs_sources(stack, visibility_timeout=1)
    poller = SqsPoller(source, stack, stopped, log=lambda line: None)

    assert poller.poll_once() == 3
    event = recorder.CALLS[-1]["event"]
    records = event["Records"]
    assert sorted(r["body"] for r in records) == ["bad", "ok-1", "ok-2"]
    record = records[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == source.queue_arn
    assert record["awsRegion"] == "us-east-1"
    assert record["messageId"]
    assert record["receiptHandle"]
    assert record["md5OfBody"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= record["attributes"].keys()
    assert record["messageAttributes"]["kind"]["stringValue"] == "t"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"

    time.sleep(1.2)  # the failed record becomes visible again; the others were deleted
    assert poller.poll_once() == 1
    again = recorder.CALLS[-1]["event"]["Records"]
    assert [r["body"] for r in again] == ["bad"]
    assert again[0]["attributes"]["ApproximateReceiveCount"] == "2"

    time.sleep(1.2)  # maxReceiveCount 2 reached: the next receive moves it to the DLQ
    assert poller.poll_once() == 0
    dlq = sqs.receive_message(QueueUrl=stack.resources.queue_urls["JobsDLQ"], MaxNumberOfMessages=10)
    assert [m["Body"] for m in dlq.get("Messages", [])] == ["bad"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_an_exception_fails_the_whole_batch(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = stack.resources.queue_urls["JobsQueue"]
    sqs.send_message(QueueUrl=url, MessageBody="one")

    def boom(function: str, event: Any) -> Any:
        raise RuntimeError("crash")

    monkeypatch.setattr(stack.invoker, "invoke", boom)
    stopped = threading.Event()
    stopped.set()
    (source,) = sqs_sources(stack, visibility_timeout=1)
    messages = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1, MessageSystemAttributeNames=["All"])["Messages"]
    poller = SqsPoller(source, stack, stopped, log=lambda line: None)
    assert poller.deliver(messages) == {messages[0]["MessageId"]}
    time.sleep(1.1)
    again = sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["MessageId"] for m in again] == [messages[0]["MessageId"]]


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zz"}]}, {"a", "b"}),
        ({"batchItemFailures": ["b"]}, {"a", "b"}),
    ],
)
def test_batch_item_failure_rules(result: Any, failed: set[str]) -> None:
    assert failed_identifiers(result, ["a", "b"]) == failed


# ------------------------------------------------------------------------------ streams


def test_stream_records_are_delivered_in_batches_and_retried_from_the_failure(stack: Stack, recorder: Any) -> None:
    (source,) = (s for s in stream_sources(stack) if s.function == "Recorder")
    assert (source.batch_size, source.starting_position, source.report_failures) == (2, "TRIM_HORIZON", True)
    stopped = threading.Event()
    stopped.set()
    poller = StreamPoller(source, stack, stopped, log=lambda line: None)
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    for pk in ("a", "b", "c"):
        dynamodb.put_item(TableName="platform-local", Item={"PK": {"S": pk}, "SK": {"S": "x"}, "n": {"N": "1"}})

    assert poller.poll_once() == 2
    records = recorder.CALLS[-1]["event"]["Records"]
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in records] == ["a", "b"]
    first = records[0]
    assert first["eventName"] == "INSERT"
    assert first["eventSource"] == "aws:dynamodb"
    assert first["eventVersion"] == "1.1"
    assert first["eventSourceARN"] == source.stream_arn
    assert first["dynamodb"]["NewImage"]["n"] == {"N": "1"}
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], int)
    json.dumps(recorder.CALLS[-1]["event"])  # the event is plain JSON, as Lambda delivers it

    dynamodb.update_item(
        TableName="platform-local",
        Key={"PK": {"S": "a"}, "SK": {"S": "x"}},
        UpdateExpression="SET n = :two",
        ExpressionAttributeValues={":two": {"N": "2"}},
    )
    recorder.FAIL["c"] = 1
    assert poller.poll_once() == 2  # c (fails) and the MODIFY of a
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in recorder.CALLS[-1]["event"]["Records"]] == ["c", "a"]
    assert poller.poll_once() == 2  # retried from c
    retried = recorder.CALLS[-1]["event"]["Records"]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"]) for r in retried] == [("INSERT", "c"), ("MODIFY", "a")]
    assert retried[1]["dynamodb"]["OldImage"]["n"] == {"N": "1"}
    assert poller.poll_once() == 0


def test_stream_filters_bisect_and_the_on_failure_destination(stack: Stack, recorder: Any) -> None:
    # Given a source filtered to INSERTs of "owed" items, bisecting, with one retry and a DLQ
    (source,) = (s for s in stream_sources(stack) if s.function == "Relay")
    assert (source.bisect, source.max_retries, source.on_failure_queue, len(source.filters)) == (
        True,
        1,
        "StreamDLQ",
        1,
    )
    stopped = threading.Event()
    stopped.set()
    poller = StreamPoller(source, stack, stopped, log=lambda line: None)
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")

    def put(pk: str, kind: str) -> None:
        dynamodb.put_item(TableName="platform-local", Item={"PK": {"S": pk}, "SK": {"S": "x"}, "kind": {"S": kind}})

    for pk, kind in (("a1", "owed"), ("b", "other"), ("a2", "owed"), ("a3", "owed"), ("a4", "owed")):
        put(pk, kind)
    put("a1", "owed")  # a MODIFY
    recorder.RAISE.add("a2")  # a2 makes every batch holding it fail

    def delivered() -> list[list[str]]:
        return [[r["dynamodb"]["Keys"]["PK"]["S"] for r in call["event"]["Records"]] for call in recorder.CALLS]

    # When the first batch (a1, b, a2, a3) is polled: b is filtered out, the rest bisected to a2
    assert poller.poll_once() == 4
    assert delivered() == [["a1", "a2", "a3"], ["a1"], ["a2", "a3"], ["a2"]]

    # And the retry from a2 fails again: a2 alone is skipped and described on the DLQ
    recorder.CALLS.clear()
    assert poller.poll_once() == 4
    assert delivered() == [["a2", "a3", "a4"], ["a2"]]
    sqs = boto3.client("sqs", region_name="us-east-1")
    received = sqs.receive_message(QueueUrl=stack.resources.queue_urls["StreamDLQ"], MaxNumberOfMessages=10)
    (message,) = received["Messages"]
    info = json.loads(message["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["requestContext"]["functionArn"].endswith(":function:Relay")
    batch = info["DDBStreamBatchInfo"]
    assert batch["batchSize"] == 1
    assert batch["startSequenceNumber"] == batch["endSequenceNumber"]
    assert batch["streamArn"] == source.stream_arn

    # Then the stream resumes after a2, never delivering the filtered-out records
    recorder.CALLS.clear()
    assert poller.poll_once() == 3
    assert delivered() == [["a3", "a4"]]
    assert poller.poll_once() == 0


def test_a_cancelled_transaction_streams_nothing_and_the_stream_goes_on(stack: Stack, recorder: Any) -> None:
    (source,) = (s for s in stream_sources(stack) if s.function == "Recorder")
    stopped = threading.Event()
    stopped.set()
    poller = StreamPoller(source, stack, stopped, log=lambda line: None)
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.put_item(TableName="platform-local", Item={"PK": {"S": "taken"}, "SK": {"S": "x"}})

    # When a transaction puts one item, then fails its condition on another (and is cancelled)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "platform-local", "Item": {"PK": {"S": "undone"}, "SK": {"S": "x"}}}},
                {
                    "Put": {
                        "TableName": "platform-local",
                        "Item": {"PK": {"S": "taken"}, "SK": {"S": "x"}},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )
    dynamodb.put_item(TableName="platform-local", Item={"PK": {"S": "after"}, "SK": {"S": "x"}})

    # Then the stream holds the writes before and after it, and nothing of it
    while poller.poll_once():
        pass
    keys = [r["dynamodb"]["Keys"]["PK"]["S"] for call in recorder.CALLS for r in call["event"]["Records"]]
    assert keys == ["taken", "after"]


# ---------------------------------------------------------------------------- schedules


def test_schedules_are_found_by_name_event_or_function(stack: Stack) -> None:
    schedules = schedules_of(stack)
    assert {s.name for s in schedules} == {"Nightly", "five-minutes", "Paused"}
    assert find_schedule(schedules, "five-minutes").event == "Every5"
    assert find_schedule(schedules, "Every5").name == "five-minutes"
    assert find_schedule(schedules, "Recorder.Nightly").expression == "cron(0 3 * * ? *)"
    assert not find_schedule(schedules, "Paused").enabled
    with pytest.raises(ScheduleNotFound):
        find_schedule(schedules, "Weekly")


def test_firing_a_schedule_sends_a_scheduled_event_or_its_input(stack: Stack, recorder: Any) -> None:
    schedules = schedules_of(stack)
    at = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
    fire(stack, find_schedule(schedules, "Nightly"), at=at)
    event = recorder.CALLS[-1]["event"]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["time"] == "2024-05-01T03:00:00Z"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/Nightly"]
    assert (event["detail"], event["account"], event["region"]) == ({}, "123456789012", "us-east-1")
    fire(stack, find_schedule(schedules, "five-minutes"))
    assert recorder.CALLS[-1]["event"] == {"job": "sweep"}


def test_scheduler_fires_each_enabled_schedule_when_due(stack: Stack, recorder: Any) -> None:
    start = datetime(2024, 5, 1, 2, 59, 30, tzinfo=UTC)
    scheduler = Scheduler(stack, schedules_of(stack), threading.Event(), log=lambda line: None, clock=lambda: start)
    assert [s.name for s in scheduler.tick(start)] == []
    assert [s.name for s in scheduler.tick(datetime(2024, 5, 1, 3, 0, tzinfo=UTC))] == ["Nightly"]
    assert recorder.CALLS[-1]["event"]["time"] == "2024-05-01T03:00:00Z"
    assert [s.name for s in scheduler.tick(datetime(2024, 5, 1, 3, 4, 30, tzinfo=UTC))] == ["five-minutes"]
    assert [s.name for s in scheduler.tick(datetime(2024, 5, 1, 3, 5, tzinfo=UTC))] == []
    assert sorted(d.isoformat() for d in scheduler.due.values() if d) == [
        "2024-05-01T03:09:30+00:00",
        "2024-05-02T03:00:00+00:00",
    ]


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", "2024-01-01T13:00:00", "2024-01-02T12:00:00"),
        ("cron(0 12 * * ? *)", "2024-01-01T11:59:59", "2024-01-01T12:00:00"),
        ("cron(0/15 * * * ? *)", "2024-01-01T10:07:00", "2024-01-01T10:15:00"),
        ("cron(*/20 8-9 ? * MON-FRI *)", "2024-01-05T09:45:00", "2024-01-08T08:00:00"),  # Fri -> Mon
        ("cron(30 6 ? * 1 *)", "2024-01-01T00:00:00", "2024-01-07T06:30:00"),  # 1 = Sunday
        ("cron(0 0 1 JAN,JUL ? *)", "2024-02-10T00:00:00", "2024-07-01T00:00:00"),
        ("cron(0 0 29 2 ? 2024-2030)", "2024-03-01T00:00:00", "2028-02-29T00:00:00"),
        ("cron(15 10 * * ? 2020)", "2024-01-01T00:00:00", None),
        ("rate(1 minute)", "2024-01-01T00:00:00", "2024-01-01T00:01:00"),
        ("rate(2 hours)", "2024-01-01T00:00:00", "2024-01-01T02:00:00"),
        ("rate(7 days)", "2024-01-01T00:00:00", "2024-01-08T00:00:00"),
        ("at(2024-06-01T10:00:00)", "2024-01-01T00:00:00", "2024-06-01T10:00:00"),
        ("at(2024-06-01T10:00:00)", "2024-07-01T00:00:00", None),
    ],
)
def test_schedule_expressions(expression: str, after: str, expected: str | None) -> None:
    moment = datetime.fromisoformat(after).replace(tzinfo=UTC)
    found = parse_expression(expression).next_after(moment)
    assert (found.replace(tzinfo=None).isoformat() if found else None) == expected


def test_cron_in_a_time_zone() -> None:
    try:
        ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:
        pytest.skip("this machine has no time zone database")
    found = Cron.parse("0 9 * * ? *", "Europe/Paris").next_after(datetime(2024, 7, 1, 8, 0, tzinfo=UTC))
    assert found == datetime(2024, 7, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "expression", ["rate(1 minutes)", "rate(5 minute)", "cron(0 12 * * ?)", "cron(0 12 L * ? *)", "cron(0 25 * * ? *)"]
)
def test_bad_or_unsupported_expressions(expression: str) -> None:
    with pytest.raises(ValueError):
        parse_expression(expression)


def test_scheduled_event_shape() -> None:
    event = scheduled_event("arn:aws:events:us-east-1:1:rule/x", region="us-east-1", account="1")
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}


# ------------------------------------------------------------------- API Gateway mapping


def test_http_request_becomes_an_api_gateway_v2_event() -> None:
    found = match("GET", "/api/v1/users/abc%20def")
    assert found
    route, params = found
    request = Request(
        "GET",
        "/api/v1/users/abc%20def?tag=a&tag=b&q=x%20y&empty=",
        [
            ("Host", "127.0.0.1:3000"),
            ("X-Custom", "1"),
            ("x-custom", "2"),
            ("Cookie", "access_token=t1; theme=dark"),
            ("Authorization", "Bearer abc"),
        ],
        b"",
        "192.0.2.10",
    )
    event = api_event(request, route, params, request_id="rid-1")
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "GET /api/v1/users/{userId}"
    assert event["rawPath"] == "/api/v1/users/abc%20def"
    assert event["pathParameters"] == {"userId": "abc def"}
    assert event["rawQueryString"] == "tag=a&tag=b&q=x%20y&empty="
    assert event["queryStringParameters"] == {"tag": "a,b", "q": "x y", "empty": ""}
    assert event["cookies"] == ["access_token=t1", "theme=dark"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-custom"] == "1,2"
    assert event["headers"]["authorization"] == "Bearer abc"
    assert event["headers"]["x-forwarded-for"] == "192.0.2.10"
    assert event["requestContext"]["http"]["sourceIp"] == "192.0.2.10"
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["requestId"] == "rid-1"
    assert "body" not in event


def test_binary_bodies_are_base64_encoded() -> None:
    found = match("POST", "/api/v1/auth/login")
    assert found
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    request = Request("POST", "/api/v1/auth/login", [("Content-Type", "image/png")], png, "127.0.0.1")
    event = api_event(request, *found, request_id="r")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == png
    text = Request("POST", "/api/v1/auth/login", [("Content-Type", "application/json")], b'{"a": 1}', "127.0.0.1")
    assert api_event(text, *found, request_id="r")["body"] == '{"a": 1}'


def test_function_results_become_http_responses() -> None:
    reply = reply_from_result(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "image/png", "Content-Length": "999"},
            "multiValueHeaders": {"X-Many": ["1", "2"]},
            "cookies": ["a=1; HttpOnly", "b=2"],
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    )
    assert reply.status == 201
    assert reply.body == b"\x00\x01"
    assert [value for key, value in reply.headers if key == "Set-Cookie"] == ["a=1; HttpOnly", "b=2"]
    assert [value for key, value in reply.headers if key == "X-Many"] == ["1", "2"]
    assert all(key.lower() != "content-length" for key, _ in reply.headers)
    inferred = reply_from_result({"hello": "world"})
    assert (inferred.status, json.loads(inferred.body)) == (200, {"hello": "world"})
