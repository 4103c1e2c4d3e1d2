"""Sellers, categories and uploads over HTTP on the local stack."""

from __future__ import annotations

import uuid

import pytest
import requests

from devstack.httpclient import Client
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from tests.e2e.conftest import eventually
from tests.e2e.test_local_stack import PASSWORD, emails_to, register, unique_email

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def admin_token(api: Client) -> str:
    res = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
    assert res.status == 200, res.body
    return str(res.data["accessToken"])


def test_seller_application_is_approved_with_an_email(api: Client) -> None:
    email = unique_email("seller")
    seller = register(api, email, role="seller")
    assert api("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}).error["code"] == "ACCOUNT_PENDING"
    token = admin_token(api)

    pending = api("GET", "/api/v1/admin/sellers?status=pending&limit=100", token=token)
    assert seller["user"]["id"] in [item["id"] for item in pending.data["items"]]
    assert api("POST", f"/api/v1/admin/sellers/{seller['user']['id']}/approve", token=token).status == 200

    approved = eventually(lambda: [m for m in emails_to(api, email) if "Approved" in m["subject"]])
    assert len(approved) == 1
    assert api("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}).status == 200
    assert api("GET", f"/api/v1/sellers/{seller['user']['id']}").status == 200


def test_categories_are_admin_managed_and_public(api: Client) -> None:
    token = admin_token(api)
    name = f"Cat {uuid.uuid4().hex[:6]}"
    created = api("POST", "/api/v1/categories", {"name": name}, token=token)
    assert created.status == 201, created.body
    slug = created.data["slug"]
    assert api("GET", f"/api/v1/categories/{slug}").data["id"] == created.data["id"]
    customer = register(api, unique_email())
    denied = api("POST", "/api/v1/categories", {"name": "Nope"}, token=customer["accessToken"])
    assert denied.status == 403


def test_an_image_uploads_straight_to_the_returned_url(api: Client) -> None:
    customer = register(api, unique_email())
    body = {"purpose": "avatar", "contentType": "image/png", "contentLength": len(PNG)}
    ticket = api("POST", "/api/v1/uploads", body, token=customer["accessToken"])
    assert ticket.status == 201, ticket.body
    data = ticket.data

    # When the client POSTs the form to the presigned URL (as curl -F would)
    posted = requests.post(
        data["uploadUrl"], data=data["fields"], files={"file": ("me.png", PNG, "image/png")}, timeout=10
    )
    assert posted.status_code in (200, 201, 204), posted.text

    # Then the object is at its public URL
    fetched = requests.get(data["publicUrl"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == PNG
