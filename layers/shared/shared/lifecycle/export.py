"""Account export (the right of access): ``GET /api/v1/users/me/export`` owes an
``account.export`` job; the job writes one JSON file of everything the account holds to the
private exports bucket and emails the account a short-lived download link.

The file is ``exports/<userId>/<jobId>.json``::

    {"exportedAt", "userId", "account": {"profile": {...}, "sessions": [...]}, "<section>": ...}

with one key per :func:`~shared.lifecycle.registry.export_section` (each system's own, camelCase,
money in integer cents, no secrets or hashes). The ``account`` section is identity's (:mod:`shared.identity.lifecycle`).

Why the link lives :data:`LINK_SECONDS` (one hour): a presigned URL is only valid while the
credentials that signed it are, and the job worker signs with its Lambda role's temporary
credentials (an STS session Lambda renews every few hours); a link asked to live longer would
die unannounced with them. One hour is well inside any session, and "short-lived" is the point:
the file holds personal data. A user who missed it asks again (a new export, a new link); the
file itself is removed after :data:`FILE_KEPT_DAYS` days by the daily cleanup
(:mod:`shared.lifecycle.cleanup`).

While an export of the account is live (waiting or running) a second request answers that job
(its dedup key); once it finished, a new request makes a new export. The job is idempotent: a
retried attempt writes the same key again, and the email's id is the job's, so it is sent once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.clock import iso, now, now_iso
from shared.jobs.models import JobStatus
from shared.jobs.registry import JobContext, register
from shared.lifecycle.registry import ErasureContext, erasure_step, exporters
from shared.schemas import ApiModel

if TYPE_CHECKING:
    from shared.identity.principal import Principal

EXPORT_JOB = "account.export"
LINK_SECONDS = 3600
FILE_KEPT_DAYS = 7
KEY_PREFIX = "exports/"
MAX_ATTEMPTS = 5
ERASE_PAGE = 100


class ExportJobOut(ApiModel):
    job_id: str
    status: JobStatus


def export_key(user_id: str, job_id: str) -> str:
    return f"{KEY_PREFIX}{user_id}/{job_id}.json"


def request_export(principal: Principal) -> ExportJobOut:
    """Enqueue the caller's export, or answer the export of theirs still waiting or running."""
    from shared.jobs import records
    from shared.jobs.enqueue import enqueue

    user_id = principal.user_id
    job_id = enqueue(
        EXPORT_JOB,
        {"userId": user_id, "requestedAt": now_iso()},
        dedup_key=f"account-export:{user_id}",
        max_attempts=MAX_ATTEMPTS,
    )
    job = records.get(job_id)
    return ExportJobOut(job_id=job_id, status=job.status if job else "waiting")  # type: ignore[arg-type]


def build_document(user_id: str, on_section: Any = None) -> dict[str, Any]:
    """Every registered section of ``user_id``, ``account`` first."""
    sections = exporters()
    names = sorted(sections, key=lambda name: (name != "account", name))
    document: dict[str, Any] = {"exportedAt": now_iso(), "userId": user_id}
    for done, name in enumerate(names, start=1):
        document[name] = sections[name](user_id)
        if on_section is not None:
            on_section(done * 90 // len(names))
    return document


@register(EXPORT_JOB)
def run_export(context: JobContext) -> dict[str, Any]:
    """Nothing is written or sent for an account deleted meanwhile (its data is being erased)."""
    from shared.identity import repository
    from shared.lifecycle import objects
    from shared.messaging import outbox
    from shared.messaging.email import EmailMessage, owed_email

    user_id = str(context.payload.get("userId", ""))
    user = repository.get_user(user_id) if user_id else None
    if user is None:
        return {"skipped": "the account does not exist"}
    document = build_document(user_id, context.progress)
    key = export_key(user_id, context.job_id)
    objects.put_json("exports", key, document)
    url = objects.presigned_get("exports", key, LINK_SECONDS, filename=f"account-export-{now().date()}.json")
    message = EmailMessage(
        id=f"data-export:{context.job_id}",
        template="data_export",
        to=user.email,
        data={
            "name": user.name,
            "downloadUrl": url,
            "requestedAt": str(context.payload.get("requestedAt") or now_iso()),
            "linkHours": LINK_SECONDS // 3600,
            "linkExpiresAt": iso(now() + timedelta(seconds=LINK_SECONDS)),
            "fileDays": FILE_KEPT_DAYS,
        },
    )
    emailed = outbox.put(owed_email(message))
    sections = [name for name in document if name not in ("exportedAt", "userId")]
    return {"key": key, "sections": sections, "emailed": emailed}


@erasure_step("lifecycle.exports", entities=[], order=80)
def erase_exports(ctx: ErasureContext) -> bool:
    """A deleted account's export files (personal data) go with it, not 7 days later. S3 objects,
    not table items: no entity type. An export job still running when the account was deleted
    finds no profile and writes nothing; one caught mid-write leaves a file the cleanup removes."""
    from shared.lifecycle import objects

    return objects.erase_prefix(ctx, "exports", f"{KEY_PREFIX}{ctx.user_id}/", page_size=ERASE_PAGE)
