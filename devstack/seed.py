"""``make seed``: demo data in the running local stack, through the public API (idempotent).

Creates demo customers and sellers by registering them (``POST /api/v1/auth/register``) and
approves the sellers as the admin (``PATCH /api/v1/users/{id}``), then writes demo blog posts as
the demo users (:mod:`devstack.seed_blog`). Accounts that already exist are
left as they are (sellers are approved if they are not yet). Base URL: ``--url``, ``LOCAL_API_URL``,
``PORT``, else the stack ``make run`` recorded (:func:`devstack.process.stack_url`); admin:
``ADMIN_EMAIL`` / ``ADMIN_PASSWORD`` (the stack's defaults). When no stack answers it says so in one
line and exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from devstack.httpclient import Client, HttpResponse
from devstack.process import StackNotRunning, require_stack, stack_url
from devstack.seed_blog import seed_posts
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD

DEMO_PASSWORD = "Demo12345!"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str  # customer | seller


DEMO_USERS = (
    DemoUser("alice@example.com", "Alice Customer", "customer"),
    DemoUser("bob@example.com", "Bob Customer", "customer"),
    DemoUser("carol@example.com", "Carol Customer", "customer"),
    DemoUser("sam.seller@example.com", "Sam Seller", "seller"),
    DemoUser("sally.seller@example.com", "Sally Seller", "seller"),
)


class SeedError(RuntimeError):
    pass


def _check(res: HttpResponse, what: str, *ok: int) -> Any:
    if res.status not in ok:
        raise SeedError(f"{what}: HTTP {res.status} {res.body[:500].decode(errors='replace')}")
    return res.json()


def _all_users(api: Client, token: str) -> dict[str, dict[str, Any]]:
    users: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        body = _check(api("GET", f"/api/v1/users?{urlencode(query)}", token=token), "list users", 200)
        for user in body["data"]["items"]:
            users[str(user["email"]).lower()] = user
        cursor = body["data"].get("nextCursor")
        if not cursor:
            return users


def seed(
    api: Client,
    *,
    admin_email: str = DEFAULT_ADMIN_EMAIL,
    admin_password: str = DEFAULT_ADMIN_PASSWORD,
    users: tuple[DemoUser, ...] = DEMO_USERS,
    password: str = DEMO_PASSWORD,
) -> list[dict[str, str]]:
    """Create (or find) every demo user and approve the sellers; returns one row per user."""
    login = api("POST", "/api/v1/auth/login", {"email": admin_email, "password": admin_password})
    token = str(_check(login, f"admin login as {admin_email}", 200)["data"]["accessToken"])
    existing = _all_users(api, token)
    rows: list[dict[str, str]] = []
    for demo in users:
        user = existing.get(demo.email)
        state = "existing"
        if user is None:
            body = {"email": demo.email, "password": password, "name": demo.name, "role": demo.role}
            res = api("POST", "/api/v1/auth/register", body)
            if res.status == 409:  # registered meanwhile
                user = _all_users(api, token)[demo.email]
            else:
                user = _check(res, f"register {demo.email}", 201)["data"]["user"]
                state = "created"
        if user["role"] == "seller" and user["status"] == "pending":
            res = api("PATCH", f"/api/v1/users/{user['id']}", {"status": "approved"}, token=token)
            user = _check(res, f"approve {demo.email}", 200)["data"]
            state += ", approved"
        rows.append(
            {
                "email": demo.email,
                "password": password,
                "role": str(user["role"]),
                "status": str(user["status"]),
                "state": state,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="base URL of the running local stack")
    args = parser.parse_args(argv)
    admin_email = os.environ.get("ADMIN_EMAIL") or DEFAULT_ADMIN_EMAIL
    admin_password = os.environ.get("ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
    try:
        api = require_stack(stack_url(args.url))
        rows = seed(api, admin_email=admin_email, admin_password=admin_password)
        posts = seed_posts(api, {row["email"]: row["password"] for row in rows})
    except StackNotRunning as exc:
        print(f"seed: {exc}", file=sys.stderr)
        return 1
    except (SeedError, OSError) as exc:
        print(f"seed failed: {exc}", file=sys.stderr)
        return 1
    print(f"Demo data in {api.base_url} (accounts that existed keep their password)")
    print(f"  {'email':<28} {'role':<9} {'status':<9} {'password':<12} state")
    print(f"  {admin_email:<28} {'admin':<9} {'approved':<9} {admin_password:<12} (stack admin)")
    for row in rows:
        print(f"  {row['email']:<28} {row['role']:<9} {row['status']:<9} {row['password']:<12} {row['state']}")
    print(f"  {posts} demo blog post(s) created (GET /api/v1/posts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
