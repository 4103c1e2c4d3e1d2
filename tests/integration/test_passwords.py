"""Change password, forgot/reset password."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from shared.clock import iso, now
from shared.identity import repository
from shared.security.secrets import token_digest

from tests.support.api import PASSWORD, Account, Api, ApiResponse, assert_problem, link_token
from tests.support.jobs import Jobs

CHANGE = "/api/v1/auth/change-password"
FORGOT = "/api/v1/auth/forgot-password"
RESET = "/api/v1/auth/reset-password"
NEW_PASSWORD = "Brand-new-passw0rd"
RESET_QUEUE = "JobsHighQueue"


def forgot(api: Api, email: str) -> ApiResponse:
    """Ask for a reset, then run the ``identity.password-reset`` job it enqueued (high priority)."""
    res = api.call("POST", FORGOT, {"email": email})
    assert Jobs(api).run(RESET_QUEUE) == {"delivered": 1, "failed": 0}
    return res


def request_reset(api: Api, email: str) -> str:
    """Ask for a reset link and read the token out of the email the worker sends."""
    api.queued_emails()  # forget the registration emails
    res = forgot(api, email)
    assert res.status == 202, res.body
    assert api.deliver_emails() == {"batchItemFailures": []}
    mails = api.mails_to(email, "Password Reset Request")
    assert mails, api.outbox
    return link_token(mails[-1].text)


# ---- change password ----------------------------------------------------------------------


def test_wrong_current_password_is_400(api: Api, customer: Account) -> None:
    res = api.call(
        "POST", CHANGE, {"currentPassword": "Not-my-passw0rd", "newPassword": NEW_PASSWORD}, token=customer.access_token
    )

    error = assert_problem(res, 400, "INVALID_CURRENT_PASSWORD")
    assert "currentPassword" in error["errors"]
    assert api.login(customer.email).status == 200


def test_change_password_signs_out_other_sessions_only(api: Api, customer: Account) -> None:
    # Given two more sessions of the same user
    laptop = api.login_account(customer.email)
    phone = api.login_account(customer.email)
    api.queued_emails()

    # When the password is changed from the laptop
    res = api.call(
        "POST", CHANGE, {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, token=laptop.access_token
    )

    # Then the laptop stays signed in, every other session is ended
    assert res.status == 200, res.body
    assert "2 other session(s)" in res.data["message"]
    assert api.me(laptop.access_token).status == 200
    assert_problem(api.me(phone.access_token), 401, "SESSION_REVOKED")
    assert_problem(api.me(customer.access_token), 401, "SESSION_REVOKED")
    assert api.call("POST", "/api/v1/auth/refresh", {"refreshToken": phone.refresh_token}).status == 401
    # ... the new password is the one that works
    assert_problem(api.login(customer.email), 401, "INVALID_CREDENTIALS")
    assert api.login(customer.email, NEW_PASSWORD).status == 200
    # ... and a password_changed email is queued
    assert [m["template"] for m in api.queued_emails()] == ["password_changed"]


def test_new_password_must_follow_the_policy(api: Api, customer: Account) -> None:
    res = api.call("POST", CHANGE, {"currentPassword": PASSWORD, "newPassword": "weak"}, token=customer.access_token)

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert list(error["errors"]) == ["newPassword"]


def test_new_password_must_differ(api: Api, customer: Account) -> None:
    res = api.call("POST", CHANGE, {"currentPassword": PASSWORD, "newPassword": PASSWORD}, token=customer.access_token)

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert "newPassword" in error["errors"]


def test_change_password_needs_a_token(api: Api) -> None:
    res = api.call("POST", CHANGE, {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})

    assert_problem(res, 401, "NO_TOKEN")


# ---- forgot / reset -----------------------------------------------------------------------


def test_forgot_is_the_same_202_for_unknown_email_and_queues_nothing(api: Api, customer: Account) -> None:
    api.queued_emails()

    unknown = forgot(api, "nobody@example.com")
    known = forgot(api, customer.email)

    assert unknown.status == known.status == 202
    assert unknown.data == known.data
    queued = api.queued_emails()
    assert [(m["template"], m["to"]) for m in queued] == [("password_reset", customer.email)]


def test_forgot_validates_the_email(api: Api) -> None:
    assert_problem(api.call("POST", FORGOT, {"email": "nope"}), 400, "VALIDATION_ERROR")


def test_reset_link_in_the_email_resets_the_password_once(api: Api, customer: Account) -> None:
    other_session = api.login_account(customer.email)
    token = request_reset(api, customer.email)

    res = api.call("POST", RESET, {"token": token, "password": NEW_PASSWORD})

    assert res.status == 200, res.body
    # Every session ends; only the new password works
    assert_problem(api.me(customer.access_token), 401, "SESSION_REVOKED")
    assert_problem(api.me(other_session.access_token), 401, "SESSION_REVOKED")
    assert_problem(api.login(customer.email), 401, "INVALID_CREDENTIALS")
    assert api.login(customer.email, NEW_PASSWORD).status == 200
    # The token is single use
    again = api.call("POST", RESET, {"token": token, "password": "Another-passw0rd"})
    assert_problem(again, 400, "INVALID_RESET_TOKEN")
    assert api.login(customer.email, NEW_PASSWORD).status == 200


def test_reset_email_text_carries_the_link(api: Api, customer: Account) -> None:
    token = request_reset(api, customer.email)

    mail = api.mails_to(customer.email, "Password Reset Request")[-1]
    assert "https://app.test/reset-password?token=" in mail.text
    assert "10 minutes" in mail.text
    assert token in mail.html
    assert mail.source == "no-reply@example.com"


def test_reset_sends_a_password_changed_email(api: Api, customer: Account) -> None:
    token = request_reset(api, customer.email)

    api.call("POST", RESET, {"token": token, "password": NEW_PASSWORD})

    assert [m["template"] for m in api.queued_emails()] == ["password_changed"]


def test_expired_reset_token_is_400(api: Api, customer: Account) -> None:
    # Given a token whose expiry has passed
    token = request_reset(api, customer.email)
    repository.set_reset_token(customer.id, token_digest(token), iso(now() - timedelta(seconds=1)), [], job_id="t")

    res = api.call("POST", RESET, {"token": token, "password": NEW_PASSWORD})

    assert_problem(res, 400, "INVALID_RESET_TOKEN")
    assert api.login(customer.email).status == 200


def test_reset_token_expires_after_ten_minutes(api: Api, customer: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    token = request_reset(api, customer.email)
    later = now() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr("shared.identity.auth.now_iso", lambda: iso(later))

    assert_problem(api.call("POST", RESET, {"token": token, "password": NEW_PASSWORD}), 400, "INVALID_RESET_TOKEN")


def test_a_second_request_invalidates_the_first_token(api: Api, customer: Account) -> None:
    first = request_reset(api, customer.email)
    second = request_reset(api, customer.email)

    assert first != second
    assert_problem(api.call("POST", RESET, {"token": first, "password": NEW_PASSWORD}), 400, "INVALID_RESET_TOKEN")
    assert api.call("POST", RESET, {"token": second, "password": NEW_PASSWORD}).status == 200


def test_changing_the_password_invalidates_a_pending_reset_token(api: Api, customer: Account) -> None:
    token = request_reset(api, customer.email)
    api.call("POST", CHANGE, {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, token=customer.access_token)

    assert_problem(
        api.call("POST", RESET, {"token": token, "password": "Another-passw0rd"}), 400, "INVALID_RESET_TOKEN"
    )


def test_a_token_for_one_user_cannot_reset_another(api: Api, customer: Account) -> None:
    victim = api.register()
    token = request_reset(api, customer.email)
    secret = token.split(".", 1)[1]

    res = api.call("POST", RESET, {"token": f"{victim.id}.{secret}", "password": NEW_PASSWORD})

    assert_problem(res, 400, "INVALID_RESET_TOKEN")
    assert api.login(victim.email).status == 200


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "01abc.secret", "01abc.secret\n"])
def test_malformed_reset_tokens_are_400(api: Api, token: str) -> None:
    assert_problem(api.call("POST", RESET, {"token": token, "password": NEW_PASSWORD}), 400, "INVALID_RESET_TOKEN")


def test_reset_password_follows_the_policy(api: Api) -> None:
    error = assert_problem(api.call("POST", RESET, {"token": "a.b", "password": "weak"}), 400, "VALIDATION_ERROR")

    assert list(error["errors"]) == ["password"]


def test_suspended_user_gets_no_reset_email(api: Api, customer: Account, admin: Account) -> None:
    api.call("PATCH", f"/api/v1/users/{customer.id}", {"status": "suspended"}, token=admin.access_token)
    api.queued_emails()

    res = forgot(api, customer.email)

    assert res.status == 202
    assert api.queued_emails() == []


@pytest.mark.usefixtures("clock")
def test_wrong_current_passwords_are_rate_limited_like_logins(
    api: Api, customer: Account, configure: Callable[..., None]
) -> None:
    # Given a stolen access token used to guess the current password
    configure(RATE_LOGIN_EMAIL="2/3600")
    guess = {"currentPassword": "Guess-passw0rd", "newPassword": NEW_PASSWORD}
    for _ in range(2):
        assert_problem(api.call("POST", CHANGE, guess, token=customer.access_token), 400, "INVALID_CURRENT_PASSWORD")

    # Then the guessing stops, even with the right password, and logins of the account too
    right = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    res = api.call("POST", CHANGE, right, token=customer.access_token)
    assert_problem(res, 429, "RATE_LIMITED")
    assert res.headers["retry-after"] == "3500"
    assert_problem(api.login(customer.email), 429, "RATE_LIMITED")
