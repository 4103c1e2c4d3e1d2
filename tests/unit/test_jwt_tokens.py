"""Access tokens: issue and decode, and every way a token can be wrong."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from shared.errors import Unauthenticated
from shared.security.jwt_tokens import decode_access_token, issue_access_token

from tests.conftest import TEST_ENV

SECRET = TEST_ENV["JWT_SECRET"]


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": "platform-api",
        "aud": "platform-clients",
        "sub": "01user",
        "sid": "01session",
        "role": "customer",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "01token",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def encode(payload: dict[str, Any], key: str = SECRET, algorithm: str = "HS256", **kwargs: Any) -> str:
    return jwt.encode(payload, key, algorithm=algorithm, **kwargs)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def rejected(token: str) -> str:
    with pytest.raises(Unauthenticated) as info:
        decode_access_token(token)
    return info.value.code


def test_issue_then_decode_round_trip() -> None:
    token, expires_in = issue_access_token("01user", "01session", "seller")

    decoded = decode_access_token(token)
    raw = jwt.decode(token, SECRET, algorithms=["HS256"], audience="platform-clients")

    assert expires_in == 900
    assert (decoded.user_id, decoded.session_id) == ("01user", "01session")
    assert decoded.token_id == raw["jti"]
    assert decoded.expires_at == raw["exp"] == raw["iat"] + 900
    assert raw["iss"] == "platform-api"
    assert raw["role"] == "seller"
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}


def test_every_token_has_its_own_id() -> None:
    first, _ = issue_access_token("u", "s", "customer")
    second, _ = issue_access_token("u", "s", "customer")

    assert decode_access_token(first).token_id != decode_access_token(second).token_id


def test_ttl_follows_settings(configure: Callable[..., None]) -> None:
    configure(ACCESS_TOKEN_TTL_SECONDS="120")

    token, expires_in = issue_access_token("u", "s", "customer")

    assert expires_in == 120
    assert decode_access_token(token).expires_at <= int(time.time()) + 120


def test_forged_signature() -> None:
    assert rejected(encode(claims(), key="some-other-key-which-is-long-enough-12345")) == "INVALID_TOKEN"


def test_edited_payload_with_the_original_signature() -> None:
    head, _, signature = encode(claims()).split(".")

    assert rejected(f"{head}.{b64(claims(sub='01admin'))}.{signature}") == "INVALID_TOKEN"


def test_alg_none() -> None:
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."

    assert rejected(unsigned) == "INVALID_TOKEN"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS384/512 on purpose
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_hmac_algorithms_with_the_right_key(algorithm: str) -> None:
    assert rejected(encode(claims(), algorithm=algorithm)) == "INVALID_TOKEN"


def test_expired() -> None:
    now = int(time.time())

    assert rejected(encode(claims(iat=now - 1000, nbf=now - 1000, exp=now - 30))) == "TOKEN_EXPIRED"


def test_small_clock_skew_is_tolerated() -> None:
    now = int(time.time())

    assert decode_access_token(encode(claims(exp=now - 2))).user_id == "01user"


def test_not_yet_valid() -> None:
    now = int(time.time())

    assert rejected(encode(claims(nbf=now + 600, iat=now + 600, exp=now + 1200))) == "INVALID_TOKEN"


def test_wrong_audience() -> None:
    assert rejected(encode(claims(aud="other-clients"))) == "INVALID_TOKEN"


def test_wrong_issuer() -> None:
    assert rejected(encode(claims(iss="someone-else"))) == "INVALID_TOKEN"


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "jti", "iss", "aud", "sid"])
def test_missing_claims(missing: str) -> None:
    assert rejected(encode(claims(**{missing: None}))) == "INVALID_TOKEN"


@pytest.mark.parametrize(("claim", "value"), [("sub", ""), ("sid", ""), ("sid", 42), ("jti", ["x"])])
def test_empty_or_wrongly_typed_identity_claims(claim: str, value: object) -> None:
    payload = claims()
    payload[claim] = value

    assert rejected(encode(payload)) == "INVALID_TOKEN"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "eyJ.eyJ.sig", "Bearer x"])
def test_garbage(token: str) -> None:
    assert rejected(token) == "INVALID_TOKEN"


def test_issuer_and_audience_follow_settings(configure: Callable[..., None]) -> None:
    token, _ = issue_access_token("u", "s", "customer")
    configure(JWT_AUDIENCE="another-audience")

    assert rejected(token) == "INVALID_TOKEN"


def test_rotated_signing_key_invalidates_tokens(configure: Callable[..., None]) -> None:
    token, _ = issue_access_token("u", "s", "customer")
    configure(JWT_SECRET="a-completely-new-signing-key-0123456789abcdef")

    assert rejected(token) == "INVALID_TOKEN"
