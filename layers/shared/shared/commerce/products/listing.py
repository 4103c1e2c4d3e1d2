"""Public product listing, filters, sorts and search, each served by an index (no Scan).

Plans (see :mod:`shared.commerce.products.models` for the keys):

* ``newest``: GSI4 (category) / GSI5 (seller, filtered on ``active``) / GSI1.
* ``includeOutOfStock``: sold-out products follow the in-stock ones, in the same order: the
  plan's in-stock partition is read to its end, then its sold-out twin (the cursor says which);
  a page still reads about ``limit`` items. On GSI5 (a seller's products) the status filter
  takes both statuses instead. Search covers in-stock products only (sold-out products have no
  postings).
* ``price_low`` / ``price_high``: GSI6 (category) / GSI2, ``minPrice``/``maxPrice`` as a
  BETWEEN key condition.
* ``rating``: GSI3; a category or seller is a filter there.
* ``tags``: every listed tag must be on the product (AND), applied as a filter.
* ``sellerId`` + ``status`` (the seller or an admin only): GSI5, newest first, any status.
* ``search``: postings of the rarest query word (per-word counters pick it), the other words,
  price range, category, seller and tags as filters on the postings (each posting carries the
  product's words and card fields, so a page needs no other read). ``newest`` pages through the
  postings by key; ``relevance`` (default with a search: words found in the name first, then
  rating), ``price_*`` and ``rating`` sort every match of the rarest word in memory, so their
  cost grows with that word's matches, never with the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import Condition

from shared.commerce.categories import repository as categories
from shared.commerce.products import listing_repository, rules, search_index
from shared.commerce.products.models import (
    ACTIVE,
    LISTED_STATUSES,
    PostingItem,
    ProductItem,
    category_partition,
    price_key,
    seller_partition,
    sold_out_partition,
)
from shared.commerce.products.schemas import ProductSummary
from shared.commerce.products.views import posting_summary, product_summary
from shared.data.pagination import Page
from shared.data.table import Item
from shared.errors import Forbidden, InvalidInput
from shared.identity.principal import Principal
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

MAX_SEARCH_WORDS = 10
MAX_TAGS = 20


@dataclass(frozen=True)
class ListingQuery:
    search: str | None = None
    category: str | None = None
    seller_id: str | None = None
    status: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    tags: str | None = None
    sort: str | None = None
    limit: int = 20
    cursor: str | None = None
    include_out_of_stock: bool = False

    def scope(self) -> str:
        parts = (self.search, self.category, self.seller_id, self.status, self.min_price, self.max_price)
        extra = (self.tags, self.sort, "sold-out" if self.include_out_of_stock else "")
        return "products|" + "|".join(str(part) for part in (*parts, *extra))


def _tags(raw: str | None) -> list[str]:
    tags = rules.normalize_tags(raw.split(",")) if raw else []
    if len(tags) > MAX_TAGS or any(len(tag) > 50 for tag in tags):
        raise InvalidInput(errors={"tags": [f"at most {MAX_TAGS} tags of at most 50 characters"]})
    return tags


def _validate(query: ListingQuery, viewer: Principal | None) -> None:
    if query.min_price is not None and query.max_price is not None and query.min_price > query.max_price:
        raise InvalidInput("minPrice cannot exceed maxPrice", errors={"minPrice": ["must not exceed maxPrice"]})
    if query.status is not None:
        if query.seller_id is None:
            raise InvalidInput(errors={"status": ["only with sellerId (a seller's own products)"]})
        if viewer is None or (viewer.user.role != "admin" and viewer.user_id != query.seller_id):
            raise Forbidden("Only the seller and admins see products by status", code="INSUFFICIENT_PERMISSIONS")


def _category_id(category: str | None) -> str | None:
    """A category id from an id or a slug; ``""`` for an unknown category (matches nothing)."""
    if category is None:
        return None
    found = categories.get_category(category) or categories.find_by_slug(category)
    return found.category_id if found else ""


def _and(conditions: list[Condition]) -> Condition | None:
    result: Condition | None = None
    for condition in conditions:
        result = condition if result is None else result & condition
    return result


def _price_filter(query: ListingQuery) -> list[Condition]:
    found: list[Condition] = []
    if query.min_price is not None:
        found.append(ProductItem.price >= query.min_price)
    if query.max_price is not None:
        found.append(ProductItem.price <= query.max_price)
    return found


def _price_range(query: ListingQuery) -> Any:
    low = price_key(query.min_price or 0)
    high = f"{price_key(query.max_price if query.max_price is not None else rules.MAX_PRICE)}#~"
    return (low, high)


def list_products(viewer: Principal | None, query: ListingQuery) -> ItemsPage[ProductSummary]:
    """Raises :class:`InvalidInput` (bad filters, tampered cursor), :class:`Forbidden`."""
    _validate(query, viewer)
    tags = _tags(query.tags)
    category_id = _category_id(query.category)
    scope = query.scope()
    position = decode_cursor(query.cursor, scope)
    if category_id == "":
        return ItemsPage[ProductSummary](items=[], next_cursor=None)
    if query.search is not None:
        return _search(query, category_id, tags, position, scope)
    page = _browse(query, category_id, tags, position)
    return ItemsPage[ProductSummary](
        items=[product_summary(item) for item in page.items if isinstance(item, ProductItem)],
        next_cursor=encode_cursor(page.next_position, scope),
    )


@dataclass(frozen=True)
class _Plan:
    """One index query of a listing; ``twin``: its partition has a sold-out twin."""

    index: str
    hash_key: str
    filters: list[Condition]
    range_condition: Condition | None = None
    descending: bool = True
    twin: bool = True

    def page(self, hash_key: str, limit: int, position: dict[str, Any] | None) -> Page[ProductItem]:
        return listing_repository.list_index(
            self.index,
            hash_key,
            range_condition=self.range_condition,
            descending=self.descending,
            filter_condition=_and(self.filters),
            limit=limit,
            position=position,
        )


def _plan(query: ListingQuery, category_id: str | None, tags: list[str]) -> _Plan:
    sort = query.sort if query.sort not in (None, "relevance") else "newest"
    filters: list[Condition] = [ProductItem.tags.contains(tag) for tag in tags]
    if query.status is not None and query.seller_id is not None:
        filters += [ProductItem.status == query.status, *_price_filter(query)]
        return _Plan("GSI5", seller_partition(query.seller_id), filters, twin=False)
    if sort in ("price_low", "price_high"):
        if query.seller_id is not None:
            filters.append(ProductItem.seller_id == query.seller_id)
        index, hash_key = ("GSI6", category_partition(category_id)) if category_id else ("GSI2", ACTIVE)
        low, high = _price_range(query)
        range_attr = Item.gsi6sk if category_id else Item.gsi2sk
        ranged = query.min_price is not None or query.max_price is not None
        condition = range_attr.between(low, high) if ranged else None
        return _Plan(index, hash_key, filters, range_condition=condition, descending=sort == "price_high")
    filters += _price_filter(query)
    if sort == "rating":
        if category_id:
            filters.append(ProductItem.category_id == category_id)
        if query.seller_id is not None:
            filters.append(ProductItem.seller_id == query.seller_id)
        return _Plan("GSI3", ACTIVE, filters)
    if category_id:
        if query.seller_id is not None:
            filters.append(ProductItem.seller_id == query.seller_id)
        return _Plan("GSI4", category_partition(category_id), filters)
    if query.seller_id is not None:
        shown = LISTED_STATUSES if query.include_out_of_stock else ("active",)
        filters.append(ProductItem.status.is_in(*shown))
        return _Plan("GSI5", seller_partition(query.seller_id), filters, twin=False)
    return _Plan("GSI1", ACTIVE, filters)


def _browse(query: ListingQuery, category_id: str | None, tags: list[str], position: Any) -> Page[ProductItem]:
    plan = _plan(query, category_id, tags)
    if not (query.include_out_of_stock and plan.twin):
        return plan.page(plan.hash_key, query.limit, position)
    return _in_stock_then_sold_out(plan, query.limit, position)


def _in_stock_then_sold_out(plan: _Plan, limit: int, position: Any) -> Page[ProductItem]:
    """The plan's partition, then its sold-out twin; the position is ``{"part": 0|1, "at": key}``."""
    if position is not None and not (isinstance(position, dict) and position.get("part") in (0, 1)):
        raise InvalidInput("The cursor is invalid", code="INVALID_CURSOR", errors={"cursor": ["is invalid"]})
    part = position["part"] if position else 0
    at = position.get("at") if position else None
    items: list[ProductItem] = []
    if part == 0:
        first = plan.page(plan.hash_key, limit, at)
        if first.next_position is not None:
            return Page(items=first.items, next_position={"part": 0, "at": first.next_position})
        items, at = list(first.items), None
    sold_out = sold_out_partition(plan.hash_key)
    if len(items) == limit:  # the page is full: is there anything sold out after it?
        more = plan.page(sold_out, 1, None).items
        return Page(items=items, next_position={"part": 1, "at": None} if more else None)
    rest = plan.page(sold_out, limit - len(items), at)
    next_position = {"part": 1, "at": rest.next_position} if rest.next_position is not None else None
    return Page(items=[*items, *rest.items], next_position=next_position)


def _sort_key(posting: PostingItem, sort: str, query_words: list[str]) -> tuple[Any, ...]:
    rating = -float(posting.average_rating or 0)
    if sort == "price_low":
        return (int(posting.price), posting.product_id)
    if sort == "price_high":
        return (-int(posting.price), posting.product_id)
    if sort == "rating":
        return (rating, -int(posting.review_count or 0), posting.product_id)
    hits = sum(1 for word in query_words if f" {word} " in posting.name_words)
    return (-hits, rating, posting.product_id)


def _search(
    query: ListingQuery, category_id: str | None, tags: list[str], position: Any, scope: str
) -> ItemsPage[ProductSummary]:
    query_words = rules.words(query.search)[:MAX_SEARCH_WORDS]
    if not query_words:
        raise InvalidInput(errors={"search": ["needs a word of at least 2 letters or digits"]})
    counts = search_index.word_counts(query_words)
    if min(counts.values()) <= 0:
        return ItemsPage[ProductSummary](items=[], next_cursor=None)
    rarest = min(query_words, key=lambda word: counts[word])
    filters: list[Condition] = [PostingItem.words.contains(f" {w} ") for w in query_words if w != rarest]
    filters += [PostingItem.tags.contains(tag) for tag in tags]
    if category_id:
        filters.append(PostingItem.category_id == category_id)
    if query.seller_id is not None:
        filters.append(PostingItem.seller_id == query.seller_id)
    if query.min_price is not None:
        filters.append(PostingItem.price >= query.min_price)
    if query.max_price is not None:
        filters.append(PostingItem.price <= query.max_price)
    sort = query.sort or "relevance"
    if sort == "newest":
        page = search_index.postings_page(rarest, filter_condition=_and(filters), limit=query.limit, position=position)
        return ItemsPage[ProductSummary](
            items=[posting_summary(p) for p in page.items if isinstance(p, PostingItem)],
            next_cursor=encode_cursor(page.next_position, scope),
        )
    hits = sorted(
        search_index.all_postings(rarest, filter_condition=_and(filters)),
        key=lambda posting: _sort_key(posting, sort, query_words),
    )
    after = tuple(position["after"]) if position and isinstance(position.get("after"), list) else None
    if position is not None and after is None:
        raise InvalidInput("The cursor is invalid", code="INVALID_CURSOR", errors={"cursor": ["is invalid"]})
    if after is not None:
        hits = [p for p in hits if _sort_key(p, sort, query_words) > after]
    page_items = hits[: query.limit]
    more = len(hits) > query.limit
    next_position = {"after": list(_sort_key(page_items[-1], sort, query_words))} if more and page_items else None
    return ItemsPage[ProductSummary](
        items=[posting_summary(p) for p in page_items],
        next_cursor=encode_cursor(next_position, scope),
    )


def related(viewer: Principal | None, product_id: str, limit: int) -> list[ProductSummary]:
    """Active products of the same category (best rated first without a category), excluding it."""
    from shared.commerce.products.service import find_visible

    product = find_visible(viewer, product_id)
    if product.category_id:
        page = listing_repository.list_index(
            "GSI4", category_partition(product.category_id), limit=limit + 1, position=None
        )
    else:
        page = listing_repository.list_index("GSI3", ACTIVE, limit=limit + 1, position=None)
    items = [item for item in page.items if isinstance(item, ProductItem) and item.product_id != product.product_id]
    return [product_summary(item) for item in items[:limit]]
