"""``make bench`` section: what the blog's listings, tag pages and search cost as posts grow.

Runs in-process against moto: 100 and then 10,000 published posts by one author, all tagged
``python`` (one also ``rare``), bulk-written as the repository writes them (post, tag edges,
search postings and word counters), then measures the feed, the author's page, a tag page, three
searches (a word in every post, a word in one post, both words) and a post's create and read:
DynamoDB calls, items DynamoDB read (``ScannedCount`` of queries, items of gets) and read units.
A listing or tag page reads ``limit + 1`` index items and the page's posts whatever the number of
posts; a search reads its rarest word's postings only.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

from devstack.bench_experience import _principal, _row
from devstack.bench_products import _ENV, _ItemsRead
from devstack.metering import bench_environment

SIZES = tuple(int(n) for n in os.environ.get("BENCH_BLOG_SIZES", "100,10000").split(","))
TABLE = "bench-blog"
ADJECTIVES = ("quick", "lazy", "bright", "quiet", "bold", "calm", "eager", "fancy")
NOUNS = ("lambda", "table", "index", "queue", "stream", "bucket", "schema", "token")


def _populate(author_id: str, count: int) -> str:
    """``count`` published posts, newest last; returns the id of the one tagged ``rare``."""
    from shared.blog import search
    from shared.blog.models import POST_SK, SLUG_KIND, TAG_SK, PostItem, TagItem, post_pk, tag_pk
    from shared.blog.repository import tag_edges
    from shared.data.table import Item
    from shared.data.unique import UniqueItem
    from shared.ids import new_id
    from shared.search.index import COUNT_SK, WordCountItem

    words: Counter[str] = Counter()
    rare_id = ""
    with Item.batch_write() as batch:
        for n in range(count):
            post_id = new_id()
            rare = n == count // 2
            rare_id = post_id if rare else rare_id
            at = f"2026-01-01T00:00:00.{n:06d}Z"
            post = PostItem(
                post_pk(post_id),
                POST_SK,
                post_id=post_id,
                author_id=author_id,
                slug=f"post-{n}",
                title=f"{ADJECTIVES[n % 8]} {NOUNS[n // 8 % 8]}",
                content="serverless zebra" if rare else "serverless",
                excerpt="",
                status="published",
                tag_names=["python", "rare"] if rare else ["python"],
                tag_slugs=["python", "rare"] if rare else ["python"],
                published_at=at,
                created_at=at,
                updated_at=at,
                version=1,
            )
            post.set_index_keys()
            batch.save(post)
            batch.save(UniqueItem(*UniqueItem.key(SLUG_KIND, post.slug), owner_id=post_id, kind=SLUG_KIND))
            for edge in tag_edges(post).values():
                batch.save(edge)
            for posting in search.postings(post):
                batch.save(posting)
                words[posting.pk] += 1
        for slug, total in (("python", count), ("rare", 1)):
            tag = TagItem(tag_pk(slug), TAG_SK, name=slug, slug=slug, post_count=total, created_at="2026", version=1)
            tag.set_index_keys()
            batch.save(tag)
        for pk, total in words.items():
            batch.save(WordCountItem(pk, COUNT_SK, products=total))
    return rare_id


def _rows_for(count: int) -> list[list[str]]:
    import boto3
    from moto import mock_aws
    from shared.blog import listing, posts
    from shared.blog.schemas import CreatePostRequest
    from shared.data.table import configure_table, connection

    from devstack.resources import create_table

    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        configure_table(TABLE)
        alice = _principal("alice")
        rare_id = _populate(alice.user_id, count)
        reads = _ItemsRead()
        connection().client.meta.events.register("after-call.dynamodb", reads)

        def page(**query: Any) -> Callable[[], Any]:
            base: dict[str, Any] = {"q": None, "tag": None, "author_id": None, "status": None}
            return lambda: listing.list_posts(None, **{**base, **query}, limit=20, cursor=None)

        def tag_page() -> Any:
            return listing.tag_posts("python", limit=20, cursor=None)

        body = CreatePostRequest(
            title="A new post", content="Fresh words", tag_names=["python", "new"], status="published"
        )
        rows = [
            _row(count, "feed, limit 20", page(), reads),
            _row(count, "author's posts, limit 20", page(author_id=alice.user_id), reads),
            _row(count, "tag 'python' page, limit 20", tag_page, reads),
            _row(count, "search 'serverless' (every post)", page(q="serverless"), reads),
            _row(count, "search 'zebra' (1 post)", page(q="zebra"), reads),
            _row(count, "search 'serverless zebra' + tag", page(q="serverless zebra", tag="python"), reads),
            _row(count, "get post by slug", lambda: posts.visible_post(None, "post-1"), reads),
            _row(count, "create published post (2 tags)", lambda: posts.create_post(alice, body), reads),
        ]
        assert rare_id
        connection().client.meta.events.unregister("after-call.dynamodb", reads)
    return rows


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    from shared.data.table import configure_table

    with bench_environment({**_ENV, "TABLE_NAME": TABLE}):
        try:
            rows = [row for size in SIZES for row in _rows_for(size)]
        finally:
            configure_table()
    header = ["posts", "request", "returned", "calls", "items read", "RCU", "operations"]
    return [("Blog listings, tag pages and search by number of posts (moto in-process)", header, rows)]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, header, table_rows in section():
        print_table(title, header, table_rows)
