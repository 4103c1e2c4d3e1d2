"""Data access for sessions (``PK=USER#<uid>``, ``SK=SESSION#<sid>``): created at sign-in, rotated
on refresh, deleted on logout, password change or reset and by the account's erasure. The
per-request read of a session with its profile is :func:`shared.identity.repository.get_user_and_session`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.data.table import Item
from shared.data.transactions import delete_if, update_if
from shared.identity.models import SESSION_PREFIX, SessionItem, session_sk, user_pk


def put_session(session: SessionItem) -> None:
    session.save(condition=Item.pk.does_not_exist())


def new_session_item(user_id: str, session_id: str, **fields: Any) -> SessionItem:
    return SessionItem(user_pk(user_id), session_sk(session_id), user_id=user_id, session_id=session_id, **fields)


def rotate_refresh(user_id: str, session_id: str, old_hash: str, new_hash: str, now: str) -> bool:
    """Swap the session's refresh hash iff it is still ``old_hash`` and unexpired."""
    return update_if(
        SessionItem(user_pk(user_id), session_sk(session_id)),
        [SessionItem.refresh_hash.set(new_hash), SessionItem.last_used_at.set(now)],
        Item.pk.exists() & (SessionItem.refresh_hash == old_hash) & (SessionItem.expires_at > now),
    )


def delete_session(user_id: str, session_id: str) -> bool:
    return delete_if(SessionItem(user_pk(user_id), session_sk(session_id)))


def list_sessions(user_id: str) -> list[SessionItem]:
    found = Item.query(user_pk(user_id), Item.sk.startswith(SESSION_PREFIX), consistent_read=True)
    return [item for item in found if isinstance(item, SessionItem)]


def delete_sessions(user_id: str, keep_session_id: str | None = None) -> int:
    doomed = [s for s in list_sessions(user_id) if s.session_id != keep_session_id]
    with SessionItem.batch_write() as batch:
        for session in doomed:
            batch.delete(session)
    return len(doomed)


def sessions_page(user_id: str, limit: int) -> list[SessionItem]:
    """Up to ``limit`` of the user's sessions (the first page: callers delete what they read)."""
    found = Item.query(user_pk(user_id), Item.sk.startswith(SESSION_PREFIX), consistent_read=True, limit=limit)
    return [item for item in found if isinstance(item, SessionItem)]


def delete_session_items(sessions: Sequence[SessionItem]) -> None:
    with SessionItem.batch_write() as batch:
        for session in sessions:
            batch.delete(session)
