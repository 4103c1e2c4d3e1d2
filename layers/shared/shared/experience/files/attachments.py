"""What a message or an artifact may attach: ready files of the same thread."""

from __future__ import annotations

from collections.abc import Sequence

from shared.errors import InvalidInput
from shared.experience.files import repository
from shared.experience.files.schemas import FileRef


def attachable_files(thread_id: str, file_ids: Sequence[str], *, field: str = "attachments") -> list[FileRef]:
    """The files ``file_ids`` (duplicates dropped, order kept) for attaching in ``thread_id``.

    A file is attachable when it belongs to that thread (uploaded with its ``threadId``: then
    every participant may see it) and the worker found it ``ready``. The caller must already
    have established that the author may write in the thread. One consistent BatchGetItem.

    Raises :class:`InvalidInput` (400) ``FILE_NOT_FOUND`` (unknown, or of another thread or of
    none) or ``FILE_NOT_READY`` (pending or rejected), naming the ids under ``field``.
    """
    wanted = list(dict.fromkeys(file_ids))
    if not wanted:
        return []
    found = repository.get_many(wanted)
    unknown = [fid for fid in wanted if fid not in found or found[fid].thread_id != thread_id]
    if unknown:
        raise InvalidInput(
            "Attach only files uploaded to this thread",
            code="FILE_NOT_FOUND",
            errors={field: [f"no file {fid} in this thread" for fid in unknown]},
        )
    waiting = [fid for fid in wanted if found[fid].status != "ready"]
    if waiting:
        raise InvalidInput(
            "Attach only files that finished processing (status ready)",
            code="FILE_NOT_READY",
            errors={field: [f"file {fid} is {found[fid].status}" for fid in waiting]},
        )
    return [
        FileRef(id=fid, filename=found[fid].filename, content_type=found[fid].content_type, size=int(found[fid].size))
        for fid in wanted
    ]
