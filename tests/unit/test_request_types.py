"""The request field types every schema builds on, the strict JSON reader and the search-word cap."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from shared.commerce.products import rules
from shared.commerce.products.models import search_pk
from shared.http import body
from shared.schemas import LongText, StrictInt, StrictNumber, Text

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"]


@pytest.mark.parametrize("char", [*BIDI, *CONTROLS, "\n", "\t", "\r"])
def test_text_refuses_control_characters_and_bidi_controls(char: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Text).validate_python(f"Eve{char}Admin")


@pytest.mark.parametrize("char", [*BIDI, *CONTROLS])
def test_long_text_refuses_them_too(char: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(LongText).validate_python(f"line{char}line")


def test_long_text_allows_tabs_and_newlines_and_text_allows_any_script() -> None:
    assert TypeAdapter(LongText).validate_python("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    assert TypeAdapter(Text).validate_python("Zoë 山田 عربى ㎯") == "Zoë 山田 عربى ㎯"


@pytest.mark.parametrize("value", ["5", True, 100.0, 5.5, None, [5]])
def test_strict_int_takes_json_integers_only(value: Any) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(StrictInt).validate_python(value)
    assert TypeAdapter(StrictInt).validate_python(5) == 5


@pytest.mark.parametrize("value", ["5", True, None])
def test_strict_number_takes_json_numbers_only(value: Any) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(StrictNumber).validate_python(value)
    assert TypeAdapter(StrictNumber).validate_python(5) == 5.0
    assert TypeAdapter(StrictNumber).validate_python(2.5) == 2.5


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("[" * 100_000, "nested"),
        ("[" * (body.MAX_DEPTH + 1) + "]" * (body.MAX_DEPTH + 1), "nested"),
        ("9" * 4301, "number"),
        ("-" + "1" * 101, "number"),
        ("1." + "5" * 200, "number"),
        ("Infinity", "Infinity"),
        ('"\\udc00"', "surrogate"),
        ("{", "Expecting"),
    ],
)
def test_loads_raises_json_decode_error_for_every_failure(document: str, reason: str) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        body.loads(document)
    assert reason in caught.value.msg


def test_loads_keeps_ordinary_json() -> None:
    depth = body.MAX_DEPTH
    assert body.loads('{"a": [1, 2.5, "x\\u00e9", null, true]}') == {"a": [1, 2.5, "xé", None, True]}
    assert body.loads("[" * depth + "]" * depth) is not None
    assert body.loads('"\\ud83d\\ude00"') == "\U0001f600"  # a surrogate pair is one character


def _event(raw: bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {"headers": {"Content-Type": content_type}, "body": base64.b64encode(raw).decode(), "isBase64Encoded": True}


def test_text_decodes_base64_utf8_and_refuses_anything_else() -> None:
    assert body.text(_event('{"a": "é"}'.encode())) == '{"a": "é"}'
    assert body.text(_event(b"{}", "application/json; charset=UTF-8")) == "{}"
    assert body.text({"body": None}) is None
    for event in (_event(b"\xa5"), _event(b"{}", "application/json; charset=latin-1")):
        with pytest.raises(body.UnreadableBody) as caught:
            body.text(event)
        assert caught.value.code == "INVALID_ENCODING"


def test_search_words_are_capped_so_every_index_key_fits() -> None:
    long_words = rules.words("x" * 2042, "㎯" * 409, "y" * 10_000)

    assert long_words == ["x" * rules.MAX_WORD_CHARS, "rads2" * 12 + "rads", "y" * rules.MAX_WORD_CHARS]
    assert all(len(search_pk(word).encode()) <= 2048 for word in long_words)
    # A query holding the long word finds what the product was indexed under
    assert rules.words("x" * 3000) == [long_words[0]]
