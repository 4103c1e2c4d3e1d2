"""UI blocks: the Block Kit subset a message may carry, validated on write.

Pure functions, no I/O. :func:`validate` returns every problem keyed by its path in the
message (``blocks[3].elements[0].action_id``); nothing is stored unless there are none.
Unknown block or element types are refused, not kept. :func:`action_index` tells the actions
route which ``action_id`` exists in a message and which values a select accepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_BLOCKS = 50
MAX_BLOCKS_BYTES = 150_000
MAX_ID = 255
TEXT_TYPES = ("plain_text", "mrkdwn")
BUTTON_STYLES = ("primary", "danger")


@dataclass(frozen=True)
class ActionSpec:
    """An interactive element: a button (``options`` is None) or a select (its option values)."""

    action_id: str
    options: frozenset[str] | None = None


class _Check:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.block_ids: set[str] = set()
        self.action_ids: set[str] = set()

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def obj(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        return value

    def allowed(self, block: dict[str, Any], path: str, fields: set[str]) -> None:
        for key in block:
            if key not in fields:
                self.fail(f"{path}.{key}", "This field is not allowed")

    def string(self, value: Any, path: str, max_len: int, *, required: bool = True, min_len: int = 1) -> str | None:
        if value is None:
            if required:
                self.fail(path, "This field is required")
            return None
        if not isinstance(value, str):
            self.fail(path, "must be a string")
            return None
        if not min_len <= len(value) <= max_len:
            self.fail(path, f"must be {min_len}-{max_len} characters")
        return value

    def https(self, value: Any, path: str, *, required: bool = True) -> None:
        url = self.string(value, path, 3000, required=required)
        if url is not None and not url.lower().startswith("https://"):
            self.fail(path, "must be an https URL")

    def text(self, value: Any, path: str, max_len: int, *, plain_only: bool = False) -> None:
        found = self.obj(value, path)
        if found is None:
            return
        self.allowed(found, path, {"type", "text", "emoji", "verbatim"})
        kinds = ("plain_text",) if plain_only else TEXT_TYPES
        if found.get("type") not in kinds:
            self.fail(f"{path}.type", f"must be one of {', '.join(kinds)}")
        self.string(found.get("text"), f"{path}.text", max_len)
        for flag in ("emoji", "verbatim"):
            if flag in found and not isinstance(found[flag], bool):
                self.fail(f"{path}.{flag}", "must be a boolean")

    def unique(self, value: Any, path: str, seen: set[str], what: str) -> str | None:
        found = self.string(value, path, MAX_ID)
        if found is not None:
            if found in seen:
                self.fail(path, f"duplicate {what} in this message")
            seen.add(found)
        return found

    def items(self, value: Any, path: str, low: int, high: int) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        if not low <= len(value) <= high:
            self.fail(path, f"must hold {low}-{high} items")
        return value[:high]


def _button(check: _Check, element: dict[str, Any], path: str) -> None:
    check.allowed(
        element, path, {"type", "action_id", "text", "value", "style", "url", "confirm", "accessibility_label"}
    )
    _optional_object(check, element, path, "confirm")
    check.string(element.get("accessibility_label"), f"{path}.accessibility_label", 75, required=False)
    check.unique(element.get("action_id"), f"{path}.action_id", check.action_ids, "action_id")
    check.text(element.get("text"), f"{path}.text", 75, plain_only=True)
    check.string(element.get("value"), f"{path}.value", 2000, required=False)
    if "style" in element and element["style"] not in BUTTON_STYLES:
        check.fail(f"{path}.style", "must be primary or danger")
    if "url" in element:
        check.https(element["url"], f"{path}.url")


def _option(check: _Check, option: Any, path: str) -> None:
    found = check.obj(option, path)
    if found is not None:
        check.allowed(found, path, {"text", "value"})
        check.text(found.get("text"), f"{path}.text", 75, plain_only=True)
        check.string(found.get("value"), f"{path}.value", 150)


def _select(check: _Check, element: dict[str, Any], path: str) -> None:
    check.allowed(
        element, path, {"type", "action_id", "placeholder", "options", "initial_option", "confirm", "focus_on_load"}
    )
    check.unique(element.get("action_id"), f"{path}.action_id", check.action_ids, "action_id")
    if "placeholder" in element:  # optional in Slack's actions blocks
        check.text(element["placeholder"], f"{path}.placeholder", 150, plain_only=True)
    options = check.items(element.get("options"), f"{path}.options", 1, 100)
    for n, option in enumerate(options):
        _option(check, option, f"{path}.options[{n}]")
    if "initial_option" in element:
        _option(check, element["initial_option"], f"{path}.initial_option")
        if element["initial_option"] not in options:
            check.fail(f"{path}.initial_option", "must be one of the options")
    _optional_object(check, element, path, "confirm")
    if "focus_on_load" in element and not isinstance(element["focus_on_load"], bool):
        check.fail(f"{path}.focus_on_load", "must be a boolean")


def _optional_object(check: _Check, element: dict[str, Any], path: str, name: str) -> None:
    """Slack options we keep as given (a ``confirm`` dialog): an object of bounded size."""
    if name in element:
        value = check.obj(element[name], f"{path}.{name}")
        if value is not None and len(json.dumps(value)) > 4000:
            check.fail(f"{path}.{name}", "must be at most 4000 characters of JSON")


def _image_element(check: _Check, element: dict[str, Any], path: str) -> None:
    check.allowed(element, path, {"type", "image_url", "alt_text"})
    check.https(element.get("image_url"), f"{path}.image_url")
    check.string(element.get("alt_text"), f"{path}.alt_text", 2000)


def _section(check: _Check, block: dict[str, Any], path: str) -> None:
    check.allowed(block, path, {"type", "block_id", "text", "fields", "accessory", "expand"})
    if "expand" in block and not isinstance(block["expand"], bool):
        check.fail(f"{path}.expand", "must be a boolean")
    if "text" not in block and "fields" not in block:
        check.fail(f"{path}.text", "a section needs text or fields")
    if "text" in block:
        check.text(block["text"], f"{path}.text", 3000)
    if "fields" in block:
        for n, item in enumerate(check.items(block["fields"], f"{path}.fields", 1, 10)):
            check.text(item, f"{path}.fields[{n}]", 2000)
    if "accessory" in block:
        accessory = check.obj(block["accessory"], f"{path}.accessory")
        kind = accessory.get("type") if accessory else None
        if accessory is not None and kind == "button":
            _button(check, accessory, f"{path}.accessory")
        elif accessory is not None and kind == "image":
            _image_element(check, accessory, f"{path}.accessory")
        elif accessory is not None:
            check.fail(f"{path}.accessory.type", "must be button or image")


def _context(check: _Check, block: dict[str, Any], path: str) -> None:
    check.allowed(block, path, {"type", "block_id", "elements"})
    for n, raw in enumerate(check.items(block.get("elements"), f"{path}.elements", 1, 10)):
        element = check.obj(raw, f"{path}.elements[{n}]")
        if element is None:
            continue
        if element.get("type") in TEXT_TYPES:
            check.text(element, f"{path}.elements[{n}]", 3000)
        elif element.get("type") == "image":
            _image_element(check, element, f"{path}.elements[{n}]")
        else:
            check.fail(f"{path}.elements[{n}].type", "must be plain_text, mrkdwn or image")


def _actions(check: _Check, block: dict[str, Any], path: str) -> None:
    check.allowed(block, path, {"type", "block_id", "elements"})
    for n, raw in enumerate(check.items(block.get("elements"), f"{path}.elements", 1, 25)):
        element = check.obj(raw, f"{path}.elements[{n}]")
        if element is None:
            continue
        if element.get("type") == "button":
            _button(check, element, f"{path}.elements[{n}]")
        elif element.get("type") == "static_select":
            _select(check, element, f"{path}.elements[{n}]")
        else:
            check.fail(f"{path}.elements[{n}].type", "must be button or static_select")


def _table(check: _Check, block: dict[str, Any], path: str) -> None:
    check.allowed(block, path, {"type", "block_id", "columns", "rows"})
    columns = check.items(block.get("columns"), f"{path}.columns", 1, 20)
    for n, column in enumerate(columns):
        check.string(column, f"{path}.columns[{n}]", 255)
    for r, row in enumerate(check.items(block.get("rows"), f"{path}.rows", 0, 100)):
        if not isinstance(row, list) or len(row) != len(columns):
            check.fail(f"{path}.rows[{r}]", f"must be a list of {len(columns)} cells")
            continue
        for c, cell in enumerate(row):
            ok = cell is None or (isinstance(cell, str) and len(cell) <= 2000)
            ok = ok or (isinstance(cell, int | float) and not isinstance(cell, bool))
            if not ok:
                check.fail(f"{path}.rows[{r}][{c}]", "must be a string (at most 2000 characters), a number or null")


def _block(check: _Check, block: dict[str, Any], path: str) -> None:
    kind = block.get("type")
    if "block_id" in block:
        check.unique(block["block_id"], f"{path}.block_id", check.block_ids, "block_id")
    if kind == "section":
        _section(check, block, path)
    elif kind == "header":
        check.allowed(block, path, {"type", "block_id", "text"})
        check.text(block.get("text"), f"{path}.text", 150, plain_only=True)
    elif kind == "divider":
        check.allowed(block, path, {"type", "block_id"})
    elif kind == "context":
        _context(check, block, path)
    elif kind == "actions":
        _actions(check, block, path)
    elif kind == "image":
        check.allowed(block, path, {"type", "block_id", "image_url", "alt_text", "title"})
        check.https(block.get("image_url"), f"{path}.image_url")
        check.string(block.get("alt_text"), f"{path}.alt_text", 2000)
        if "title" in block:
            check.text(block["title"], f"{path}.title", 2000, plain_only=True)
    elif kind == "table":
        _table(check, block, path)
    else:
        check.fail(f"{path}.type", "must be one of section, header, divider, context, actions, image, table")


def validate(blocks: Any) -> dict[str, list[str]]:
    """Every problem of a ``blocks`` value, keyed by path; empty when it may be stored."""
    check = _Check()
    if not isinstance(blocks, list):
        return {"blocks": ["must be a list"]}
    if len(blocks) > MAX_BLOCKS:
        check.fail("blocks", f"at most {MAX_BLOCKS} blocks")
    elif len(json.dumps(blocks, separators=(",", ":"))) > MAX_BLOCKS_BYTES:
        check.fail("blocks", f"at most {MAX_BLOCKS_BYTES} characters of JSON")
    for n, raw in enumerate(blocks[:MAX_BLOCKS]):
        block = check.obj(raw, f"blocks[{n}]")
        if block is not None:
            _block(check, block, f"blocks[{n}]")
    return check.errors


def _elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        if block.get("type") == "actions":
            found.extend(block.get("elements") or [])
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            found.append(block["accessory"])
    return found


def action_index(blocks: list[dict[str, Any]] | None) -> dict[str, ActionSpec]:
    """The interactive elements of (validated) blocks, by ``action_id``."""
    specs: dict[str, ActionSpec] = {}
    for element in _elements(blocks or []):
        if element.get("type") == "button":
            specs[element["action_id"]] = ActionSpec(element["action_id"])
        elif element.get("type") == "static_select":
            values = frozenset(option["value"] for option in element.get("options") or [])
            specs[element["action_id"]] = ActionSpec(element["action_id"], values)
    return specs


def plain_text(blocks: list[dict[str, Any]] | None) -> str:
    """The human-readable text of blocks (for search and previews)."""
    parts: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            parts.append(value["text"])

    for block in blocks or []:
        add(block.get("text"))
        for field in block.get("fields") or []:
            add(field)
        for element in block.get("elements") or []:
            add(element)
            add(element.get("text") if isinstance(element, dict) else None)
        if block.get("type") == "table":
            parts.extend(str(column) for column in block.get("columns") or [])
            parts.extend(str(cell) for row in block.get("rows") or [] for cell in row if cell is not None)
    return " ".join(parts)
