"""Items → API models (the only place that decides which fields leave the service)."""

from __future__ import annotations

from typing import cast

from shared.identity.models import SessionItem, UserItem
from shared.identity.schemas import Role, SessionOut, Status, UserOut


def user_out(user: UserItem) -> UserOut:
    return UserOut(
        id=user.user_id,
        email=user.email,
        name=user.name,
        username=user.username,
        role=cast(Role, user.role),
        status=cast(Status, user.status),
        avatar_url=user.avatar_url,
        email_verified=bool(user.email_verified),
        last_login_at=user.last_login_at,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


def session_out(session: SessionItem, current_session_id: str) -> SessionOut:
    return SessionOut(
        id=session.session_id,
        created_at=session.created_at,
        last_used_at=session.last_used_at,
        expires_at=session.expires_at,
        user_agent=session.user_agent,
        ip_address=session.ip_address,
        current=session.session_id == current_session_id,
    )
