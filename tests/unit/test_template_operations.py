"""Operations in template.yaml: every function, dead-letter queue, schedule and queue consumer
carries its alarms and limits, including the ones added after this test was written.

``operations_problems`` walks the template generically (no list of names), so a new function
without its Errors/Throttles alarms, a new DLQ without a depth alarm, a schedule without a
retry policy and DLQ, or an SQS event without ``ScalingConfig.MaximumConcurrency`` fails here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.template import load_template

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
SCHEDULE_EVENTS = ("Schedule", "ScheduleV2")
# SES's usual production quota is 14 emails/s; one invocation sends its batch one by one.
EMAIL_WORKER_MAX_CONCURRENCY = 2


def _resources(template: dict[str, Any], *kinds: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res.get("Type") in kinds}


def _events(template: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(function, event key, event) for every event of every function."""
    for function, resource in _resources(template, "AWS::Serverless::Function").items():
        for key, event in ((resource.get("Properties") or {}).get("Events") or {}).items():
            yield function, key, event


def _target(value: Any) -> str | None:
    """The logical id a ``!GetAtt X.Arn`` / ``!Ref X`` points at."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    return None


def _on_failure(props: dict[str, Any]) -> str | None:
    """The target of ``DestinationConfig.OnFailure.Destination`` (async invokes, streams)."""
    return _target(((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"))


def dead_letter_queues(template: dict[str, Any]) -> set[str]:
    """Queues that receive what failed for good: redrive targets, schedule DLQs, on-failure
    destinations (async invocations and stream event sources), and any queue named ``*DLQ``."""
    queues = _resources(template, "AWS::SQS::Queue")
    found = {name for name in queues if name.upper().endswith(("DLQ", "DEADLETTERQUEUE"))}
    for props in (q.get("Properties") or {} for q in queues.values()):
        found.add(_target((props.get("RedrivePolicy") or {}).get("deadLetterTargetArn")) or "")
    for function in _resources(template, "AWS::Serverless::Function").values():
        found.add(_on_failure((function.get("Properties") or {}).get("EventInvokeConfig") or {}) or "")
    for _, _, event in _events(template):
        props = event.get("Properties") or {}
        found.add(_target((props.get("DeadLetterConfig") or {}).get("Arn")) or "")
        found.add(_on_failure(props) or "")
    return found & set(queues)


def _alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: res.get("Properties") or {} for name, res in _resources(template, "AWS::CloudWatch::Alarm").items()}


def _metrics(alarm: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric name, {dimension: value}) of a plain or a metric-math alarm."""
    if "MetricName" in alarm:
        yield alarm["Namespace"], alarm["MetricName"], {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []}
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric")
        if metric:
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
            yield metric["Namespace"], metric["MetricName"], dims


def _alarmed(template: dict[str, Any], namespace: str, metric: str, dimension: str, target: str) -> list[str]:
    return [
        name
        for name, alarm in _alarms(template).items()
        if any(
            ns == namespace and mn == metric and _target(dims.get(dimension)) == target
            for ns, mn, dims in _metrics(alarm)
        )
    ]


def operations_problems(template: dict[str, Any]) -> list[str]:
    """Everything the template lacks to be operable; empty when nothing is missing."""
    problems: list[str] = []
    topics = set(_resources(template, "AWS::SNS::Topic"))
    if not topics:
        problems.append("no SNS topic for the alarms")
    subscriptions = _resources(template, "AWS::SNS::Subscription")
    if not any(s.get("Condition") and s["Properties"].get("Protocol") == "email" for s in subscriptions.values()):
        problems.append("no email subscription made conditional on the AlarmEmail parameter")

    for name, alarm in _alarms(template).items():
        if not {_target(action) for action in alarm.get("AlarmActions") or []} & topics:
            problems.append(f"alarm {name} notifies no alarm topic")
        if alarm.get("TreatMissingData") != "notBreaching":
            problems.append(f"alarm {name}: TreatMissingData must be notBreaching")

    for function in _resources(template, *FUNCTION_TYPES):
        for metric in ("Errors", "Throttles"):
            if not _alarmed(template, "AWS/Lambda", metric, "FunctionName", function):
                problems.append(f"{function} has no {metric} alarm")

    for queue in sorted(dead_letter_queues(template)):
        if not _alarmed(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue):
            problems.append(f"dead-letter queue {queue} has no depth alarm")

    http_apis = set(_resources(template, "AWS::Serverless::HttpApi")) | {
        name
        for name, api in _resources(template, "AWS::ApiGatewayV2::Api").items()
        if (api.get("Properties") or {}).get("ProtocolType") == "HTTP"
    }
    for api in sorted(http_apis):
        rate = set(_alarmed(template, "AWS/ApiGateway", "5xx", "ApiId", api))
        rate &= set(_alarmed(template, "AWS/ApiGateway", "Count", "ApiId", api))
        if not rate:
            problems.append(f"{api} has no 5xx-rate alarm (metric math on 5xx / Count)")
        latency = _alarmed(template, "AWS/ApiGateway", "Latency", "ApiId", api)
        if not any(_alarms(template)[name].get("ExtendedStatistic") == "p99" for name in latency):
            problems.append(f"{api} has no p99 latency alarm")

    queues = set(_resources(template, "AWS::SQS::Queue"))
    for function, key, event in _events(template):
        props = event.get("Properties") or {}
        if event.get("Type") in SCHEDULE_EVENTS:
            if not props.get("RetryPolicy"):
                problems.append(f"schedule {function}.{key} has no RetryPolicy")
            dlq = props.get("DeadLetterConfig") or {}
            if _target(dlq.get("Arn")) not in queues and dlq.get("Type") != "SQS":
                problems.append(f"schedule {function}.{key} has no DeadLetterConfig (a queue of the template)")
        if event.get("Type") == "SQS":
            limit = (props.get("ScalingConfig") or {}).get("MaximumConcurrency")
            if not (isinstance(limit, int) and 2 <= limit <= 1000):
                problems.append(f"SQS event {function}.{key} has no ScalingConfig.MaximumConcurrency (2-1000)")
    return problems


def test_the_template_is_operable() -> None:
    assert operations_problems(load_template()) == []


def test_the_alarm_email_is_optional() -> None:
    template = load_template()
    parameter = template["Parameters"]["AlarmEmail"]
    assert parameter["Default"] == ""
    (subscription,) = _resources(template, "AWS::SNS::Subscription").values()
    condition = template["Conditions"][subscription["Condition"]]
    assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_the_email_worker_cannot_outrun_ses() -> None:
    template = load_template()
    (email_event,) = [
        event
        for _, _, event in _events(template)
        if event.get("Type") == "SQS" and _target(event["Properties"]["Queue"]) == "EmailQueue"
    ]
    assert email_event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == EMAIL_WORKER_MAX_CONCURRENCY


def test_every_dead_letter_queue_is_found() -> None:
    assert {"EmailDLQ", "StripeEventsDLQ", "SchedulesDLQ"} <= dead_letter_queues(load_template())


# ----------------------------------------------- the checklist catches what others add later


def _with(template: dict[str, Any], **resources: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(template)
    changed["Resources"].update(resources)
    return changed


def test_a_new_function_without_alarms_is_caught() -> None:
    template = _with(
        load_template(),
        RelayFunction={"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "functions/relay/"}},
    )
    problems = operations_problems(template)
    assert "RelayFunction has no Errors alarm" in problems
    assert "RelayFunction has no Throttles alarm" in problems


def test_a_new_stream_dlq_and_queue_consumer_without_limits_are_caught() -> None:
    template = _with(
        load_template(),
        RelayFailures={"Type": "AWS::SQS::Queue", "Properties": {}},
        JobsQueue={"Type": "AWS::SQS::Queue", "Properties": {}},
        RelayFunction={
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Events": {
                    "Stream": {
                        "Type": "DynamoDB",
                        "Properties": {
                            "Stream": {"Fn::GetAtt": ["Table", "StreamArn"]},
                            "DestinationConfig": {
                                "OnFailure": {"Destination": {"Fn::GetAtt": ["RelayFailures", "Arn"]}}
                            },
                        },
                    },
                    "Jobs": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["JobsQueue", "Arn"]}}},
                }
            },
        },
    )
    problems = operations_problems(template)
    assert "dead-letter queue RelayFailures has no depth alarm" in problems
    assert "SQS event RelayFunction.Jobs has no ScalingConfig.MaximumConcurrency (2-1000)" in problems


@pytest.mark.parametrize("missing", ["RetryPolicy", "DeadLetterConfig"])
def test_a_schedule_without_retries_or_dlq_is_caught(missing: str) -> None:
    template = copy.deepcopy(load_template())
    schedules = [event for _, _, event in _events(template) if event.get("Type") in SCHEDULE_EVENTS]
    assert schedules, "the template has schedules"
    del schedules[0]["Properties"][missing]
    assert any(missing in problem for problem in operations_problems(template))


def test_an_alarm_that_notifies_nobody_is_caught() -> None:
    template = copy.deepcopy(load_template())
    alarm = template["Resources"]["EmailDLQDepthAlarm"]["Properties"]
    del alarm["AlarmActions"]
    alarm["TreatMissingData"] = "breaching"
    problems = operations_problems(template)
    assert "alarm EmailDLQDepthAlarm notifies no alarm topic" in problems
    assert "alarm EmailDLQDepthAlarm: TreatMissingData must be notBreaching" in problems
