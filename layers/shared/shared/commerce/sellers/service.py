"""Seller rules: registration makes a pending application; an admin approves or rejects it (each
with its email); sellers edit their store profile; anyone reads an approved seller's page."""

from __future__ import annotations

from typing import Literal

from shared.clock import now_iso
from shared.commerce.sellers import notifications, repository
from shared.commerce.sellers.models import SellerProfileItem
from shared.commerce.sellers.schemas import (
    PublicSellerOut,
    RejectSellerRequest,
    SellerOut,
    UpdateSellerProfileRequest,
)
from shared.errors import Conflict, InvalidInput, NotFound
from shared.identity import directory
from shared.identity import repository as users
from shared.identity.models import UserItem
from shared.identity.principal import Principal
from shared.identity.schemas import Status
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

SELLER_NOT_FOUND = NotFound("Seller not found", code="SELLER_NOT_FOUND")


def _public(user: UserItem, profile: SellerProfileItem | None) -> PublicSellerOut:
    return PublicSellerOut(
        id=user.user_id,
        name=user.name,
        store_name=profile.store_name if profile else None,
        description=profile.description if profile else None,
        logo_url=profile.logo_url if profile else None,
        joined_at=user.created_at,
    )


def _full(user: UserItem, profile: SellerProfileItem | None) -> SellerOut:
    return SellerOut(
        **_public(user, profile).model_dump(),
        email=user.email,
        status=user.status,  # type: ignore[arg-type]
        rejection_reason=profile.rejection_reason if profile else None,
        reviewed_at=profile.reviewed_at if profile else None,
        updated_at=max(user.updated_at, profile.updated_at) if profile else user.updated_at,
    )


def _seller(user_id: str) -> tuple[UserItem, SellerProfileItem | None]:
    user, profile = repository.get_seller(user_id)
    if user is None or user.role != "seller":
        raise SELLER_NOT_FOUND
    return user, profile


def public_profile(user_id: str) -> PublicSellerOut:
    """Only approved sellers have a public page. Raises :class:`NotFound` ``SELLER_NOT_FOUND``."""
    user, profile = _seller(user_id)
    if user.status != "approved":
        raise SELLER_NOT_FOUND
    return _public(user, profile)


def my_profile(principal: Principal) -> SellerOut:
    return _full(*_seller(principal.user_id))


def update_my_profile(principal: Principal, request: UpdateSellerProfileRequest) -> SellerOut:
    """Raises :class:`InvalidInput` for an empty update or a null store name."""
    fields = request.model_fields_set
    if not fields:
        raise InvalidInput("Nothing to update", errors={"body": ["provide storeName, description or logoUrl"]})
    if "store_name" in fields and request.store_name is None:
        raise InvalidInput(errors={"storeName": ["cannot be null"]})
    user, _ = _seller(principal.user_id)
    profile = repository.upsert_profile(user.user_id, now_iso(), **{name: getattr(request, name) for name in fields})
    return _full(user, profile)


def list_sellers(*, status: Status | None, limit: int, cursor: str | None) -> ItemsPage[SellerOut]:
    scope = f"sellers|{status}"
    page = directory.list_users(role="seller", status=status, limit=limit, position=decode_cursor(cursor, scope))
    profiles = repository.get_profiles([user.user_id for user in page.items])
    return ItemsPage[SellerOut](
        items=[_full(user, profiles.get(user.user_id)) for user in page.items],
        next_cursor=encode_cursor(page.next_position, scope),
    )


def review(
    seller_id: str, decision: Literal["approve", "reject"], request: RejectSellerRequest | None = None
) -> SellerOut:
    """Approve (from pending or rejected) or reject (from pending) an application, and email the
    seller (owed in the status change's transaction). The status change is conditioned on the
    status read, so two admins cannot both decide.

    Raises :class:`NotFound` ``SELLER_NOT_FOUND``, :class:`Conflict` ``SELLER_NOT_PENDING``.
    """
    user, _ = _seller(seller_id)
    allowed = ("pending", "rejected") if decision == "approve" else ("pending",)
    if user.status not in allowed:
        raise Conflict(f"The seller is {user.status}; nothing to {decision}", code="SELLER_NOT_PENDING")
    at = now_iso()
    new_status = "approved" if decision == "approve" else "rejected"
    reason = request.reason if request else None
    email = (
        notifications.seller_approved(user, at)
        if decision == "approve"
        else notifications.seller_rejected(user, reason or "", at)
    )
    try:
        updated = users.set_role_status(user, at, None, new_status, [email])
    except Conflict as exc:
        raise Conflict("The application was decided meanwhile", code="SELLER_NOT_PENDING") from exc
    profile = repository.upsert_profile(seller_id, at, rejection_reason=reason, reviewed_at=at)
    return _full(updated, profile)
