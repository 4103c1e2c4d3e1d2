"""Which uploads (``<purpose>/<uploaderId>/<id>.<ext>`` in the uploads bucket) are still shown,
for the daily cleanup's sweeps of product images, avatars and logos.

Every record that stores an upload's URL, and is written by the uploader themself:

=======================================  ===================================================
record (system)                          field
=======================================  ===================================================
the account (identity, ``USER``)         ``avatarUrl``
the blog profile (blog, ``BLOG_PROFILE``) ``avatarUrl``
the store profile (``SELLER_PROFILE``)   ``logoUrl``
products of the seller (``PRODUCT``)     ``images`` (every status: a draft's are kept)
posts of the author (``POST``)           ``coverImageUrl`` (draft, scheduled, published)
=======================================  ===================================================

Any of them may show an upload of any purpose (a blogger's cover is an ``avatar`` upload: the only
purpose open to every account; a store may show its seller's avatar as its logo), so an object is
kept when any record of its uploader names it. Copies not listed: a search posting's card image and
an order line's image are copies of a product's, written when it was current (an order keeps its
URL after the product is gone); a URL another account pasted into its own records is not looked
for.

Cost per page of keys: one BatchGetItem of the uploaders' accounts and blog profiles and one of
their store profiles; then, only for uploaders left with an object none of those shows, a Query
of their products and one per post status (each paged), never a Scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, get_args
from urllib.parse import unquote, urlparse

from shared.data.pagination import Page

_KEY = re.compile(r"(?:^|/)((?:product-image|avatar|logo)/[^/]+/[^/]+)$")
QUERY_PAGE = 100


def upload_key(url: str | None) -> str | None:
    """The object key an upload URL names (the local S3 endpoint, the bucket's domain or a CDN in
    front of it), or None for an image hosted elsewhere."""
    if not url:
        return None
    found = _KEY.search(unquote(urlparse(url).path))
    return found.group(1) if found else None


def uploader_of(key: str) -> str | None:
    parts = key.split("/")
    return parts[1] if len(parts) == 3 and parts[1] else None


def _keys(urls: Iterable[str | None]) -> set[str]:
    return {key for key in map(upload_key, urls) if key}


def _profiles(uploaders: list[str]) -> dict[str, set[str]]:
    from shared.blog import repository as blog
    from shared.commerce.sellers import repository as sellers

    shown: dict[str, set[str]] = {uid: set() for uid in uploaders}
    for uid, author in blog.get_authors(uploaders, consistent=True).items():
        shown[uid] |= _keys([author.user.avatar_url, author.profile.avatar_url if author.profile else None])
    for uid, store in sellers.get_profiles(uploaders).items():
        shown[uid] |= _keys([store.logo_url])
    return shown


def _walk(query: Callable[..., Page[Any]], urls: Callable[[Any], Iterable[str | None]]) -> set[str]:
    found: set[str] = set()
    position: dict[str, Any] | None = None
    while True:
        page = query(limit=QUERY_PAGE, position=position)
        for item in page.items:
            found |= _keys(urls(item))
        if page.next_position is None:
            return found
        position = page.next_position


def _content(uploader: str) -> set[str]:
    """What the uploader's products and posts show."""
    from functools import partial

    from shared.blog import repository as blog
    from shared.blog.models import PostItem
    from shared.blog.schemas import PostStatus
    from shared.commerce.products.erasure import products_of
    from shared.commerce.products.models import ProductItem

    shown = _walk(
        partial(products_of, uploader), lambda item: (item.images or []) if isinstance(item, ProductItem) else []
    )
    for status in get_args(PostStatus):
        shown |= _walk(
            partial(blog.author_page, uploader, status, tag=None),
            lambda item: [item.cover_image_url] if isinstance(item, PostItem) else [],
        )
    return shown


def unreferenced(keys: list[str]) -> list[str]:
    """The keys (of any upload purpose) that no record of their uploader shows, in their order; a
    key that does not name an uploader is kept."""
    by_uploader: dict[str, list[str]] = {}
    for key in keys:
        uploader = uploader_of(key)
        if uploader:
            by_uploader.setdefault(uploader, []).append(key)
    shown = _profiles(list(by_uploader))
    doomed: set[str] = set()
    for uploader, owned in by_uploader.items():
        left = [key for key in owned if key not in shown[uploader]]
        if left:
            content = _content(uploader)
            doomed.update(key for key in left if key not in content)
    return [key for key in keys if key in doomed]
