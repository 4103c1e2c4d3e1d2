"""File routes: ``/api/v1/files`` (upload forms, reads with presigned URLs, rename, delete)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.experience.files import service
from shared.experience.files.schemas import CreatedFileOut, CreateFileRequest, FileOut, RenameFileRequest
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
PREFIX = "/api/v1/files"
FileId = Annotated[str, Path(min_length=1, max_length=64, description="File id")]
ThreadFilter = Annotated[str | None, Query(min_length=1, max_length=64, description="Thread id")]


@app.post(PREFIX, responses=raises(NotFound, Forbidden, InvalidInput, success=201), tags=["files"])
@requires()
def create_file(body: Annotated[CreateFileRequest, Body()]) -> Response[Envelope[CreatedFileOut]]:
    """Announce an upload and get the form that sends the bytes straight to storage.

    POST a multipart form to `upload.url` with every entry of `upload.fields`, then `file`: the
    form admits exactly this file's key, `contentType` and `size`, for 15 minutes. The file is
    `pending` until a worker checked the bytes (`ready`, or `rejected` with a `reason`). Types:
    PNG, JPEG, GIF, WebP, PDF, plain text, CSV, Markdown, JSON (≤ 20 MB), Word, Excel,
    PowerPoint; at most 100 MB. With `threadId` (a thread of the caller) its participants see it.
    """
    return created(app, service.create_file(principal(app), body))


@app.get(PREFIX, responses=raises(NotFound, Forbidden, InvalidInput), tags=["files"])
@requires()
def list_files(
    threadId: ThreadFilter = None, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[FileOut]]]:
    """A thread's files (participants), or without `threadId` the caller's uploads; newest first."""
    return ok(app, service.list_files(principal(app), thread_id=threadId, limit=limit, cursor=cursor))


@app.get(f"{PREFIX}/<fileId>", responses=raises(NotFound, Forbidden), tags=["files"])
@requires()
def get_file(fileId: FileId) -> Response[Envelope[FileOut]]:
    """One file; `downloadUrl` (and `previewUrl` for images) once `ready`.

    The URLs are presigned GETs valid for `urlExpiresIn` seconds. The uploader and the participants
    of the file's thread see it; anyone else gets 404.
    """
    return ok(app, service.get_file(principal(app), fileId))


def _rename(file_id: str, body: RenameFileRequest) -> Response[Envelope[FileOut]]:
    return ok(app, service.rename_file(principal(app), file_id, body))


@app.put(f"{PREFIX}/<fileId>", responses=raises(NotFound, Forbidden), tags=["files"])
@requires()
def put_file(fileId: FileId, body: Annotated[RenameFileRequest, Body()]) -> Response[Envelope[FileOut]]:
    """Rename a file (its uploader)."""
    return _rename(fileId, body)


@app.patch(f"{PREFIX}/<fileId>", responses=raises(NotFound, Forbidden), tags=["files"])
@requires()
def patch_file(fileId: FileId, body: Annotated[RenameFileRequest, Body()]) -> Response[Envelope[FileOut]]:
    """Rename a file (its uploader)."""
    return _rename(fileId, body)


@app.delete(f"{PREFIX}/<fileId>", responses=raises(NotFound, Forbidden), tags=["files"])
@requires()
def delete_file(fileId: FileId) -> Response[Envelope[Message]]:
    """Delete a file with its preview (its uploader, the thread's owner or an admin)."""
    service.delete_file(principal(app), fileId)
    return ok(app, Message(message="File deleted"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
