"""The file record: one item per uploaded (or announced) file, in its own partition.

Access patterns
===============

=========================================  ===================================================================
Who reads what                             Key / index
=========================================  ===================================================================
one file (every /files/{id} route, the     ``PK=FILE#<fid>``, ``SK=FILE`` (consistent GetItem)
worker on an S3 event)
files to attach (message/artifact)         BatchGetItem of ``PK=FILE#<fid>``, ``SK=FILE`` (consistent)
a thread's files, newest first             Query GSI1 ``GSI1PK=THREAD_FILES#<tid>``, ``GSI1SK=<createdAt>#<fid>`` (desc)
the caller's own files, newest first       Query GSI2 ``GSI2PK=USER_FILES#<uid>``, ``GSI2SK=<createdAt>#<fid>`` (desc)
=========================================  ===================================================================

Objects: the original at ``files/<fid>/original`` (the only keys the bucket notifies about),
its preview beside it at ``files/<fid>/preview``. ``checkedEtag`` is the ETag of the object
content the worker last judged: a redelivered notification for that content changes nothing,
a new upload to the same key (within the POST policy's lifetime) is judged again.

A ``pending`` record expires (TTL) a day after its upload window closed; a ``rejected`` one a
week after the verdict, so rejected uploads leave the listings by themselves.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.data.table import Item

FILE_SK = "FILE"
OBJECT_PREFIX = "files/"
ORIGINAL_SUFFIX = "/original"


def file_pk(file_id: str) -> str:
    return f"FILE#{file_id}"


def thread_files(thread_id: str) -> str:
    return f"THREAD_FILES#{thread_id}"


def user_files(user_id: str) -> str:
    return f"USER_FILES#{user_id}"


def listing_key(created_at: str, file_id: str) -> str:
    return f"{created_at}#{file_id}"


def object_key(file_id: str) -> str:
    return f"{OBJECT_PREFIX}{file_id}{ORIGINAL_SUFFIX}"


def preview_key(file_id: str) -> str:
    return f"{OBJECT_PREFIX}{file_id}/preview"


def file_id_of(key: str) -> str | None:
    """The file id in an original's object key, or None for any other key."""
    if not (key.startswith(OBJECT_PREFIX) and key.endswith(ORIGINAL_SUFFIX)):
        return None
    file_id = key[len(OBJECT_PREFIX) : -len(ORIGINAL_SUFFIX)]
    return file_id if file_id and "/" not in file_id else None


class FileItem(Item, discriminator="FILE"):
    """``PK=FILE#<fid>``, ``SK=FILE``; GSI1 lists a thread's files, GSI2 the uploader's."""

    file_id = UnicodeAttribute(attr_name="fileId")
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute(attr_name="contentType")
    size = NumberAttribute()
    status = UnicodeAttribute(default="pending")
    reason = UnicodeAttribute(null=True)
    thread_id = UnicodeAttribute(null=True, attr_name="threadId")
    uploader_id = UnicodeAttribute(attr_name="uploaderId")
    uploader_name = UnicodeAttribute(attr_name="uploaderName")
    checked_etag = UnicodeAttribute(null=True, attr_name="checkedEtag")
    preview_type = UnicodeAttribute(null=True, attr_name="previewType")
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    checked_at = UnicodeAttribute(null=True, attr_name="checkedAt")
