"""Artifact rules: create, read, list (a thread's, or across the caller's threads), update with
optimistic concurrency (every version kept), restore, export, delete.

Who: the participants of the artifact's thread (anyone else 404 ``ARTIFACT_NOT_FOUND``, like
every experience id), admins, and integrations with the ``experience:assistant`` scope on the
routes that admit them. Deleting: the artifact's creator, the thread's owner or an admin.
"""

from __future__ import annotations

from typing import Any

from shared.clock import now_iso
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.experience import access, artifacts_export, message_repository
from shared.experience import artifacts_repository as repository
from shared.experience import repository as threads_repository
from shared.experience.artifacts_models import ArtifactContentItem, ArtifactItem, ArtifactVersionItem
from shared.experience.artifacts_schemas import (
    ArtifactOut,
    ArtifactSummaryOut,
    ArtifactVersionOut,
    ArtifactVersionSummaryOut,
    CreateArtifactRequest,
    RestoreArtifactRequest,
    UpdateArtifactRequest,
)
from shared.experience.files.attachments import attachable_files
from shared.experience.files.schemas import FileRef as ArtifactFile
from shared.experience.models import ThreadItem
from shared.experience.schemas import UserRef
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

# GET /artifacts reads the artifacts of the caller's most recently active threads, this many.
MAX_THREADS = 100


def artifact_not_found() -> NotFound:
    return NotFound("Artifact not found", code="ARTIFACT_NOT_FOUND")


def _attached_files(thread_id: str, file_ids: list[str]) -> list[ArtifactFile]:
    """The files an artifact attaches: ready files of its thread, by the one rule messages use too.

    Raises :class:`InvalidInput` ``FILE_NOT_FOUND`` / ``FILE_NOT_READY`` naming ``fileIds``."""
    return attachable_files(thread_id, file_ids, field="fileIds")


def _check_message(thread_id: str, message_id: str) -> None:
    message = message_repository.get(thread_id, message_id)
    if message is None or message.deleted:
        raise InvalidInput(
            "The message is not in this thread",
            code="MESSAGE_NOT_IN_THREAD",
            errors={"messageId": ["not in this thread"]},
        )


def _files(value: Any) -> list[ArtifactFile]:
    return [ArtifactFile.model_validate(f) for f in value or []]


def _summary_fields(head: ArtifactItem) -> dict[str, Any]:
    return {
        "id": head.artifact_id,
        "thread_id": head.thread_id,
        "type": head.artifact_type,
        "title": head.title,
        "summary": head.summary,
        "message_id": head.message_id,
        "files": _files(head.files),
        "version": int(head.version),
        "created_by": UserRef(id=head.created_by_id, name=head.created_by_name),
        "updated_by": UserRef(id=head.updated_by_id, name=head.updated_by_name),
        "created_at": head.created_at,
        "updated_at": head.updated_at,
    }


def artifact_summary(head: ArtifactItem) -> ArtifactSummaryOut:
    """An artifact as listings (and real-time events) show it: everything but its content."""
    return ArtifactSummaryOut(**_summary_fields(head))


def _out(head: ArtifactItem, content: ArtifactContentItem) -> ArtifactOut:
    return ArtifactOut(**_summary_fields(head), content=content.content or {})


def _version_fields(version: ArtifactVersionItem) -> dict[str, Any]:
    return {
        "version": int(version.version),
        "title": version.title,
        "summary": version.summary,
        "files": _files(version.files),
        "author": UserRef(id=version.author_id, name=version.author_name),
        "restored_from": int(version.restored_from) if version.restored_from is not None else None,
        "created_at": version.created_at,
    }


def visible_artifact(caller: Principal, artifact_id: str) -> tuple[ArtifactItem, ThreadItem]:
    """The artifact's head, read consistently, and its thread, if the caller may see them.
    Raises :class:`NotFound` ``ARTIFACT_NOT_FOUND`` (whatever the reason), :class:`Forbidden`
    ``DOMAIN_NOT_ALLOWED``."""
    access.ensure_domain(caller)
    found = repository.find(artifact_id)
    if found is None:
        raise artifact_not_found()
    try:
        thread, _member = access.visible_thread(caller, found.thread_id)
    except NotFound as exc:
        raise artifact_not_found() from exc
    head = repository.get(found.thread_id, artifact_id)
    if head is None:
        raise artifact_not_found()
    return head, thread


def _content(head: ArtifactItem, version: int) -> ArtifactContentItem:
    content = repository.get_content(head.thread_id, head.artifact_id, version)
    if content is None:  # the artifact was deleted after its head was read
        raise artifact_not_found()
    return content


def create_artifact(caller: Principal, thread_id: str, request: CreateArtifactRequest) -> ArtifactOut:
    """Version 1 of a new artifact. Raises :class:`NotFound` ``THREAD_NOT_FOUND``,
    :class:`InvalidInput` (``MESSAGE_NOT_IN_THREAD``, ``FILE_NOT_READY``)."""
    access.visible_thread(caller, thread_id)
    if request.message_id:
        _check_message(thread_id, request.message_id)
    files = [f.model_dump(by_alias=True) for f in _attached_files(thread_id, request.file_ids or [])]
    at = now_iso()
    author = {"id": caller.user_id, "name": caller.user.name}
    head = repository.new_artifact(
        thread_id,
        new_id(),
        request.type,
        title=request.title,
        summary=request.summary,
        message_id=request.message_id,
        files=files,
        version=1,
        content_version=1,
        created_by_id=author["id"],
        created_by_name=author["name"],
        updated_by_id=author["id"],
        updated_by_name=author["name"],
        created_at=at,
        updated_at=at,
    )
    first = repository.new_version(
        head,
        1,
        content_version=1,
        title=request.title,
        summary=request.summary,
        files=files,
        author_id=author["id"],
        author_name=author["name"],
        created_at=at,
    )
    content = repository.new_content(head, 1, request.content)
    repository.create(head, first, content)
    return _out(head, content)


def get_artifact(caller: Principal, artifact_id: str) -> ArtifactOut:
    head, _thread = visible_artifact(caller, artifact_id)
    return _out(head, _content(head, int(head.content_version)))


def _write(
    caller: Principal,
    head: ArtifactItem,
    expected: int | None,
    *,
    title: str,
    summary: str | None,
    files: Any,
    content: dict[str, Any] | None,
    kept_content: int,
    restored_from: int | None = None,
) -> ArtifactOut:
    """Version ``head.version + 1`` with these values and new ``content`` (None: the content
    item ``kept_content``), iff the head is still at the version read (and at ``expected``, when
    given). Raises :class:`Conflict` ``VERSION_CONFLICT``."""
    if expected is not None and expected != int(head.version):
        raise repository.version_conflict()
    number = int(head.version) + 1
    new_content = repository.new_content(head, number, content) if content is not None else None
    at = now_iso()
    version = repository.new_version(
        head,
        number,
        content_version=number if new_content is not None else kept_content,
        title=title,
        summary=summary,
        files=files,
        author_id=caller.user_id,
        author_name=caller.user.name,
        restored_from=restored_from,
        created_at=at,
    )
    actions: list[Any] = [
        ArtifactItem.title.set(title),
        ArtifactItem.summary.set(summary) if summary is not None else ArtifactItem.summary.remove(),
        ArtifactItem.files.set(files) if files is not None else ArtifactItem.files.remove(),
        ArtifactItem.updated_by_id.set(caller.user_id),
        ArtifactItem.updated_by_name.set(caller.user.name),
        ArtifactItem.updated_at.set(at),
    ]
    shown = new_content if new_content is not None else _content(head, kept_content)
    repository.write_version(head, version, new_content, actions)
    head.title, head.summary, head.files, head.version = title, summary, files, number
    head.content_version = version.content_version
    head.updated_by_id, head.updated_by_name, head.updated_at = caller.user_id, caller.user.name, at
    return _out(head, shown)


def update_artifact(caller: Principal, artifact_id: str, request: UpdateArtifactRequest) -> ArtifactOut:
    """A new version with the given fields changed (the others as they are; unchanged content is
    not written again). Raises :class:`NotFound`, :class:`InvalidInput`, :class:`Conflict`
    ``VERSION_CONFLICT`` (a stale ``expectedVersion``, or another update won the race: nothing
    of this one is written)."""
    fields = request.model_fields_set - {"expected_version"}
    if not fields:
        raise InvalidInput("Nothing to update", errors={"body": ["provide title, content and/or summary"]})
    head, _thread = visible_artifact(caller, artifact_id)
    return _write(
        caller,
        head,
        request.expected_version,
        title=request.title if request.title is not None else head.title,
        summary=request.summary if "summary" in fields else head.summary,
        files=head.files,
        content=request.content,
        kept_content=int(head.content_version),
    )


def restore_artifact(caller: Principal, artifact_id: str, request: RestoreArtifactRequest) -> ArtifactOut:
    """A new version with the title, summary, content and files of version ``request.version``
    (its content item is shared, not copied). Raises :class:`NotFound` (``ARTIFACT_NOT_FOUND``,
    ``VERSION_NOT_FOUND``), :class:`Conflict` ``VERSION_CONFLICT``."""
    head, _thread = visible_artifact(caller, artifact_id)
    source = repository.get_version(head.thread_id, artifact_id, request.version)
    if source is None:
        raise NotFound("The artifact has no such version", code="VERSION_NOT_FOUND")
    return _write(
        caller,
        head,
        request.expected_version,
        title=source.title,
        summary=source.summary,
        files=source.files,
        content=None,
        kept_content=int(source.content_version),
        restored_from=int(source.version),
    )


def list_versions(
    caller: Principal, artifact_id: str, *, limit: int, cursor: str | None
) -> ItemsPage[ArtifactVersionSummaryOut]:
    """Oldest first, without their content (``GET .../versions/{n}`` has it)."""
    head, _thread = visible_artifact(caller, artifact_id)
    scope = f"artifact-versions|{artifact_id}"
    page = repository.versions_page(head, limit=limit, position=decode_cursor(cursor, scope))
    items = [ArtifactVersionSummaryOut(**_version_fields(v)) for v in page.items if isinstance(v, ArtifactVersionItem)]
    return ItemsPage[ArtifactVersionSummaryOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


def get_version(caller: Principal, artifact_id: str, number: int) -> ArtifactVersionOut:
    head, _thread = visible_artifact(caller, artifact_id)
    version = repository.get_version(head.thread_id, artifact_id, number)
    if version is None:
        raise NotFound("The artifact has no such version", code="VERSION_NOT_FOUND")
    content = _content(head, int(version.content_version))
    return ArtifactVersionOut(**_version_fields(version), content=content.content or {})


def list_thread_artifacts(
    caller: Principal, thread_id: str, artifact_type: str | None, *, limit: int, cursor: str | None
) -> ItemsPage[ArtifactSummaryOut]:
    """A thread's artifacts, newest first, without their content. One Query per page."""
    access.visible_thread(caller, thread_id)
    scope = f"artifacts|{thread_id}|{artifact_type}"
    page = repository.thread_page(thread_id, artifact_type, limit=limit, position=decode_cursor(cursor, scope))
    items = [artifact_summary(a) for a in page.items if isinstance(a, ArtifactItem)]
    return ItemsPage[ArtifactSummaryOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


def list_my_artifacts(
    caller: Principal, artifact_type: str | None, *, limit: int, cursor: str | None
) -> ItemsPage[ArtifactSummaryOut]:
    """The artifacts of the caller's threads (their :data:`MAX_THREADS` most recently active),
    newest first, without their content: one Query for the threads, one per thread."""
    access.ensure_domain(caller)
    scope = f"my-artifacts|{caller.user_id}|{artifact_type}"
    position = decode_cursor(cursor, scope) or {}
    before = position.get("before")
    before = before if isinstance(before, str) else None
    found: list[ArtifactItem] = []
    for thread_id in threads_repository.thread_ids_of(caller.user_id, MAX_THREADS):
        found += repository.newest_below(thread_id, artifact_type, before, limit + 1)
    found.sort(key=lambda a: a.artifact_id, reverse=True)
    page, more = found[:limit], len(found) > limit
    next_cursor = encode_cursor({"before": page[-1].artifact_id}, scope) if more else None
    return ItemsPage[ArtifactSummaryOut](items=[artifact_summary(a) for a in page], next_cursor=next_cursor)


def export_artifact(caller: Principal, artifact_id: str, export_format: str) -> tuple[str, str, str]:
    """``(body, media type, file name)``. Raises :class:`Conflict` ``NOT_TABULAR`` (CSV only)."""
    artifact = get_artifact(caller, artifact_id)
    body = artifacts_export.render(artifact, export_format)
    return body, artifacts_export.MEDIA_TYPES[export_format], artifacts_export.filename(artifact, export_format)


def delete_artifact(caller: Principal, artifact_id: str) -> None:
    """By its creator, the thread's owner or an admin: the artifact and every version. Raises
    :class:`NotFound`, :class:`Forbidden` ``NOT_ARTIFACT_CREATOR``."""
    head, thread = visible_artifact(caller, artifact_id)
    if caller.user_id not in (head.created_by_id, thread.owner_id) and not caller.is_admin:
        raise Forbidden(
            "Only the artifact's creator, the thread's owner or an admin may delete it", code="NOT_ARTIFACT_CREATOR"
        )
    if not repository.delete(head):
        raise artifact_not_found()
