"""The daily cleanup (``lifecycle.cleanup``, the seed's ``cleanupJobs``): it removes what no TTL
can, the S3 objects nothing refers to any more. Everything stored in the table that expires does
so by TTL (the README lists it under "What expires by itself").

Five kinds, in this order, each a walk over one prefix of one bucket (``ListObjectsV2`` pages of
:data:`PAGE_SIZE` keys) with one batched check per page:

``exportFiles``
    ``exports/`` of the exports bucket: account exports older than
    :data:`~shared.lifecycle.export.FILE_KEPT_DAYS` days (their emailed link died long before).
``productImages``, ``avatars``, ``logos``
    ``product-image/``, ``avatar/`` and ``logo/`` of the uploads bucket (``<purpose>/<uploaderId>/
    <id>.<ext>``): uploads older than 24 h that no record of their uploader shows, whatever the
    purpose they were uploaded for (a deleted product's image, a replaced avatar or logo, an
    upload never used). The key names its uploader, who alone writes the records that show it, so
    the check is one BatchGetItem of the page's uploaders' account, blog and store profiles, then
    for uploaders still left with an unshown object one Query of their products and one per post
    status (:mod:`shared.lifecycle.references` lists every record that stores an upload URL, and
    what is not looked for).
``orphanFiles``, ``stalledUploads``, ``threadGoneFiles``
    ``files/<fileId>/original|preview`` of the files bucket, older than 24 h: one consistent
    BatchGetItem of the page's FILE records, then one BatchGetItem of their threads. A file whose
    record is gone loses its objects (``orphanFiles``); a record still ``pending`` 24 h after it
    was announced (its upload never completed: the worker never judged it) loses its record and
    objects (``stalledUploads``), as does a file whose thread was deleted
    (``threadGoneFiles``). A pending record whose upload never came has no object: its TTL
    removes it.

Only objects older than :data:`UPLOAD_GRACE` are looked at, so an upload in progress (or a record
read a moment after a thread's creation) is never touched. Every action is a delete of what is
still there: a retried or repeated run removes nothing twice, and a second run finds nothing.
An attempt stops after :data:`TIME_BUDGET_SECONDS` at a page boundary and owes the next part as a
new job whose payload holds the kind, S3's ``ContinuationToken`` and the counts so far.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from shared.clock import iso, now
from shared.jobs.registry import JobContext, register
from shared.lifecycle.export import FILE_KEPT_DAYS, KEY_PREFIX

CLEANUP_JOB = "lifecycle.cleanup"
PAGE_SIZE = 500
TIME_BUDGET_SECONDS = 40.0
UPLOAD_GRACE = timedelta(hours=24)
EXPORT_KEPT = timedelta(days=FILE_KEPT_DAYS)
PRODUCT_IMAGE_PREFIX = "product-image/"
AVATAR_PREFIX = "avatar/"
LOGO_PREFIX = "logo/"
FILES_PREFIX = "files/"
MAX_ATTEMPTS = 5

Kind = Literal["exports", "productImages", "avatars", "logos", "files"]
KINDS: tuple[Kind, ...] = get_args(Kind)
COUNTS = ("exportFiles", "productImages", "avatars", "logos", "orphanFiles", "stalledUploads", "threadGoneFiles")


class CleanupPayload(BaseModel):
    """Where a part starts (an admin enqueues ``{}``: a whole run); ``run`` is the first part's
    job id, which names the dedup key of each following part."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: Kind = "exports"
    token: str | None = Field(default=None, max_length=4096)
    part: int = Field(default=1, ge=1)
    run: str | None = Field(default=None, max_length=64)
    counts: dict[str, int] = Field(default_factory=dict)


def _older_than(moment: datetime, age: timedelta) -> bool:
    return moment < now() - age


def _exports(keys: list[str], counts: dict[str, int]) -> None:
    from shared.lifecycle import objects

    objects.delete("exports", keys)
    counts["exportFiles"] += len(keys)


def _uploads(count: str) -> Callable[[list[str], dict[str, int]], None]:
    """The handler of one upload prefix: delete the page's keys nothing shows, counted as ``count``."""

    def handle(keys: list[str], counts: dict[str, int]) -> None:
        from shared.lifecycle import objects, references

        doomed = references.unreferenced(keys)
        objects.delete("uploads", doomed)
        counts[count] += len(doomed)

    return handle


def _files(keys: list[str], counts: dict[str, int]) -> None:
    from shared.experience import repository as threads
    from shared.experience.files import repository, storage
    from shared.experience.files.models import object_key, preview_key

    file_ids = list(dict.fromkeys(parts[1] for parts in (key.split("/") for key in keys) if len(parts) == 3))
    records = repository.get_many(file_ids)
    live_threads = threads.get_threads({item.thread_id for item in records.values() if item.thread_id})
    cutoff = iso(now() - UPLOAD_GRACE)
    for file_id in file_ids:
        item = records.get(file_id)
        if item is None:
            kind = "orphanFiles"
        elif item.status == "pending" and item.created_at < cutoff:
            kind = "stalledUploads"
        elif item.thread_id and item.thread_id not in live_threads:
            kind = "threadGoneFiles"
        else:
            continue
        storage.delete(object_key(file_id), preview_key(file_id))
        if item is not None:
            repository.delete(item)
        counts[kind] += 1


_WALKS: dict[Kind, tuple[Any, str, timedelta, Any]] = {
    "exports": ("exports", KEY_PREFIX, EXPORT_KEPT, _exports),
    "productImages": ("uploads", PRODUCT_IMAGE_PREFIX, UPLOAD_GRACE, _uploads("productImages")),
    "avatars": ("uploads", AVATAR_PREFIX, UPLOAD_GRACE, _uploads("avatars")),
    "logos": ("uploads", LOGO_PREFIX, UPLOAD_GRACE, _uploads("logos")),
    "files": ("files", FILES_PREFIX, UPLOAD_GRACE, _files),
}


def sweep(state: CleanupPayload, *, deadline: float, page_size: int = PAGE_SIZE) -> bool:
    """Walk from ``state`` (updated in place: kind, token, counts) until every kind is done
    (True) or ``deadline`` (``time.monotonic()``) passed at a page boundary (False)."""
    from shared.lifecycle import objects

    counts: dict[str, int] = defaultdict(int, state.counts)
    try:
        while True:
            bucket, prefix, age, handle = _WALKS[state.kind]
            page = objects.list_page(bucket, prefix, state.token, page_size=page_size)
            old = [found.key for found in page.objects if _older_than(found.last_modified, age)]
            if old:
                handle(old, counts)
            state.token = page.next_token
            if state.token is None:
                position = KINDS.index(state.kind)
                if position == len(KINDS) - 1:
                    return True
                state.kind = KINDS[position + 1]
            if time.monotonic() >= deadline:
                return False
    finally:
        state.counts = {name: counts[name] for name in COUNTS}


@register(CLEANUP_JOB, manual=True, payload=CleanupPayload)
def cleanup(context: JobContext) -> dict[str, Any]:
    """One part of a run; the result has the run's counts so far and, when time ran out, the id
    of the part that continues it."""
    state = CleanupPayload.model_validate(context.payload)
    state.run = state.run or context.job_id
    context.progress(KINDS.index(state.kind) * 100 // len(KINDS))
    done = sweep(state, deadline=time.monotonic() + TIME_BUDGET_SECONDS, page_size=PAGE_SIZE)
    result: dict[str, Any] = {"part": state.part, "counts": state.counts}
    if done:
        return result
    from shared.jobs.enqueue import enqueue

    following = state.model_copy(update={"part": state.part + 1})
    result["continuedBy"] = enqueue(
        CLEANUP_JOB,
        following.model_dump(exclude_none=True),
        dedup_key=f"lifecycle-cleanup:{state.run}:{following.part}",
        max_attempts=MAX_ATTEMPTS,
    )
    return result
