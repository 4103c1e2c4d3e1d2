"""The local stack configures each template bucket's notifications as S3's API takes them."""

from __future__ import annotations

from devstack.intrinsics import Intrinsics
from devstack.local_aws import LocalResources
from devstack.s3_notifications import queue_configurations
from devstack.template import load_template

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:FileEventsQueue"


def test_the_files_bucket_notifies_its_queue_of_new_originals_only() -> None:
    template = load_template()
    resources = LocalResources(queue_arns={"FileEventsQueue": QUEUE_ARN}, buckets={"FilesBucket": "filesbucket"})
    props = Intrinsics(template, resources).resolve(template["Resources"]["FilesBucket"]["Properties"])

    assert queue_configurations(props) == [
        {
            "QueueArn": QUEUE_ARN,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {
                "Key": {
                    "FilterRules": [{"Name": "prefix", "Value": "files/"}, {"Name": "suffix", "Value": "/original"}]
                }
            },
        }
    ]


def test_a_bucket_without_notifications_gets_none() -> None:
    template = load_template()
    assert queue_configurations(template["Resources"]["UploadsBucket"]["Properties"]) == []
    assert queue_configurations({"NotificationConfiguration": {"QueueConfigurations": []}}) == []
