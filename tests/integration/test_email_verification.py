"""POST /api/v1/auth/verify-email and /resend-verification."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import iso, now
from shared.identity import repository
from shared.security.secrets import token_digest

from tests.support.api import Account, Api, assert_problem, link_token

VERIFY = "/api/v1/auth/verify-email"
RESEND = "/api/v1/auth/resend-verification"


def verification_token(api: Api, account: Account) -> str:
    """Deliver the queued emails and read the token out of the newest verification email."""
    assert api.deliver_emails() == {"batchItemFailures": []}
    mails = api.mails_to(account.email, "Confirm your email address")
    assert mails, api.outbox
    assert "https://app.test/verify-email?token=" in mails[-1].text
    return link_token(mails[-1].text)


def test_token_from_the_verification_email_verifies(api: Api, customer: Account) -> None:
    token = verification_token(api, customer)

    res = api.call("POST", VERIFY, {"token": token})

    assert res.status == 200, res.body
    assert res.data["id"] == customer.id
    assert res.data["emailVerified"] is True
    assert api.me(customer.access_token).data["emailVerified"] is True


def test_verification_token_is_single_use(api: Api, customer: Account) -> None:
    token = verification_token(api, customer)
    api.call("POST", VERIFY, {"token": token})

    assert_problem(api.call("POST", VERIFY, {"token": token}), 400, "INVALID_VERIFICATION_TOKEN")


def test_expired_verification_token_is_400(api: Api, customer: Account) -> None:
    token = verification_token(api, customer)
    repository.set_verify_token(customer.id, token_digest(token), iso(now() - timedelta(seconds=1)))

    assert_problem(api.call("POST", VERIFY, {"token": token}), 400, "INVALID_VERIFICATION_TOKEN")
    assert api.me(customer.access_token).data["emailVerified"] is False


def test_unknown_or_malformed_tokens_are_400(api: Api, customer: Account) -> None:
    for token in ("garbage", f"{customer.id}.not-the-secret", "a.b.c"):
        assert_problem(api.call("POST", VERIFY, {"token": token}), 400, "INVALID_VERIFICATION_TOKEN")
    assert_problem(api.call("POST", VERIFY, {"token": ""}), 400, "VALIDATION_ERROR")


def test_resend_sends_a_new_token_and_retires_the_old(api: Api, customer: Account) -> None:
    first = verification_token(api, customer)

    res = api.call("POST", RESEND, token=customer.access_token)

    assert res.status == 202, res.body
    second = verification_token(api, customer)
    assert second != first
    assert_problem(api.call("POST", VERIFY, {"token": first}), 400, "INVALID_VERIFICATION_TOKEN")
    assert api.call("POST", VERIFY, {"token": second}).status == 200


def test_resend_when_already_verified_is_409(api: Api, customer: Account) -> None:
    api.call("POST", VERIFY, {"token": verification_token(api, customer)})

    assert_problem(api.call("POST", RESEND, token=customer.access_token), 409, "ALREADY_VERIFIED")


def test_resend_needs_a_token(api: Api) -> None:
    assert_problem(api.call("POST", RESEND), 401, "NO_TOKEN")
