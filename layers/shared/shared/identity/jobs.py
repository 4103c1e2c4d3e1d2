"""Identity's job types.

- ``identity.onboarding-email`` ("Getting started"): owed at registration as a job delayed by
  ``ONBOARDING_EMAIL_DELAY_SECONDS`` and skipped if the account is gone by then. Its dedup key
  names the account, so the account's erasure finds it (by the key's claim) and cancels it.
- ``identity.password-reset``: enqueued by every ``POST /auth/forgot-password`` that passes the
  rate limits, known email or not, so the request does the same work either way (its time tells
  nothing about accounts). The job looks the address up and, for an account that may reset, stores
  a new single-use token and owes the reset email in one transaction, once per job.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.clock import iso, now
from shared.jobs.registry import JobContext, register
from shared.jobs.spec import JobSpec, build
from shared.messaging.email import EmailMessage, owed_email
from shared.settings import get_settings

ONBOARDING_EMAIL = "identity.onboarding-email"
PASSWORD_RESET = "identity.password-reset"
NO_RESET_STATUSES = ("suspended",)


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


@register(PASSWORD_RESET)
def issue_password_reset(context: JobContext) -> dict[str, Any]:
    """Store a reset token valid ``PASSWORD_RESET_TTL_SECONDS`` on the account of the payload's
    ``email`` and owe the reset email with it; nothing for an unknown or suspended account. The
    result says only whether an email is owed (the job list is the admins')."""
    from shared.identity import notifications, repository
    from shared.identity.tokens import new_user_token
    from shared.security.secrets import token_digest

    user = repository.find_user_by_email(str(context.payload.get("email", "")))
    if user is None or user.status in NO_RESET_STATUSES:
        return {"emailed": False}
    ttl = get_settings().password_reset_ttl_seconds
    token = new_user_token(user.user_id)
    emailed = repository.set_reset_token(
        user.user_id,
        token_digest(token),
        iso(now() + timedelta(seconds=ttl)),
        [notifications.password_reset(user, token, max(1, ttl // 60))],
        job_id=context.job_id,
    )
    return {"emailed": emailed}
