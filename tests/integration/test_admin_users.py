"""Admin user management: GET /api/v1/users, GET/PATCH/DELETE /api/v1/users/{id}."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem

USERS = "/api/v1/users"


def list_users(api: Api, admin: Account, **query: Any) -> Any:
    return api.call("GET", USERS, token=admin.access_token, query={k: str(v) for k, v in query.items()})


def all_pages(api: Api, admin: Account, **query: Any) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        res = list_users(api, admin, **query, **({"cursor": cursor} if cursor else {}))
        assert res.status == 200, res.body
        pages.append(res.data["items"])
        cursor = res.data["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20, "paging does not end"


def seed(api: Api) -> dict[str, list[Account]]:
    """Three customers and two (pending) sellers, besides the admin."""
    return {
        "customer": [api.register(name=f"Customer {i}") for i in range(3)],
        "seller": [api.register(name=f"Seller {i}", role="seller") for i in range(2)],
    }


def test_list_pages_have_exact_sizes_and_cover_everyone_once(api: Api, admin: Account) -> None:
    accounts = seed(api)

    pages = all_pages(api, admin, limit=2)

    # 6 users (5 + admin) in pages of 2: 2, 2, 2 and no empty fourth page
    assert [len(page) for page in pages] == [2, 2, 2]
    ids = [user["id"] for page in pages for user in page]
    expected = {a.id for group in accounts.values() for a in group} | {admin.id}
    assert len(ids) == len(set(ids)) == 6
    assert set(ids) == expected
    # newest first
    created = [user["createdAt"] for page in pages for user in page]
    assert created == sorted(created, reverse=True)


def test_default_limit_and_envelope(api: Api, admin: Account) -> None:
    res = list_users(api, admin)

    assert res.status == 200
    assert set(res.data) == {"items", "nextCursor"}
    assert res.data["nextCursor"] is None
    assert [u["id"] for u in res.data["items"]] == [admin.id]


def test_filter_by_role(api: Api, admin: Account) -> None:
    accounts = seed(api)

    pages = all_pages(api, admin, role="seller", limit=1)

    assert [len(page) for page in pages] == [1, 1]
    assert {u["id"] for page in pages for u in page} == {a.id for a in accounts["seller"]}


def test_filter_by_status(api: Api, admin: Account) -> None:
    accounts = seed(api)

    pending = [u for page in all_pages(api, admin, status="pending") for u in page]
    approved = [u for page in all_pages(api, admin, status="approved", limit=2) for u in page]

    assert {u["id"] for u in pending} == {a.id for a in accounts["seller"]}
    assert len(approved) == 4


def test_filter_by_role_and_status(api: Api, admin: Account) -> None:
    accounts = seed(api)
    seller = accounts["seller"][0]
    api.call("PATCH", f"{USERS}/{seller.id}", {"status": "approved"}, token=admin.access_token)

    approved_sellers = [u for page in all_pages(api, admin, role="seller", status="approved", limit=1) for u in page]
    pending_sellers = [u for page in all_pages(api, admin, role="seller", status="pending", limit=1) for u in page]

    assert [u["id"] for u in approved_sellers] == [seller.id]
    assert [u["id"] for u in pending_sellers] == [accounts["seller"][1].id]


def test_status_change_moves_the_user_between_filtered_lists(api: Api, admin: Account, customer: Account) -> None:
    api.call("PATCH", f"{USERS}/{customer.id}", {"status": "suspended"}, token=admin.access_token)

    suspended = list_users(api, admin, status="suspended").data["items"]
    customers = list_users(api, admin, role="customer").data["items"]

    assert [u["id"] for u in suspended] == [customer.id]
    assert [u["status"] for u in customers] == ["suspended"]


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "-1"}, {"limit": "ten"}, {"role": "root"}, {"status": "deleted"}],
)
def test_invalid_query_is_400(api: Api, admin: Account, query: dict[str, str]) -> None:
    res = api.call("GET", USERS, token=admin.access_token, query=query)

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert list(error["errors"]) == list(query)


def test_limit_100_is_allowed(api: Api, admin: Account) -> None:
    assert list_users(api, admin, limit=100).status == 200


def test_tampered_cursor_is_400(api: Api, admin: Account) -> None:
    seed(api)
    cursor = list_users(api, admin, limit=2).data["nextCursor"]
    payload, _, mac = cursor.partition(".")

    for bad in (
        cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
        f"{payload}x.{mac}",
        "garbage",
        f"{cursor}.extra",
        "x.é",
        "é",
    ):
        error = assert_problem(list_users(api, admin, limit=2, cursor=bad), 400, "INVALID_CURSOR")
        assert error["errors"] == {"cursor": ["is invalid"]}


def test_cursor_of_another_listing_is_400(api: Api, admin: Account) -> None:
    seed(api)
    cursor = list_users(api, admin, limit=1).data["nextCursor"]

    res = list_users(api, admin, limit=1, role="customer", cursor=cursor)

    assert_problem(res, 400, "INVALID_CURSOR")


def test_get_one_user(api: Api, admin: Account, customer: Account) -> None:
    res = api.call("GET", f"{USERS}/{customer.id}", token=admin.access_token)

    assert res.status == 200
    assert res.data == customer.user


def test_non_admin_is_403_on_every_admin_route_and_anonymous_401(api: Api, customer: Account) -> None:
    victim = api.register()
    routes: list[tuple[str, str, Any]] = [
        ("GET", USERS, None),
        ("GET", f"{USERS}/{victim.id}", None),
        ("PATCH", f"{USERS}/{victim.id}", {"status": "suspended"}),
        ("DELETE", f"{USERS}/{victim.id}", None),
    ]
    for method, path, body in routes:
        assert_problem(api.call(method, path, body, token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
        assert_problem(api.call(method, path, body), 401, "NO_TOKEN")
    # Nothing happened to the victim.
    assert api.me(victim.access_token).data["status"] == "approved"


def test_seller_is_not_admin_either(api: Api, admin: Account) -> None:
    seller = api.register(role="seller")
    api.call("PATCH", f"{USERS}/{seller.id}", {"status": "approved"}, token=admin.access_token)

    assert_problem(api.call("GET", USERS, token=seller.access_token), 403, "INSUFFICIENT_PERMISSIONS")


def test_suspension_takes_effect_on_the_very_next_request(api: Api, admin: Account, customer: Account) -> None:
    # Given a signed-in customer
    assert api.me(customer.access_token).status == 200

    # When an admin suspends them
    res = api.call(
        "PATCH", f"{USERS}/{customer.id}", {"status": "suspended", "reason": "abuse"}, token=admin.access_token
    )

    # Then their next request, with a still-unexpired token, is refused; so is logging in
    assert res.status == 200, res.body
    assert res.data["status"] == "suspended"
    assert_problem(api.me(customer.access_token), 403, "ACCOUNT_SUSPENDED")
    assert_problem(api.call("GET", "/api/v1/users/me", token=customer.access_token), 403, "ACCOUNT_SUSPENDED")
    assert_problem(api.login(customer.email), 403, "ACCOUNT_SUSPENDED")
    # ... until an admin lifts it
    api.call("PATCH", f"{USERS}/{customer.id}", {"status": "approved"}, token=admin.access_token)
    assert api.me(customer.access_token).status == 200


def test_approving_a_pending_seller_lets_them_log_in(api: Api, admin: Account) -> None:
    seller = api.register(role="seller")
    assert_problem(api.login(seller.email), 403, "ACCOUNT_PENDING")

    api.call("PATCH", f"{USERS}/{seller.id}", {"status": "approved"}, token=admin.access_token)

    assert api.login(seller.email).status == 200


def test_admin_cannot_change_own_role_or_status(api: Api, admin: Account) -> None:
    for body in ({"role": "customer"}, {"status": "suspended"}):
        res = api.call("PATCH", f"{USERS}/{admin.id}", body, token=admin.access_token)
        assert_problem(res, 403, "CANNOT_MODIFY_SELF")
    assert api.me(admin.access_token).data["role"] == "admin"


def test_role_change_takes_effect_at_once(api: Api, admin: Account, customer: Account) -> None:
    assert api.call("GET", USERS, token=customer.access_token).status == 403

    res = api.call("PATCH", f"{USERS}/{customer.id}", {"role": "admin"}, token=admin.access_token)

    assert res.data["role"] == "admin"
    assert api.call("GET", USERS, token=customer.access_token).status == 200
    # and back
    api.call("PATCH", f"{USERS}/{customer.id}", {"role": "customer"}, token=admin.access_token)
    assert api.call("GET", USERS, token=customer.access_token).status == 403


@pytest.mark.parametrize(
    "body", [{}, {"role": "superuser"}, {"status": "deleted"}, {"email": "x@example.com"}, {"reason": "r" * 501}]
)
def test_invalid_admin_update_is_400(api: Api, admin: Account, customer: Account, body: dict[str, Any]) -> None:
    res = api.call("PATCH", f"{USERS}/{customer.id}", body, token=admin.access_token)

    assert_problem(res, 400, "VALIDATION_ERROR")


def test_update_of_unknown_user_is_404(api: Api, admin: Account) -> None:
    res = api.call("PATCH", f"{USERS}/01nosuchuser", {"status": "suspended"}, token=admin.access_token)

    assert_problem(res, 404, "USER_NOT_FOUND")


def test_delete_user(api: Api, admin: Account, customer: Account) -> None:
    api.call("PATCH", "/api/v1/users/me", {"username": "carla"}, token=customer.access_token)

    res = api.call("DELETE", f"{USERS}/{customer.id}", token=admin.access_token)

    # The account is gone, and with it every session; its erasure job follows
    assert res.status == 202, res.body
    assert res.data["userId"] == customer.id
    assert res.data["status"] == "erasing"
    assert_problem(api.me(customer.access_token), 401, "USER_NOT_FOUND")
    assert_problem(
        api.call("POST", "/api/v1/auth/refresh", {"refreshToken": customer.refresh_token}), 401, "INVALID_REFRESH_TOKEN"
    )
    assert_problem(api.login(customer.email), 401, "INVALID_CREDENTIALS")
    assert_problem(api.call("GET", f"{USERS}/{customer.id}", token=admin.access_token), 404, "USER_NOT_FOUND")
    assert_problem(api.call("DELETE", f"{USERS}/{customer.id}", token=admin.access_token), 404, "USER_NOT_FOUND")
    # Its email and username are free again
    again = api.register(customer.email)
    assert again.id != customer.id
    assert api.call("PATCH", "/api/v1/users/me", {"username": "carla"}, token=again.access_token).status == 200
    assert customer.id not in {u["id"] for u in list_users(api, admin).data["items"]}


def test_admin_cannot_delete_self(api: Api, admin: Account) -> None:
    assert_problem(api.call("DELETE", f"{USERS}/{admin.id}", token=admin.access_token), 403, "CANNOT_MODIFY_SELF")


def test_an_admin_creates_a_user_who_can_sign_in(api: Api, admin: Account) -> None:
    body = {"email": " New.Person@Example.com ", "password": "Str0ng-pass", "name": "New Person", "role": "seller"}
    res = api.call("POST", USERS, body, token=admin.access_token)

    assert res.status == 201, res.body
    assert res.data["email"] == "new.person@example.com"
    assert res.data["role"] == "seller"
    assert res.data["status"] == "approved"
    assert api.login("new.person@example.com", "Str0ng-pass").status == 200
    assert_problem(api.call("POST", USERS, body, token=admin.access_token), 409, "USER_EXISTS")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x@example.com", "password": "short", "name": "Xx"},
        {"email": "not-an-email", "password": "Str0ng-pass", "name": "Xx"},
        {"email": "x@example.com", "password": "Str0ng-pass", "name": "Xx", "role": "root"},
    ],
)
def test_admin_create_applies_the_registration_rules(api: Api, admin: Account, body: dict[str, Any]) -> None:
    assert_problem(api.call("POST", USERS, body, token=admin.access_token), 400, "VALIDATION_ERROR")


def test_only_admins_create_or_put_users(api: Api, customer: Account) -> None:
    body = {"email": "y@example.com", "password": "Str0ng-pass", "name": "Yy"}
    assert api.call("POST", USERS, body, token=customer.access_token).status == 403
    assert api.call("PUT", f"{USERS}/{customer.id}", {"name": "Me"}, token=customer.access_token).status == 403


def test_put_updates_a_user_partially(api: Api, admin: Account, customer: Account) -> None:
    renamed = api.call("PUT", f"{USERS}/{customer.id}", {"name": "Renamed Person"}, token=admin.access_token)
    assert renamed.status == 200, renamed.body
    assert renamed.data["name"] == "Renamed Person"
    assert renamed.data["role"] == "customer"

    suspended = api.call("PUT", f"{USERS}/{customer.id}", {"status": "suspended"}, token=admin.access_token)
    assert suspended.data["status"] == "suspended"
    assert suspended.data["name"] == "Renamed Person"
    assert_problem(
        api.call("PUT", f"{USERS}/{admin.id}", {"role": "customer"}, token=admin.access_token),
        403,
        "CANNOT_MODIFY_SELF",
    )
    assert_problem(
        api.call("PUT", f"{USERS}/nobody", {"name": "Ghost"}, token=admin.access_token), 404, "USER_NOT_FOUND"
    )
    assert_problem(api.call("PUT", f"{USERS}/{customer.id}", {}, token=admin.access_token), 400, "VALIDATION_ERROR")
