"""CloudFormation intrinsics (``!Ref``, ``!GetAtt``, ``!Sub``, ``!If`` and the other ``Fn::``
functions, conditions, pseudo parameters) resolved against the local resources."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from devstack.local_aws import LocalResources

_NO_VALUE = object()  # AWS::NoValue


class UnresolvableError(ValueError):
    """An intrinsic the local stack cannot resolve (e.g. Fn::ImportValue)."""


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
            return str(separator).join(text_value(item) for item in items)
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
                return text_value(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return text_value(self.get_att(logical, attribute))
            return text_value(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, str(text))


def text_value(value: Any) -> str:
    """A resolved value as CloudFormation writes it into a string (``Fn::Join``, ``Fn::Sub``, environments)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)
