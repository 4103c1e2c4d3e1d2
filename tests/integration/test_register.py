"""POST /api/v1/auth/register."""

from __future__ import annotations

from typing import Any

import pytest
from shared.identity import repository

from tests.support.api import PASSWORD, Api, assert_problem

REGISTER = "/api/v1/auth/register"
USER_FIELDS = {
    "id",
    "email",
    "name",
    "username",
    "role",
    "status",
    "avatarUrl",
    "emailVerified",
    "lastLoginAt",
    "createdAt",
    "updatedAt",
}


def body(**overrides: Any) -> dict[str, Any]:
    return {"email": "new.user@example.com", "password": PASSWORD, "name": "New User", **overrides}


def test_register_returns_201_with_user_and_tokens(api: Api) -> None:
    res = api.call("POST", REGISTER, body(email="  New.User@Example.COM ", username="new_user"))

    assert res.status == 201, res.body
    assert res.body["success"] is True
    assert res.body["meta"]["requestId"]
    data = res.data
    assert set(data) == {"user", "accessToken", "refreshToken", "tokenType", "expiresIn"}
    assert data["tokenType"] == "Bearer"
    assert data["expiresIn"] == 900
    user = data["user"]
    assert set(user) == USER_FIELDS
    assert user["email"] == "new.user@example.com"
    assert user["name"] == "New User"
    assert user["username"] == "new_user"
    assert user["role"] == "customer"
    assert user["status"] == "approved"
    assert user["emailVerified"] is False
    assert user["createdAt"].endswith("Z")
    # The tokens work straight away.
    me = api.me(data["accessToken"])
    assert me.status == 200
    assert me.data["id"] == user["id"]


def test_register_sets_the_access_token_cookie(api: Api) -> None:
    res = api.call("POST", REGISTER, body())

    cookie = res.cookie("access_token")
    assert cookie is not None
    assert cookie.startswith(f"access_token={res.data['accessToken']}")
    assert "HttpOnly" in cookie


def test_register_queues_welcome_and_verification_emails(api: Api) -> None:
    api.call("POST", REGISTER, body())

    queued = api.queued_emails()

    assert sorted(m["template"] for m in queued) == ["verify_email", "welcome"]
    assert {m["to"] for m in queued} == {"new.user@example.com"}


def test_password_is_stored_as_argon2id_never_in_clear(api: Api) -> None:
    account = api.register("stored@example.com")

    stored = repository.get_user(account.id)

    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


@pytest.mark.parametrize("email", ["dup@example.com", "DUP@example.com", " Dup@Example.Com "])
def test_duplicate_email_is_409_user_exists_whatever_the_case(api: Api, email: str) -> None:
    api.register("dup@example.com")

    res = api.call("POST", REGISTER, body(email=email))

    assert_problem(res, 409, "USER_EXISTS")


def test_duplicate_username_is_409_username_taken_case_insensitively(api: Api) -> None:
    api.call("POST", REGISTER, body(email="first@example.com", username="Shared_Name"))

    res = api.call("POST", REGISTER, body(email="second@example.com", username="shared_name"))

    assert_problem(res, 409, "USERNAME_TAKEN")
    # The failed registration left nothing behind: its email is still free.
    assert api.call("POST", REGISTER, body(email="second@example.com")).status == 201


def test_role_admin_is_refused(api: Api) -> None:
    res = api.call("POST", REGISTER, body(role="admin"))

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert "role" in error["errors"]
    assert repository.find_user_by_email("new.user@example.com") is None


def test_seller_starts_pending(api: Api) -> None:
    res = api.call("POST", REGISTER, body(role="seller"))

    assert res.status == 201
    assert res.data["user"]["role"] == "seller"
    assert res.data["user"]["status"] == "pending"


@pytest.mark.parametrize(
    "extra",
    [
        {"status": "approved"},
        {"emailVerified": True},
        {"email_verified": True},
        {"id": "01chosenbythecaller"},
        {"passwordHash": "$argon2id$v=19$m=19456,t=2,p=1$x$y"},
        {"createdAt": "2000-01-01T00:00:00.000Z"},
    ],
)
def test_fields_the_caller_may_not_set_are_refused(api: Api, extra: dict[str, Any]) -> None:
    # Given a register body that tries to mass-assign a server-owned field
    res = api.call("POST", REGISTER, body(**extra))

    # Then it is refused, naming the field, and no account is created
    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert error["errors"] == {next(iter(extra)): ["This field is not allowed"]}
    assert repository.find_user_by_email("new.user@example.com") is None


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"password": "short1"}, "password"),
        ({"password": "onlyletters"}, "password"),
        ({"password": "1234567890"}, "password"),
        ({"password": "a1" * 65}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "A"}, "name"),
        ({"name": "   "}, "name"),
        ({"username": "no spaces"}, "username"),
        ({"username": "ab"}, "username"),
        ({"role": "superuser"}, "role"),
        ({"email": 42}, "email"),
    ],
)
def test_invalid_fields_are_400_with_per_field_errors(api: Api, override: dict[str, Any], field: str) -> None:
    res = api.call("POST", REGISTER, body(**override))

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert list(error["errors"]) == [field]
    assert all(isinstance(message, str) and message for message in error["errors"][field])
    # Messages speak to the user, not in pydantic's internal words.
    assert not any(message.startswith("Value error") for message in error["errors"][field])


def test_every_missing_field_is_reported_at_once(api: Api) -> None:
    res = api.call("POST", REGISTER, {})

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert error["errors"] == {
        "email": ["This field is required"],
        "password": ["This field is required"],
        "name": ["This field is required"],
    }


def test_weak_password_message_names_the_rule(api: Api) -> None:
    res = api.call("POST", REGISTER, body(password="lettersonly"))

    assert res.error["errors"]["password"] == ["Password must contain at least one letter and one number"]


def test_name_whitespace_is_collapsed(api: Api) -> None:
    res = api.call("POST", REGISTER, body(name="  Ada    Lovelace "))

    assert res.data["user"]["name"] == "Ada Lovelace"
