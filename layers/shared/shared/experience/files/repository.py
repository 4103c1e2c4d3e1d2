"""Data access for file records (the only module building their keys).

The worker's verdicts are conditional writes: a verdict is recorded only while the record
exists (a file deleted meanwhile stays deleted) and only for content it has not judged yet
(``checkedEtag``), so redelivered notifications change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import delete_if, update_if
from shared.experience.files.models import (
    FILE_SK,
    FileItem,
    file_pk,
    listing_key,
    thread_files,
    user_files,
)


def new_file(
    file_id: str, *, thread_id: str | None, uploader_id: str, at: str, expires_at: datetime, **fields: Any
) -> FileItem:
    item = FileItem(
        file_pk(file_id),
        FILE_SK,
        file_id=file_id,
        thread_id=thread_id,
        uploader_id=uploader_id,
        status="pending",
        created_at=at,
        updated_at=at,
        ttl=expires_at,
        **fields,
    )
    key = listing_key(at, file_id)
    item.gsi2pk, item.gsi2sk = user_files(uploader_id), key
    if thread_id:
        item.gsi1pk, item.gsi1sk = thread_files(thread_id), key
    return item


def create(item: FileItem) -> None:
    item.save(condition=FileItem.pk.does_not_exist())


def get(file_id: str) -> FileItem | None:
    try:
        found = Item.get(file_pk(file_id), FILE_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, FileItem) else None


def get_many(file_ids: Sequence[str]) -> dict[str, FileItem]:
    keys = [(file_pk(file_id), FILE_SK) for file_id in dict.fromkeys(file_ids)]
    return {item.file_id: item for item in Item.batch_get(keys, consistent_read=True) if isinstance(item, FileItem)}


def thread_page(thread_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[Item]:
    run = partial(Item.gsi1.query, thread_files(thread_id), scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI1")


def uploader_page(user_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[Item]:
    run = partial(Item.gsi2.query, user_files(user_id), scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI2")


def thread_files_page(thread_id: str, limit: int) -> list[FileItem]:
    """Up to ``limit`` of a thread's files (GSI1)."""
    found = Item.gsi1.query(thread_files(thread_id), limit=limit)
    return [item for item in found if isinstance(item, FileItem)]


def uploaded_by(user_id: str, limit: int | None = None) -> Iterator[FileItem]:
    """The user's uploads (up to ``limit``; None: all, page after page), newest first (GSI2)."""
    found = Item.gsi2.query(user_files(user_id), scan_index_forward=False, limit=limit)
    return (item for item in found if isinstance(item, FileItem))


def rename(item: FileItem, filename: str, at: str) -> bool:
    """False when the record is gone."""
    return update_if(item, [FileItem.filename.set(filename), FileItem.updated_at.set(at)], FileItem.pk.exists())


def _not_judged(etag: str) -> Any:
    return FileItem.pk.exists() & ((FileItem.checked_etag.does_not_exist()) | (FileItem.checked_etag != etag))


def mark_ready(item: FileItem, etag: str, at: str, *, preview_type: str | None, size: tuple[int, int] | None) -> bool:
    """Record ``ready`` for the content ``etag``; False when the record is gone or that content
    was judged already."""
    actions: list[Any] = [
        FileItem.status.set("ready"),
        FileItem.reason.remove(),
        FileItem.checked_etag.set(etag),
        FileItem.checked_at.set(at),
        FileItem.updated_at.set(at),
        FileItem.ttl.remove(),
        FileItem.preview_type.set(preview_type) if preview_type else FileItem.preview_type.remove(),
    ]
    if size is not None:
        actions += [FileItem.width.set(size[0]), FileItem.height.set(size[1])]
    return update_if(item, actions, _not_judged(etag))


def mark_rejected(item: FileItem, etag: str, reason: str, at: str, expires_at: datetime) -> bool:
    """Record ``rejected`` with ``reason`` (the record expires at ``expires_at``); False as for
    :func:`mark_ready`."""
    actions: list[Any] = [
        FileItem.status.set("rejected"),
        FileItem.reason.set(reason),
        FileItem.checked_etag.set(etag),
        FileItem.checked_at.set(at),
        FileItem.updated_at.set(at),
        FileItem.ttl.set(expires_at),
        FileItem.preview_type.remove(),
    ]
    return update_if(item, actions, _not_judged(etag))


def delete(item: FileItem) -> None:
    delete_if(item)
