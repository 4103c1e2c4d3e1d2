"""S3 access for uploads: presigned POST policies and public object URLs."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from shared.messaging.clients import client
from shared.settings import get_settings


@lru_cache(maxsize=1)
def _s3() -> Any:
    from botocore.config import Config

    # Path-style when an endpoint is configured (the local stack): bucket.127.0.0.1 does not resolve.
    style = "path" if os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") else "auto"
    return client("s3", Config(signature_version="s3v4", s3={"addressing_style": style}))


def presigned_post(key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
    """A policy that accepts exactly this key and content type, 1..``max_bytes`` bytes."""
    bucket = get_settings().uploads_bucket
    result: dict[str, Any] = _s3().generate_presigned_post(
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
    _s3.cache_clear()
