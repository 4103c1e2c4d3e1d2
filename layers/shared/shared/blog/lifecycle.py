"""The blog's part of account erasure and export (see :mod:`shared.lifecycle.registry`).

Erasure, in order:

1. ``blog.comments``: the account's comments on any post, found by author (GSI1), each deleted
   with its post's ``commentCount`` down in one transaction conditioned on the comment still
   existing (:func:`repository.delete_comment`), so a repeated run never counts down twice.
2. ``blog.posts``: every post of the account (published, scheduled, drafts), found in the
   author's partitions (GSI2). For each: its pending publish job cancelled through the jobs
   service; the comments others wrote on it deleted; its search postings removed with their word
   counts (each posting with its counter, conditioned on the posting); then the post itself by the
   one post write (:func:`repository.commit_post`: slug claim freed, tag edges gone and tag counts
   down, the profile's ``postCount`` down, all conditioned on the post's version). The post goes
   last, so a job stopped anywhere finds it again and finishes what is left. The delete also owes
   the ``blog.purge-comments`` job for a comment written between the purge and the delete.
3. ``blog.profile``: the blog profile (after the posts, whose deletes move its ``postCount``).

No stream consumer reads blog items (analytics, real-time fan-out and the outbox relay filter on
other types), so these deletes cannot be counted twice downstream. The blog keeps no per-user
counter in :mod:`shared.identity.counters` (it counts accounts by role and status only).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from shared.blog import jobs, repository, search
from shared.blog.models import CommentItem, PostItem
from shared.blog.repository import WriteConflict
from shared.blog.views import comment_out, post_out
from shared.data.pagination import collect
from shared.jobs.spec import owed
from shared.lifecycle.registry import ErasureContext, erasure_step, export_section, retain

STATUSES = ("published", "scheduled", "draft")
PAGE_SIZE = 25  # posts per Query
COMMENTS_PAGE_SIZE = 100
EXPORT_LIMIT = 1000  # per list (posts of one status, comments): the export stays bounded
DELETE_ATTEMPTS = 5

retain(
    "TAG",
    reason="a tag is shared by every author's posts and holds no personal data; blog.posts moves "
    "the counts of the account's posts' tags with each post's delete",
)


@erasure_step("blog.comments", entities=["COMMENT"], order=45)
def erase_comments(ctx: ErasureContext) -> bool:
    position: dict[str, Any] | None = None
    while True:
        page = repository.author_comments_page(ctx.user_id, limit=COMMENTS_PAGE_SIZE, position=position)
        for comment in page.items:
            if repository.delete_comment(comment):
                ctx.touch()
        position = page.next_position
        if position is None:
            return True
        if ctx.out_of_time():
            return False


@erasure_step("blog.posts", entities=["POST", "POST_TAG", "POST_POSTING"], order=46)
def erase_posts(ctx: ErasureContext) -> bool:
    for status in STATUSES:
        position: dict[str, Any] | None = None
        while True:
            page = repository.author_page(ctx.user_id, status, tag=None, limit=PAGE_SIZE, position=position)
            for post in page.items:
                # A post is the unit of work (its comments and postings may take many calls): a
                # part stops after the post it is on; a resumed job finds what is left again.
                if not _erase_post(ctx, post) or ctx.out_of_time():
                    return False
            position = page.next_position
            if position is None:
                break
    return True


def _erase_post(ctx: ErasureContext, listed: PostItem) -> bool:
    """``False`` when time ran out while its comments were being purged (the post stays)."""
    post = repository.get_post(listed.post_id)  # the index copy may lag behind the post
    if post is None:
        return True
    jobs.cancel(post.publish_job_id)
    while count := repository.delete_comments_page(post.post_id, COMMENTS_PAGE_SIZE):
        ctx.touch(count)
        if ctx.out_of_time():
            return False
    ctx.touch(search.unindex_exactly(post))
    current: PostItem | None = post
    for _ in range(DELETE_ATTEMPTS):
        if current is None:
            return True  # deleted by another run of the job
        due = [owed(jobs.purge_comments_job(current.post_id))] if int(current.comment_count or 0) > 0 else []
        try:
            repository.commit_post(current, None, owed=due)
        except WriteConflict:
            current = repository.get_post(post.post_id)  # a comment came or went meanwhile
            continue
        ctx.touch()
        return True
    raise WriteConflict(post.post_id)


@erasure_step("blog.profile", entities=["BLOG_PROFILE"], order=49)
def erase_profile(ctx: ErasureContext) -> bool:
    if repository.delete_profile(ctx.user_id):
        ctx.touch()
    return True


@export_section("blog")
def export(user_id: str) -> dict[str, Any]:
    """The account's posts of every status (with their content), its comments and its profile;
    each list at most :data:`EXPORT_LIMIT` items, newest posts first, oldest comments first."""
    posts: list[dict[str, Any]] = []
    for status in STATUSES:
        found = collect(partial(repository.author_page, user_id, status, tag=None), most=EXPORT_LIMIT)
        posts += [_post(post) for post in found]
    comments = collect(partial(repository.author_comments_page, user_id), most=EXPORT_LIMIT)
    profile = repository.get_profile(user_id)
    return {
        "profile": None
        if profile is None
        else {
            "bio": profile.bio,
            "avatarUrl": profile.avatar_url,
            "location": profile.location,
            "website": profile.website,
            "postCount": max(0, int(profile.post_count or 0)),
            "updatedAt": profile.updated_at,
        },
        "posts": posts,
        "comments": [_comment(c) for c in comments if isinstance(c, CommentItem)],
    }


def _post(post: PostItem) -> dict[str, Any]:
    out = post_out(post, None).model_dump(mode="json", by_alias=True)
    out.pop("author", None)
    return out


def _comment(comment: CommentItem) -> dict[str, Any]:
    out = comment_out(comment, None).model_dump(mode="json", by_alias=True)
    out.pop("author", None)
    return out
