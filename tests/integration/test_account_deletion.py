"""Deleting an account: ``DELETE /api/v1/users/me`` {password} and the admin's
``DELETE /api/v1/users/{id}``. From the 202 on, nothing of the account signs in or authenticates,
its address can register again, a confirmation email goes out, and its erasure job is owed."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from shared.identity import counters
from shared.lifecycle import repository as erasures
from shared.lifecycle.jobs import ERASE

from tests.support.api import PASSWORD, Account, Api, ApiResponse, assert_problem
from tests.support.clock import Clock

ME = "/api/v1/users/me"
USERS = "/api/v1/users"
JOBS = "/api/v1/admin/jobs"


def delete_me(api: Api, account: Account, password: str | None = PASSWORD) -> ApiResponse:
    body = {} if password is None else {"password": password}
    return api.call("DELETE", ME, body, token=account.access_token)


def assert_account_is_dead(api: Api, account: Account) -> None:
    assert_problem(api.me(account.access_token), 401, "USER_NOT_FOUND")
    assert_problem(api.call("GET", ME, token=account.access_token), 401, "USER_NOT_FOUND")
    refreshed = api.call("POST", "/api/v1/auth/refresh", {"refreshToken": account.refresh_token})
    assert_problem(refreshed, 401, "INVALID_REFRESH_TOKEN")
    assert_problem(api.login(account.email), 401, "INVALID_CREDENTIALS")


def test_a_user_deletes_their_account_with_their_password(api: Api, admin: Account) -> None:
    account = api.register(name="Dora Deleted")
    api.call("PATCH", ME, {"username": "dora"}, token=account.access_token)
    second = api.login_account(account.email)
    before = counters.read()

    res = api.call("DELETE", ME, {"password": PASSWORD}, token=account.access_token)

    assert res.status == 202, res.body
    assert res.data == {"userId": account.id, "jobId": res.data["jobId"], "status": "erasing"}
    # Every token of every session is refused at once; so is the password
    assert_account_is_dead(api, account)
    assert_problem(api.me(second.access_token), 401, "USER_NOT_FOUND")
    # The admin sees no such user, and the counters moved with it
    assert_problem(api.call("GET", f"{USERS}/{account.id}", token=admin.access_token), 404, "USER_NOT_FOUND")
    after = counters.read()
    assert after["total"] == before["total"] - 1
    assert after["by_role"]["customer"] == before["by_role"]["customer"] - 1
    # The erasure record and its job, findable by type in the admin jobs API
    record = erasures.get(account.id)
    assert record is not None
    assert (record.role, record.requested_by, record.status, record.job_id) == (
        "customer",
        "self",
        "erasing",
        res.data["jobId"],
    )
    listed = api.call("GET", JOBS, token=admin.access_token, query={"type": ERASE}).data["items"]
    assert [(job["id"], job["payload"]) for job in listed] == [(res.data["jobId"], {"userId": account.id, "part": 1})]
    # The confirmation email
    api.deliver_emails()
    (mail,) = api.mails_to(account.email, "Your Platform account was deleted")
    assert "Dora Deleted" in mail.text
    # The address and the username can be used again, by a new account
    again = api.register(account.email)
    assert again.id != account.id
    assert api.call("PATCH", ME, {"username": "dora"}, token=again.access_token).status == 200


@pytest.mark.parametrize(
    ("password", "status", "code"),
    [("Wr0ng-password", 401, "INVALID_PASSWORD"), (None, 400, "VALIDATION_ERROR"), ("", 400, "VALIDATION_ERROR")],
)
def test_a_wrong_or_missing_password_changes_nothing(
    api: Api, customer: Account, password: str | None, status: int, code: str
) -> None:
    before = counters.read()

    assert_problem(delete_me(api, customer, password), status, code)

    assert api.me(customer.access_token).status == 200
    assert api.login(customer.email).status == 200
    assert erasures.get(customer.id) is None
    assert counters.read() == before
    api.deliver_emails()
    assert api.mails_to(customer.email, "Your Platform account was deleted") == []


def test_wrong_passwords_count_as_failed_sign_ins(
    api: Api, customer: Account, configure: Callable[..., None], clock: Clock
) -> None:
    configure(RATE_LOGIN_EMAIL="2/900")

    assert_problem(delete_me(api, customer, "Wr0ng-password"), 401, "INVALID_PASSWORD")
    assert_problem(delete_me(api, customer, "Wr0ng-password"), 401, "INVALID_PASSWORD")

    # Locked like the sign-in: even the right password is refused until the window ends
    assert_problem(delete_me(api, customer), 429, "RATE_LIMITED")
    assert api.me(customer.access_token).status == 200


def test_an_admin_deletes_an_account(api: Api, admin: Account) -> None:
    seller = api.register(name="Sam Seller", role="seller")

    res = api.call("DELETE", f"{USERS}/{seller.id}", token=admin.access_token)

    assert res.status == 202, res.body
    assert res.data["userId"] == seller.id
    assert res.data["status"] == "erasing"
    record = erasures.get(seller.id)
    assert record is not None
    assert (record.role, record.requested_by) == ("seller", admin.id)
    assert_account_is_dead(api, seller)
    # A second deletion finds no account
    assert_problem(api.call("DELETE", f"{USERS}/{seller.id}", token=admin.access_token), 404, "USER_NOT_FOUND")
    # The address registers again, as a new account
    assert api.register(seller.email).id != seller.id


def test_nobody_deletes_someone_else_but_an_admin(api: Api, admin: Account, customer: Account) -> None:
    other = api.register(name="Other Person")

    denied = api.call("DELETE", f"{USERS}/{other.id}", token=customer.access_token)

    assert_problem(denied, 403, "INSUFFICIENT_PERMISSIONS")
    assert api.me(other.access_token).status == 200
    assert api.call("DELETE", f"{USERS}/{other.id}").status == 401
    assert_problem(api.call("DELETE", ME, {"password": PASSWORD}), 401, "NO_TOKEN")


def test_an_admin_cannot_delete_themself_by_id_nor_an_unknown_account(api: Api, admin: Account) -> None:
    assert_problem(api.call("DELETE", f"{USERS}/{admin.id}", token=admin.access_token), 403, "CANNOT_MODIFY_SELF")
    assert_problem(api.call("DELETE", f"{USERS}/01nosuchuser", token=admin.access_token), 404, "USER_NOT_FOUND")
    assert api.me(admin.access_token).status == 200


def test_a_deleted_account_cannot_delete_again(api: Api, customer: Account) -> None:
    assert delete_me(api, customer).status == 202

    assert_problem(delete_me(api, customer), 401, "USER_NOT_FOUND")


def test_the_account_export_section_has_the_profile_and_sessions_and_no_secret(api: Api, customer: Account) -> None:
    from shared.lifecycle import registry

    api.login_account(customer.email)

    exported = registry.exporters()["account"](customer.id)

    assert exported["profile"]["id"] == customer.id
    assert exported["profile"]["email"] == customer.email
    assert len(exported["sessions"]) == 2
    assert set(exported["sessions"][0]) == {"createdAt", "lastUsedAt", "expiresAt", "device", "ipAddress"}
    assert exported["apiKeysCreated"] == []
    text = json.dumps(exported)
    assert "argon2" not in text
    assert "Hash" not in text
    assert registry.exporters()["account"]("01nosuchuser") is None
