"""Read ``template.yaml`` (CloudFormation short-form tags included) and resolve what we need."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

_TAGS = {
    "!Ref": "Ref",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Split": "Fn::Split",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Select": "Fn::Select",
    "!FindInMap": "Fn::FindInMap",
    "!ImportValue": "Fn::ImportValue",
    "!GetAZs": "Fn::GetAZs",
    "!Base64": "Fn::Base64",
    "!Condition": "Condition",
}


class _Loader(yaml.SafeLoader):
    pass


def _construct(tag: str) -> Any:
    key = _TAGS[tag]

    def build(loader: _Loader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if key == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}

    return build


for _tag in _TAGS:
    _Loader.add_constructor(_tag, _construct(_tag))


@lru_cache(maxsize=4)
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as handle:
        loaded = yaml.load(handle, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    assert isinstance(loaded, dict)
    return loaded


def resources_of_type(kind: str, template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    tpl = template or load_template()
    return {name: res for name, res in tpl["Resources"].items() if res.get("Type") == kind}


def table_properties(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """Properties of the (single) DynamoDB table."""
    tables = resources_of_type("AWS::DynamoDB::Table", template)
    assert len(tables) == 1, "the design has exactly one table"
    return dict(next(iter(tables.values()))["Properties"])
