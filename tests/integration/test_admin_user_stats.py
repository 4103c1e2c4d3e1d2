"""Admin user search (name or email prefix) and statistics from counters kept with every
registration, role/status change and deletion."""

from __future__ import annotations

from typing import Any

from tests.support.api import Account, Api, assert_problem

USERS = "/api/v1/users"
STATS = "/api/v1/admin/users/stats"


def stats(api: Api, admin: Account) -> dict[str, Any]:
    res = api.call("GET", STATS, token=admin.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def search(api: Api, admin: Account, text: str, **query: str) -> list[str]:
    names: list[str] = []
    cursor: str | None = None
    while True:
        params = {"search": text, "limit": "2", **query, **({"cursor": cursor} if cursor else {})}
        res = api.call("GET", USERS, token=admin.access_token, query=params)
        assert res.status == 200, res.body
        names += [u["name"] for u in res.data["items"]]
        cursor = res.data["nextCursor"]
        if cursor is None:
            return names


def test_stats_follow_registrations_role_and_status_changes_and_deletions(api: Api, admin: Account) -> None:
    # Given the admin, two customers and a (pending) seller
    customers = [api.register(name=f"Customer {i}") for i in range(2)]
    seller = api.register(name="Sam Seller", role="seller")
    first = stats(api, admin)
    assert first == {
        "total": 4,
        "byRole": {"customer": 2, "seller": 1, "admin": 1},
        "byStatus": {"pending": 1, "approved": 3, "rejected": 0, "suspended": 0},
        "newLast7Days": 4,
        "newLast30Days": 4,
    }
    # When the seller is approved, a customer suspended and the other deleted
    for user_id, change in ((seller.id, {"status": "approved"}), (customers[0].id, {"status": "suspended"})):
        assert api.call("PATCH", f"{USERS}/{user_id}", change, token=admin.access_token).status == 200
    assert api.call("DELETE", f"{USERS}/{customers[1].id}", token=admin.access_token).status == 202
    # Then the counters say so
    after = stats(api, admin)
    assert after["total"] == 3
    assert after["byRole"] == {"customer": 1, "seller": 1, "admin": 1}
    assert after["byStatus"] == {"pending": 0, "approved": 2, "rejected": 0, "suspended": 1}
    assert (after["newLast7Days"], after["newLast30Days"]) == (3, 3)
    # Only admins
    assert_problem(api.call("GET", STATS, token=seller.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(api.call("GET", STATS), 401, "NO_TOKEN")


def test_search_by_name_or_email_prefix(api: Api, admin: Account) -> None:
    api.register("zed@example.com", name="Anna Alpha")
    api.register("anna.b@example.com", name="Bella Beta")
    api.register("other@example.com", name="annabel Gamma", role="seller")
    api.register("nobody@example.com", name="Nobody")
    # Name matches first (case-insensitive), then email-only matches, each once
    assert search(api, admin, "ANNA") == ["Anna Alpha", "annabel Gamma", "Bella Beta"]
    assert search(api, admin, "anna", role="seller") == ["annabel Gamma"]
    assert search(api, admin, "nob") == ["Nobody"]
    assert search(api, admin, "zzz") == []
    res = api.call("GET", USERS, token=admin.access_token, query={"search": "anna"})
    assert [u["name"] for u in res.data["items"]] == ["Anna Alpha", "annabel Gamma", "Bella Beta"]
