"""The local stack's model of ``template.yaml``: physical names, intrinsics, function environments
and in-process invocation.

Used by ``devstack.server`` (moto in server mode) and ``devstack.invoke`` (moto in-process); both
call :func:`build_stack` once the AWS endpoint (or ``mock_aws``) is in place.

Physical names: the table is named after the local stack (``platform-local``; the design has one
table), queues are named by their logical id, buckets by their lower-cased logical id, functions by
their logical id.

Nothing here imports the shared layer at module level: Powertools reads some settings when its
modules are first imported, so they are imported only after the function environment is set.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import boto3

from devstack.lambda_runtime import LambdaContext, load_handler
from devstack.resources import create_buckets, create_queues, create_table
from devstack.s3_notifications import apply_notifications
from devstack.template import ROOT, resources_of_type

T = TypeVar("T")

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "123456789012"
DEFAULT_STACK_NAME = "platform-local"
LOCAL_JWT_SECRET = "local-development-jwt-signing-key-never-used-in-aws"
DEFAULT_ADMIN_EMAIL = "admin@example.com"
DEFAULT_ADMIN_PASSWORD = "Admin12345!"

# Set in every function's environment by the local stack, whatever the template says.
LOCAL_UNSET = ("JWT_SECRET_ID", "STRIPE_SECRET_ID", "STRIPE_WEBHOOK_SECRET_ID")
# Variables a developer may set in the shell to override the template's value locally.
CALLER_OVERRIDES = (
    "FRONTEND_URL",
    "CORS_ALLOW_ORIGINS",
    "EMAIL_FROM",
    "STRIPE_API_BASE",
    "TAX_RATE_BPS",
    "FLAT_SHIPPING_CENTS",
    "FREE_SHIPPING_THRESHOLD_CENTS",
    "UNPAID_ORDER_TIMEOUT_MINUTES",
    "CART_TTL_DAYS",
    "EXPERIENCE_ALLOWED_DOMAINS",
    "ONBOARDING_EMAIL_DELAY_SECONDS",
    "JOB_RETENTION_COMPLETED_DAYS",
    "JOB_RETENTION_FAILED_DAYS",
)

_NO_VALUE = object()  # AWS::NoValue


class UnresolvableError(ValueError):
    """An intrinsic the local stack cannot resolve (e.g. Fn::ImportValue)."""


# ----------------------------------------------------------------------------------- resources


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


# ----------------------------------------------------------------------------------- intrinsics


class Intrinsics:
    """Resolve CloudFormation intrinsics against the local resources."""

    def __init__(
        self,
        template: dict[str, Any],
        resources: LocalResources,
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.resources = resources
        self.parameters = dict(parameters or {})

    # -- public -----------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        result = self._resolve(value)
        return None if result is _NO_VALUE else result

    def ref(self, name: str) -> Any:
        res = self.resources
        pseudo = {
            "AWS::Region": res.region,
            "AWS::AccountId": res.account,
            "AWS::StackName": res.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{res.region}:{res.account}:stack/{res.stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in pseudo:
            return pseudo[name]
        params = self.template.get("Parameters") or {}
        if name in params:
            if name in self.parameters:
                return self.parameters[name]
            default = params[name].get("Default")
            return "" if default is None else default
        resource = (self.template.get("Resources") or {}).get(name)
        if resource is None:
            raise UnresolvableError(f"!Ref {name}: no such parameter or resource")
        kind = resource.get("Type", "")
        if kind == "AWS::DynamoDB::Table":
            return res.tables.get(name, name)
        if kind == "AWS::SQS::Queue":
            return res.queue_urls.get(name, name)
        if kind == "AWS::S3::Bucket":
            return res.buckets.get(name, name.lower())
        if kind == "AWS::Serverless::LayerVersion":
            return f"arn:aws:lambda:{res.region}:{res.account}:layer:{name}:1"
        if kind == "AWS::Serverless::HttpApi":
            return "local"
        if kind == "AWS::Logs::LogGroup":
            group = (resource.get("Properties") or {}).get("LogGroupName")
            return self._resolve(group) if group else name
        return name  # functions and anything else: the logical id is the local physical id

    def get_att(self, name: str, attribute: str) -> Any:
        res = self.resources
        resource = (self.template.get("Resources") or {}).get(name)
        if resource is None:
            raise UnresolvableError(f"!GetAtt {name}.{attribute}: no such resource")
        kind = resource.get("Type", "")
        prefix = f"{res.region}:{res.account}"
        if kind == "AWS::SQS::Queue":
            url = res.queue_urls.get(name, name)
            values = {
                "Arn": res.queue_arns.get(name, f"arn:aws:sqs:{prefix}:{name}"),
                "QueueName": url.rstrip("/").rsplit("/", 1)[-1],
                "QueueUrl": url,
            }
        elif kind == "AWS::DynamoDB::Table":
            table = res.tables.get(name, name)
            values = {
                "Arn": f"arn:aws:dynamodb:{prefix}:table/{table}",
                "StreamArn": res.stream_arns.get(name, f"arn:aws:dynamodb:{prefix}:table/{table}/stream/local"),
            }
        elif kind == "AWS::S3::Bucket":
            bucket = res.buckets.get(name, name.lower())
            values = {
                "Arn": f"arn:aws:s3:::{bucket}",
                "DomainName": f"{bucket}.s3.amazonaws.com",
                "RegionalDomainName": f"{bucket}.s3.{res.region}.amazonaws.com",
            }
        elif kind == "AWS::Serverless::Function":
            values = {"Arn": f"arn:aws:lambda:{prefix}:function:{name}"}
        else:
            values = {}
        if attribute in values:
            return values[attribute]
        return f"arn:aws:local:{prefix}:{name}/{attribute}"

    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise UnresolvableError(f"condition {name} is not declared")
        return bool(self._resolve(conditions[name]))

    # -- internals --------------------------------------------------------------------------
    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                if key == "Ref":
                    return self.ref(str(arg))
                if key == "Condition" and isinstance(arg, str):
                    return self.condition(arg)
                if key.startswith("Fn::"):
                    return self._function(key, arg)
            resolved = {k: self._resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
        if isinstance(value, list):
            return [item for item in (self._resolve(v) for v in value) if item is not _NO_VALUE]
        return value

    def _function(self, key: str, arg: Any) -> Any:
        if key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else [str(p) for p in self._resolve(arg)]
            return self.get_att(parts[0], parts[1])
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::If":
            name, when_true, when_false = arg
            return self._resolve(when_true if self.condition(name) else when_false)
        if key == "Fn::Equals":
            left, right = self._resolve(arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._resolve(arg)[0]
        if key == "Fn::And":
            return all(self._resolve(arg))
        if key == "Fn::Or":
            return any(self._resolve(arg))
        resolved = self._resolve(arg)
        if key == "Fn::Join":
            separator, items = resolved
            return str(separator).join(_text(item) for item in items)
        if key == "Fn::Split":
            separator, text = resolved
            return str(text).split(str(separator))
        if key == "Fn::Select":
            index, items = resolved
            return items[int(index)]
        if key == "Fn::FindInMap":
            mapping, top, second = resolved
            return self.template["Mappings"][mapping][top][second]
        if key == "Fn::GetAZs":
            return [f"{self.resources.region}{zone}" for zone in "abc"]
        if key == "Fn::Base64":
            import base64

            return base64.b64encode(str(resolved).encode()).decode()
        raise UnresolvableError(f"{key} is not supported by the local stack")

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self._resolve(v) for k, v in (arg[1] or {}).items()}
        else:
            text, variables = arg, {}

        def replace(found: re.Match[str]) -> str:
            name = found.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return _text(self.get_att(logical, attribute))
            return _text(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, str(text))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


# ----------------------------------------------------------------------------------- functions


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]

    @property
    def name(self) -> str:
        """The local function name (``AWS_LAMBDA_FUNCTION_NAME``, context.function_name)."""
        return self.logical_id


def function_properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The function's properties with ``Globals.Function`` applied (environments merged)."""
    defaults = dict((template.get("Globals") or {}).get("Function") or {})
    own = dict(template["Resources"][logical_id].get("Properties") or {})
    merged = {**defaults, **own}
    variables = {
        **((defaults.get("Environment") or {}).get("Variables") or {}),
        **((own.get("Environment") or {}).get("Variables") or {}),
    }
    merged["Environment"] = {"Variables": variables}
    return merged


def local_overrides(environment: dict[str, str], *, port: int, caller_env: Mapping[str, str]) -> dict[str, str]:
    """The template's environment adjusted for local mode (see DESIGN.md "Local stack").

    Stripe: the plain ``STRIPE_SECRET_KEY``/``STRIPE_WEBHOOK_SECRET`` replace the deployed secret
    ids; ``STRIPE_API_BASE`` is the local Stripe the server started (or the caller's).
    """
    from shared.security.secrets import LOCAL_STRIPE_SECRET_KEY, LOCAL_STRIPE_WEBHOOK_SECRET

    env = dict(environment)
    env["APP_ENV"] = "local"
    env["JWT_SECRET"] = caller_env.get("JWT_SECRET") or LOCAL_JWT_SECRET
    env["STRIPE_SECRET_KEY"] = caller_env.get("STRIPE_SECRET_KEY") or LOCAL_STRIPE_SECRET_KEY
    env["STRIPE_WEBHOOK_SECRET"] = caller_env.get("STRIPE_WEBHOOK_SECRET") or LOCAL_STRIPE_WEBHOOK_SECRET
    for key in LOCAL_UNSET:
        env.pop(key, None)
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    env["FRONTEND_URL"] = f"http://127.0.0.1:{port}"
    for key in CALLER_OVERRIDES:
        if caller_env.get(key):
            env[key] = caller_env[key]
    for key, value in caller_env.items():
        if key.startswith("POWERTOOLS_") and key != "POWERTOOLS_TRACE_DISABLED":
            env[key] = value
    return env


def function_specs(
    template: dict[str, Any],
    intrinsics: Intrinsics,
    *,
    port: int,
    caller_env: Mapping[str, str],
) -> dict[str, FunctionSpec]:
    specs: dict[str, FunctionSpec] = {}
    for logical_id in resources_of_type("AWS::Serverless::Function", template):
        props = function_properties(template, logical_id)
        variables = intrinsics.resolve(props["Environment"]["Variables"]) or {}
        environment = {key: _text(value) for key, value in variables.items() if value is not None}
        code_uri = props.get("CodeUri")
        if not isinstance(code_uri, str):
            raise UnresolvableError(f"{logical_id}: CodeUri must be a local path")
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            code_dir=(ROOT / code_uri).resolve(),
            handler=str(props.get("Handler", "app.lambda_handler")),
            timeout=int(props.get("Timeout", 3)),
            memory=int(props.get("MemorySize", 128)),
            environment=local_overrides(environment, port=port, caller_env=caller_env),
            events=dict(props.get("Events") or {}),
        )
    return specs


# ----------------------------------------------------------------------------------- invoking


def reset_shared_caches(table_name: str | None) -> None:
    """Make the shared layer re-read its environment (settings, clients, table name)."""
    from shared.data.table import configure_table
    from shared.email.delivery import reset_delivery
    from shared.messaging.clients import reset_clients
    from shared.security.passwords import reset_hasher
    from shared.settings import reset_settings

    reset_settings()
    reset_clients()
    reset_delivery()
    reset_hasher()
    configure_table(table_name)


class Invoker:
    """Runs handlers in this process, one invocation at a time (``make invoke`` and the in-process
    tests; ``make run`` invokes functions in worker processes, :mod:`devstack.workers`).

    One lock serialises every invocation: ``os.environ`` is process-wide, and each invocation sets
    its function's environment and ``AWS_LAMBDA_FUNCTION_NAME`` (the email worker's idempotency
    keys use it). The local stack also runs its own work outside any function here
    (:meth:`run` with ``None``: the common environment).
    """

    def __init__(self, specs: dict[str, FunctionSpec]) -> None:
        self.specs = specs
        self.lock = threading.Lock()
        self._managed = {key for spec in specs.values() for key in spec.environment}
        self._applied: dict[str, str] | None = None

    def _apply(self, spec: FunctionSpec | None) -> None:
        env = dict(spec.environment) if spec else self._common_environment()
        for key in (self._managed - env.keys()) | set(LOCAL_UNSET):
            os.environ.pop(key, None)
        os.environ.update(env)
        if spec is not None:
            os.environ["AWS_LAMBDA_FUNCTION_NAME"] = spec.name
            os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(spec.memory)
            os.environ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
            os.environ["AWS_LAMBDA_LOG_GROUP_NAME"] = f"/aws/lambda/{spec.name}"
        if env != self._applied:
            self._applied = env
            reset_shared_caches(env.get("TABLE_NAME"))

    def _common_environment(self) -> dict[str, str]:
        """Variables every function has with the same value (for work outside any function)."""
        envs = [spec.environment for spec in self.specs.values()]
        if not envs:
            return {}
        return {key: value for key, value in envs[0].items() if all(env.get(key) == value for env in envs)}

    def run(self, function: str | None, work: Callable[[], T]) -> T:
        """Run ``work`` under the lock with ``function``'s environment (or the common one)."""
        with self.lock:
            self._apply(self.specs[function] if function else None)
            return work()

    def invoke(self, function: str, event: Any) -> Any:
        """Call the handler with ``event`` and a Lambda context; exceptions propagate."""
        spec = self.specs[function]

        def call() -> Any:
            handler = load_handler(spec.code_dir, spec.handler)
            context = LambdaContext(
                function_name=spec.name, memory_limit_in_mb=spec.memory, timeout_seconds=spec.timeout
            )
            started = time.monotonic()
            try:
                return handler(event, context)
            finally:
                elapsed = time.monotonic() - started
                if elapsed > spec.timeout:
                    print(
                        f"warning: {function} ran {elapsed:.1f}s, over its {spec.timeout}s timeout "
                        "(Lambda would have stopped it)",
                        file=sys.stderr,
                        flush=True,
                    )

        return self.run(function, call)


# ----------------------------------------------------------------------------------- the stack


class FunctionInvoker(Protocol):
    """What runs the functions: :class:`Invoker` in this process, or the server's worker pools
    (:class:`devstack.workers.PooledInvoker`)."""

    def invoke(self, function: str, event: Any) -> Any: ...

    def run(self, function: str | None, work: Callable[[], T]) -> T: ...


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
