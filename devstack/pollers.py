"""What the local event source mappings share (:mod:`devstack.sqs_poller` for SQS queues,
:mod:`devstack.stream_poller` for DynamoDB streams): reading an event's source and switch from
the template, Lambda's rules for a ``ReportBatchItemFailures`` response, and the pollers' AWS
clients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.config import Config

from devstack.stack import Stack

Log = Callable[[str], None]

_POLL_CONFIG = Config(read_timeout=30, retries={"max_attempts": 2})
# botocore's account-based DynamoDB endpoints (<account>.streams-ddb...) are not routed by moto.
_STREAMS_CONFIG = _POLL_CONFIG.merge(Config(account_id_endpoint_mode="disabled"))


def getatt_resource(ref: Any) -> str | None:
    """The logical id in ``!GetAtt Resource.Attribute``, or None for any other reference."""
    if isinstance(ref, dict) and "Fn::GetAtt" in ref:
        target = ref["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else str(target).split(".")[0])
    return None


def enabled(props: dict[str, Any]) -> bool:
    """An event source's ``Enabled`` (on unless the template turns it off)."""
    return props.get("Enabled", True) not in (False, "false", "False")


def failed_identifiers(result: Any, identifiers: list[str]) -> set[str]:
    """Which records failed, from a ``ReportBatchItemFailures`` response (Lambda's rules: no or an
    empty response is success; a malformed entry or an unknown identifier fails the whole batch)."""
    if not isinstance(result, dict):
        return set()
    failures = result.get("batchItemFailures")
    if not failures:
        return set()
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in identifiers:
            return set(identifiers)
        failed.add(str(identifier))
    return failed


def client(service: str, stack: Stack) -> Any:
    import boto3

    config = _STREAMS_CONFIG if service == "dynamodbstreams" else _POLL_CONFIG
    return boto3.client(service, region_name=stack.resources.region, config=config)
