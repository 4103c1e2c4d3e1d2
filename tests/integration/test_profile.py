"""GET/PATCH /api/v1/users/me."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem

ME = "/api/v1/users/me"


def patch(api: Api, account: Account, body: Any) -> Any:
    return api.call("PATCH", ME, body, token=account.access_token)


def test_get_own_profile(api: Api, customer: Account) -> None:
    res = api.call("GET", ME, token=customer.access_token)

    assert res.status == 200
    assert res.data == customer.user


def test_profile_needs_a_token(api: Api) -> None:
    assert_problem(api.call("GET", ME), 401, "NO_TOKEN")
    assert_problem(api.call("PATCH", ME, {"name": "Someone"}), 401, "NO_TOKEN")


def test_update_name_avatar_and_username(api: Api, customer: Account) -> None:
    res = patch(api, customer, {"name": "Carla  C.", "avatarUrl": "https://cdn.test/a.png", "username": "carla_c"})

    assert res.status == 200, res.body
    user = res.data
    assert user["name"] == "Carla C."
    assert user["avatarUrl"] == "https://cdn.test/a.png"
    assert user["username"] == "carla_c"
    assert user["updatedAt"] >= customer.user["updatedAt"]
    assert api.call("GET", ME, token=customer.access_token).data == user


def test_partial_update_leaves_other_fields(api: Api, customer: Account) -> None:
    patch(api, customer, {"avatarUrl": "https://cdn.test/a.png"})

    user = patch(api, customer, {"name": "Only Name"}).data

    assert user["avatarUrl"] == "https://cdn.test/a.png"
    assert user["name"] == "Only Name"


def test_avatar_can_be_cleared(api: Api, customer: Account) -> None:
    patch(api, customer, {"avatarUrl": "https://cdn.test/a.png"})

    assert patch(api, customer, {"avatarUrl": None}).data["avatarUrl"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"role": "admin"},
        {"status": "approved"},
        {"email": "other@example.com"},
        {"emailVerified": True},
        {"password": "N3w-password"},
        {"name": "Fine Name", "role": "admin"},
    ],
)
def test_fields_the_user_may_not_set_are_refused(api: Api, customer: Account, body: dict[str, Any]) -> None:
    res = patch(api, customer, body)

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert set(error["errors"]) <= set(body) - {"name"}
    me = api.call("GET", ME, token=customer.access_token).data
    assert me["role"] == "customer"
    assert me["email"] == customer.email
    assert me["name"] == customer.user["name"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x"}, "name"),
        ({"username": "has space"}, "username"),
        ({"avatarUrl": "javascript:alert(1)"}, "avatarUrl"),
        ({"avatarUrl": "ftp://files.test/a.png"}, "avatarUrl"),
    ],
)
def test_invalid_values_are_400_per_field(api: Api, customer: Account, body: dict[str, Any], field: str) -> None:
    error = assert_problem(patch(api, customer, body), 400, "VALIDATION_ERROR")

    assert list(error["errors"]) == [field]


def test_empty_update_is_400(api: Api, customer: Account) -> None:
    assert_problem(patch(api, customer, {}), 400, "VALIDATION_ERROR")


def test_username_taken_is_409(api: Api, customer: Account) -> None:
    other = api.register()
    assert patch(api, other, {"username": "taken_name"}).status == 200

    assert_problem(patch(api, customer, {"username": "Taken_Name"}), 409, "USERNAME_TAKEN")


def test_username_taken_is_409_when_the_user_already_has_one(api: Api, customer: Account) -> None:
    # Given both users have a username
    other = api.register()
    assert patch(api, other, {"username": "taken_name"}).status == 200
    assert patch(api, customer, {"username": "my_name"}).status == 200

    # When the customer asks for the other's
    res = patch(api, customer, {"username": "taken_name"})

    # Then it is a conflict (not a server error) and the customer keeps their own
    assert_problem(res, 409, "USERNAME_TAKEN")
    assert api.call("GET", ME, token=customer.access_token).data["username"] == "my_name"


def test_changing_username_frees_the_old_one(api: Api, customer: Account) -> None:
    patch(api, customer, {"username": "first_choice"})
    patch(api, customer, {"username": "second_choice"})
    other = api.register()

    assert patch(api, other, {"username": "first_choice"}).status == 200
    assert_problem(patch(api, other, {"username": "second_choice"}), 409, "USERNAME_TAKEN")


def test_user_can_change_the_case_of_their_own_username(api: Api, customer: Account) -> None:
    patch(api, customer, {"username": "carla_c"})

    res = patch(api, customer, {"username": "Carla_C"})

    assert res.status == 200, res.body
    assert res.data["username"] == "Carla_C"
    # ... and it is still theirs.
    assert_problem(patch(api, api.register(), {"username": "carla_c"}), 409, "USERNAME_TAKEN")


def test_setting_the_same_username_again_is_fine(api: Api, customer: Account) -> None:
    patch(api, customer, {"username": "carla_c"})

    assert patch(api, customer, {"username": "carla_c"}).status == 200


@pytest.mark.parametrize("field", ["name", "username"])
def test_null_name_or_username_is_refused_not_ignored(api: Api, customer: Account, field: str) -> None:
    res = patch(api, customer, {field: None})

    problem = assert_problem(res, 400, "VALIDATION_ERROR")
    assert field in problem["errors"]
    assert api.call("GET", ME, token=customer.access_token).data == customer.user
