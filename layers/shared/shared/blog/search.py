"""Post search over the one inverted index (:mod:`shared.search.index`).

A published post has one posting ``POSTSEARCH#<word>`` / ``<publishedAt>#<postId>`` per distinct
word of its title, excerpt, tag names and the first :data:`MAX_CONTENT_WORDS` words of its
content (markup stripped); each posting carries the post's author and tag slugs. Drafts and
scheduled posts have none, so search never finds them.

Postings are written after the post's transaction (hundreds of postings do not fit one), by
BatchWriteItem, with the word counters in transactions of 100 (as messages do). The counters only
pick the word a query starts from; results come from the postings.

A query reads the postings of its rarest word, newest first, filtered to the other words and to
``tag`` / ``authorId``; then the page's posts by key (one BatchGetItem).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.blog.models import PostItem, PostPostingItem, search_pk
from shared.blog.rules import plain_text
from shared.data.pagination import Page
from shared.search import index

MAX_CONTENT_WORDS = 300
MAX_QUERY_WORDS = 8


def post_words(post: PostItem) -> list[str]:
    head = index.words(post.title, post.excerpt, *(post.tag_names or []))
    body = index.words(plain_text(post.content), limit=MAX_CONTENT_WORDS)
    return list(dict.fromkeys([*head, *body]))


def postings(post: PostItem | None) -> list[PostPostingItem]:
    if post is None or post.status != "published" or not post.published_at:
        return []
    found = post_words(post)
    padded, tags = index.padded(found), index.padded(post.tag_slugs or [])
    sk = f"{post.published_at}#{post.post_id}"
    return [
        PostPostingItem(search_pk(word), sk, post_id=post.post_id, author_id=post.author_id, words=padded, tags=tags)
        for word in found
    ]


def _apply(before: Sequence[PostPostingItem], after: Sequence[PostPostingItem]) -> None:
    if before and after and before[0].sk != after[0].sk:  # republished: other sort keys
        _apply(before, [])
        _apply([], after)
        return
    changed = bool(before and after and (before[0].words, before[0].tags) != (after[0].words, after[0].tags))
    ops = index.IndexOps.diff(before, after, rewrite_kept=changed, model=PostPostingItem)
    if ops.size:
        ops.apply_batched()


def reindex(old: PostItem | None, new: PostItem | None) -> None:
    """Take a post's postings from ``old``'s to ``new``'s (either may be ``None``)."""
    _apply(postings(old), postings(new))


def unindex_exactly(post: PostItem) -> int:
    """Remove a post's postings with their word counts, exactly even when repeated (erasure:
    the post is deleted after its postings, so a resumed job finds it and removes what is left).
    Returns how many postings were removed."""
    return index.remove_exactly([(p.pk, p.sk) for p in postings(post)], model=PostPostingItem)


def query_words(q: str) -> list[str]:
    return index.words(q)[:MAX_QUERY_WORDS]


def search_page(
    found_words: list[str], *, tag: str | None, author_id: str | None, limit: int, position: dict[str, Any] | None
) -> Page[PostPostingItem]:
    """Postings matching every word (and the filters), newest first; empty when a word is unknown."""
    counts = index.word_counts(search_pk, found_words)
    if min(counts.values()) <= 0:
        return Page(items=[], next_position=None)
    rarest = min(found_words, key=lambda word: counts[word])
    conditions: list[Any] = [PostPostingItem.words.contains(f" {w} ") for w in found_words if w != rarest]
    if tag:
        conditions.append(PostPostingItem.tags.contains(f" {tag} "))
    if author_id:
        conditions.append(PostPostingItem.author_id == author_id)
    page = index.postings_page(
        search_pk(rarest), filter_condition=index.and_all(conditions), limit=limit, position=position
    )
    hits = [p for p in page.items if isinstance(p, PostPostingItem)]
    return Page(items=hits, next_position=page.next_position)
