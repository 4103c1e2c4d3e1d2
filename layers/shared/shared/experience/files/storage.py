"""S3 access for files (the only module of the package calling S3): presigned POST policies and
GETs, and what the worker reads, writes and deletes. The bucket is private; nothing is public."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from shared.messaging.clients import s3_client
from shared.settings import ConfigurationError, get_settings

CHUNK_BYTES = 1024 * 1024


class ObjectChanged(RuntimeError):
    """The object was replaced or removed between two reads (a new upload raced the check)."""


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str


def _bucket() -> str:
    bucket = get_settings().files_bucket
    if not bucket:
        raise ConfigurationError("FILES_BUCKET is not set")
    return bucket


def bucket_name() -> str:
    return _bucket()


def presigned_post(key: str, content_type: str, size: int, expires_in: int) -> dict[str, Any]:
    """A form admitting exactly this key, this content type and exactly ``size`` bytes."""
    result: dict[str, Any] = s3_client().generate_presigned_post(
        Bucket=_bucket(),
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=expires_in,
    )
    return result


def presigned_get(key: str, expires_in: int, *, filename: str | None = None, content_type: str | None = None) -> str:
    """A GET URL valid for ``expires_in`` seconds; with ``filename``, the browser saves the
    download under that name (RFC 6266 ``filename*``, so any character is safe)."""
    params: dict[str, str] = {"Bucket": _bucket(), "Key": key}
    if filename is not None:
        params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    if content_type is not None:
        params["ResponseContentType"] = content_type
    return str(s3_client().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))


def _missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def head(key: str) -> ObjectHead | None:
    """The object's size and ETag (quotes removed), or None when it does not exist."""
    from botocore.exceptions import ClientError

    try:
        found = s3_client().head_object(Bucket=_bucket(), Key=key)
    except ClientError as exc:
        if _missing(exc):
            return None
        raise
    return ObjectHead(size=int(found["ContentLength"]), etag=str(found["ETag"]).strip('"'))


def _get(key: str, etag: str, byte_range: str | None = None) -> Any:
    from botocore.exceptions import ClientError

    kwargs: dict[str, str] = {"Bucket": _bucket(), "Key": key, "IfMatch": f'"{etag}"'}
    if byte_range:
        kwargs["Range"] = byte_range
    try:
        return s3_client().get_object(**kwargs)["Body"]
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if _missing(exc) or code in ("PreconditionFailed", "412"):
            raise ObjectChanged(key) from exc
        raise


def read(key: str, etag: str, limit: int | None = None) -> bytes:
    """The object's bytes (the first ``limit`` of them), only if it still has ``etag``.
    Raises :class:`ObjectChanged`."""
    body = _get(key, etag, f"bytes=0-{limit - 1}" if limit else None)
    try:
        return bytes(body.read())
    finally:
        body.close()


def chunks(key: str, etag: str) -> Iterator[bytes]:
    """The object's bytes in chunks of about 1 MB (never the whole object in memory).
    Raises :class:`ObjectChanged`."""
    body = _get(key, etag)
    try:
        while chunk := body.read(CHUNK_BYTES):
            yield bytes(chunk)
    finally:
        body.close()


def put(key: str, data: bytes, content_type: str) -> None:
    s3_client().put_object(Bucket=_bucket(), Key=key, Body=data, ContentType=content_type)


def delete(*keys: str) -> None:
    """Delete the objects (absent ones are no error: S3 answers a delete of nothing with success)."""
    objects = [{"Key": key} for key in keys]
    if objects:
        s3_client().delete_objects(Bucket=_bucket(), Delete={"Objects": objects, "Quiet": True})
