"""Lambda event filtering (``FilterCriteria``) for the local event sources.

A record is delivered when any filter's pattern matches it; records no filter matches are
dropped, as Lambda drops them (they count as processed). Patterns use the EventBridge
content-filter syntax Lambda supports: nested objects, and per field a list of alternatives,
each a literal or one of ``prefix``, ``suffix``, ``equals-ignore-case``, ``anything-but``,
``exists`` and ``numeric``. A field holding a list matches when any element does.
"""

from __future__ import annotations

import json
from typing import Any

_MISSING = object()
_NUMERIC_OPS = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def parse_filters(filter_criteria: Any) -> tuple[dict[str, Any], ...]:
    """The patterns of a template's ``FilterCriteria`` (each ``Pattern`` is a JSON string).

    Raises :class:`ValueError` for a pattern that is not a JSON object.
    """
    patterns: list[dict[str, Any]] = []
    for entry in (filter_criteria or {}).get("Filters") or []:
        raw = entry.get("Pattern") if isinstance(entry, dict) else None
        pattern = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(pattern, dict):
            raise ValueError(f"FilterCriteria pattern {raw!r} is not a JSON object")
        patterns.append(pattern)
    return tuple(patterns)


def accepts(filters: tuple[dict[str, Any], ...], record: dict[str, Any]) -> bool:
    """Whether Lambda would deliver ``record`` (no filters: every record)."""
    return not filters or any(matches(pattern, record) for pattern in filters)


def matches(pattern: dict[str, Any], value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    for key, expected in pattern.items():
        found = value.get(key, _MISSING)
        if isinstance(expected, dict):
            if not matches(expected, found):
                return False
        elif isinstance(expected, list):
            if not any(_alternative(rule, found) for rule in expected):
                return False
        else:
            raise ValueError(f"filter pattern field {key!r}: expected an object or a list, got {expected!r}")
    return True


def _alternative(rule: Any, found: Any) -> bool:
    if isinstance(rule, dict) and "exists" in rule:
        return (found is not _MISSING) == bool(rule["exists"])
    if found is _MISSING:
        return False
    if isinstance(found, list):
        return any(_alternative(rule, element) for element in found)
    if not isinstance(rule, dict):
        return bool(found == rule and isinstance(found, bool) == isinstance(rule, bool))
    (operator, operand), *_ = rule.items()
    if operator == "prefix":
        return isinstance(found, str) and found.startswith(operand)
    if operator == "suffix":
        return isinstance(found, str) and found.endswith(operand)
    if operator == "equals-ignore-case":
        return isinstance(found, str) and found.lower() == str(operand).lower()
    if operator == "anything-but":
        excluded = operand if isinstance(operand, list) else [operand]
        if excluded and isinstance(excluded[0], dict):
            return not any(_alternative(item, found) for item in excluded)
        return found not in excluded
    if operator == "numeric":
        if isinstance(found, bool) or not isinstance(found, int | float):
            return False
        pairs = zip(operand[0::2], operand[1::2], strict=True)
        return all(_NUMERIC_OPS[op](found, bound) for op, bound in pairs)
    raise ValueError(f"unsupported filter operator {operator!r}")
