"""The platform keeps an admin: an admin account is deleted, suspended or demoted only by another
admin, and such a change commits only while that other admin still is one, so two admins acting
on each other at once cannot both succeed."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from shared.data.table import connection
from shared.errors import Forbidden
from shared.identity import counters, repository, users
from shared.identity.principal import Principal
from shared.identity.schemas import AdminUpdateUserRequest
from shared.lifecycle import repository as erasures

from tests.support.api import PASSWORD, Account, Api, assert_problem

ME = "/api/v1/users/me"
USERS = "/api/v1/users"


def second_admin(api: Api, admin: Account) -> Account:
    body = {"email": "bea-admin@example.com", "password": PASSWORD, "name": "Bea Admin", "role": "admin"}
    assert api.call("POST", USERS, body, token=admin.access_token).status == 201
    return api.login_account("bea-admin@example.com")


def signed_in(account: Account) -> Principal:
    """The caller as its request authenticated it (read before any other request commits)."""
    user = repository.get_user(account.id)
    assert user is not None
    return Principal(user=user, session_id="racing", token_expires_at=0)


def test_an_admin_cannot_delete_their_own_account(api: Api, admin: Account) -> None:
    before = counters.read()

    res = api.call("DELETE", ME, {"password": PASSWORD}, token=admin.access_token)

    # Then a 409 and nothing changed: the account works, no erasure, the counters stand
    assert_problem(res, 409, "ADMIN_SELF_CHANGE")
    assert api.me(admin.access_token).data["role"] == "admin"
    assert api.login(admin.email).status == 200
    assert erasures.get(admin.id) is None
    assert counters.read() == before


def test_another_admin_deletes_an_admin(api: Api, admin: Account) -> None:
    other = second_admin(api, admin)

    res = api.call("DELETE", f"{USERS}/{admin.id}", token=other.access_token)

    assert res.status == 202, res.body
    assert_problem(api.login(admin.email), 401, "INVALID_CREDENTIALS")
    assert api.me(other.access_token).data["role"] == "admin"


def test_put_on_oneself_changes_nothing_when_it_would_change_role_or_status(api: Api, admin: Account) -> None:
    res = api.call("PUT", f"{USERS}/{admin.id}", {"name": "New Name", "status": "suspended"}, token=admin.access_token)

    assert_problem(res, 403, "CANNOT_MODIFY_SELF")
    assert api.me(admin.access_token).data["name"] == "Ada Admin"


def test_two_admins_deleting_each_other_at_once_leave_one(api: Api, admin: Account) -> None:
    # Given two admins whose requests both authenticated before either committed
    other = second_admin(api, admin)
    ada, bea = signed_in(admin), signed_in(other)

    # When Bea's deletion of Ada commits first
    users.delete_user(bea, admin.id)

    # Then Ada's deletion of Bea is refused (Ada is no admin any more) and Bea stays
    with pytest.raises(Forbidden):
        users.delete_user(ada, other.id)
    assert api.me(other.access_token).data["role"] == "admin"
    assert erasures.get(other.id) is None


def test_two_admins_demoting_or_suspending_each_other_at_once_leave_one(api: Api, admin: Account) -> None:
    other = second_admin(api, admin)
    ada, bea = signed_in(admin), signed_in(other)

    users.admin_update_user(bea, admin.id, AdminUpdateUserRequest(role="customer"))

    with pytest.raises(Forbidden):
        users.admin_update_user(ada, other.id, AdminUpdateUserRequest(status="suspended"))
    assert api.me(other.access_token).data["status"] == "approved"
    assert counters.read()["by_role"]["admin"] == 1


def test_a_suspended_admins_deletion_in_flight_does_not_commit(api: Api, admin: Account, customer: Account) -> None:
    other = second_admin(api, admin)
    bea = signed_in(other)
    users.admin_update_user(signed_in(admin), other.id, AdminUpdateUserRequest(status="suspended"))

    with pytest.raises(Forbidden):
        users.delete_user(bea, customer.id)
    assert api.me(customer.access_token).status == 200


def test_a_transaction_cancelled_by_a_concurrent_one_is_a_409_to_retry(
    api: Api, admin: Account, customer: Account
) -> None:
    # Given DynamoDB cancels the deletion's transaction: another one was writing its items then
    def conflicted(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reasons = [{"Code": "None"}, {"Code": "TransactionConflict"}]
        error = {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}
        parsed = {"Error": error, "CancellationReasons": reasons, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse("https://dynamodb", 400, {}, None), parsed

    events = connection().client.meta.events
    events.register("before-call.dynamodb.TransactWriteItems", conflicted)
    try:
        res = api.call("DELETE", f"{USERS}/{customer.id}", token=admin.access_token)
    finally:
        events.unregister("before-call.dynamodb.TransactWriteItems", conflicted)

    # Then a 409 the caller can retry, and nothing changed
    assert_problem(res, 409, "USER_CHANGED")
    assert api.me(customer.access_token).status == 200
    assert api.call("DELETE", f"{USERS}/{customer.id}", token=admin.access_token).status == 202
