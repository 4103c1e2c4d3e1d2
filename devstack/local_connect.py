"""Stripe Connect for the local Stripe: the endpoints payouts call that localstripe lacks.

Added to localstripe's own aiohttp app (same port, same ``sk_...`` authentication, same store of
events), answering the stripe SDK's requests as Stripe does:

- ``POST /v1/accounts`` (Express, ``metadata``, ``email``), ``GET /v1/accounts/{id}``;
- ``POST /v1/account_links`` → a one-time onboarding URL on this server, valid 5 minutes;
- ``POST /v1/transfers`` (``destination`` must be an account with transfers enabled, a
  ``source_transaction`` must be a succeeded charge of at least the amount), ``GET
  /v1/transfers/{id}``; ``POST /v1/transfers/{id}/reversals`` (at most what is left);
- the ``Idempotency-Key`` header on those POSTs: the same key answers the first response again
  (localstripe ignores it elsewhere);
- ``account.updated`` events, delivered signed to the registered webhooks like localstripe's.

``GET /_config/connect/onboarding/{link}`` is the hosted onboarding page: opening it completes
onboarding (charges and payouts enabled, ``details_submitted``), sends ``account.updated`` and
shows a link back to the ``return_url``; ``?outcome=restricted`` instead leaves the account
restricted (details submitted, nothing enabled, ``requirements.disabled_reason``). It lives
under ``/_config/`` because localstripe lets those paths through without an API key, as Stripe's
hosted page needs none. State is in memory, empty at each start, like the rest of localstripe.
"""

from __future__ import annotations

import html
import secrets
import time
from typing import Any

from aiohttp import web

LINK_SECONDS = 300

_accounts: dict[str, dict[str, Any]] = {}
_links: dict[str, dict[str, Any]] = {}
_transfers: dict[str, dict[str, Any]] = {}
_replies: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}


def _id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)


def _error(status: int, message: str, param: str | None = None) -> web.Response:
    from localstripe.errors import json_response  # type: ignore[import-untyped]

    body: dict[str, Any] = {"type": "invalid_request_error", "message": message}
    if param:
        body["param"] = param
    return json_response({"error": body}, status=status)  # type: ignore[no-any-return]


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    from localstripe.errors import json_response

    return json_response(data, status=status)  # type: ignore[no-any-return]


async def _data(request: web.Request) -> dict[str, Any]:
    from localstripe.server import get_post_data  # type: ignore[import-untyped]

    found = await get_post_data(request)
    return dict(found or {})


class _Exported:
    """What localstripe's ``Event`` needs of an object: ``_export()``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _export(self, expand: Any = None) -> dict[str, Any]:
        return dict(self.data)


def _send(event_type: str, obj: dict[str, Any]) -> None:
    from localstripe.resources import Event  # type: ignore[import-untyped]
    from localstripe.webhooks import schedule_webhook  # type: ignore[import-untyped]

    schedule_webhook(Event(event_type, _Exported(obj)))


def _idempotent(handler: Any) -> Any:
    """Answer a repeated ``Idempotency-Key`` (per path) with the first answer."""

    async def wrapped(request: web.Request) -> web.Response:
        key = request.headers.get("Idempotency-Key")
        if key and (request.path, key) in _replies:
            status, first = _replies[(request.path, key)]
            return _json(first, status)
        response: web.Response = await handler(request)
        body = response.body
        if key and response.status < 500 and isinstance(body, bytes | bytearray):
            import json

            _replies[(request.path, key)] = (response.status, json.loads(bytes(body)))
        return response

    return wrapped


def _flag(value: Any) -> bool:
    return str(value).lower() == "true" if not isinstance(value, bool) else value


async def create_account(request: web.Request) -> web.Response:
    data = await _data(request)
    kind = data.get("type", "express")
    if kind not in ("express", "standard", "custom"):
        return _error(400, "Invalid account type", "type")
    account = {
        "id": _id("acct_"),
        "object": "account",
        "type": kind,
        "email": data.get("email"),
        "country": data.get("country", "US"),
        "default_currency": "usd",
        "created": int(time.time()),
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "capabilities": {"transfers": "inactive"},
        "requirements": {"currently_due": ["external_account", "tos_acceptance.date"], "disabled_reason": None},
        "metadata": dict(data.get("metadata") or {}),
    }
    _accounts[account["id"]] = account
    return _json(account)


async def retrieve_account(request: web.Request) -> web.Response:
    account = _accounts.get(request.match_info["id"])
    if account is None:
        return _error(404, f"No such account: '{request.match_info['id']}'", "account")
    return _json(account)


async def create_account_link(request: web.Request) -> web.Response:
    data = await _data(request)
    account_id = str(data.get("account") or "")
    if account_id not in _accounts:
        return _error(400, f"No such account: '{account_id}'", "account")
    for field in ("refresh_url", "return_url"):
        if not data.get(field):
            return _error(400, f"Missing required param: {field}.", field)
    link_id = secrets.token_urlsafe(18)
    expires = int(time.time()) + LINK_SECONDS
    _links[link_id] = {
        "account": account_id,
        "expires_at": expires,
        **{f: data[f] for f in ("refresh_url", "return_url")},
    }
    url = f"{request.scheme}://{request.host}/_config/connect/onboarding/{link_id}"
    return _json({"object": "account_link", "created": int(time.time()), "expires_at": expires, "url": url})


async def onboarding_page(request: web.Request) -> web.Response:
    link = _links.pop(request.match_info["link"], None)
    if link is None or link["expires_at"] < time.time():
        target = html.escape(link["refresh_url"]) if link else ""
        again = f'<p><a href="{target}">Get a new link</a></p>' if target else ""
        body = f"<h1>This onboarding link has expired or was already used</h1>{again}"
        return web.Response(status=410, text=_page(body), content_type="text/html")
    account = _accounts[link["account"]]
    restricted = request.query.get("outcome") == "restricted"
    account.update(
        details_submitted=True,
        charges_enabled=not restricted,
        payouts_enabled=not restricted,
        capabilities={"transfers": "inactive" if restricted else "active"},
        requirements={
            "currently_due": ["individual.verification.document"] if restricted else [],
            "disabled_reason": "requirements.past_due" if restricted else None,
        },
    )
    _send("account.updated", account)
    outcome = "restricted: Stripe needs more information" if restricted else "complete"
    back = html.escape(link["return_url"])
    body = f"<h1>Onboarding {outcome}</h1><p>Account {html.escape(account['id'])}.</p>"
    body += f'<p><a href="{back}">Return to the marketplace</a></p>'
    return web.Response(text=_page(body), content_type="text/html")


def _page(body: str) -> str:
    head = '<meta charset="utf-8"><title>Local Stripe Connect</title>'
    return f'<!doctype html><html lang="en"><head>{head}</head><body>{body}</body></html>'


def _charge(charge_id: str) -> Any:
    from localstripe.resources import store

    return store.get(f"charge:{charge_id}")


async def create_transfer(request: web.Request) -> web.Response:
    data = await _data(request)
    try:
        amount = int(data.get("amount", ""))
    except ValueError:
        return _error(400, "Invalid integer: amount", "amount")
    if amount <= 0:
        return _error(400, "This value must be greater than or equal to 1.", "amount")
    destination = _accounts.get(str(data.get("destination") or ""))
    if destination is None:
        return _error(400, f"No such destination: '{data.get('destination')}'", "destination")
    if not (destination["charges_enabled"] and destination["payouts_enabled"]):
        message = "Your destination account needs to have at least one of the following capabilities enabled: transfers"
        return _error(400, message, "destination")
    source = data.get("source_transaction")
    if source:
        charge = _charge(str(source))
        if charge is None or getattr(charge, "status", None) != "succeeded":
            return _error(400, f"No such charge: '{source}'", "source_transaction")
        taken = sum(t["amount"] for t in _transfers.values() if t.get("source_transaction") == source)
        if taken + amount > int(charge.amount):
            return _error(400, "Transfers from this charge would exceed its amount.", "amount")
    transfer = {
        "id": _id("tr_"),
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "currency": str(data.get("currency") or "usd").lower(),
        "destination": destination["id"],
        "source_transaction": source,
        "transfer_group": data.get("transfer_group"),
        "metadata": dict(data.get("metadata") or {}),
        "reversed": False,
        "reversals": {"object": "list", "data": [], "has_more": False},
        "created": int(time.time()),
    }
    _transfers[transfer["id"]] = transfer
    return _json(transfer)


async def retrieve_transfer(request: web.Request) -> web.Response:
    transfer = _transfers.get(request.match_info["id"])
    if transfer is None:
        return _error(404, f"No such transfer: '{request.match_info['id']}'", "id")
    return _json(transfer)


async def create_reversal(request: web.Request) -> web.Response:
    transfer = _transfers.get(request.match_info["id"])
    if transfer is None:
        return _error(404, f"No such transfer: '{request.match_info['id']}'", "id")
    data = await _data(request)
    left = transfer["amount"] - transfer["amount_reversed"]
    try:
        amount = int(data.get("amount", left))
    except ValueError:
        return _error(400, "Invalid integer: amount", "amount")
    if amount <= 0 or amount > left:
        return _error(400, f"You can only reverse up to {left} of this transfer.", "amount")
    reversal = {
        "id": _id("trr_"),
        "object": "transfer_reversal",
        "amount": amount,
        "currency": transfer["currency"],
        "transfer": transfer["id"],
        "metadata": dict(data.get("metadata") or {}),
        "created": int(time.time()),
    }
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    transfer["reversals"]["data"].append(reversal)
    return _json(reversal)


def install(app: web.Application) -> None:
    """Add the Connect routes to localstripe's app (before it starts)."""
    app.router.add_post("/v1/accounts", _idempotent(create_account))
    app.router.add_get("/v1/accounts/{id}", retrieve_account)
    app.router.add_post("/v1/account_links", create_account_link)
    app.router.add_post("/v1/transfers", _idempotent(create_transfer))
    app.router.add_get("/v1/transfers/{id}", retrieve_transfer)
    app.router.add_post("/v1/transfers/{id}/reversals", _idempotent(create_reversal))
    app.router.add_get("/_config/connect/onboarding/{link}", onboarding_page)
