"""Post writes: create, edit, publish (now or scheduled), unpublish, delete.

Every write reads the post, computes its next state and commits both through
:func:`repository.commit_post` (one transaction, conditioned on the versions read); a lost race
reads again and retries, up to :data:`ATTEMPTS` times, then answers 409 ``POST_CHANGED``.

``publishAt`` rules: a future time makes the post ``scheduled`` (the job publishes it then); a
time that has come publishes it now; ``status: draft`` unpublishes (and drops a schedule);
``status: published`` publishes now.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.blog import jobs, repository, search
from shared.blog.models import POST_SK, PostItem, post_pk
from shared.blog.repository import SlugTaken, WriteConflict
from shared.blog.rules import derive_excerpt, distinct_tags, post_slug
from shared.blog.schemas import CreatePostRequest, PostOut, UpdatePostRequest
from shared.blog.views import post_out
from shared.clock import iso, now
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.jobs.spec import owed
from shared.messaging.email import EmailMessage, owed_email
from shared.messaging.owed import Owed

ATTEMPTS = 12


def _pause(attempt: int) -> None:
    """A short random pause before a lost write tries again, so racing writers spread out."""
    time.sleep(random.uniform(0, 0.03 * (attempt + 1)))  # noqa: S311 - jitter, not security


class NotYetDue(RuntimeError):
    """A publish job ran before its time (retried with backoff)."""


def can_see(caller: Principal | None, post: PostItem) -> bool:
    if post.status == "published":
        return True
    return caller is not None and (caller.user_id == post.author_id or caller.role == "admin")


def visible_post(caller: Principal | None, id_or_slug: str) -> PostItem:
    """The post by id or slug; drafts and scheduled posts only for their author and admins.
    Raises :class:`NotFound` ``POST_NOT_FOUND``."""
    post = repository.get_post(id_or_slug)
    if post is None:
        post_id = repository.post_id_of_slug(id_or_slug.lower())
        post = repository.get_post(post_id) if post_id else None
    if post is None or not can_see(caller, post):
        raise NotFound("Post not found", code="POST_NOT_FOUND")
    return post


def _editable(caller: Principal, post_id: str) -> PostItem:
    post = repository.get_post(post_id)
    if post is None or not can_see(caller, post):
        raise NotFound("Post not found", code="POST_NOT_FOUND")
    if caller.user_id != post.author_id and caller.role != "admin":
        raise Forbidden("Only the author or an admin can change this post", code="NOT_POST_AUTHOR")
    return post


def post_view(post: PostItem) -> PostOut:
    return _out(post)


def _out(post: PostItem) -> PostOut:
    return post_out(post, repository.get_authors([post.author_id]).get(post.author_id))


def _copy(post: PostItem) -> PostItem:
    return PostItem.from_raw_data(post.serialize())


def _tags(names: list[str]) -> tuple[list[str], list[str]]:
    """(names, slugs): one per tag, spelled as the tag was first written."""
    try:
        pairs = distinct_tags(names)
    except ValueError as exc:
        raise InvalidInput(errors={"tagNames": [str(exc)]}) from exc
    existing = repository.get_tags(slug for _name, slug in pairs)
    return [existing[s].name if s in existing else n for n, s in pairs], [s for _n, s in pairs]


def _schedule(post: PostItem, status: str, publish_at: datetime | None, at: str) -> list[Owed]:
    """Set ``status`` (draft/published) or a ``publish_at`` on ``post``; what that owes."""
    post.publish_job_id = None
    if publish_at is not None and publish_at > now():
        post.status, post.publish_at, post.published_at = "scheduled", iso(publish_at), None
        spec = jobs.publish_job(post.post_id, post.publish_at)
        post.publish_job_id = spec.job_id
        return [owed(spec)]
    post.publish_at = None
    if publish_at is not None or status == "published":
        if post.status != "published":
            post.status, post.published_at = "published", at
    else:
        post.status, post.published_at = "draft", None
    return []


def create_post(caller: Principal, request: CreatePostRequest) -> PostOut:
    """Raises :class:`InvalidInput` for a tag name without a letter or digit."""
    names, slugs = _tags(request.tag_names or [])
    at = iso(now())
    post_id = new_id()
    slug_attempt = 0
    for attempt in range(ATTEMPTS):
        post = PostItem(
            post_pk(post_id),
            POST_SK,
            post_id=post_id,
            author_id=caller.user_id,
            slug=post_slug(request.title, attempt=slug_attempt),
            title=request.title,
            content=request.content,
            excerpt=request.excerpt or derive_excerpt(request.content),
            excerpt_derived=not request.excerpt,
            status="draft",
            tag_names=names,
            tag_slugs=slugs,
            cover_image_url=request.cover_image_url,
            comment_count=0,
            created_at=at,
            updated_at=at,
        )
        due = _schedule(post, request.status, request.publish_at, at)
        try:
            repository.commit_post(None, post, claim_slug=True, owed=due)
        except SlugTaken:
            slug_attempt += 1  # the next try adds a random suffix
            continue
        except WriteConflict:
            _pause(attempt)
            names, slugs = _tags(request.tag_names or [])  # a new tag may have been created meanwhile
            continue
        search.reindex(None, post)
        return _out(post)
    raise Conflict("The post could not be saved; retry", code="POST_CHANGED")


def _retrying(
    change: Callable[[], tuple[PostItem, PostItem | None, list[Owed]]], *, cancel_jobs: bool = True
) -> tuple[PostItem, PostItem | None]:
    """Run ``change`` (read, compute) and commit it until it wins; then the search index follows
    and a publish job the change dropped is cancelled."""
    for attempt in range(ATTEMPTS):
        old, new, due = change()
        try:
            repository.commit_post(old, new, owed=due)
        except WriteConflict:
            _pause(attempt)
            continue
        search.reindex(old, new)
        if cancel_jobs and old.publish_job_id and (new is None or new.publish_job_id != old.publish_job_id):
            jobs.cancel(old.publish_job_id)
        return old, new
    raise Conflict("The post changed meanwhile; retry", code="POST_CHANGED")


def update_post(caller: Principal, post_id: str, request: UpdatePostRequest) -> PostOut:
    """Partial update by the author or an admin. Raises :class:`NotFound` ``POST_NOT_FOUND``,
    :class:`Forbidden` ``NOT_POST_AUTHOR``, :class:`InvalidInput`, :class:`Conflict`."""
    fields = request.model_fields_set
    if not fields:
        raise InvalidInput("Nothing to update", errors={"body": ["provide at least one field"]})
    for name in ("title", "content", "status"):
        if name in fields and getattr(request, name) is None:
            raise InvalidInput(errors={name: ["cannot be null"]})
    tags = _tags(request.tag_names or []) if "tag_names" in fields else None

    def change() -> tuple[PostItem, PostItem | None, list[Owed]]:
        old = _editable(caller, post_id)
        new = _copy(old)
        at = iso(now())
        updates: dict[str, Any] = {
            n: getattr(request, n) for n in ("title", "content", "cover_image_url") if n in fields
        }
        for name, value in updates.items():
            setattr(new, name, value)
        if "excerpt" in fields:
            new.excerpt_derived = not request.excerpt
            new.excerpt = request.excerpt or derive_excerpt(new.content)
        elif new.excerpt_derived and "content" in fields:
            new.excerpt = derive_excerpt(new.content)
        if tags is not None:
            new.tag_names, new.tag_slugs = tags
        due: list[Owed] = []
        if "publish_at" in fields or "status" in fields:
            status = request.status or ("draft" if old.status == "scheduled" else old.status)
            if "publish_at" in fields:
                due = _schedule(new, status, request.publish_at, at)
            elif status != old.status:
                due = _schedule(new, status, None, at)
        new.updated_at = at
        return old, new, due

    _old, new = _retrying(change)
    assert new is not None
    return _out(new)


def delete_post(caller: Principal, post_id: str) -> None:
    """The post, its slug, tag links (counts down) and search postings go at once; its comments
    through the ``blog.purge-comments`` job. Raises :class:`NotFound`, :class:`Forbidden`."""

    def change() -> tuple[PostItem, PostItem | None, list[Owed]]:
        old = _editable(caller, post_id)
        return old, None, [owed(jobs.purge_comments_job(post_id))] if int(old.comment_count or 0) > 0 else []

    _retrying(change)


def publish_due(post_id: str, publish_at: str, job_id: str) -> dict[str, Any]:
    """The ``blog.publish-post`` job: publish the post if it is still scheduled for ``publish_at``
    by this job, and owe the author's "Your post is live" email in the same transaction."""

    def change() -> tuple[PostItem, PostItem | None, list[Owed]]:
        old = repository.get_post(post_id)
        if old is None or old.status != "scheduled" or old.publish_at != publish_at or old.publish_job_id != job_id:
            raise _Skip
        if datetime.fromisoformat(publish_at) > now():
            raise NotYetDue(f"post {post_id} is due at {publish_at}")
        new = _copy(old)
        new.status, new.published_at, new.publish_at, new.publish_job_id = "published", publish_at, None, None
        new.updated_at = iso(now())
        return old, new, _live_email(new)

    try:
        _retrying(change, cancel_jobs=False)  # the running job is this one
    except _Skip:
        return {"skipped": "the post is no longer scheduled for this time"}
    return {"published": post_id}


class _Skip(Exception):
    pass


def _live_email(post: PostItem) -> list[Owed]:
    author = repository.get_authors([post.author_id], consistent=True).get(post.author_id)
    if author is None:
        return []
    message = EmailMessage(
        id=f"post-live:{post.post_id}:{post.published_at}",
        template="post_live",
        to=author.user.email,
        data={"name": author.user.name, "title": post.title, "slug": post.slug, "published_at": post.published_at},
    )
    return [owed_email(message)]
