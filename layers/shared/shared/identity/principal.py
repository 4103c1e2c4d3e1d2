"""Who is calling: the authenticated user and session, checked on every request.

Importing this module costs nothing: the identity repository and the token codec are loaded by
:func:`authenticate`, so code that only names a :class:`Principal` (a schedule, a queue worker)
does not load them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.clock import now_iso
from shared.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:
    from shared.identity.models import UserItem

BLOCKED_STATUSES = {
    "suspended": ("ACCOUNT_SUSPENDED", "Your account has been suspended"),
    "rejected": ("ACCOUNT_REJECTED", "Your seller application was rejected"),
}


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class ServiceCaller:
    """An integration calling with an API key (``X-Api-Key``): its key id, name and scopes."""

    key_id: str
    name: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Principal:
    """The caller. A user signed in with a session, or (with ``service``) an integration holding
    an API key: then ``user`` is a stand-in that is never stored (its id is the key's id, its
    name the key's name, its role ``service``), so code that names an author reads it as it
    reads a user's, and :mod:`shared.http.auth` admits it only to routes that opted in."""

    user: UserItem
    session_id: str
    token_expires_at: int
    service: ServiceCaller | None = None

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def is_admin(self) -> bool:
        return self.service is None and self.user.role == "admin"

    @property
    def is_service(self) -> bool:
        return self.service is not None


def ensure_not_blocked(user: UserItem) -> None:
    """Raises :class:`Forbidden` for suspended or rejected accounts."""
    if user.status in BLOCKED_STATUSES:
        code, message = BLOCKED_STATUSES[user.status]
        raise Forbidden(message, code=code)


def authenticate(access_token: str) -> Principal:
    """Verify the token, then read the user and its session (one consistent batch read) so that
    logout, session revocation, deletion and suspension take effect on the very next request.

    Raises :class:`Unauthenticated` (``INVALID_TOKEN``, ``TOKEN_EXPIRED``, ``SESSION_REVOKED``,
    ``USER_NOT_FOUND``) or :class:`Forbidden` (``ACCOUNT_SUSPENDED``, ``ACCOUNT_REJECTED``).
    """
    from shared.identity import repository
    from shared.security.jwt_tokens import decode_access_token

    claims = decode_access_token(access_token)
    user, session = repository.get_user_and_session(claims.user_id, claims.session_id)
    if user is None:
        raise Unauthenticated("User associated with token not found", code="USER_NOT_FOUND")
    if session is None or session.expires_at <= now_iso():
        raise Unauthenticated("This session has ended; sign in again", code="SESSION_REVOKED")
    ensure_not_blocked(user)
    return Principal(user=user, session_id=claims.session_id, token_expires_at=claims.expires_at)


def authenticate_api_key(key: str) -> Principal:
    """The integration holding ``key`` (read on every request, so a revoked key is refused at
    once), counted against its rate limit.

    Raises :class:`Unauthenticated` ``INVALID_API_KEY``, :class:`RateLimited`.
    """
    from shared.identity import api_keys

    record = api_keys.verify(key)
    caller = ServiceCaller(key_id=record.key_id, name=record.name, scopes=tuple(record.scopes or ()))
    return Principal(user=api_keys.stand_in_user(record), session_id="", token_expires_at=0, service=caller)


def require_role(principal: Principal, *roles: str) -> Principal:
    if principal.is_service or principal.role not in roles:
        raise Forbidden()
    return principal
