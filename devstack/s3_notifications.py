"""S3 event notifications, locally: each bucket's ``NotificationConfiguration`` from the template
put on the local bucket, so uploads reach their queue as in AWS.

moto (in-process or server mode) already delivers S3 notifications to SQS once a bucket has
them configured: the message body is the S3 event (``{"Records": [...]}``, ``eventName``
``ObjectCreated:Post`` for a form upload, ``ObjectCreated:Put`` otherwise), and configuring them
sends an ``s3:TestEvent`` first, like S3. Differences from AWS: moto's records carry no
``versionId``, ``sequencer``, ``userIdentity`` or ``requestParameters``, and moto neither checks
the queue's policy nor a presigned POST's conditions (the file worker checks size and type
itself). Only queue destinations are configured here (the template uses no topic or function).
"""

from __future__ import annotations

from typing import Any

from devstack.template import resources_of_type

# CloudFormation's property names -> S3 API's.
_RULE_NAMES = {"prefix": "prefix", "suffix": "suffix"}


def queue_configurations(props: dict[str, Any]) -> list[dict[str, Any]]:
    """The S3 API's ``QueueConfigurations`` for a bucket's (resolved) CloudFormation properties."""
    configured = (props.get("NotificationConfiguration") or {}).get("QueueConfigurations") or []
    result: list[dict[str, Any]] = []
    for entry in configured:
        item: dict[str, Any] = {"QueueArn": str(entry["Queue"]), "Events": [str(entry["Event"])]}
        rules = ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
        if rules:
            item["Filter"] = {
                "Key": {
                    "FilterRules": [
                        {"Name": _RULE_NAMES[str(rule["Name"]).lower()], "Value": str(rule["Value"])} for rule in rules
                    ]
                }
            }
        result.append(item)
    return result


def apply_notifications(s3: Any, template: dict[str, Any], resolve: Any, buckets: dict[str, str]) -> dict[str, int]:
    """Configure every template bucket's queue notifications on its local bucket.

    ``resolve`` resolves intrinsics (``Stack.intrinsics.resolve``); ``buckets`` maps logical ids to
    local bucket names. Returns ``{bucket: number of queue configurations}`` for those with any."""
    done: dict[str, int] = {}
    for name, resource in resources_of_type("AWS::S3::Bucket", template).items():
        props = resource.get("Properties") or {}
        if "NotificationConfiguration" not in props or name not in buckets:
            continue
        configurations = queue_configurations(
            resolve({"NotificationConfiguration": props["NotificationConfiguration"]})
        )
        if configurations:
            s3.put_bucket_notification_configuration(
                Bucket=buckets[name], NotificationConfiguration={"QueueConfigurations": configurations}
            )
            done[buckets[name]] = len(configurations)
    return done
