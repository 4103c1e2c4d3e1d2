"""Upload API models."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.schemas import ApiModel, StrictInput, StrictInt

Purpose = Literal["product-image", "avatar", "logo"]
ImageType = Literal["image/jpeg", "image/png", "image/webp", "image/gif"]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadRequest(StrictInput):
    purpose: Purpose
    content_type: ImageType
    content_length: StrictInt = Field(ge=1, le=MAX_UPLOAD_BYTES, description="Size in bytes (at most 5 MB)")


class UploadTicket(ApiModel):
    upload_url: str = Field(description="POST a multipart form here: every entry of `fields`, then `file`")
    fields: dict[str, str]
    key: str
    public_url: str
    content_type: str
    max_bytes: int
    expires_in: int
