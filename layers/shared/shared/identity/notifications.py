"""Identity emails, owed through the outbox by the write that causes each (see
:mod:`shared.messaging.outbox`). Each has a business-key id, so it is sent once."""

from __future__ import annotations

from urllib.parse import quote

from shared.identity.models import UserItem
from shared.messaging.email import EmailMessage, owed_email
from shared.messaging.owed import Owed
from shared.security.secrets import token_digest
from shared.settings import get_settings


def _link(path: str, token: str) -> str:
    return f"{get_settings().frontend_url.rstrip('/')}{path}?token={quote(token)}"


def welcome(user: UserItem) -> Owed:
    return owed_email(
        EmailMessage(
            id=f"welcome:{user.user_id}",
            template="welcome",
            to=user.email,
            data={"name": user.name, "role": user.role, "status": user.status},
        )
    )


def verify_email(user: UserItem, token: str) -> Owed:
    return owed_email(
        EmailMessage(
            id=f"verify-email:{user.user_id}:{token_digest(token)[:24]}",
            template="verify_email",
            to=user.email,
            data={"name": user.name, "verifyUrl": _link("/verify-email", token), "token": token},
        )
    )


def password_reset(user: UserItem, token: str, expires_minutes: int) -> Owed:
    return owed_email(
        EmailMessage(
            id=f"password-reset:{user.user_id}:{token_digest(token)[:24]}",
            template="password_reset",
            to=user.email,
            data={
                "name": user.name,
                "resetUrl": _link("/reset-password", token),
                "token": token,
                "expiresIn": f"{expires_minutes} minutes",
            },
        )
    )


def password_changed(user: UserItem, changed_at: str) -> Owed:
    return owed_email(
        EmailMessage(
            id=f"password-changed:{user.user_id}:{changed_at}",
            template="password_changed",
            to=user.email,
            data={"name": user.name, "changedAt": changed_at},
        )
    )


def account_deleted(user: UserItem) -> Owed:
    """The confirmation to the address of an account just deleted (by its owner or an admin)."""
    return owed_email(
        EmailMessage(
            id=f"account-deleted:{user.user_id}",
            template="account_deleted",
            to=user.email,
            data={"name": user.name},
        )
    )
