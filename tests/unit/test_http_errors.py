"""Domain errors → HTTP: status map, problem body, per-field validation messages, cookies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError
from shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
)
from shared.http.auth import access_cookie, clear_access_cookie
from shared.http.errors import headers_for, problem, status_for, validation_errors
from shared.identity.schemas import ChangePasswordRequest, RegisterRequest, UpdateProfileRequest


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput(), 400),
        (Unauthenticated(), 401),
        (Forbidden(), 403),
        (NotFound(), 404),
        (Conflict(), 409),
        (PayloadTooLarge(), 413),
        (RateLimited(30), 429),
        (DomainError(), 400),
        (Unauthenticated("x", code="TOKEN_EXPIRED"), 401),
    ],
)
def test_status_for(error: DomainError, status: int) -> None:
    assert status_for(error) == status


def test_subclasses_map_like_their_parent() -> None:
    class AccountLocked(Forbidden):
        code = "ACCOUNT_LOCKED"

    assert status_for(AccountLocked()) == 403
    assert AccountLocked().code == "ACCOUNT_LOCKED"


def test_domain_error_defaults_and_overrides() -> None:
    default = NotFound()
    custom = NotFound("User not found", code="USER_NOT_FOUND", errors={"id": ["unknown"]})

    assert (default.code, default.message, default.errors) == ("NOT_FOUND", "Resource not found", {})
    assert (custom.code, custom.message, custom.errors) == ("USER_NOT_FOUND", "User not found", {"id": ["unknown"]})
    assert str(custom) == "User not found"


def test_rate_limited_carries_retry_after() -> None:
    assert headers_for(RateLimited(42)) == {"Retry-After": "42"}
    assert headers_for(RateLimited(0)) == {"Retry-After": "1"}
    assert headers_for(NotFound()) == {}


def test_problem_shape() -> None:
    body = problem(409, "USER_EXISTS", "User with this email already exists", "req-1", {"email": ["taken"]})

    assert body == {
        "success": False,
        "error": {
            "code": "USER_EXISTS",
            "message": "User with this email already exists",
            "type": "urn:problem-type:user-exists",
            "title": "Conflict",
            "status": 409,
            "detail": "User with this email already exists",
            "errors": {"email": ["taken"]},
            "requestId": "req-1",
        },
    }


@pytest.mark.parametrize(
    ("status", "title"), [(400, "Bad Request"), (413, "Content Too Large"), (429, "Too Many Requests")]
)
def test_problem_titles(status: int, title: str) -> None:
    title_found = problem(status, "X", "m", None)["error"]["title"]

    assert title_found in (title, "Request Entity Too Large")
    assert problem(status, "X", "m", None)["error"]["errors"] == {}


def powertools_errors(model: Any, body: Any) -> list[dict[str, Any]]:
    """Errors as Powertools reports a Body() model: each loc starts with "body"."""
    try:
        model.model_validate(body)
    except ValidationError as exc:
        return [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
    raise AssertionError("body was valid")


def test_validation_errors_use_camel_case_wire_names() -> None:
    errors = powertools_errors(ChangePasswordRequest, {"currentPassword": "", "newPassword": "weak"})

    fields = validation_errors(errors)

    assert set(fields) == {"currentPassword", "newPassword"}
    assert fields["newPassword"] == ["Password must be between 8 and 128 characters long"]


def test_validation_errors_missing_and_extra_fields() -> None:
    errors = powertools_errors(RegisterRequest, {"email": "a@b.co", "status": "approved"})

    assert validation_errors(errors) == {
        "password": ["This field is required"],
        "name": ["This field is required"],
        "status": ["This field is not allowed"],
    }


def test_validation_errors_strip_pydantic_prefixes() -> None:
    fields = validation_errors(powertools_errors(UpdateProfileRequest, {"avatarUrl": "javascript:x"}))

    assert fields == {"avatarUrl": ["Must be a valid http(s) URL"]}


def test_validation_errors_of_query_path_and_nested_locations() -> None:
    raw = [
        {"loc": ("query", "limit"), "type": "less_than_equal", "msg": "Input should be less than or equal to 100"},
        {"loc": ("path", "userId"), "type": "string_too_long", "msg": "String should have at most 64 characters"},
        {"loc": ("body", "items", 0, "qty"), "type": "int_parsing", "msg": "Input should be a valid integer"},
        {"loc": ("body", "function-register", "email"), "type": "missing", "msg": "Field required"},
        {"loc": ("body",), "type": "model_attributes_type", "msg": "Input should be an object"},
        {"loc": ("query", "limit"), "type": "x", "msg": "second message"},
    ]

    assert validation_errors(raw) == {
        "limit": ["Input should be less than or equal to 100", "second message"],
        "userId": ["String should have at most 64 characters"],
        "items.0.qty": ["Input should be a valid integer"],
        "email": ["This field is required"],
        "body": ["Input should be an object"],
    }


def test_validation_errors_never_echo_the_input() -> None:
    raw = powertools_errors(RegisterRequest, {"email": "a@b.co", "password": "hunter2", "name": "Ann"})

    assert "hunter2" not in str(validation_errors(raw))


def test_access_cookie_locally(configure: Callable[..., None]) -> None:
    cookie = str(access_cookie("tok", 900))

    assert cookie.startswith("access_token=tok")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Max-Age=900" in cookie
    assert "Secure" not in cookie  # plain http on localhost


def test_access_cookie_is_secure_when_deployed(configure: Callable[..., None]) -> None:
    configure(APP_ENV="prod", JWT_SECRET=None, AUTH_COOKIE_NAME="__Host-at")

    cookie = str(access_cookie("tok", 900))

    assert cookie.startswith("__Host-at=tok")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_clearing_cookie_expires_it() -> None:
    cookie = str(clear_access_cookie())

    assert cookie.startswith("access_token=;")
    assert "Max-Age=0" in cookie
