"""Pagination cursors: opaque, round-trip, tamper-evident, bound to their listing."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared.errors import InvalidInput
from shared.security.cursors import decode_cursor, encode_cursor

POSITION = {"PK": {"S": "USER#01a"}, "SK": {"S": "PROFILE"}, "GSI1PK": {"S": "USERS"}, "GSI1SK": {"S": "2026#01a"}}
SCOPE = "users|None|None"

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
positions = st.dictionaries(
    st.text(min_size=1, max_size=10),
    st.recursive(json_scalars, lambda inner: st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=5),
    min_size=1,
    max_size=5,
)


def refused(cursor: str, scope: str = SCOPE) -> None:
    with pytest.raises(InvalidInput) as info:
        decode_cursor(cursor, scope)
    assert info.value.code == "INVALID_CURSOR"
    assert info.value.errors == {"cursor": ["is invalid"]}


def test_round_trip() -> None:
    cursor = encode_cursor(POSITION, SCOPE)

    assert cursor is not None
    assert decode_cursor(cursor, SCOPE) == POSITION


def test_cursor_is_url_safe_and_reveals_no_key_names_in_clear() -> None:
    cursor = encode_cursor(POSITION, SCOPE)

    assert cursor is not None
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert "USER#" not in cursor
    # Then neither does its decoded form: the position is encrypted, not just encoded
    payload = cursor.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"USER#" not in decoded
    assert b"PK" not in decoded


def test_the_same_position_gives_a_different_cursor_each_time() -> None:
    assert encode_cursor(POSITION, SCOPE) != encode_cursor(POSITION, SCOPE)


def test_no_position_no_cursor() -> None:
    assert encode_cursor(None, SCOPE) is None
    assert encode_cursor({}, SCOPE) is None
    assert decode_cursor(None, SCOPE) is None
    assert decode_cursor("", SCOPE) is None


def test_cursor_of_another_scope_is_refused() -> None:
    cursor = encode_cursor(POSITION, SCOPE)
    assert cursor is not None

    refused(cursor, "users|customer|None")
    refused(cursor, "sessions|01user")


def test_every_single_character_edit_is_detected() -> None:
    cursor = encode_cursor(POSITION, SCOPE)
    assert cursor is not None
    for index, char in enumerate(cursor):
        if char == ".":
            continue
        replacement = "A" if char != "A" else "B"
        refused(cursor[:index] + replacement + cursor[index + 1 :])


@pytest.mark.parametrize("cursor", ["garbage", ".", "abc.", ".abc", "a.b.c", "x.é", "é", "\x00.\x00", "💥.💥"])
def test_garbage_is_refused(cursor: str) -> None:
    refused(cursor)


def test_signing_key_change_invalidates_cursors(configure: Callable[..., None]) -> None:
    cursor = encode_cursor(POSITION, SCOPE)
    assert cursor is not None
    configure(JWT_SECRET="a-completely-new-signing-key-0123456789abcdef")

    refused(cursor)


@given(position=positions, scope=st.text(max_size=30))
def test_round_trip_property(position: dict[str, Any], scope: str) -> None:
    cursor = encode_cursor(position, scope)

    assert cursor is not None
    assert decode_cursor(cursor, scope) == position


@given(st.text(max_size=200))
def test_arbitrary_input_is_refused_never_crashes(text: str) -> None:
    if not text:
        assert decode_cursor(text, SCOPE) is None
    else:
        refused(text)
