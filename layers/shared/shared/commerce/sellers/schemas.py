"""Seller API models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from shared.identity.schemas import Status, Url, check_name
from shared.schemas import ApiModel, LongText, StrictInput, Text

StoreName = Annotated[Text, AfterValidator(check_name)]


class UpdateSellerProfileRequest(StrictInput):
    store_name: StoreName | None = None
    description: Annotated[LongText, Field(max_length=2000)] | None = None
    logo_url: Url | None = None


class RejectSellerRequest(StrictInput):
    reason: Annotated[LongText, Field(min_length=3, max_length=500)]


class PublicSellerOut(ApiModel):
    id: str
    name: str
    store_name: str | None = None
    description: str | None = None
    logo_url: str | None = None
    joined_at: str


class SellerOut(PublicSellerOut):
    """What the seller and the admins see."""

    email: str
    status: Status
    rejection_reason: str | None = None
    reviewed_at: str | None = None
    updated_at: str
