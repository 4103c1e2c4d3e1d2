"""The local AWS account of the stack: its region and account, the physical names of the
template's table, queues and buckets once created in moto, and pointing this process's clients at
it.

Physical names: the table is named after the local stack (``platform-local``; the design has one
table), queues are named by their logical id, buckets by their lower-cased logical id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import boto3

from devstack.resources import create_buckets, create_queues, create_table
from devstack.template import resources_of_type

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "123456789012"
DEFAULT_STACK_NAME = "platform-local"


@dataclass
class LocalResources:
    """Physical ids of the resources created from the template."""

    stack_name: str = DEFAULT_STACK_NAME
    region: str = LOCAL_REGION
    account: str = LOCAL_ACCOUNT
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> table name
    stream_arns: dict[str, str] = field(default_factory=dict)  # table logical id -> latest stream ARN
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)

    @property
    def table_name(self) -> str | None:
        return next(iter(self.tables.values()), None)

    def queue_by_arn(self, arn: str) -> str | None:
        return next((name for name, value in self.queue_arns.items() if value == arn), None)


def aws_client(service: str, region: str = LOCAL_REGION) -> Any:
    """A boto3 client for the local AWS (``AWS_ENDPOINT_URL`` or ``mock_aws``)."""
    return boto3.client(service, region_name=region)


def create_resources(
    template: dict[str, Any],
    *,
    stack_name: str = DEFAULT_STACK_NAME,
    region: str = LOCAL_REGION,
) -> LocalResources:
    """Create the template's table, queues and buckets (via :mod:`devstack.resources`)."""
    found = LocalResources(stack_name=stack_name, region=region)
    tables = resources_of_type("AWS::DynamoDB::Table", template)
    if tables:
        dynamodb = aws_client("dynamodb", region)
        (logical,) = tables  # the design has exactly one table
        create_table(dynamodb, stack_name, template)
        found.tables[logical] = stack_name
        description = dynamodb.describe_table(TableName=stack_name)["Table"]
        if description.get("LatestStreamArn"):
            found.stream_arns[logical] = str(description["LatestStreamArn"])
    if resources_of_type("AWS::SQS::Queue", template):
        sqs = aws_client("sqs", region)
        found.queue_urls = create_queues(sqs, "", template)
        for name, url in found.queue_urls.items():
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
            found.queue_arns[name] = str(attributes["QueueArn"])
    if resources_of_type("AWS::S3::Bucket", template):
        found.buckets = create_buckets(aws_client("s3", region), "", template)
    return found


def use_local_aws(endpoint_url: str | None, region: str = LOCAL_REGION) -> None:
    """Point every boto3/botocore client of this process at the local AWS with fake credentials."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(key, None)
    if endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    else:
        os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    os.environ["AWS_REGION"] = region
    os.environ["AWS_DEFAULT_REGION"] = region
