"""POST /api/v1/auth/login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from shared.clock import now_iso
from shared.errors import Unauthenticated
from shared.identity import auth, repository
from shared.identity.principal import ClientInfo
from shared.identity.schemas import LoginRequest

from tests.support.api import PASSWORD, Account, Api, assert_problem


def test_login_returns_user_and_a_new_session(api: Api, customer: Account) -> None:
    res = api.login(customer.email.upper())

    assert res.status == 200, res.body
    data = res.data
    assert data["user"]["id"] == customer.id
    assert data["user"]["lastLoginAt"]
    assert data["accessToken"] != customer.access_token
    assert data["refreshToken"] != customer.refresh_token
    # Two sessions now: the registration's and this one.
    sessions = api.call("GET", "/api/v1/auth/sessions", token=data["accessToken"]).data["items"]
    assert len(sessions) == 2


def test_login_sets_an_httponly_strict_cookie(api: Api, customer: Account) -> None:
    res = api.login(customer.email)

    cookie = res.cookie("access_token")
    assert cookie is not None
    assert cookie.startswith(f"access_token={res.data['accessToken']}")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/" in attributes
    assert any(part.startswith("max-age=") for part in attributes)


def test_wrong_password_and_unknown_email_are_the_same_401(api: Api, customer: Account) -> None:
    wrong = api.login(customer.email, "Wrong-passw0rd")
    unknown = api.login("nobody@example.com", PASSWORD)

    assert_problem(wrong, 401, "INVALID_CREDENTIALS")
    assert_problem(unknown, 401, "INVALID_CREDENTIALS")
    assert wrong.error["message"] == unknown.error["message"]
    assert wrong.cookies == unknown.cookies == []


def test_login_validation(api: Api) -> None:
    res = api.call("POST", "/api/v1/auth/login", {"email": "not-an-email", "password": ""})

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert set(error["errors"]) == {"email", "password"}


def test_overlong_password_is_refused_before_hashing(api: Api) -> None:
    res = api.login("someone@example.com", "x" * 600)

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert "password" in error["errors"]


def test_suspended_user_cannot_log_in(api: Api, customer: Account) -> None:
    user = repository.get_user(customer.id)
    assert user is not None
    repository.set_role_status(user, now_iso(), None, "suspended")

    res = api.login(customer.email)

    assert_problem(res, 403, "ACCOUNT_SUSPENDED")


def test_suspended_user_with_wrong_password_learns_nothing(api: Api, customer: Account) -> None:
    user = repository.get_user(customer.id)
    assert user is not None
    repository.set_role_status(user, now_iso(), None, "suspended")

    res = api.login(customer.email, "Wrong-passw0rd")

    assert_problem(res, 401, "INVALID_CREDENTIALS")


def test_pending_seller_cannot_log_in(api: Api) -> None:
    seller = api.register(role="seller")

    res = api.login(seller.email)

    assert_problem(res, 403, "ACCOUNT_PENDING")


def test_rejected_seller_cannot_log_in(api: Api) -> None:
    seller = api.register(role="seller")
    user = repository.get_user(seller.id)
    assert user is not None
    repository.set_role_status(user, now_iso(), None, "rejected")

    assert_problem(api.login(seller.email), 403, "ACCOUNT_REJECTED")


def test_login_rehashes_a_password_hashed_with_other_parameters(api: Api, customer: Account) -> None:
    # Given a password hash made with older (other) argon2 parameters
    old_hash = PasswordHasher(time_cost=3, memory_cost=19_456, parallelism=1).hash(PASSWORD)
    repository.set_password(customer.id, old_hash, now_iso())

    # When the user logs in
    res = api.login(customer.email)

    # Then the login works and the stored hash now uses today's parameters
    assert res.status == 200, res.body
    stored = repository.get_user(customer.id)
    assert stored is not None
    assert stored.password_hash != old_hash
    assert "$m=19456,t=2,p=1$" in stored.password_hash
    assert api.login(customer.email).status == 200


def test_login_rehashes_when_the_configured_parameters_change(
    api: Api, customer: Account, configure: Callable[..., None]
) -> None:
    configure(ARGON2_TIME_COST="3")

    assert api.login(customer.email).status == 200

    stored = repository.get_user(customer.id)
    assert stored is not None
    assert "$m=19456,t=3,p=1$" in stored.password_hash


def test_login_keeps_a_current_hash(api: Api, customer: Account) -> None:
    before = repository.get_user(customer.id)

    api.login(customer.email)

    after = repository.get_user(customer.id)
    assert before is not None
    assert after is not None
    assert after.password_hash == before.password_hash


@pytest.mark.usefixtures("aws")
def test_each_failed_login_raises_a_fresh_error() -> None:
    # A shared exception instance would carry the traceback (and with it the frames holding
    # the submitted password) of every earlier failure for the life of the Lambda container.
    request = LoginRequest(email="nobody@example.com", password="Whatever-1")
    raised: list[Unauthenticated] = []
    for _ in range(2):
        with pytest.raises(Unauthenticated) as info:
            auth.login(request, ClientInfo(ip="203.0.113.9"))
        raised.append(info.value)

    assert raised[0] is not raised[1]
    assert raised[1].code == "INVALID_CREDENTIALS"
