"""Identity's job types: the onboarding email ("Getting started"), owed at registration as a job
delayed by ``ONBOARDING_EMAIL_DELAY_SECONDS`` and skipped if the account is gone by then. Its dedup
key names the account, so the account's erasure finds it (by the key's claim) and cancels it."""

from __future__ import annotations

from typing import Any

from shared.jobs.registry import JobContext, register
from shared.jobs.spec import JobSpec, build
from shared.messaging.email import EmailMessage, owed_email
from shared.settings import get_settings

ONBOARDING_EMAIL = "identity.onboarding-email"


def onboarding_email(user_id: str) -> JobSpec:
    """The job a registration owes (add ``owed(spec)`` to its transaction)."""
    return build(
        ONBOARDING_EMAIL,
        {"userId": user_id},
        delay_seconds=get_settings().onboarding_email_delay_seconds,
        dedup_key=onboarding_dedup_key(user_id),
    )


def onboarding_dedup_key(user_id: str) -> str:
    return f"onboarding-email:{user_id}"


@register(ONBOARDING_EMAIL)
def send_onboarding_email(context: JobContext) -> dict[str, Any]:
    """Owe the email through the outbox (sent once per account: its id is the business key)."""
    from shared.identity import repository
    from shared.messaging import outbox

    user_id = str(context.payload.get("userId", ""))
    user = repository.get_user(user_id) if user_id else None
    if user is None:
        return {"skipped": "account deleted"}
    message = EmailMessage(
        id=f"getting-started:{user.user_id}",
        template="getting_started",
        to=user.email,
        data={"name": user.name, "role": user.role},
    )
    sent = outbox.put(owed_email(message))
    return {"emailed": sent}
