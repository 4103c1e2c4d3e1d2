"""The local stack built from ``template.yaml``: its resources created in the local AWS, its
intrinsics, its functions and what invokes them, assembled by :func:`build_stack`; and the local
admin every local tool logs in as.

Used by ``devstack.server`` (moto in server mode) and ``devstack.invoke`` (moto in-process); both
call :func:`build_stack` once the AWS endpoint (or ``mock_aws``) is in place. The parts live in
:mod:`devstack.local_aws` (region, account, physical names), :mod:`devstack.intrinsics`,
:mod:`devstack.specs` (function environments) and :mod:`devstack.invoker`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devstack.intrinsics import Intrinsics
from devstack.invoker import FunctionInvoker, Invoker
from devstack.local_aws import DEFAULT_STACK_NAME, LOCAL_REGION, LocalResources, aws_client, create_resources
from devstack.s3_notifications import apply_notifications
from devstack.specs import FunctionSpec, function_specs
from devstack.template import resources_of_type

DEFAULT_ADMIN_EMAIL = "admin@example.com"
DEFAULT_ADMIN_PASSWORD = "Admin12345!"


@dataclass
class Stack:
    template: dict[str, Any]
    resources: LocalResources
    intrinsics: Intrinsics
    functions: dict[str, FunctionSpec]
    invoker: FunctionInvoker

    def email_senders(self) -> set[str]:
        senders = (spec.environment.get("EMAIL_FROM") for spec in self.functions.values())
        return {sender for sender in senders if sender}


def apply_bucket_policies(template: dict[str, Any], intrinsics: Intrinsics, region: str = LOCAL_REGION) -> None:
    """Put each ``AWS::S3::BucketPolicy`` of the template on its bucket (e.g. public-read prefixes).

    Statements conditioned on ``aws:SecureTransport`` are left out: the local endpoint is plain
    HTTP, so a TLS-only deny would refuse every local request.
    """
    s3 = aws_client("s3", region)
    for resource in resources_of_type("AWS::S3::BucketPolicy", template).values():
        props = intrinsics.resolve(resource["Properties"])
        document = dict(props["PolicyDocument"])
        document["Statement"] = [
            statement
            for statement in document.get("Statement", [])
            if "aws:SecureTransport" not in json.dumps(statement.get("Condition", {}))
        ]
        if not document["Statement"]:
            continue
        document.setdefault("Version", "2012-10-17")
        s3.put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(document))


def build_stack(
    template: dict[str, Any],
    *,
    port: int,
    caller_env: Mapping[str, str],
    stack_name: str = DEFAULT_STACK_NAME,
    region: str = LOCAL_REGION,
) -> Stack:
    """Create the template's resources, resolve every function's environment, verify SES senders."""
    resources = create_resources(template, stack_name=stack_name, region=region)
    intrinsics = Intrinsics(template, resources)
    apply_bucket_policies(template, intrinsics, region)
    apply_notifications(aws_client("s3", region), template, intrinsics.resolve, resources.buckets)
    functions = function_specs(template, intrinsics, port=port, caller_env=caller_env)
    stack = Stack(template, resources, intrinsics, functions, Invoker(functions))
    senders = stack.email_senders()
    if senders:
        ses = aws_client("ses", region)
        for sender in sorted(senders):
            ses.verify_email_identity(EmailAddress=sender)
    return stack
