"""File rules for the API: announce an upload (a presigned POST), read, list, rename, delete.

Who sees a file: its uploader, and the participants of its thread (admins too, as for threads);
a file without a thread is its uploader's alone. To anyone else every file id answers 404
``FILE_NOT_FOUND``. Download and preview URLs are short-lived presigned GETs, given only once
the worker found the file ``ready``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from shared.clock import now, now_iso
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.experience import access
from shared.experience.files import repository, storage
from shared.experience.files.models import FileItem, object_key, preview_key
from shared.experience.files.schemas import (
    MAX_JSON_BYTES,
    CreatedFileOut,
    CreateFileRequest,
    FileOut,
    RenameFileRequest,
    UploadForm,
)
from shared.experience.models import ThreadItem
from shared.experience.schemas import UserRef
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

UPLOAD_WINDOW_SECONDS = 900
URL_SECONDS = 300
# A record whose upload never came is removed (TTL) a day after its form expired.
PENDING_KEPT_SECONDS = UPLOAD_WINDOW_SECONDS + 86_400


def file_not_found() -> NotFound:
    return NotFound("File not found", code="FILE_NOT_FOUND")


def file_out(item: FileItem) -> FileOut:
    ready = item.status == "ready"
    download = preview = None
    if ready:
        download = storage.presigned_get(
            object_key(item.file_id), URL_SECONDS, filename=item.filename, content_type=item.content_type
        )
        if item.preview_type:
            preview = storage.presigned_get(preview_key(item.file_id), URL_SECONDS, content_type=item.preview_type)
    return FileOut(
        id=item.file_id,
        filename=item.filename,
        content_type=item.content_type,
        size=int(item.size),
        status=item.status,  # type: ignore[arg-type]
        reason=item.reason,
        thread_id=item.thread_id,
        uploader=UserRef(id=item.uploader_id, name=item.uploader_name),
        width=int(item.width) if item.width is not None else None,
        height=int(item.height) if item.height is not None else None,
        preview_url=preview,
        download_url=download,
        url_expires_in=URL_SECONDS if ready else None,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def create_file(caller: Principal, request: CreateFileRequest) -> CreatedFileOut:
    """A pending file and the form that uploads it (valid :data:`UPLOAD_WINDOW_SECONDS`).

    Raises :class:`InvalidInput` (JSON over 20 MB), :class:`NotFound` ``THREAD_NOT_FOUND``,
    :class:`Forbidden` ``DOMAIN_NOT_ALLOWED``."""
    access.ensure_domain(caller)
    if request.content_type == "application/json" and request.size > MAX_JSON_BYTES:
        raise InvalidInput(errors={"size": ["JSON files are limited to 20 MB"]})
    if request.thread_id is not None:
        access.visible_thread(caller, request.thread_id)
    file_id = new_id()
    item = repository.new_file(
        file_id,
        thread_id=request.thread_id,
        uploader_id=caller.user_id,
        uploader_name=caller.user.name,
        at=now_iso(),
        expires_at=now() + timedelta(seconds=PENDING_KEPT_SECONDS),
        filename=request.filename,
        content_type=request.content_type,
        size=request.size,
    )
    repository.create(item)
    form = storage.presigned_post(object_key(file_id), request.content_type, request.size, UPLOAD_WINDOW_SECONDS)
    upload = UploadForm(
        url=str(form["url"]),
        fields={name: str(value) for name, value in form["fields"].items()},
        expires_in=UPLOAD_WINDOW_SECONDS,
    )
    return CreatedFileOut(file=file_out(item), upload=upload)


def visible_file(caller: Principal, file_id: str) -> tuple[FileItem, ThreadItem | None]:
    """The file and, when the caller saw it through its thread, that thread.

    Raises :class:`NotFound` ``FILE_NOT_FOUND`` (absent, or not the caller's to see),
    :class:`Forbidden` ``DOMAIN_NOT_ALLOWED``."""
    access.ensure_domain(caller)
    item = repository.get(file_id)
    if item is None:
        raise file_not_found()
    if item.uploader_id == caller.user_id:
        return item, None
    if item.thread_id is None:
        raise file_not_found()
    try:
        thread, _member = access.visible_thread(caller, item.thread_id)
    except NotFound as exc:
        raise file_not_found() from exc
    return item, thread


def get_file(caller: Principal, file_id: str) -> FileOut:
    item, _thread = visible_file(caller, file_id)
    return file_out(item)


def list_files(caller: Principal, *, thread_id: str | None, limit: int, cursor: str | None) -> ItemsPage[FileOut]:
    """A thread's files (its participants), else the caller's own uploads; newest first, every
    status (a rejected file leaves the list a week after its verdict). One Query per page.

    Raises :class:`NotFound` ``THREAD_NOT_FOUND``, :class:`Forbidden` ``DOMAIN_NOT_ALLOWED``."""
    access.ensure_domain(caller)
    if thread_id is not None:
        access.visible_thread(caller, thread_id)
        scope = f"files|thread|{thread_id}"
        page = repository.thread_page(thread_id, limit=limit, position=decode_cursor(cursor, scope))
    else:
        scope = f"files|user|{caller.user_id}"
        page = repository.uploader_page(caller.user_id, limit=limit, position=decode_cursor(cursor, scope))
    items = [file_out(item) for item in page.items if isinstance(item, FileItem)]
    return ItemsPage[FileOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


def rename_file(caller: Principal, file_id: str, request: RenameFileRequest) -> FileOut:
    """By its uploader. Raises :class:`NotFound` ``FILE_NOT_FOUND``, :class:`Forbidden`
    ``NOT_FILE_UPLOADER``."""
    item, _thread = visible_file(caller, file_id)
    if item.uploader_id != caller.user_id:
        raise Forbidden("Only the uploader may rename a file", code="NOT_FILE_UPLOADER")
    if not repository.rename(item, request.filename, now_iso()):
        raise file_not_found()
    return file_out(repository.get(file_id) or item)


def delete_file(caller: Principal, file_id: str) -> None:
    """By its uploader, its thread's owner or an admin: the object, its preview and the record.

    Raises :class:`NotFound` ``FILE_NOT_FOUND``, :class:`Forbidden` ``NOT_FILE_UPLOADER``."""
    item, thread = visible_file(caller, file_id)
    owner = thread is not None and thread.owner_id == caller.user_id
    if item.uploader_id != caller.user_id and not caller.is_admin and not owner:
        raise Forbidden("Only the uploader, the thread's owner or an admin may delete a file", code="NOT_FILE_UPLOADER")
    discard([item])


def discard(items: Sequence[FileItem]) -> None:
    """Delete these files: their objects (original and preview), then their records, so a retry
    after a failure between the two finds the records and deletes again (idempotent)."""
    storage.delete(*(key for item in items for key in (object_key(item.file_id), preview_key(item.file_id))))
    for item in items:
        repository.delete(item)


def discard_thread_files(thread_id: str, limit: int) -> int:
    """Delete up to ``limit`` files of a deleted thread (every uploader's: the thread goes with
    everything in it); how many were found. The ``experience.purge-thread`` job calls it until 0."""
    found = repository.thread_files_page(thread_id, limit)
    discard(found)
    return len(found)
