"""Create the template's table, queues and buckets against moto (in-process or server mode)."""

from __future__ import annotations

import json
from typing import Any

from devstack.template import resources_of_type, table_properties

_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
    "StreamSpecification",
    "SSESpecification",
)


def create_table(dynamodb: Any, table_name: str, template: dict[str, Any] | None = None) -> None:
    """Create the table with the template's keys, indexes, stream and TTL."""
    props = table_properties(template)
    kwargs: dict[str, Any] = {key: props[key] for key in _TABLE_KEYS if key in props}
    kwargs.pop("SSESpecification", None)
    if "StreamSpecification" in kwargs:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **kwargs["StreamSpecification"]}
    dynamodb.create_table(TableName=table_name, **kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
        )


def queue_names(template: dict[str, Any] | None = None) -> list[str]:
    return list(resources_of_type("AWS::SQS::Queue", template))


def create_queues(sqs: Any, prefix: str = "", template: dict[str, Any] | None = None) -> dict[str, str]:
    """Create every queue (dead-letter queues first) with its timeouts and redrive policy.

    Returns ``{logical id: queue url}``; queue names are ``<prefix><LogicalId>``.
    """
    queues = resources_of_type("AWS::SQS::Queue", template)
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}

    def dlq_of(props: dict[str, Any]) -> str | None:
        target = (props.get("RedrivePolicy") or {}).get("deadLetterTargetArn")
        if isinstance(target, dict) and "Fn::GetAtt" in target:
            return str(target["Fn::GetAtt"][0])
        return None

    ordered = sorted(queues, key=lambda name: dlq_of(queues[name].get("Properties", {})) is not None)
    for name in ordered:
        props = queues[name].get("Properties", {})
        attributes: dict[str, str] = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
        ):
            if key in props:
                attributes[key] = str(props[key])
        dlq = dlq_of(props)
        if dlq:
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": arns[dlq],
                    "maxReceiveCount": str(props["RedrivePolicy"]["maxReceiveCount"]),
                }
            )
        url = sqs.create_queue(QueueName=f"{prefix}{name}", Attributes=attributes)["QueueUrl"]
        urls[name] = url
        arns[name] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return urls


def create_buckets(s3: Any, prefix: str = "", template: dict[str, Any] | None = None) -> dict[str, str]:
    names: dict[str, str] = {}
    for name in resources_of_type("AWS::S3::Bucket", template):
        bucket = f"{prefix}{name}".lower()
        s3.create_bucket(Bucket=bucket)
        names[name] = bucket
    return names
