"""Identity input rules: email normalisation, password policy, names, usernames, URLs, and the
request models that refuse fields a caller may not set."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from shared.identity.schemas import (
    AdminUpdateUserRequest,
    ChangePasswordRequest,
    RegisterRequest,
    UpdateProfileRequest,
    check_name,
    check_password,
    check_url,
    check_username,
    normalize_email,
)

PASSWORD = "Sup3r-secret-pw"


# ---- email --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Ann@Example.COM", "ann@example.com"),
        ("  ann@example.com\t", "ann@example.com"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
    ],
)
def test_email_is_trimmed_and_lowercased(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "a@b",
        "plainaddress",
        "@example.com",
        "ann@",
        "ann @example.com",
        "ann@exa mple.com",
        "a@@b.co",
        "x" * 250 + "@example.com",
    ],
)
def test_invalid_emails_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"[Ee]mail"):
        normalize_email(raw)


local_part = st.text(alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=30)
domain = st.from_regex(r"[A-Za-z0-9-]{1,20}\.[A-Za-z]{2,6}", fullmatch=True)


@given(local=local_part, host=domain, pad=st.sampled_from(["", " ", "  \t"]))
def test_email_normalisation_is_idempotent_and_case_blind(local: str, host: str, pad: str) -> None:
    email = f"{pad}{local}@{host}{pad}"

    normal = normalize_email(email)

    assert normal == normalize_email(normal)
    assert normal == normalize_email(email.upper())
    assert normal == normal.strip().lower()


# ---- password -----------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["abcdefg1", "1234567a", PASSWORD, "a1" * 64, "pass word 1", "Ünïcode-ok-1"])
def test_passwords_that_follow_the_policy(password: str) -> None:
    assert check_password(password) == password


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("abc1", "between 8 and 128"),
        ("a1" * 64 + "x", "between 8 and 128"),
        ("abcdefgh", "letter and one number"),
        ("12345678", "letter and one number"),
        ("--------", "letter and one number"),
    ],
)
def test_passwords_that_break_the_policy(password: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_password(password)


@given(st.text(max_size=140))
def test_password_policy_property(password: str) -> None:
    ok = (
        8 <= len(password) <= 128
        and any(c in string.ascii_letters for c in password)
        and any(c.isdecimal() for c in password)  # the policy's \d: any Unicode decimal digit
    )
    if ok:
        assert check_password(password) == password
    else:
        with pytest.raises(ValueError):
            check_password(password)


# ---- name, username, url ------------------------------------------------------------------


def test_name_whitespace_is_collapsed() -> None:
    assert check_name("  Ada   Lovelace ") == "Ada Lovelace"


@pytest.mark.parametrize("name", ["", " ", "A", "  A  ", "x" * 101])
def test_bad_names(name: str) -> None:
    with pytest.raises(ValueError, match="Name"):
        check_name(name)


@pytest.mark.parametrize("username", ["abc", "A_b_9", "x" * 30])
def test_good_usernames(username: str) -> None:
    assert check_username(username) == username


@pytest.mark.parametrize("username", ["ab", "x" * 31, "has space", "dash-ed", "dot.ted", "émile", "abc\n"])
def test_bad_usernames(username: str) -> None:
    with pytest.raises(ValueError, match="Username"):
        check_username(username)


@pytest.mark.parametrize("url", ["https://cdn.test/a.png", "http://x.io/p?q=1"])
def test_good_urls(url: str) -> None:
    assert check_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://x.io/a",
        "https://",
        "https:// x.io",
        "//x.io/a",
        "https://x.io/" + "a" * 2048,
    ],
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        check_url(url)


# ---- request models -----------------------------------------------------------------------


def register(**fields: Any) -> RegisterRequest:
    return RegisterRequest.model_validate({"email": "A@B.co", "password": PASSWORD, "name": "Ann", **fields})


def error_fields(exc: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in error["loc"]): error["type"] for error in exc.errors()}


def test_register_defaults_to_customer_and_normalises() -> None:
    request = register()

    assert request.role == "customer"
    assert request.email == "a@b.co"
    assert request.username is None


def test_register_accepts_seller() -> None:
    assert register(role="seller").role == "seller"


@pytest.mark.parametrize("role", ["admin", "ADMIN", "root", None, 1])
def test_register_refuses_any_other_role(role: object) -> None:
    with pytest.raises(ValidationError) as info:
        register(role=role)

    assert list(error_fields(info.value)) == ["role"]


@pytest.mark.parametrize("field", ["status", "emailVerified", "id", "passwordHash", "createdAt", "isAdmin"])
def test_register_refuses_unknown_fields(field: str) -> None:
    with pytest.raises(ValidationError) as info:
        register(**{field: "x"})

    assert error_fields(info.value) == {field: "extra_forbidden"}


def test_errors_use_wire_names() -> None:
    with pytest.raises(ValidationError) as info:
        ChangePasswordRequest.model_validate({})

    assert set(error_fields(info.value)) == {"currentPassword", "newPassword"}


def test_profile_update_takes_only_profile_fields() -> None:
    assert UpdateProfileRequest.model_validate({"avatarUrl": "https://x.io/a.png"}).model_fields_set == {"avatar_url"}
    for field in ("role", "status", "email", "emailVerified"):
        with pytest.raises(ValidationError):
            UpdateProfileRequest.model_validate({field: "x"})


def test_admin_update_knows_roles_and_statuses() -> None:
    request = AdminUpdateUserRequest.model_validate({"role": "admin", "status": "suspended"})

    assert (request.role, request.status) == ("admin", "suspended")
    with pytest.raises(ValidationError):
        AdminUpdateUserRequest.model_validate({"status": "deleted"})
