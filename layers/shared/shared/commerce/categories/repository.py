"""Data access for categories (the only module that builds their keys)."""

from __future__ import annotations

from functools import partial

from pynamodb.exceptions import TransactWriteError

from shared.commerce.categories.models import CATEGORY_SK, CategoryItem, category_pk
from shared.commerce.products.models import category_partition
from shared.data import unique
from shared.data.table import Item
from shared.data.transactions import failed_conditions, transaction
from shared.errors import Conflict, NotFound

SLUG = "CATEGORY_SLUG"
SLUG_TAKEN = Conflict("A category with this slug already exists", code="SLUG_TAKEN")


def get_category(category_id: str) -> CategoryItem | None:
    try:
        found = Item.get(category_pk(category_id), CATEGORY_SK)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, CategoryItem) else None


def find_by_slug(slug: str) -> CategoryItem | None:
    owner = unique.owner_of(SLUG, slug)
    return get_category(owner) if owner else None


def create(category: CategoryItem) -> None:
    """Raises :class:`Conflict` ``SLUG_TAKEN`` (slug claims are transactional)."""
    try:
        with transaction() as tx:
            unique.claim(tx, SLUG, category.slug, category.category_id)
            tx.save(category, condition=Item.pk.does_not_exist())
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise SLUG_TAKEN from exc
        raise


def new_item(
    category_id: str, at: str, *, name: str, slug: str, description: str | None, parent_id: str | None
) -> CategoryItem:
    item = CategoryItem(
        category_pk(category_id),
        CATEGORY_SK,
        category_id=category_id,
        name=name,
        slug=slug,
        description=description,
        parent_id=parent_id,
        created_at=at,
        updated_at=at,
    )
    for attr, value in CategoryItem.index_keys(category_id, name, parent_id).items():
        setattr(item, attr, value)
    return item


def replace(old: CategoryItem, new: CategoryItem) -> None:
    """Write ``new`` over ``old`` (same id), moving the slug claim when it changed; conditioned on
    ``old`` being unchanged (its ``updatedAt``), so two concurrent edits cannot both apply.

    Raises :class:`Conflict` ``SLUG_TAKEN`` or ``CATEGORY_CHANGED``; :class:`NotFound`.
    """
    slug_moves = old.slug != new.slug
    try:
        with transaction() as tx:
            if slug_moves:
                unique.claim(tx, SLUG, new.slug, new.category_id)
                unique.release(tx, SLUG, old.slug, old.category_id)
            tx.save(new, condition=Item.pk.exists() & (CategoryItem.updated_at == old.updated_at))
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if slug_moves and failed[-1:] == [False] and any(failed):
            raise SLUG_TAKEN from exc
        if any(failed):
            if get_category(old.category_id) is None:
                raise NotFound("Category not found", code="CATEGORY_NOT_FOUND") from exc
            raise Conflict("The category changed meanwhile; retry", code="CATEGORY_CHANGED") from exc
        raise


def delete(category: CategoryItem) -> None:
    try:
        with transaction() as tx:
            tx.delete(CategoryItem(category_pk(category.category_id), CATEGORY_SK), condition=Item.pk.exists())
            unique.release(tx, SLUG, category.slug, category.category_id)
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise NotFound("Category not found", code="CATEGORY_NOT_FOUND") from exc
        raise


def list_all() -> list[CategoryItem]:
    found = Item.gsi1.query("CATEGORIES")
    return [item for item in found if isinstance(item, CategoryItem)]


def has_active_products(category_id: str) -> bool:
    """One-item Query of the products' category index (active products only)."""
    return any(True for _ in Item.gsi4.query(category_partition(category_id), limit=1))


def has_children(category_id: str) -> bool:
    run = partial(Item.gsi2.query, f"CATEGORY_CHILDREN#{category_id}", limit=1)
    return any(isinstance(item, CategoryItem) for item in run())
