"""Blog job types.

- ``blog.publish-post``: owed by the write that schedules a post (``publishAt`` in the future),
  delayed until that time (an SQS delay up to 15 minutes, a one-time schedule beyond). It
  publishes the post only while the post is still ``scheduled`` for that same time by that same
  job (``publishJobId``), so a moved, unpublished or deleted post is never published by a stale
  job, and a repeated run changes nothing. It then owes the author "Your post is live" (email id
  ``post-live:<postId>:<publishAt>``, sent once). The writes that move or drop the schedule also
  cancel the pending job through the jobs API (best effort: the check above is what counts).
- ``blog.purge-comments``: owed by a post's deletion; removes the deleted post's comments in
  pages, continuing as a new job after :data:`TIME_BUDGET_SECONDS`.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from shared.jobs.registry import JobContext, register
from shared.jobs.spec import JobSpec, build

PUBLISH_POST = "blog.publish-post"
PURGE_COMMENTS = "blog.purge-comments"
PAGE_SIZE = 100
TIME_BUDGET_SECONDS = 40.0
MAX_ATTEMPTS = 5


def publish_job(post_id: str, publish_at: str) -> JobSpec:
    """The job a scheduling write owes (its id goes on the post as ``publishJobId``)."""
    payload = {"postId": post_id, "publishAt": publish_at}
    return build(PUBLISH_POST, payload, run_at=datetime.fromisoformat(publish_at), max_attempts=MAX_ATTEMPTS)


def purge_comments_job(post_id: str, part: int = 1) -> JobSpec:
    payload = {"postId": post_id, "part": part}
    return build(PURGE_COMMENTS, payload, dedup_key=f"post-comments-purge:{post_id}:{part}", max_attempts=MAX_ATTEMPTS)


def cancel(job_id: str | None) -> None:
    """Cancel a pending publish job; one that already ran or was cancelled is fine."""
    if not job_id:
        return
    from shared.errors import Conflict, NotFound
    from shared.jobs import service

    try:
        service.cancel_job(job_id)
    except (Conflict, NotFound):
        return


@register(PUBLISH_POST)
def publish_post(context: JobContext) -> dict[str, Any]:
    from shared.blog import posts

    post_id = str(context.payload.get("postId", ""))
    publish_at = str(context.payload.get("publishAt", ""))
    return posts.publish_due(post_id, publish_at, context.job_id)


@register(PURGE_COMMENTS)
def purge_comments(context: JobContext) -> dict[str, Any]:
    """Only a deleted post's comments go (a live post is never touched)."""
    from shared.blog import repository

    post_id = str(context.payload.get("postId", ""))
    if not post_id or repository.get_post(post_id) is not None:
        return {"skipped": "no deleted post to purge"}
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    removed = 0
    while True:
        count = repository.delete_comments_page(post_id, PAGE_SIZE)
        removed += count
        if count == 0:
            return {"commentsRemoved": removed}
        if time.monotonic() >= deadline:
            from shared.jobs.enqueue import enqueue

            part = int(context.payload.get("part", 1)) + 1
            spec = purge_comments_job(post_id, part)
            next_id = enqueue(spec.type, spec.payload, dedup_key=spec.dedup_key, max_attempts=MAX_ATTEMPTS)
            return {"commentsRemoved": removed, "continuedBy": next_id}
