"""The local pages behind email links: what they reflect is escaped, what they run is pinned."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from devstack.local_pages import render

TOKEN = "01m8ef6m4qyg4bn1hmsgp6rz0r.864Ze6aqrL1qBUfi3OUcjNpyG4ChOIkG9tXCOH74ekg"


def _headers(page: tuple[int, list[tuple[str, str]], bytes]) -> dict[str, str]:
    return dict(page[1])


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_other_paths_are_not_pages() -> None:
    assert render("GET", "/api/v1/auth/me", "") is None
    assert render("GET", "/reset-password/extra", f"token={TOKEN}") is None


@pytest.mark.parametrize("endpoint", ["reset-password", "verify-email"])
def test_a_link_opens_a_form_posting_its_token(endpoint: str) -> None:
    path = f"/{endpoint}"
    page = render("GET", path, f"token={TOKEN}")
    assert page is not None
    status, _, body = page
    text = body.decode()
    assert status == 200
    assert f'<input type="hidden" name="token" value="{TOKEN}">' in text
    assert f'data-endpoint="/api/v1/auth/{endpoint}"' in text
    assert ('name="password"' in text) == (path == "/reset-password")


def test_the_page_runs_only_its_own_script_and_style() -> None:
    page = render("GET", "/verify-email", f"token={TOKEN}")
    assert page is not None
    text = page[2].decode()
    headers = _headers(page)
    (script,) = re.findall(r"<script>(.*?)</script>", text, re.S)
    (style,) = re.findall(r"<style>(.*?)</style>", text, re.S)
    policy = headers["Content-Security-Policy"]
    assert f"script-src {_sha256(script)};" in policy
    assert f"style-src {_sha256(style)};" in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "token=",
        "token=short",
        f"token={TOKEN}&token={TOKEN}",
        "token=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E" + "a" * 20,
        "token=" + "a" * 513,
    ],
)
def test_a_damaged_link_is_a_400_that_reflects_nothing(query: str) -> None:
    page = render("GET", "/reset-password", query)
    assert page is not None
    status, _, body = page
    assert status == 400
    assert b"<script" not in body
    assert b"alert" not in body
    assert b"aaaaaaaaaa" not in body
    assert _headers(page)["Content-Security-Policy"].startswith("default-src 'none'")


def test_only_get_and_head_are_answered() -> None:
    head = render("HEAD", "/verify-email", f"token={TOKEN}")
    assert head is not None
    assert head[0] == 200
    page = render("POST", "/verify-email", f"token={TOKEN}")
    assert page is not None
    assert page[0] == 405
    assert _headers(page)["Allow"] == "GET, HEAD"
