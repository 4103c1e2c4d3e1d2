"""S3 access for uploads: presigned POST policies and public object URLs."""

from __future__ import annotations

import os
from typing import Any

from shared.messaging.clients import s3_client
from shared.settings import get_settings


def presigned_post(key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
    """A policy that accepts exactly this key and content type, 1..``max_bytes`` bytes."""
    bucket = get_settings().uploads_bucket
    result: dict[str, Any] = s3_client().generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_in,
    )
    return result


def public_url(key: str) -> str:
    """Where the object will be readable: the S3 endpoint in use (local stack), else the
    configured public base (the bucket's domain, or a CDN in front of it)."""
    settings = get_settings()
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return f"{endpoint.rstrip('/')}/{settings.uploads_bucket}/{key}"
    if settings.uploads_public_base_url:
        return f"{settings.uploads_public_base_url.rstrip('/')}/{key}"
    return f"https://{settings.uploads_bucket}.s3.{settings.aws_region}.amazonaws.com/{key}"


def reset_storage() -> None:
    s3_client.cache_clear()
