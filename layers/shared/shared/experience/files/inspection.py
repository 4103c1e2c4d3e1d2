"""What an uploaded file's bytes must look like for its declared type (pure: no I/O).

Binary types are recognised by their magic bytes; text types (plain, CSV, Markdown) must be
UTF-8 (a BOM is allowed) without NUL, checked as the bytes stream; JSON must also parse. Images
are decoded by the worker's imaging adapter (:class:`shared.experience.files.processing.Imaging`).
"""

from __future__ import annotations

import codecs
import json

from shared.experience.files.schemas import IMAGE_TYPES, MAX_JSON_BYTES

HEAD_BYTES = 4096
TEXT_TYPES = ("text/plain", "text/csv", "text/markdown", "application/json")
_OOXML = "application/vnd.openxmlformats-officedocument."
_OLE_TYPES = ("application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Rejected(Exception):
    """The file is not what its uploader declared; ``reason`` is shown to the uploader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _looks_like(content_type: str, head: bytes) -> bool:
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type == "application/pdf":
        return head.startswith(b"%PDF-")
    if content_type.startswith(_OOXML):
        return head.startswith(_ZIP)
    if content_type in _OLE_TYPES:
        return head.startswith(_OLE)
    return False


def check_signature(content_type: str, head: bytes) -> None:
    """The first bytes (at least :data:`HEAD_BYTES` of them, or the whole file) against a
    binary type's magic bytes. Text types are checked by :class:`TextCheck` instead.
    Raises :class:`Rejected`."""
    if content_type in TEXT_TYPES:
        return
    if not _looks_like(content_type, head):
        kind = "an image" if content_type in IMAGE_TYPES else "a document"
        raise Rejected(f"The content is not {kind} of type {content_type}")


def check_size(declared: int, actual: int) -> None:
    """Raises :class:`Rejected` when the stored object's size is not the declared one."""
    if actual != declared:
        raise Rejected(f"The upload has {actual} bytes, not the {declared} declared")


class TextCheck:
    """Feed the bytes in order, then :meth:`finish`; raises :class:`Rejected` at the first bad byte.

    Only JSON keeps the text (to parse it at the end, at most :data:`MAX_JSON_BYTES`)."""

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._parts: list[str] | None = [] if content_type == "application/json" else None
        self._seen = 0

    def feed(self, chunk: bytes) -> None:
        if b"\x00" in chunk:
            raise Rejected("The text contains NUL bytes (a binary file?)")
        self._seen += len(chunk)
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise Rejected(f"The text is not valid UTF-8 (byte {self._seen - len(chunk) + exc.start})") from exc
        if self._parts is not None:
            if self._seen > MAX_JSON_BYTES:
                raise Rejected("JSON files are limited to 20 MB")
            self._parts.append(text)

    def finish(self) -> None:
        try:
            tail = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise Rejected("The text ends inside a UTF-8 sequence") from exc
        if self._parts is None:
            return
        try:
            json.loads("".join(self._parts) + tail)
        except (ValueError, RecursionError) as exc:
            raise Rejected(f"The content is not valid JSON ({str(exc)[:120]})") from exc
