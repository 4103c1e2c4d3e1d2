"""Identity's part of an account's erasure, and the fate of the platform's shared types.

The deletion's transaction already deleted the profile and released the email and username
claims (:mod:`shared.lifecycle.deletion`); these steps remove the rest:

- ``identity.sessions`` (10): the account's sessions (device, IP, refresh hash), page by page.
- ``identity.jobs`` (11): its pending onboarding email, found by the job's dedup key and
  cancelled through the jobs service (other systems cancel their own jobs, e.g. scheduled posts).
- ``identity.api-keys`` (12): API keys it created are **kept, anonymised**: a key belongs to an
  integration (the assistant posting into threads), acts as a service principal under its own
  name, and carries no personal data but its creator's id. Revoking it would break the
  organisation's integration because the admin who minted it left; the creator is replaced.
- ``identity.account`` (95): makes sure the profile and claims are gone (a profile brought back,
  e.g. by a restored backup, is deleted with its claims and counters).

The ``identity`` export section is the profile, the sessions and the API keys the account
created, without any hash or secret.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from shared.errors import Conflict, NotFound
from shared.identity import api_key_repository, repository, session_repository
from shared.identity.jobs import onboarding_dedup_key
from shared.lifecycle.registry import ErasureContext, erasure_step, export_section, retain

PAGE_SIZE = 25  # one BatchWriteItem
DELETED_CREATOR = "deleted-user"
EXPORTED_KEYS = 100


@erasure_step("identity.sessions", entities=["SESSION"], order=10)
def erase_sessions(ctx: ErasureContext) -> bool:
    while page := session_repository.sessions_page(ctx.user_id, PAGE_SIZE):
        session_repository.delete_session_items(page)
        ctx.touch(len(page))
        if ctx.out_of_time():
            return False
    return True


@erasure_step("identity.jobs", entities=["JOB"], order=11)
def cancel_pending_jobs(ctx: ErasureContext) -> bool:
    """A running or finished onboarding job is left alone: it skips an account that is gone."""
    from shared.jobs import records, service

    job_id = records.claim_holder(onboarding_dedup_key(ctx.user_id))
    if job_id is not None:
        try:
            service.cancel_job(job_id)
        except (Conflict, NotFound):
            return True
        ctx.touch()
    return True


@erasure_step("identity.api-keys", entities=["API_KEY"], order=12)
def anonymise_api_keys(ctx: ErasureContext) -> bool:
    for seen, key in enumerate(api_key_repository.created_by(ctx.user_id, PAGE_SIZE), start=1):
        if api_key_repository.replace_creator(key, ctx.user_id, DELETED_CREATOR):
            ctx.touch()
        if seen % PAGE_SIZE == 0 and ctx.out_of_time():
            return False
    return True


@erasure_step("identity.account", entities=["USER"], order=95)
def make_sure_the_account_is_gone(ctx: ErasureContext) -> bool:
    from shared.lifecycle import repository as erasures

    user = repository.get_user(ctx.user_id)
    if user is not None:
        repository.delete_user(user)
        ctx.touch()
    record = erasures.get(ctx.user_id)
    held = repository.claims_held(ctx.user_id, record.email, record.username) if record else []
    repository.release_claims_of(ctx.user_id, held)
    ctx.touch(len(held))
    return True


@export_section("account")
def export_account(user_id: str) -> dict[str, Any] | None:
    """The profile, the stored sessions (device, address, when) and the API keys the account
    created, without any hash, token or key."""
    user = repository.get_user(user_id)
    if user is None:
        return None
    profile = {
        "id": user.user_id,
        "email": user.email,
        "name": user.name,
        "username": user.username,
        "role": user.role,
        "status": user.status,
        "avatarUrl": user.avatar_url,
        "emailVerified": bool(user.email_verified),
        "lastLoginAt": user.last_login_at,
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
    }
    sessions = [
        {
            "device": session.user_agent,
            "ipAddress": session.ip_address,
            "createdAt": session.created_at,
            "lastUsedAt": session.last_used_at,
            "expiresAt": session.expires_at,
        }
        for session in sorted(session_repository.list_sessions(user_id), key=lambda s: s.created_at)
    ]
    keys = [
        {"id": key.key_id, "name": key.name, "scopes": list(key.scopes or []), "createdAt": key.created_at}
        for key in islice(api_key_repository.created_by(user_id, PAGE_SIZE), EXPORTED_KEYS)
    ]
    return {"profile": profile, "sessions": sessions, "apiKeysCreated": keys}


retain(
    "USER_COUNTER",
    "USER_DAY",
    reason="counts of accounts per role/status/day, no personal data; lowered in the deletion's transaction",
)
retain(
    "UNIQUE",
    reason="the account's email and username claims are released in the deletion's transaction (the final "
    "step makes sure); other claims (slugs, SKUs) are released by the step of the system that owns them",
)
retain("RATE", reason="a count under a hash of an email, IP or id; expires by TTL a minute after its window (≤ 1 h)")
retain(
    "OUTBOX",
    reason="messages owed (the account-deleted email must still be sent); the body is dropped once relayed "
    "and the item expires by TTL 7 days later",
)
retain(
    "WORD_COUNT",
    reason="per-word counters of the search index with no owner; each system's step unindexes the account's "
    "items, adjusting them exactly",
)
retain(
    "JOBKEY",
    "JOBSTATS",
    "JOBUNCOUNTED",
    reason="job bookkeeping with ids and counts only: a dedup claim goes when its job finishes, the markers "
    "expire by TTL in 2 days; finished job records expire by TTL (JOB_RETENTION_*_DAYS)",
)
retain(
    "ERASURE",
    reason="the erasure's audit record (who asked, when, steps, counts); its email and username are removed "
    "when the erasure completes, so no personal data is kept",
)
