"""Data access for the blog: the only blog module that builds keys or talks to DynamoDB.

:func:`commit_post` is the one write of a post's state (create, edit, publish, unpublish,
delete): one transaction holding the post (conditioned on its ``version``), its slug claim, the
tag items whose published count changes (each saved under its own ``version``), the tag edges of
a published post, the author's profile ``postCount`` and what the change owes (the publish job,
the "post is live" email, the comment purge). Two concurrent writers cannot both win: the loser
gets :class:`WriteConflict` and its caller reads again and retries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.blog.models import (
    COMMENT_SK,
    EDGE_PREFIX,
    FEED_PK,
    POST_SK,
    PROFILE_SK,
    SLUG_KIND,
    TAG_SK,
    TAGS_BY_NAME_PK,
    TAGS_BY_POPULARITY_PK,
    CommentItem,
    PostItem,
    PostTagItem,
    ProfileItem,
    TagItem,
    author_comments_partition,
    author_partition,
    comment_pk,
    post_comments_partition,
    post_pk,
    profile_pk,
    tag_pk,
)
from shared.clock import now_iso
from shared.data import unique
from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import delete_if, failed_conditions, transaction
from shared.identity.models import PROFILE_SK as USER_SK
from shared.identity.models import UserItem, user_pk
from shared.messaging import outbox
from shared.messaging.owed import Owed


class WriteConflict(Exception):
    """Something the write read changed meanwhile (the post, a tag's count): read again."""


class SlugTaken(Exception):
    """Another post holds the slug."""


def published(post: PostItem | None) -> bool:
    return post is not None and post.status == "published" and bool(post.published_at)


def tag_edges(post: PostItem | None) -> dict[tuple[str, str], PostTagItem]:
    if post is None or not published(post):
        return {}
    found: dict[tuple[str, str], PostTagItem] = {}
    for slug in post.tag_slugs or []:
        key = (tag_pk(slug), f"{EDGE_PREFIX}{post.published_at}#{post.post_id}")
        found[key] = PostTagItem(*key, post_id=post.post_id, author_id=post.author_id, tag_slug=slug)
    return found


def get_tags(slugs: Iterable[str]) -> dict[str, TagItem]:
    keys = [(tag_pk(slug), TAG_SK) for slug in dict.fromkeys(slugs)]
    if not keys:
        return {}
    return {t.slug: t for t in Item.batch_get(keys, consistent_read=True) if isinstance(t, TagItem)}


def _tag_writes(tx: TransactWrite, old: PostItem | None, new: PostItem | None) -> None:
    """Create the new post's missing tags (first spelling kept) and move the published counts;
    ``new`` takes each existing tag's stored spelling."""
    before = set(old.tag_slugs or []) if old is not None and published(old) else set()
    after = set(new.tag_slugs or []) if new is not None and published(new) else set()
    names = dict(zip(new.tag_slugs or [], new.tag_names or [], strict=False)) if new is not None else {}
    wanted = before | after | set(names)
    current = get_tags(wanted)
    if new is not None:
        new.tag_names = [current[slug].name if slug in current else names[slug] for slug in new.tag_slugs or []]
    at = now_iso()
    for slug in sorted(wanted):
        delta = (slug in after) - (slug in before)
        tag = current.get(slug)
        if tag is None:
            if slug not in names:
                continue  # an old tag that vanished: nothing left to count down
            tag = TagItem(tag_pk(slug), TAG_SK, name=names[slug], slug=slug, post_count=0, created_at=at)
        elif not delta:
            continue
        tag.post_count = max(0, int(tag.post_count) + delta)
        tag.set_index_keys()
        tx.save(tag)  # conditioned on the version read (or on absence for a new tag)


def commit_post(
    old: PostItem | None,
    new: PostItem | None,
    *,
    claim_slug: bool = False,
    owed: Sequence[Owed] = (),
) -> None:
    """Take a post from ``old`` (as read, ``None`` to create) to ``new`` (``None`` to delete).

    Raises :class:`SlugTaken` (a create whose slug is held) or :class:`WriteConflict`.
    """
    subject = new or old
    assert subject is not None
    old_edges, new_edges = tag_edges(old), tag_edges(new)
    author_delta = int(published(new)) - int(published(old))
    try:
        with transaction() as tx:
            if claim_slug and new is not None:
                unique.claim(tx, SLUG_KIND, new.slug, new.post_id)
            _tag_writes(tx, old, new)
            if new is None and old is not None:
                tx.delete(old)  # conditioned on its version
                unique.release(tx, SLUG_KIND, old.slug, old.post_id)
            else:
                assert new is not None
                new.set_index_keys()
                tx.save(new)  # conditioned on its version (absence for a new post)
            for key, edge in old_edges.items():
                if key not in new_edges:
                    tx.delete(edge)
            for key, edge in new_edges.items():
                if key not in old_edges:
                    tx.save(edge)
            if author_delta:
                profile = ProfileItem(profile_pk(subject.author_id), PROFILE_SK)
                actions: list[Any] = [
                    ProfileItem.post_count.add(author_delta),
                    ProfileItem.user_id.set(subject.author_id),
                    Item.item_type.set(ProfileItem),
                ]
                tx.update(profile, actions=actions)
            outbox.add(tx, *owed)
    except TransactWriteError as exc:
        if not any(failed_conditions(exc)):
            raise
        if claim_slug and new is not None and unique.owner_of(SLUG_KIND, new.slug) not in (None, new.post_id):
            raise SlugTaken(new.slug) from exc
        raise WriteConflict(subject.post_id) from exc


def get_post(post_id: str) -> PostItem | None:
    try:
        found = Item.get(post_pk(post_id), POST_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, PostItem) else None


def post_id_of_slug(slug: str) -> str | None:
    return unique.owner_of(SLUG_KIND, slug)


def get_posts(post_ids: Sequence[str]) -> dict[str, PostItem]:
    keys = [(post_pk(pid), POST_SK) for pid in dict.fromkeys(post_ids)]
    if not keys:
        return {}
    return {p.post_id: p for p in Item.batch_get(keys) if isinstance(p, PostItem)}


def feed_page(*, limit: int, position: dict[str, Any] | None) -> Page[PostItem]:
    run = partial(Item.gsi1.query, FEED_PK, scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI1")


def author_page(
    author_id: str, status: str, *, tag: str | None, limit: int, position: dict[str, Any] | None
) -> Page[PostItem]:
    """An author's posts of one status, newest first; ``tag`` filters within that author's posts."""
    run = partial(Item.gsi2.query, author_partition(author_id, status), scan_index_forward=False)
    condition = PostItem.tag_slugs.contains(tag) if tag else None
    return query_page(run, limit=limit, position=position, index="GSI2", filter_condition=condition)


def tag_edges_page(
    slug: str, *, author_id: str | None, limit: int, position: dict[str, Any] | None
) -> Page[PostTagItem]:
    run = partial(Item.query, tag_pk(slug), Item.sk.startswith(EDGE_PREFIX), scan_index_forward=False)
    condition = (PostTagItem.author_id == author_id) if author_id else None
    return query_page(run, limit=limit, position=position, filter_condition=condition)


def get_tag(slug: str) -> TagItem | None:
    return get_tags([slug]).get(slug)


def tags_page(*, popular: bool, limit: int, position: dict[str, Any] | None) -> Page[TagItem]:
    if popular:
        run = partial(Item.gsi2.query, TAGS_BY_POPULARITY_PK, scan_index_forward=False)
        return query_page(run, limit=limit, position=position, index="GSI2")
    run = partial(Item.gsi1.query, TAGS_BY_NAME_PK)
    return query_page(run, limit=limit, position=position, index="GSI1")


# ---- authors and profiles ----------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    user: UserItem
    profile: ProfileItem | None


def get_authors(user_ids: Iterable[str], *, consistent: bool = False) -> dict[str, Author]:
    """Users and their profiles, one BatchGetItem."""
    ids = list(dict.fromkeys(user_ids))
    keys: list[tuple[str, str]] = []
    for uid in ids:
        keys += [(user_pk(uid), USER_SK), (profile_pk(uid), PROFILE_SK)]
    if not keys:
        return {}
    users: dict[str, UserItem] = {}
    profiles: dict[str, ProfileItem] = {}
    for found in Item.batch_get(keys, consistent_read=consistent):
        if isinstance(found, UserItem):
            users[found.user_id] = found
        elif isinstance(found, ProfileItem):
            profiles[found.user_id] = found
    return {uid: Author(user, profiles.get(uid)) for uid, user in users.items()}


def get_profile(user_id: str) -> ProfileItem | None:
    try:
        found = Item.get(profile_pk(user_id), PROFILE_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ProfileItem) else None


def delete_profile(user_id: str) -> bool:
    """``False`` when there was none (never created, or deleted already)."""
    return delete_if(ProfileItem(profile_pk(user_id), PROFILE_SK))


def update_profile(user_id: str, fields: dict[str, str | None]) -> None:
    """Set (``None``: remove) profile fields; the profile is created by its first write."""
    actions: list[Any] = [
        ProfileItem.user_id.set(user_id),
        ProfileItem.updated_at.set(now_iso()),
        Item.item_type.set(ProfileItem),
    ]
    for name, value in fields.items():
        attribute = getattr(ProfileItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    ProfileItem(profile_pk(user_id), PROFILE_SK).update(actions=actions)


# ---- comments ----------------------------------------------------------------------------------


def add_comment(post: PostItem, comment: CommentItem) -> None:
    """The comment and the post's ``commentCount`` in one transaction, on condition that the post
    is still published (its version unchanged). Raises :class:`WriteConflict`."""
    comment.set_index_keys()
    try:
        with transaction() as tx:
            tx.save(comment, condition=Item.pk.does_not_exist())
            tx.update(
                post,
                actions=[PostItem.comment_count.add(1)],
                condition=PostItem.status == "published",
                add_version_condition=False,  # comments do not race each other; the version still rises
            )
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise WriteConflict(post.post_id) from exc
        raise


def get_comment(comment_id: str) -> CommentItem | None:
    try:
        found = Item.get(comment_pk(comment_id), COMMENT_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, CommentItem) else None


def delete_comment(comment: CommentItem) -> bool:
    """The comment and the post's count down, together; ``False`` when the comment was gone
    already. A comment whose post is gone (being purged) is deleted alone."""
    post = get_post(comment.post_id)
    try:
        with transaction() as tx:
            tx.delete(comment, condition=Item.pk.exists())
            if post is not None:
                # The version goes up too (not checked): an edit that read the old count retries.
                tx.update(
                    post,
                    actions=[PostItem.comment_count.add(-1)],
                    condition=Item.pk.exists(),
                    add_version_condition=False,
                )
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if failed[:1] == [True]:
            return False
        if any(failed):
            comment.delete(condition=Item.pk.exists())  # the post went meanwhile
            return True
        raise
    return True


def comments_page(post_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[CommentItem]:
    run = partial(Item.gsi3.query, post_comments_partition(post_id))
    return query_page(run, limit=limit, position=position, index="GSI3")


def author_comments_page(author_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[CommentItem]:
    """A user's comments, oldest first (only comments written since comments carry author keys)."""
    run = partial(Item.gsi1.query, author_comments_partition(author_id))
    return query_page(run, limit=limit, position=position, index="GSI1")


def delete_comments_page(post_id: str, page_size: int) -> int:
    """Delete one page of a (deleted) post's comments; how many were deleted (0: none left)."""
    found = [
        c for c in Item.gsi3.query(post_comments_partition(post_id), limit=page_size) if isinstance(c, CommentItem)
    ]
    with Item.batch_write() as batch:
        for comment in found:
            batch.delete(CommentItem(comment.pk, comment.sk))
    return len(found)
