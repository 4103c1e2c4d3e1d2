"""The file worker's rules: judge an object the bucket reported created.

Steps for ``files/<fid>/original``: the record must exist (else the object is an orphan of a
deleted or unknown file and is removed); the content must not have been judged already
(``checkedEtag``: S3 delivers notifications at least once); then the real size against the
declared one, the magic bytes (or UTF-8/JSON for text) against the declared type, and for
images a decode and a preview of at most :data:`PREVIEW_MAX_SIDE` px written beside the object.
Every read is pinned to the ETag first seen (``If-Match``): a new upload replacing the object
mid-check fails the read, and that upload's own notification judges it.

A rejected file's object (and preview) is deleted after the verdict is recorded (a retry finds
the verdict and deletes again) and the record keeps the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

from shared.clock import now, now_iso
from shared.experience.files import repository, storage
from shared.experience.files.inspection import HEAD_BYTES, TEXT_TYPES, Rejected, TextCheck, check_signature, check_size
from shared.experience.files.models import FileItem, file_id_of, object_key, preview_key
from shared.experience.files.schemas import IMAGE_TYPES, MAX_FILE_BYTES

PREVIEW_MAX_SIDE = 320
REJECTED_KEPT_SECONDS = 7 * 86_400

Outcome = Literal["ready", "rejected", "duplicate", "orphan", "gone", "ignored"]


@dataclass(frozen=True)
class Preview:
    """A preview's bytes and type, and the original image's dimensions."""

    data: bytes
    content_type: str
    width: int
    height: int


class Imaging(Protocol):
    """Decodes images (the imaging library lives in the worker function only)."""

    def preview(self, data: bytes, content_type: str, max_side: int) -> Preview:
        """A preview no larger than ``max_side`` on either side. Raises :class:`Rejected` when
        ``data`` is not a decodable image of ``content_type`` (or is too large to decode)."""
        ...


def handle_object_created(key: str, imaging: Imaging) -> Outcome:
    """Judge the object at ``key`` as it is now. Idempotent; safe to run concurrently for the same
    key (verdicts are conditional writes on the content's ETag).

    Raises :class:`storage.ObjectChanged` when the object was replaced during the check (the
    caller retries; the replacement's own notification also arrives)."""
    file_id = file_id_of(key)
    if file_id is None:
        return "ignored"
    item = repository.get(file_id)
    if item is None:
        storage.delete(key, preview_key(file_id))
        return "orphan"
    found = storage.head(key)
    if found is None:
        return "gone"
    if item.checked_etag == found.etag:
        if item.status == "rejected":
            storage.delete(key, preview_key(file_id))  # a retry of a verdict whose delete failed
        return "duplicate"
    try:
        preview = _check(item, found, imaging)
    except Rejected as verdict:
        recorded = repository.mark_rejected(
            item, found.etag, verdict.reason, now_iso(), now() + timedelta(seconds=REJECTED_KEPT_SECONDS)
        )
        storage.delete(key, preview_key(file_id))
        return "rejected" if recorded else "duplicate"
    if preview is not None:
        storage.put(preview_key(file_id), preview.data, preview.content_type)
    size = (preview.width, preview.height) if preview else None
    recorded = repository.mark_ready(
        item, found.etag, now_iso(), preview_type=preview.content_type if preview else None, size=size
    )
    if not recorded and repository.get(file_id) is None:
        storage.delete(key, preview_key(file_id))  # deleted while we checked: leave nothing behind
        return "orphan"
    return "ready" if recorded else "duplicate"


def _check(item: FileItem, found: storage.ObjectHead, imaging: Imaging) -> Preview | None:
    key = object_key(item.file_id)
    if found.size > MAX_FILE_BYTES:
        raise Rejected("Files are limited to 100 MB")
    check_size(int(item.size), found.size)
    content_type = item.content_type
    if content_type in TEXT_TYPES:
        check = TextCheck(content_type)
        for chunk in storage.chunks(key, found.etag):
            check.feed(chunk)
        check.finish()
        return None
    if content_type in IMAGE_TYPES:
        data = storage.read(key, found.etag)
        check_signature(content_type, data[:HEAD_BYTES])
        return imaging.preview(data, content_type, PREVIEW_MAX_SIDE)
    check_signature(content_type, storage.read(key, found.etag, HEAD_BYTES))
    return None
