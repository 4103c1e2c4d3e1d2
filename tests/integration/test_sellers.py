"""Seller applications: pending at registration, reviewed by an admin (with emails), store profiles."""

from __future__ import annotations

import pytest

from tests.support.api import PASSWORD, Account, Api, assert_problem

ADMIN_SELLERS = "/api/v1/admin/sellers"


def test_application_approval_flow(api: Api, admin: Account) -> None:
    # Given a seller registered and is pending
    seller = api.register(role="seller", name="Sally Seller")
    assert seller.user["status"] == "pending"
    assert_problem(api.login(seller.email), 403, "ACCOUNT_PENDING")

    # When the admin lists pending applications, the seller is there
    pending = api.call("GET", ADMIN_SELLERS, query={"status": "pending"}, token=admin.access_token)
    assert pending.status == 200, pending.body
    assert [item["id"] for item in pending.data["items"]] == [seller.id]
    assert pending.data["items"][0]["email"] == seller.email

    # And approves it
    approved = api.call("POST", f"{ADMIN_SELLERS}/{seller.id}/approve", token=admin.access_token)
    assert approved.status == 200, approved.body
    assert approved.data["status"] == "approved"
    assert approved.data["reviewedAt"]

    # Then the seller can log in, the pending list is empty and an approval email was sent once
    assert api.login(seller.email).status == 200
    assert api.call("GET", ADMIN_SELLERS, query={"status": "pending"}, token=admin.access_token).data["items"] == []
    api.deliver_emails()
    mails = api.mails_to(seller.email, "Your Seller Account Has Been Approved!")
    assert len(mails) == 1
    assert "/dashboard/seller" in mails[0].text
    # And approving again is a conflict that sends nothing
    again = api.call("POST", f"{ADMIN_SELLERS}/{seller.id}/approve", token=admin.access_token)
    assert_problem(again, 409, "SELLER_NOT_PENDING")


def test_rejection_needs_a_reason_and_emails_it(api: Api, admin: Account) -> None:
    seller = api.register(role="seller")

    no_reason = api.call("POST", f"{ADMIN_SELLERS}/{seller.id}/reject", {}, token=admin.access_token)
    assert "reason" in assert_problem(no_reason, 400, "VALIDATION_ERROR")["errors"]
    rejected = api.call(
        "POST", f"{ADMIN_SELLERS}/{seller.id}/reject", {"reason": "Incomplete tax details"}, token=admin.access_token
    )
    assert rejected.status == 200, rejected.body
    assert rejected.data["status"] == "rejected"
    assert rejected.data["rejectionReason"] == "Incomplete tax details"

    api.deliver_emails()
    mails = api.mails_to(seller.email, "Seller Account Application Update")
    assert len(mails) == 1
    assert "Incomplete tax details" in mails[0].text
    # A rejected seller cannot sign in or use the API; an admin may still approve later
    assert_problem(api.login(seller.email), 403, "ACCOUNT_REJECTED")
    assert_problem(api.me(seller.access_token), 403, "ACCOUNT_REJECTED")
    assert_problem(
        api.call("POST", f"{ADMIN_SELLERS}/{seller.id}/reject", {"reason": "again"}, token=admin.access_token),
        409,
        "SELLER_NOT_PENDING",
    )
    assert api.call("POST", f"{ADMIN_SELLERS}/{seller.id}/approve", token=admin.access_token).status == 200
    assert api.login(seller.email).status == 200


def test_review_of_a_customer_or_unknown_id_is_404(api: Api, admin: Account, customer: Account) -> None:
    for target in (customer.id, "no-such-user"):
        assert_problem(
            api.call("POST", f"{ADMIN_SELLERS}/{target}/approve", token=admin.access_token), 404, "SELLER_NOT_FOUND"
        )
    assert customer.user["status"] == "approved"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ADMIN_SELLERS),
        ("POST", f"{ADMIN_SELLERS}/x/approve"),
        ("POST", f"{ADMIN_SELLERS}/x/reject"),
    ],
)
def test_review_routes_are_admin_only(api: Api, customer: Account, method: str, path: str) -> None:
    body = {"reason": "because"} if path.endswith("reject") else None
    assert_problem(api.call(method, path, body), 401, "NO_TOKEN")
    assert_problem(api.call(method, path, body, token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    seller = api.register(role="seller")
    assert_problem(api.call(method, path, body, token=seller.access_token), 403, "INSUFFICIENT_PERMISSIONS")


def test_store_profile(api: Api, admin: Account, customer: Account) -> None:
    seller = api.register(role="seller", name="Store Owner")

    # A pending seller may prepare the store profile
    empty = api.call("GET", "/api/v1/sellers/me", token=seller.access_token)
    assert empty.status == 200, empty.body
    assert empty.data["storeName"] is None
    body = {"storeName": "Owl Books", "description": "Second-hand books", "logoUrl": "https://cdn.test/owl.png"}
    updated = api.call("PATCH", "/api/v1/sellers/me", body, token=seller.access_token)
    assert updated.status == 200, updated.body
    assert updated.data["storeName"] == "Owl Books"

    # The public page exists only once approved, and shows no email or status
    assert_problem(api.call("GET", f"/api/v1/sellers/{seller.id}"), 404, "SELLER_NOT_FOUND")
    api.call("POST", f"{ADMIN_SELLERS}/{seller.id}/approve", token=admin.access_token)
    public = api.call("GET", f"/api/v1/sellers/{seller.id}")
    assert public.status == 200, public.body
    assert public.data == {
        "id": seller.id,
        "name": "Store Owner",
        "storeName": "Owl Books",
        "description": "Second-hand books",
        "logoUrl": "https://cdn.test/owl.png",
        "joinedAt": seller.user["createdAt"],
    }
    # Customers have no store; customers and unknown ids have no public page
    assert_problem(api.call("GET", "/api/v1/sellers/me", token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(api.call("GET", f"/api/v1/sellers/{customer.id}"), 404, "SELLER_NOT_FOUND")
    # Status, role and email are not the seller's to set; logoUrl must be a URL
    for bad in ({"status": "approved"}, {"email": "x@example.com"}, {"logoUrl": "javascript:alert(1)"}, {}):
        assert_problem(api.call("PATCH", "/api/v1/sellers/me", bad, token=seller.access_token), 400, "VALIDATION_ERROR")


def test_admin_list_pages_with_cursor(api: Api, admin: Account) -> None:
    sellers = [api.register(role="seller") for _ in range(3)]
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api.call("GET", ADMIN_SELLERS, query=query, token=admin.access_token)
        assert page.status == 200, page.body
        assert len(page.data["items"]) <= 2
        seen += [item["id"] for item in page.data["items"]]
        cursor = page.data["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(s.id for s in sellers)
    tampered = api.call("GET", ADMIN_SELLERS, query={"cursor": "abc.def"}, token=admin.access_token)
    assert_problem(tampered, 400, "INVALID_CURSOR")


def test_login_password_is_unchanged_by_review(api: Api, admin: Account) -> None:
    seller = api.register(role="seller", password=PASSWORD)
    api.call("POST", f"{ADMIN_SELLERS}/{seller.id}/approve", token=admin.access_token)
    assert api.login(seller.email, PASSWORD).status == 200
