"""Post listings, tag pages and search: each reads one page of one index (O(page) items), then
the page's posts and authors by key.

================================  ===================================================
request                           reads
================================  ===================================================
``GET /posts``                    the published feed (GSI1)
``?authorId=``                    the author's published partition (GSI2)
``?authorId=&status=draft``       the author's drafts (GSI2; the author or an admin)
``?tag=`` / ``/tags/{slug}/posts``  the tag's edges (its partition), ``authorId`` filtered
``?search=`` (+ tag, authorId)    the rarest word's postings, filtered
================================  ===================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.blog import repository, search
from shared.blog.models import PostItem
from shared.blog.rules import tag_slug
from shared.blog.schemas import PostOut, TagOut
from shared.blog.views import post_out, tag_out
from shared.data.pagination import Page
from shared.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from shared.identity.principal import Principal
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor


def _page_out(posts: Sequence[PostItem], next_position: dict[str, Any] | None, scope: str) -> ItemsPage[PostOut]:
    authors = repository.get_authors(p.author_id for p in posts)
    return ItemsPage[PostOut](
        items=[post_out(p, authors.get(p.author_id)) for p in posts],
        next_cursor=encode_cursor(next_position, scope),
    )


def _by_ids(ids: list[str]) -> list[PostItem]:
    """Posts in the order of ``ids``, published ones only (an index entry can trail its post)."""
    found = repository.get_posts(ids)
    return [found[i] for i in ids if i in found and found[i].status == "published"]


def list_posts(
    caller: Principal | None,
    *,
    q: str | None,
    tag: str | None,
    author_id: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> ItemsPage[PostOut]:
    """``status=draft|scheduled`` lists the caller's own posts (or, for an admin, ``authorId``'s).
    Raises :class:`InvalidInput` (a search without a word, or with drafts),
    :class:`Unauthenticated` / :class:`Forbidden` (drafts unsigned, or someone else's)."""
    status = status or "published"
    if status != "published" and not author_id and caller is not None:
        author_id = caller.user_id  # one's own drafts
    slug = tag_slug(tag) if tag else None
    scope = f"posts|{q}|{slug}|{author_id}|{status}"
    position = decode_cursor(cursor, scope)
    if status != "published":
        if caller is None or not author_id:
            raise Unauthenticated("Sign in to see drafts and scheduled posts", code="NO_TOKEN")
        if caller.user_id != author_id and caller.role != "admin":
            raise Forbidden("Only the author (or an admin) sees these posts", code="NOT_POST_AUTHOR")
        if q:
            raise InvalidInput(errors={"search": ["search covers published posts only"]})
        mine = repository.author_page(author_id, status, tag=slug, limit=limit, position=position)
        return _page_out(mine.items, mine.next_position, scope)
    if q is not None:
        found_words = search.query_words(q)
        if not found_words:
            raise InvalidInput(errors={"search": ["needs a word of at least 2 letters or digits"]})
        hits = search.search_page(found_words, tag=slug, author_id=author_id, limit=limit, position=position)
        return _page_out(_by_ids([h.post_id for h in hits.items]), hits.next_position, scope)
    if slug:
        return _tag_page(slug, author_id=author_id, limit=limit, position=position, scope=scope)
    page: Page[PostItem]
    if author_id:
        page = repository.author_page(author_id, "published", tag=None, limit=limit, position=position)
    else:
        page = repository.feed_page(limit=limit, position=position)
    return _page_out(page.items, page.next_position, scope)


def _tag_page(
    slug: str, *, author_id: str | None, limit: int, position: dict[str, Any] | None, scope: str
) -> ItemsPage[PostOut]:
    edges = repository.tag_edges_page(slug, author_id=author_id, limit=limit, position=position)
    return _page_out(_by_ids([e.post_id for e in edges.items]), edges.next_position, scope)


def tag_posts(slug: str, *, limit: int, cursor: str | None) -> ItemsPage[PostOut]:
    """Raises :class:`NotFound` ``TAG_NOT_FOUND``."""
    key = tag_slug(slug)
    if not key or repository.get_tag(key) is None:
        raise NotFound("Tag not found", code="TAG_NOT_FOUND")
    scope = f"tag-posts|{key}"
    return _tag_page(key, author_id=None, limit=limit, position=decode_cursor(cursor, scope), scope=scope)


def list_tags(*, sort: str, limit: int, cursor: str | None) -> ItemsPage[TagOut]:
    scope = f"tags|{sort}"
    page = repository.tags_page(popular=sort == "popular", limit=limit, position=decode_cursor(cursor, scope))
    return ItemsPage[TagOut](
        items=[tag_out(t) for t in page.items], next_cursor=encode_cursor(page.next_position, scope)
    )
