"""Connect tickets: how a browser, which cannot set headers on a WebSocket, authenticates its
handshake without putting a long-lived token in a URL (and so in access logs).

A signed-in caller gets a random ticket (only its SHA-256 is stored) bound to the caller's user
and session, valid ``REALTIME_TICKET_TTL_SECONDS`` (60) and good for one handshake: ``$connect``
deletes it conditionally (a second use, an expired or an unknown ticket is refused), then
re-reads the user and the session, so a session revoked or a user suspended after the ticket
was issued cannot connect either.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from shared.clock import epoch, iso, now_iso
from shared.errors import Unauthenticated
from shared.identity.principal import Principal
from shared.ids import new_secret
from shared.realtime import repository
from shared.realtime.schemas import TicketOut
from shared.settings import ConfigurationError, get_settings

MAX_TICKET_LENGTH = 128


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue(caller: Principal) -> TicketOut:
    """A new ticket for the caller's session. Raises :class:`ConfigurationError` when the
    deployment has no WebSocket URL."""
    settings = get_settings()
    if not settings.websocket_url:
        raise ConfigurationError("WEBSOCKET_URL is not set")
    ticket = new_secret(32)
    expires_at = epoch() + settings.realtime_ticket_ttl_seconds
    repository.put_ticket(_hash(ticket), caller.user_id, caller.session_id, expires_at=expires_at, created_at=now_iso())
    return TicketOut(ticket=ticket, url=settings.websocket_url, expires_at=iso(datetime.fromtimestamp(expires_at, UTC)))


def admit(ticket: str | None) -> Principal:
    """Who the handshake's ticket was issued to: the ticket is taken (single use), then its user
    and session are checked as they are now.

    Raises :class:`Unauthenticated` (``TICKET_REQUIRED``, ``INVALID_TICKET`` for an unknown,
    used or expired one, ``SESSION_REVOKED``, ``USER_NOT_FOUND``) or :class:`Forbidden`
    (``ACCOUNT_SUSPENDED``, ``ACCOUNT_REJECTED``)."""
    if not ticket:
        raise Unauthenticated("A ticket is required (?ticket=)", code="TICKET_REQUIRED")
    if len(ticket) > MAX_TICKET_LENGTH:
        raise Unauthenticated("Invalid or expired ticket", code="INVALID_TICKET")
    taken = repository.take_ticket(_hash(ticket), epoch())
    if taken is None:
        raise Unauthenticated("Invalid or expired ticket", code="INVALID_TICKET")
    return session_principal(taken.user_id, taken.session_id)


def session_principal(user_id: str, session_id: str) -> Principal:
    """The user of a session, if the session is live and the user may sign in; the same checks
    as every HTTP request makes. Raises :class:`Unauthenticated` or :class:`Forbidden`."""
    from shared.identity import repository as identity
    from shared.identity.principal import ensure_not_blocked

    user, session = identity.get_user_and_session(user_id, session_id)
    if user is None:
        raise Unauthenticated("User not found", code="USER_NOT_FOUND")
    if session is None or session.expires_at <= now_iso():
        raise Unauthenticated("This session has ended; sign in again", code="SESSION_REVOKED")
    ensure_not_blocked(user)
    return Principal(user=user, session_id=session_id, token_expires_at=0)
