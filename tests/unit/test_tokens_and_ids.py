"""Opaque tokens (refresh, reset, verify), their stored digests, and ids."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared.identity.tokens import new_refresh_token, new_user_token, parse_refresh_token, token_owner
from shared.ids import new_id, new_secret
from shared.security.secrets import token_digest

ID_RE = re.compile(r"[0-9a-hjkmnp-tv-z]{26}")


# ---- refresh tokens -----------------------------------------------------------------------


def test_refresh_token_round_trip() -> None:
    user_id, session_id = new_id(), new_id()
    raw = new_refresh_token(user_id, session_id)

    parsed = parse_refresh_token(raw)

    assert parsed is not None
    assert (parsed.user_id, parsed.session_id, parsed.raw) == (user_id, session_id, raw)


def test_refresh_tokens_are_unguessable() -> None:
    tokens = {new_refresh_token("u", "s") for _ in range(50)}

    assert len(tokens) == 50
    assert all(len(t.split(".")[2]) >= 43 for t in tokens)  # 32 random bytes


@pytest.mark.parametrize(
    "raw",
    ["", "a", "a.b", "a.b.c.d", "a..c", ".b.c", "a.b.", "a b.c.d", "a.b.c\n", "a/b.c.d", "é.b.c", "a.b." + "x" * 129],
)
def test_malformed_refresh_tokens(raw: str) -> None:
    assert parse_refresh_token(raw) is None


@given(st.text(max_size=300))
def test_refresh_parsing_never_crashes(raw: str) -> None:
    parsed = parse_refresh_token(raw)

    if parsed is not None:
        assert f"{parsed.user_id}.{parsed.session_id}." in raw
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", raw)


# ---- reset / verification tokens ----------------------------------------------------------


def test_user_token_names_its_owner() -> None:
    user_id = new_id()

    assert token_owner(new_user_token(user_id)) == user_id


@pytest.mark.parametrize("raw", ["", "abc", "a.b.c", "a.", ".b", "a.b\n", "a.b c", "01user.s3cret\r"])
def test_malformed_user_tokens(raw: str) -> None:
    assert token_owner(raw) is None


def test_user_tokens_differ_each_time() -> None:
    assert new_user_token("u") != new_user_token("u")


# ---- stored digests -----------------------------------------------------------------------


def test_token_digest_is_sha256_hex_and_stable() -> None:
    digest = token_digest("01user.secret")

    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == token_digest("01user.secret")
    assert digest != token_digest("01user.secreT")
    assert "secret" not in digest


# ---- ids ----------------------------------------------------------------------------------


def test_id_shape() -> None:
    assert ID_RE.fullmatch(new_id())


def test_ids_are_unique() -> None:
    assert len({new_id() for _ in range(2000)}) == 2000


def test_ids_sort_by_creation_time() -> None:
    first = new_id()
    time.sleep(0.002)
    second = new_id()

    assert first < second
    assert first[:10] <= second[:10]


def test_id_time_prefix_is_the_millisecond_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shared.ids.time.time", lambda: 0.0)
    assert new_id()[:10] == "0" * 10
    monkeypatch.setattr("shared.ids.time.time", lambda: 1.0)
    assert new_id()[:10] == "00000000z8"  # 1000 ms = 31*32 + 8


def test_secrets_are_url_safe() -> None:
    secret = new_secret()

    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert len(new_secret(16)) == 22
