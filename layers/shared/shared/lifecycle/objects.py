"""S3 access of the lifecycle jobs (the only module of the package calling S3): the export file
written and presigned, and the pages of objects the daily cleanup lists and deletes in the
exports, uploads and files buckets.

Listing is ``ListObjectsV2`` by prefix, one page per call, continued by its
``ContinuationToken`` (S3's opaque position, safe to keep in a job's payload). Deletes are
``DeleteObjects`` of up to 1,000 keys; a key already gone is no error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from shared.messaging.clients import s3_client
from shared.settings import ConfigurationError, get_settings

if TYPE_CHECKING:
    from shared.lifecycle.registry import ErasureContext

Bucket = Literal["exports", "uploads", "files"]
_SETTINGS: dict[Bucket, str] = {"exports": "exports_bucket", "uploads": "uploads_bucket", "files": "files_bucket"}
DELETE_BATCH = 1000


@dataclass(frozen=True)
class StoredObject:
    key: str
    last_modified: datetime


@dataclass(frozen=True)
class ObjectPage:
    objects: list[StoredObject]
    next_token: str | None


def bucket_name(bucket: Bucket) -> str:
    name = str(getattr(get_settings(), _SETTINGS[bucket]))
    if not name:
        raise ConfigurationError(f"{_SETTINGS[bucket].upper()} is not set")
    return name


def put_json(bucket: Bucket, key: str, document: Any) -> None:
    """Write ``document`` as UTF-8 JSON (SSE-S3 encrypted, whatever the bucket's default)."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    s3_client().put_object(
        Bucket=bucket_name(bucket),
        Key=key,
        Body=body,
        ContentType="application/json; charset=utf-8",
        ServerSideEncryption="AES256",
    )


def presigned_get(bucket: Bucket, key: str, expires_in: int, *, filename: str) -> str:
    """A GET URL valid for ``expires_in`` seconds (no longer than the signing credentials live)
    that the browser saves as ``filename``."""
    params = {
        "Bucket": bucket_name(bucket),
        "Key": key,
        "ResponseContentDisposition": f'attachment; filename="{filename}"',
    }
    return str(s3_client().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))


def list_page(bucket: Bucket, prefix: str, token: str | None, *, page_size: int) -> ObjectPage:
    """One page of the objects under ``prefix``, in key order, from ``token`` (None: the first)."""
    kwargs: dict[str, Any] = {"Bucket": bucket_name(bucket), "Prefix": prefix, "MaxKeys": page_size}
    if token:
        kwargs["ContinuationToken"] = token
    found = s3_client().list_objects_v2(**kwargs)
    objects = [StoredObject(key=str(o["Key"]), last_modified=o["LastModified"]) for o in found.get("Contents", [])]
    next_token = found.get("NextContinuationToken") if found.get("IsTruncated") else None
    return ObjectPage(objects=objects, next_token=str(next_token) if next_token else None)


def delete(bucket: Bucket, keys: list[str]) -> None:
    """Delete the objects (absent keys are no error). Raises ``RuntimeError`` naming the keys S3
    refused (the job then fails its attempt and retries: every delete is of what is still there)."""
    name = bucket_name(bucket)
    for start in range(0, len(keys), DELETE_BATCH):
        objects = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
        result = s3_client().delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
        errors = result.get("Errors") or []
        if errors:
            raise RuntimeError(f"S3 refused to delete {[e.get('Key') for e in errors]}")


def erase_prefix(ctx: ErasureContext, bucket: Bucket, prefix: str, *, page_size: int) -> bool:
    """An erasure step's deletion of every object under ``prefix``: the first page is listed and
    deleted until none is left (a retry or a later part starts over on what is still there).
    Returns False when the step ran out of time with objects left (a later part continues)."""
    while True:
        page = list_page(bucket, prefix, None, page_size=page_size)
        delete(bucket, [found.key for found in page.objects])
        ctx.touch(len(page.objects))
        if page.next_token is None:
            return True
        if ctx.out_of_time():
            return False
