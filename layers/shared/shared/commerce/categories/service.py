"""Category rules: admins create, rename, move and delete; anyone reads."""

from __future__ import annotations

from shared.clock import now_iso
from shared.commerce.categories import repository
from shared.commerce.categories.models import CategoryItem
from shared.commerce.categories.schemas import CategoryOut, CreateCategoryRequest, UpdateCategoryRequest
from shared.commerce.slugs import SLUG_RE, slugify
from shared.errors import Conflict, InvalidInput, NotFound
from shared.ids import new_id
from shared.schemas import ItemsPage

CATEGORY_NOT_FOUND = NotFound("Category not found", code="CATEGORY_NOT_FOUND")


def category_out(item: CategoryItem) -> CategoryOut:
    return CategoryOut(
        id=item.category_id,
        name=item.name,
        slug=item.slug,
        description=item.description,
        parent_id=item.parent_id,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def resolve(id_or_slug: str) -> CategoryItem:
    """A category by id or slug. Raises :class:`NotFound` ``CATEGORY_NOT_FOUND``."""
    found = repository.get_category(id_or_slug)
    if found is None and SLUG_RE.fullmatch(id_or_slug):
        found = repository.find_by_slug(id_or_slug)
    if found is None:
        raise CATEGORY_NOT_FOUND
    return found


def _check_parent(parent_id: str | None, category_id: str) -> None:
    """The parent must exist and must not be the category itself or one of its descendants."""
    seen = {category_id}
    current = parent_id
    while current:
        if current in seen:
            raise InvalidInput(errors={"parentId": ["would make the category its own ancestor"]})
        seen.add(current)
        parent = repository.get_category(current)
        if parent is None:
            raise InvalidInput(errors={"parentId": ["no such category"]})
        current = parent.parent_id


def _slug_for(request_slug: str | None, name: str) -> str:
    slug = request_slug or slugify(name)
    if len(slug) < 2:
        raise InvalidInput(errors={"slug": ["cannot be derived from the name; provide one"]})
    return slug


def create(request: CreateCategoryRequest) -> CategoryOut:
    """Raises :class:`Conflict` ``SLUG_TAKEN``, :class:`InvalidInput` for an unknown parent."""
    category_id = new_id()
    _check_parent(request.parent_id, category_id)
    item = repository.new_item(
        category_id,
        now_iso(),
        name=request.name,
        slug=_slug_for(request.slug, request.name),
        description=request.description,
        parent_id=request.parent_id,
    )
    repository.create(item)
    return category_out(item)


def update(category_id: str, request: UpdateCategoryRequest) -> CategoryOut:
    """Raises :class:`NotFound`, :class:`Conflict` ``SLUG_TAKEN``/``CATEGORY_CHANGED``, :class:`InvalidInput`."""
    fields = request.model_fields_set
    if not fields:
        raise InvalidInput("Nothing to update", errors={"body": ["provide name, slug, description or parentId"]})
    if "name" in fields and request.name is None:
        raise InvalidInput(errors={"name": ["cannot be null"]})
    old = repository.get_category(category_id)
    if old is None:
        raise CATEGORY_NOT_FOUND
    parent_id = request.parent_id if "parent_id" in fields else old.parent_id
    if parent_id != old.parent_id:
        _check_parent(parent_id, category_id)
    new = repository.new_item(
        category_id,
        now_iso(),
        name=request.name or old.name,
        slug=request.slug or old.slug,
        description=request.description if "description" in fields else old.description,
        parent_id=parent_id,
    )
    new.created_at = old.created_at
    repository.replace(old, new)
    return category_out(new)


def delete(category_id: str) -> None:
    """Raises :class:`NotFound`, :class:`Conflict` ``CATEGORY_HAS_CHILDREN`` / ``CATEGORY_IN_USE``."""
    item = repository.get_category(category_id)
    if item is None:
        raise CATEGORY_NOT_FOUND
    if repository.has_children(category_id):
        raise Conflict("Move or delete the subcategories first", code="CATEGORY_HAS_CHILDREN")
    if repository.has_active_products(category_id):
        raise Conflict("Move or deactivate the category's products first", code="CATEGORY_IN_USE")
    repository.delete(item)


def list_categories(parent_id: str | None = None) -> ItemsPage[CategoryOut]:
    """Every category sorted by name (optionally only the children of ``parent_id``)."""
    items = repository.list_all()
    if parent_id is not None:
        items = [item for item in items if (item.parent_id or "") == parent_id]
    return ItemsPage[CategoryOut](items=[category_out(item) for item in items])
