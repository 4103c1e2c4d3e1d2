"""Experience's job types: ``experience.purge-thread`` empties a deleted thread's partition.

``DELETE /threads/{id}`` removes the thread and its memberships (gone for everyone at once) and
leaves a purge marker, owing this job in the same transaction (dedup key per thread). The job
removes the rest of the partition in pages of :data:`PAGE_SIZE` items: messages (with their
search postings, each removed together with its word counter's decrement), versions, reactions,
actions, artifacts and send claims, then the thread's files (their S3 objects, then their
records, whoever uploaded them), then the marker. Every step is a delete of what is still there, so a
retried attempt continues where a crashed one stopped. An attempt stops after
:data:`TIME_BUDGET_SECONDS` (the worker's timeout is 60 s) and owes the next part as a new job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.jobs.registry import JobContext, register
from shared.jobs.spec import JobSpec, build

PURGE_THREAD = "experience.purge-thread"
PAGE_SIZE = 100  # BatchWriteItem takes 25 per call; a page is one Query
TIME_BUDGET_SECONDS = 40.0
MAX_ATTEMPTS = 5


def _payload(thread_id: str, message_count: int, part: int, removed: int) -> dict[str, Any]:
    # ``messages`` and ``removed`` only feed the job's progress.
    return {"threadId": thread_id, "messages": message_count, "part": part, "removed": removed}


def _dedup_key(thread_id: str, part: int) -> str:
    return f"thread-purge:{thread_id}:{part}"


def purge_thread_job(thread_id: str, message_count: int) -> JobSpec:
    """The job a thread deletion owes (add ``owed(spec)`` to its transaction)."""
    payload = _payload(thread_id, message_count, 1, 0)
    return build(PURGE_THREAD, payload, dedup_key=_dedup_key(thread_id, 1), max_attempts=MAX_ATTEMPTS)


def purge(
    thread_id: str, *, page_size: int, deadline: float, on_page: Callable[[int], None] | None = None
) -> tuple[int, bool]:
    """Remove pages of a deleted thread's items until none is left (then the marker) or
    ``deadline`` (``time.monotonic()``) passed. Returns (messages removed, whether all is gone)."""
    from shared.experience import repository, search
    from shared.experience.files.service import discard_thread_files
    from shared.experience.models import MessageItem

    removed = 0
    while True:
        page = repository.thread_items_page(thread_id, page_size)
        if not page:
            if not discard_thread_files(thread_id, page_size):
                repository.delete_purge_marker(thread_id)
                return removed, True
            if time.monotonic() >= deadline:
                return removed, False
            continue
        found = [item for item in page if isinstance(item, MessageItem)]
        for message in found:
            search.unindex_exactly(message)
        repository.delete_items(page)
        removed += len(found)
        if on_page is not None:
            on_page(removed)
        if time.monotonic() >= deadline:
            return removed, False


class PurgeThreadPayload(BaseModel):
    """What an admin may enqueue by hand (a thread deleted before this job existed)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    thread_id: str = Field(min_length=1, max_length=64, alias="threadId")


@register(PURGE_THREAD, manual=True, payload=PurgeThreadPayload)
def purge_thread(context: JobContext) -> dict[str, Any]:
    """Only a thread with a purge marker is emptied (its head is gone): a live thread is never
    touched, and a run after the purge finished does nothing."""
    from shared.experience import repository

    thread_id = str(context.payload.get("threadId", ""))
    if not thread_id or repository.purge_marker(thread_id) is None:
        return {"skipped": "no deleted thread to purge"}
    total = max(1, int(context.payload.get("messages", 0)))
    before = int(context.payload.get("removed", 0))

    def progress(removed: int) -> None:
        context.progress(min(99, (before + removed) * 100 // total))

    removed, done = purge(
        thread_id, page_size=PAGE_SIZE, deadline=time.monotonic() + TIME_BUDGET_SECONDS, on_page=progress
    )
    if done:
        return {"messagesRemoved": removed}
    from shared.jobs.enqueue import enqueue

    part = int(context.payload.get("part", 1)) + 1
    payload = _payload(thread_id, total, part, before + removed)
    next_id = enqueue(PURGE_THREAD, payload, dedup_key=_dedup_key(thread_id, part), max_attempts=MAX_ATTEMPTS)
    return {"messagesRemoved": removed, "continuedBy": next_id}
