"""API keys for integrations: created by an admin, shown once, stored hashed, checked in
constant time on every request, rate limited per key, revoked at once.

A key is ``pak_<keyId>.<secret>`` (256 random bits): the id locates its item in one GetItem and
the SHA-256 of the whole key is compared with the stored one by :func:`hmac.compare_digest`. A
plain hash suffices (no password hashing): the key is random, not chosen by a person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aws_lambda_powertools.metrics import MetricUnit

from shared.clock import now_iso
from shared.data import ratelimit
from shared.errors import NotFound, RateLimited, Unauthenticated
from shared.identity import api_key_repository as repository
from shared.identity.api_key_repository import ApiKeyItem
from shared.identity.api_key_schemas import ApiKeyOut, CreateApiKeyRequest, CreatedApiKeyOut
from shared.identity.models import UserItem
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.observability import metrics
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor
from shared.settings import get_settings

KEY_PREFIX = "pak_"
SHOWN_PREFIX_CHARS = 16
SERVICE_ROLE = "service"
_ID_CHARS = frozenset("0123456789abcdefghjkmnpqrstvwxyz")
# Compared against when the key's id is unknown, so that the answer takes the same path.
_NO_HASH = hashlib.sha256(b"no such key").hexdigest()
_SCOPE = "api-keys"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key_id(key: str) -> str | None:
    body, dot, secret = key.removeprefix(KEY_PREFIX).partition(".")
    if not key.startswith(KEY_PREFIX) or not dot or not secret or len(body) != 26 or not set(body) <= _ID_CHARS:
        return None
    return body


def _out(item: ApiKeyItem) -> ApiKeyOut:
    return ApiKeyOut(
        id=item.key_id, name=item.name, scopes=list(item.scopes or []), prefix=item.prefix, created_at=item.created_at
    )


def invalid_key() -> Unauthenticated:
    return Unauthenticated("The API key is invalid or revoked", code="INVALID_API_KEY")


def create(caller: Principal, request: CreateApiKeyRequest) -> CreatedApiKeyOut:
    """A new key; the answer is the only place the key ever appears."""
    key_id = new_id()
    key = f"{KEY_PREFIX}{key_id}.{secrets.token_urlsafe(32)}"
    item = repository.new_key(
        key_id,
        now_iso(),
        name=request.name,
        scopes=list(request.scopes),
        prefix=key[:SHOWN_PREFIX_CHARS],
        key_hash=_digest(key),
        created_by=caller.user_id,
    )
    repository.create(item)
    return CreatedApiKeyOut(**_out(item).model_dump(), key=key)


def list_keys(*, limit: int, cursor: str | None) -> ItemsPage[ApiKeyOut]:
    """Newest first; never the key or its hash."""
    page = repository.page(limit=limit, position=decode_cursor(cursor, _SCOPE))
    items = [_out(item) for item in page.items if isinstance(item, ApiKeyItem)]
    return ItemsPage[ApiKeyOut](items=items, next_cursor=encode_cursor(page.next_position, _SCOPE))


def revoke(key_id: str) -> None:
    """Deletes the key: its next request is refused. Raises :class:`NotFound` ``API_KEY_NOT_FOUND``."""
    if not repository.delete(key_id):
        raise NotFound("API key not found", code="API_KEY_NOT_FOUND")


def verify(key: str) -> ApiKeyItem:
    """The live key ``key`` is, counted against ``RATE_API_KEY``.

    Raises :class:`Unauthenticated` ``INVALID_API_KEY`` (malformed, unknown, revoked, wrong
    secret), :class:`RateLimited`."""
    key_id = _key_id(key)
    item = repository.get(key_id) if key_id else None
    matches = hmac.compare_digest(_digest(key).encode(), (item.key_hash if item else _NO_HASH).encode())
    if item is None or not matches:
        raise invalid_key()
    rule = get_settings().rate_api_key
    window = ratelimit.hit(_SCOPE, item.key_id, rule.window_seconds)
    if window.count > rule.limit:
        metrics.add_metric(name="RateLimited", unit=MetricUnit.Count, value=1)
        raise RateLimited(window.retry_after_seconds)
    return item


def stand_in_user(item: ApiKeyItem) -> UserItem:
    """The never-stored user a service principal carries (see :class:`Principal`)."""
    return UserItem(
        user_id=item.key_id,
        email="",
        name=item.name,
        role=SERVICE_ROLE,
        status="active",
        password_hash="",
        created_at=item.created_at,
        updated_at=item.created_at,
    )
