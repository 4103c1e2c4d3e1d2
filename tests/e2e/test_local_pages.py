"""The links in local emails open pages of the local stack that complete the flow."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest

from devstack.httpclient import Client, request
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.e2e

PASSWORD = "Sup3r-secret-pw"


def _link_in_mail(api: Client, email: str, path: str) -> str:
    def find() -> str | None:
        res = api("GET", f"/_local/emails?to={email}")
        for mail in res.data["items"]:
            found = re.search(rf"https?://\S+{re.escape(path)}\?token=[^\s\"'<]+", mail["text"] or "")
            if found:
                return found.group(0)
        return None

    return eventually(find)


def _page_token(page: str) -> str:
    found = re.search(r'<input type="hidden" name="token" value="([^"]*)">', page)
    assert found, page
    return html.unescape(found.group(1))


def _register(api: Client) -> tuple[str, dict[str, Any]]:
    email = f"pages-{uuid.uuid4().hex[:10]}@example.com"
    res = api("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": "Page User"})
    assert res.status == 201, res.body
    return email, res.data


def test_the_reset_link_opens_a_page_that_resets_the_password(api: Client) -> None:
    # Given a reset mail
    email, _ = _register(api)
    assert api("POST", "/api/v1/auth/forgot-password", {"email": email}).status == 202
    link = _link_in_mail(api, email, "/reset-password")
    # When its link is opened, it is a page of this stack, sent with its security headers
    assert link.startswith(f"{api.base_url}/reset-password?token=")
    page = request("GET", link)
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    body = page.body.decode()
    assert 'data-endpoint="/api/v1/auth/reset-password"' in body
    # And what its form posts resets the password
    new_password = "Fr0m-the-page-ok"
    done = api("POST", "/api/v1/auth/reset-password", {"token": _page_token(body), "password": new_password})
    assert done.status == 200, done.body
    assert api("POST", "/api/v1/auth/login", {"email": email, "password": new_password}).status == 200


def test_the_verification_link_opens_a_page_that_verifies_the_address(api: Client) -> None:
    email, registered = _register(api)
    link = _link_in_mail(api, email, "/verify-email")
    page = request("GET", link)
    assert page.status == 200
    body = page.body.decode()
    assert 'data-endpoint="/api/v1/auth/verify-email"' in body
    done = api("POST", "/api/v1/auth/verify-email", {"token": _page_token(body)})
    assert done.status == 200, done.body
    me = api("GET", "/api/v1/auth/me", token=registered["accessToken"])
    assert me.data["emailVerified"] is True


def test_a_damaged_link_is_a_page_that_says_so(api: Client) -> None:
    page = api("GET", "/verify-email?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert page.status == 400
    assert "<script>alert(1)" not in page.body.decode()
    assert api("POST", "/verify-email?token=x").status == 405
