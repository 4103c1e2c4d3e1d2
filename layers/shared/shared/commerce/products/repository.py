"""Data access for products themselves: the one module building their keys and writing them.

Access patterns (keys in :mod:`.models`)
----------------------------------------
* product by id: ``PK=PRODUCT#<id>``, ``SK=PRODUCT`` (GetItem; BatchGetItem for many);
* product by slug: ``UNIQUE#PRODUCT_SLUG#<slug>`` → owner id → product;
* slug and SKU uniqueness: ``UNIQUE#PRODUCT_SLUG#<slug>`` / ``UNIQUE#PRODUCT_SKU#<sku>``, claimed
  and released in the product's own transaction;
* the product's listing keys (GSI1-GSI6, :func:`rules.index_keys`) and search postings
  (:mod:`.search_index`), written with every create, edit and delete.

Reviews and the rating aggregate are in :mod:`.review_repository`, listing queries in
:mod:`.listing_repository`, what checkout writes in :mod:`.checkout_repository`.

Search index writes
-------------------
Every product write also maintains the postings (``SEARCH#<word>`` / ``<createdAt>#<id>``) of
an active product and the per-word counters. When the postings, counter updates, unique claims
and the product itself fit in one TransactWrite (100 items) they are written in it, so the
index can never disagree with the product. A product with more distinct words than that is
written in its own conditional transaction first (the write that can be refused: then nothing
changed), then its postings with BatchWriteItem and its counters with one ``ADD`` each; if
those fail, the index and the product are put back (:func:`_index_or_undo`), so a request that
fails changes nothing. Two concurrent large edits may leave the postings of the one that wrote
first (the product itself stays exact: the version condition refuses one of them). Index keys
always fit: search words are capped (:data:`rules.MAX_WORD_CHARS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from shared.commerce.products import rules, search_index
from shared.commerce.products.models import PRODUCT_SK, ProductItem, product_pk
from shared.data import unique
from shared.data.table import Item
from shared.data.transactions import failed_conditions, is_condition_failure, transaction
from shared.errors import Conflict, NotFound
from shared.observability import logger

SLUG = "PRODUCT_SLUG"
SKU = "PRODUCT_SKU"
TRANSACTION_LIMIT = 100

# Fields a product edit may change (counters, aggregates and ids are never overwritten by one).
EDITABLE = (
    "category_id",
    "name",
    "slug",
    "description",
    "short_description",
    "price",
    "compare_price",
    "cost_price",
    "currency",
    "sku",
    "stock_quantity",
    "low_stock_threshold",
    "weight",
    "length",
    "width",
    "height",
    "images",
    "status",
    "meta_title",
    "meta_description",
    "tags",
    "updated_at",
)
INDEX_ATTRS = tuple(f"gsi{n}{part}" for n in range(1, 7) for part in ("pk", "sk"))


def slug_taken_error() -> Conflict:
    return Conflict("A product with this slug already exists", code="SLUG_TAKEN", errors={"slug": ["is taken"]})


def sku_taken_error() -> Conflict:
    return Conflict("A product with this SKU already exists", code="SKU_TAKEN", errors={"sku": ["is taken"]})


def product_not_found() -> NotFound:
    return NotFound("Product not found", code="PRODUCT_NOT_FOUND")


def new_product(product_id: str, at: str, **fields: Any) -> ProductItem:
    item = ProductItem(product_pk(product_id), PRODUCT_SK, product_id=product_id, created_at=at, updated_at=at)
    assign(item, **fields)
    set_index_keys(item)
    return item


def assign(item: ProductItem, **fields: Any) -> None:
    """Set model fields by name (``dimensions`` may be given as a plain dict)."""
    for name, value in fields.items():
        if name == "dimensions":
            dims = value or {}
            for axis in ("length", "width", "height"):
                setattr(item, axis, dims.get(axis))
            continue
        setattr(item, name, value)


def copy(item: ProductItem) -> ProductItem:
    return ProductItem.from_raw_data(item.serialize())


def set_index_keys(item: ProductItem) -> None:
    keys = rules.index_keys(
        product_id=item.product_id,
        seller_id=item.seller_id,
        category_id=item.category_id,
        status=item.status,
        price=int(item.price),
        average_rating=float(item.average_rating or 0),
        created_at=item.created_at,
    )
    for name, value in keys.items():
        setattr(item, name, value)


def get_product(product_id: str) -> ProductItem | None:
    try:
        found = Item.get(product_pk(product_id), PRODUCT_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ProductItem) else None


def find_by_slug(slug: str) -> ProductItem | None:
    owner = unique.owner_of(SLUG, slug)
    return get_product(owner) if owner else None


def slug_owner(slug: str) -> str | None:
    return unique.owner_of(SLUG, slug)


def get_products(product_ids: Iterable[str]) -> dict[str, ProductItem]:
    """The products that exist among ``product_ids``, by id (consistent BatchGetItem; PynamoDB
    pages it by 100 keys)."""
    keys = [(product_pk(pid), PRODUCT_SK) for pid in dict.fromkeys(product_ids)]
    found = Item.batch_get(keys, consistent_read=True) if keys else []
    return {item.product_id: item for item in found if isinstance(item, ProductItem)}


def create(product: ProductItem) -> None:
    """Create the product, claim its slug and SKU, and index it (atomically where it fits; see
    :func:`_index_or_undo` otherwise).

    Raises :class:`Conflict` ``SLUG_TAKEN`` or ``SKU_TAKEN``.
    """
    ops = search_index.SearchOps.between(None, product)
    claims = 2 if product.sku else 1
    inline = ops.size + claims + 1 <= TRANSACTION_LIMIT
    _insert(product, ops if inline else None)
    if not inline:
        _index_or_undo(ops, None, lambda: _remove(product, None))


def _insert(product: ProductItem, ops: search_index.SearchOps | None) -> None:
    try:
        with transaction() as tx:
            unique.claim(tx, SLUG, product.slug, product.product_id)
            if product.sku:
                unique.claim(tx, SKU, product.sku, product.product_id)
            tx.save(product, condition=Item.pk.does_not_exist())
            if ops is not None:
                ops.add_to(tx)
    except TransactWriteError as exc:
        # Order sent: puts in the order added (slug claim, SKU claim, product, postings), then updates.
        failed = failed_conditions(exc)
        if failed[:1] == [True]:
            raise slug_taken_error() from exc
        if product.sku and len(failed) > 1 and failed[1]:
            raise sku_taken_error() from exc
        raise


def update(old: ProductItem, new: ProductItem) -> None:
    """Write the editable fields of ``new`` iff the product is still at ``old.version``, moving
    slug/SKU claims when they changed and keeping the search index in step (in the same
    transaction where it fits; see :func:`_index_or_undo` otherwise).

    Raises :class:`Conflict` ``SLUG_TAKEN``, ``SKU_TAKEN`` or ``PRODUCT_CHANGED`` (a concurrent
    write won; the caller re-reads and retries), :class:`NotFound`.
    """
    set_index_keys(new)
    ops = search_index.SearchOps.between(old, new)
    inline = ops.size + _claim_count(old, new) + 1 <= TRANSACTION_LIMIT
    _replace(old, new, ops if inline else None)
    new.version = int(old.version) + 1
    if not inline:
        _index_or_undo(ops, old, lambda: _replace(new, old, None))


def _claims(old: ProductItem, new: ProductItem) -> list[tuple[str, str | None, str | None]]:
    pairs = ((SLUG, old.slug, new.slug), (SKU, old.sku, new.sku))
    return [(kind, before, after) for kind, before, after in pairs if before != after]


def _claim_count(old: ProductItem, new: ProductItem) -> int:
    return sum(int(before is not None) + int(after is not None) for _, before, after in _claims(old, new))


def _replace(old: ProductItem, new: ProductItem, ops: search_index.SearchOps | None) -> None:
    """The product's editable fields and index keys become ``new``'s iff it is at ``old.version``."""
    claims = _claims(old, new)
    actions: list[Any] = [ProductItem.version.add(1)]
    for name in (*EDITABLE, *INDEX_ATTRS):
        attr = getattr(ProductItem, name)
        value = getattr(new, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    condition = Item.pk.exists() & (ProductItem.version == old.version)
    claim_positions: dict[str, int] = {}
    # PynamoDB sends deletes (released claims, dropped postings) before puts (new claims first).
    position = sum(int(before is not None) for _, before, _ in claims) + (len(ops.deletes) if ops else 0)
    try:
        with transaction() as tx:
            for kind, before, _ in claims:
                if before is not None:
                    unique.release(tx, kind, before, old.product_id)
            for kind, _, after in claims:
                if after is not None:
                    claim_positions[kind] = position
                    unique.claim(tx, kind, after, old.product_id)
                    position += 1
            if ops is not None:
                ops.add_to(tx)
            tx.update(ProductItem(product_pk(old.product_id), PRODUCT_SK), actions=actions, condition=condition)
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if SLUG in claim_positions and _failed_at(failed, claim_positions[SLUG]):
            raise slug_taken_error() from exc
        if SKU in claim_positions and _failed_at(failed, claim_positions[SKU]):
            raise sku_taken_error() from exc
        if any(failed):
            if get_product(old.product_id) is None:
                raise product_not_found() from exc
            raise Conflict("The product changed meanwhile; retry", code="PRODUCT_CHANGED") from exc
        raise


def _failed_at(failed: list[bool], position: int) -> bool:
    return len(failed) > position and failed[position]


def delete(product: ProductItem) -> None:
    """Delete the product (iff unchanged since read), free its slug/SKU, drop its postings and
    reviews. Raises :class:`Conflict` ``PRODUCT_CHANGED``, :class:`NotFound`."""
    ops = search_index.SearchOps.between(product, None)
    claims = 2 if product.sku else 1
    inline = ops.size + claims + 1 <= TRANSACTION_LIMIT
    _remove(product, ops if inline else None)
    if not inline:
        _index_or_undo(ops, product, lambda: _insert(product, None))
    leftovers = list(Item.query(product_pk(product.product_id)))
    with Item.batch_write() as batch:
        for item in leftovers:
            batch.delete(item)


def _remove(product: ProductItem, ops: search_index.SearchOps | None) -> None:
    try:
        with transaction() as tx:
            tx.delete(
                ProductItem(product_pk(product.product_id), PRODUCT_SK),
                condition=Item.pk.exists() & (ProductItem.version == product.version),
            )
            unique.release(tx, SLUG, product.slug, product.product_id)
            if product.sku:
                unique.release(tx, SKU, product.sku, product.product_id)
            if ops is not None:
                ops.add_to(tx)
    except TransactWriteError as exc:
        if failed_conditions(exc)[:1] == [True]:
            if get_product(product.product_id) is None:
                raise product_not_found() from exc
            raise Conflict("The product changed meanwhile; retry", code="PRODUCT_CHANGED") from exc
        raise


def _index_or_undo(ops: search_index.SearchOps, before: ProductItem | None, undo_product: Callable[[], None]) -> None:
    """The index writes of a product write too large for one transaction, made after the product
    write (the one that can fail on a condition, so a refused request changes nothing).

    If they fail (the table throttles, the network drops), the request must still change
    nothing: the index is put back as ``before`` had it (postings rewritten, only the counter
    updates that were applied reversed) and ``undo_product`` restores the product and its
    claims (version-conditioned: a product written again meanwhile is left to that write),
    then the error propagates. Should the undo fail as well, it is logged; the product's next
    write rewrites its postings.
    """
    try:
        ops.apply()
    except Exception:
        try:
            ops.undo(before)
            undo_product()
        except Exception:
            logger.exception("a product write whose index failed could not be undone")
        raise


def count_view(product_id: str) -> None:
    """One atomic ``ADD`` (no read, no version bump: views never conflict with edits)."""
    try:
        ProductItem(product_pk(product_id), PRODUCT_SK).update(
            actions=[ProductItem.view_count.add(1)], condition=Item.pk.exists()
        )
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise
