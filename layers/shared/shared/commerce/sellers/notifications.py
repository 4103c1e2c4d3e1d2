"""Seller emails, owed through the outbox by the decision that causes each (each sends once)."""

from __future__ import annotations

from shared.identity.models import UserItem
from shared.messaging.email import EmailMessage, owed_email
from shared.messaging.owed import Owed
from shared.settings import get_settings


def seller_approved(user: UserItem, decided_at: str) -> Owed:
    dashboard = f"{get_settings().frontend_url.rstrip('/')}/dashboard/seller"
    return owed_email(
        EmailMessage(
            id=f"seller-approved:{user.user_id}:{decided_at}",
            template="seller_approved",
            to=user.email,
            data={"name": user.name, "dashboardUrl": dashboard},
        )
    )


def seller_rejected(user: UserItem, reason: str, decided_at: str) -> Owed:
    return owed_email(
        EmailMessage(
            id=f"seller-rejected:{user.user_id}:{decided_at}",
            template="seller_rejected",
            to=user.email,
            data={"name": user.name, "reason": reason},
        )
    )
