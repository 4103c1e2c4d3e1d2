"""Identity emails, queued for the email worker. Each has a business-key id (sent once)."""

from __future__ import annotations

from urllib.parse import quote

from shared.identity.models import UserItem
from shared.messaging.email import EmailMessage, send_email
from shared.security.secrets import token_digest
from shared.settings import get_settings


def _link(path: str, token: str) -> str:
    return f"{get_settings().frontend_url.rstrip('/')}{path}?token={quote(token)}"


def welcome(user: UserItem) -> None:
    send_email(
        EmailMessage(
            id=f"welcome:{user.user_id}",
            template="welcome",
            to=user.email,
            data={"name": user.name, "role": user.role, "status": user.status},
        ),
        required=False,
    )


def verify_email(user: UserItem, token: str) -> None:
    send_email(
        EmailMessage(
            id=f"verify-email:{user.user_id}:{token_digest(token)[:24]}",
            template="verify_email",
            to=user.email,
            data={"name": user.name, "verifyUrl": _link("/verify-email", token), "token": token},
        ),
        required=False,
    )


def password_reset(user: UserItem, token: str, expires_minutes: int) -> None:
    send_email(
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
        ),
        required=True,
    )


def password_changed(user: UserItem, changed_at: str) -> None:
    send_email(
        EmailMessage(
            id=f"password-changed:{user.user_id}:{changed_at}",
            template="password_changed",
            to=user.email,
            data={"name": user.name, "changedAt": changed_at},
        ),
        required=False,
    )
