"""Product rules: who may create and manage products, the seed's field rules, and views.

Sellers (approved) create and manage their own products, admins manage any; ``sellerId``
always comes from the caller. The public sees active and sold-out products; ``costPrice`` is shown
only to the owner seller and admins. Concurrent edits are version-conditioned: an edit that
loses the race is re-applied on the fresh product (it only sets the fields it names), so no
write is lost and no stale read overwrites stock or price.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.clock import now_iso
from shared.commerce.categories import repository as categories
from shared.commerce.products import repository, rules
from shared.commerce.products.models import LISTED_STATUSES, ProductItem
from shared.commerce.products.schemas import CreateProductRequest, ProductOut, UpdateProductRequest
from shared.commerce.products.views import product_out
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.identity.principal import Principal
from shared.ids import new_id

EDIT_ATTEMPTS = 6
NOT_NULLABLE = {"name", "slug", "price", "stock_quantity", "status", "currency", "low_stock_threshold"}


def _ensure_may_sell(principal: Principal) -> None:
    """Raises :class:`Forbidden` unless the caller is an admin or an approved seller."""
    user = principal.user
    if user.role == "admin":
        return
    if user.role != "seller":
        raise Forbidden("Only sellers and admins can manage products", code="INSUFFICIENT_PERMISSIONS")
    if user.status != "approved":
        raise Forbidden("Your seller account is not approved yet", code="SELLER_NOT_APPROVED")


def _ensure_may_manage(principal: Principal, product: ProductItem) -> None:
    _ensure_may_sell(principal)
    if principal.user.role != "admin" and product.seller_id != principal.user_id:
        raise Forbidden("You can only manage your own products", code="NOT_PRODUCT_OWNER")


def is_privileged(viewer: Principal | None, product: ProductItem) -> bool:
    """Owner seller or admin: sees drafts and ``costPrice``."""
    if viewer is None:
        return False
    return viewer.user.role == "admin" or product.seller_id == viewer.user_id


def _check_category(category_id: str | None) -> None:
    if category_id is not None and categories.get_category(category_id) is None:
        raise InvalidInput("Unknown category", errors={"categoryId": ["Category not found"]})


def _check_prices(price: int | None, compare_price: int | None, cost_price: int | None) -> None:
    errors = rules.price_errors(price, compare_price, cost_price)
    if errors:
        raise InvalidInput(errors=errors)


def _get(product_id: str) -> ProductItem:
    product = repository.get_product(product_id)
    if product is None:
        raise repository.product_not_found()
    return product


def create_product(principal: Principal, request: CreateProductRequest) -> ProductOut:
    """Raises :class:`Forbidden`, :class:`InvalidInput`, :class:`Conflict` ``SLUG_TAKEN`` (an
    explicit slug) or ``SKU_TAKEN``. A derived slug that is taken gets a short suffix."""
    _ensure_may_sell(principal)
    _check_prices(request.price, request.compare_price, request.cost_price)
    _check_category(request.category_id)
    fields = request.model_dump(exclude={"slug", "status"}, exclude_none=True)
    fields["tags"] = request.tags or []
    fields["images"] = request.images or []
    fields["currency"] = request.currency or "usd"
    fields["status"] = rules.next_status("draft", request.status, request.stock_quantity)
    fields["seller_id"] = principal.user_id
    explicit = request.slug is not None
    slug = request.slug or rules.derived_slug(request.name)
    if not explicit and repository.slug_owner(slug) is not None:
        slug = rules.with_suffix(slug)
    for attempt in range(EDIT_ATTEMPTS):
        product = repository.new_product(new_id(), now_iso(), slug=slug, **fields)
        try:
            repository.create(product)
        except Conflict as exc:
            if explicit or exc.code != "SLUG_TAKEN" or attempt == EDIT_ATTEMPTS - 1:
                raise
            slug = rules.with_suffix(rules.derived_slug(request.name))
            continue
        return product_out(product, private=True)
    raise AssertionError("unreachable")  # pragma: no cover


def update_product(principal: Principal, product_id: str, request: UpdateProductRequest) -> ProductOut:
    """Apply the fields the caller sent. Raises :class:`NotFound`, :class:`Forbidden`,
    :class:`InvalidInput`, :class:`Conflict` ``SLUG_TAKEN``/``SKU_TAKEN``."""
    sent = request.model_fields_set
    if not sent:
        raise InvalidInput("Nothing to update", errors={"body": ["provide at least one field"]})
    nulls = {name: ["cannot be null"] for name in sent & NOT_NULLABLE if getattr(request, name) is None}
    if nulls:
        raise InvalidInput(errors={_camel(k): v for k, v in nulls.items()})
    if "category_id" in sent:
        _check_category(request.category_id)
    for attempt in range(EDIT_ATTEMPTS):
        old = _get(product_id)
        _ensure_may_manage(principal, old)
        new = repository.copy(old)
        changes = {name: getattr(request, name) for name in sent if name != "status"}
        if "dimensions" in changes:
            changes["dimensions"] = request.dimensions.model_dump() if request.dimensions else None
        for name in ("images", "tags"):
            if name in changes and changes[name] is None:
                changes[name] = []
        repository.assign(new, **changes)
        _check_prices(int(new.price), _int(new.compare_price), _int(new.cost_price))
        requested = request.status if "status" in sent else None
        new.status = rules.next_status(old.status, requested, int(new.stock_quantity))
        new.updated_at = now_iso()
        try:
            repository.update(old, new)
        except Conflict as exc:
            if exc.code == "PRODUCT_CHANGED" and attempt < EDIT_ATTEMPTS - 1:
                continue
            raise
        return product_out(new, private=True)
    raise AssertionError("unreachable")  # pragma: no cover


def delete_product(principal: Principal, product_id: str) -> None:
    """Raises :class:`NotFound`, :class:`Forbidden`, :class:`Conflict` ``PRODUCT_CHANGED``."""
    if not remove_product(product_id, check=lambda product: _ensure_may_manage(principal, product)):
        raise repository.product_not_found()


def remove_product(product_id: str, *, check: Callable[[ProductItem], None] | None = None) -> bool:
    """Delete the product with its claims, postings and reviews (:func:`repository.delete`),
    re-read and retried when a concurrent write wins; ``check`` may refuse the product read.
    Returns ``False`` when there is no such product (any more)."""
    for attempt in range(EDIT_ATTEMPTS):
        product = repository.get_product(product_id)
        if product is None:
            return False
        if check is not None:
            check(product)
        try:
            repository.delete(product)
        except NotFound:
            return False
        except Conflict:
            if attempt == EDIT_ATTEMPTS - 1:
                raise
            continue
        return True
    return False  # pragma: no cover - the last attempt returns or raises


def find_visible(viewer: Principal | None, id_or_slug: str) -> ProductItem:
    """The product by id or slug, if the caller may see it (the public: active and sold-out ones,
    so links from orders and shares keep working; drafts and inactive products stay private).

    Raises :class:`NotFound` (also for products the caller may not see, so drafts do not leak).
    """
    product = repository.get_product(id_or_slug) or repository.find_by_slug(id_or_slug)
    if product is None or (product.status not in LISTED_STATUSES and not is_privileged(viewer, product)):
        raise repository.product_not_found()
    return product


def get_product(viewer: Principal | None, id_or_slug: str) -> ProductOut:
    """The product, counting one view (atomic ``ADD``)."""
    product = find_visible(viewer, id_or_slug)
    repository.count_view(product.product_id)
    product.view_count = int(product.view_count or 0) + 1
    return product_out(product, private=is_privileged(viewer, product))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def reconcile_stock_status(product_id: str) -> None:
    """After checkout moved stock: an active product left with none becomes ``out_of_stock`` (and
    leaves the listing), an ``out_of_stock`` one given stock back is ``active`` again. Version
    conditioned and retried, like any edit; a product that no longer exists is left alone."""
    try:
        _restatus(product_id, lambda old: rules.next_status(old.status, None, int(old.stock_quantity or 0)))
    except Conflict:
        return


def delist(product_id: str) -> ProductItem | None:
    """Make the product ``inactive``: out of every listing, category page and search posting,
    its page a 404 to the public (:func:`find_visible`). Returns the product as it is now
    (``None``: gone). Raises :class:`Conflict` ``PRODUCT_CHANGED`` when it kept changing."""
    return _restatus(product_id, lambda _: "inactive")


def _restatus(product_id: str, status_of: Callable[[ProductItem], str]) -> ProductItem | None:
    """Set the status ``status_of`` decides on the fresh product, version-conditioned and
    retried like any edit. Raises :class:`Conflict` ``PRODUCT_CHANGED`` after the last attempt."""
    for _ in range(EDIT_ATTEMPTS):
        old = repository.get_product(product_id)
        if old is None:
            return None
        status = status_of(old)
        if status == old.status:
            return old
        new = repository.copy(old)
        new.status = status
        new.updated_at = now_iso()
        try:
            repository.update(old, new)
        except Conflict as exc:
            if exc.code == "PRODUCT_CHANGED":
                continue
            raise
        return new
    raise Conflict("The product kept changing; retry", code="PRODUCT_CHANGED")
