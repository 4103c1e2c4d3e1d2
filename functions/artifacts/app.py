"""Artifact routes: a thread's artifacts (``/api/v1/threads/{id}/artifacts``) and
``/api/v1/artifacts`` (read, update with version checks, history, restore, export, delete).
Rules live in :mod:`shared.experience.artifacts`."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.experience import artifacts
from shared.experience.access import ASSISTANT
from shared.experience.artifacts_schemas import (
    ArtifactOut,
    ArtifactSummaryOut,
    ArtifactType,
    ArtifactVersionOut,
    ArtifactVersionSummaryOut,
    CreateArtifactRequest,
    ExportFormat,
    RestoreArtifactRequest,
    UpdateArtifactRequest,
)
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
ARTIFACTS = "/api/v1/artifacts"
THREAD_ARTIFACTS = "/api/v1/threads/<threadId>/artifacts"
ThreadId = Annotated[str, Path(min_length=1, max_length=64, description="Thread id")]
ArtifactId = Annotated[str, Path(min_length=1, max_length=64, description="Artifact id")]
TypeFilter = Annotated[ArtifactType | None, Query(description="Only artifacts of this type")]
_READ = raises(NotFound, Forbidden)
_WRITE = raises(NotFound, Forbidden, InvalidInput, Conflict)
_EXPORT_RESPONSES: dict[int, Any] = {
    200: {
        "description": "The export, as a file (`Content-Disposition: attachment`)",
        "content": {
            "application/json": {"model": ArtifactOut},
            "text/csv": {"schema": {"type": "string"}},
            "text/markdown": {"schema": {"type": "string"}},
        },
    },
    **raises(NotFound, Forbidden, Conflict, success=None),
}


@app.post(THREAD_ARTIFACTS, responses=raises(NotFound, Forbidden, InvalidInput, success=201), tags=["artifacts"])
@requires(service_scopes=ASSISTANT)
def create_artifact(
    threadId: ThreadId, body: Annotated[CreateArtifactRequest, Body()]
) -> Response[Envelope[ArtifactOut]]:
    """Create an artifact in a thread (version 1).

    `content` is a JSON object of at most 256 KB; `messageId`, if given, a message of the
    thread; `fileIds` only ready files the author may see.
    """
    return created(app, artifacts.create_artifact(principal(app), threadId, body))


@app.get(THREAD_ARTIFACTS, responses=raises(NotFound, Forbidden, InvalidInput), tags=["artifacts"])
@requires(service_scopes=ASSISTANT)
def list_thread_artifacts(
    threadId: ThreadId, type: TypeFilter = None, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[ArtifactSummaryOut]]]:
    """A thread's artifacts, newest first.

    Without their content (`GET /api/v1/artifacts/{artifactId}` has it).
    """
    return ok(app, artifacts.list_thread_artifacts(principal(app), threadId, type, limit=limit, cursor=cursor))


@app.get(ARTIFACTS, responses=raises(Forbidden, InvalidInput), tags=["artifacts"])
@requires()
def list_artifacts(
    type: TypeFilter = None, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[ArtifactSummaryOut]]]:
    """The artifacts of the caller's threads, newest first.

    From the caller's 100 most recently active threads; without their content.
    """
    return ok(app, artifacts.list_my_artifacts(principal(app), type, limit=limit, cursor=cursor))


@app.get(f"{ARTIFACTS}/<artifactId>", responses=_READ, tags=["artifacts"])
@requires(service_scopes=ASSISTANT)
def get_artifact(artifactId: ArtifactId) -> Response[Envelope[ArtifactOut]]:
    """One artifact at its latest version."""
    return ok(app, artifacts.get_artifact(principal(app), artifactId))


@app.put(f"{ARTIFACTS}/<artifactId>", responses=_WRITE, tags=["artifacts"])
@requires(service_scopes=ASSISTANT)
def put_artifact(
    artifactId: ArtifactId, body: Annotated[UpdateArtifactRequest, Body()]
) -> Response[Envelope[ArtifactOut]]:
    """Update an artifact (partial, like PATCH): a new version.

    With `expectedVersion`, only if the artifact is still at that version. A stale
    `expectedVersion`, or losing a race with another update, is 409 `VERSION_CONFLICT`.
    """
    return ok(app, artifacts.update_artifact(principal(app), artifactId, body))


@app.patch(f"{ARTIFACTS}/<artifactId>", responses=_WRITE, tags=["artifacts"])
@requires(service_scopes=ASSISTANT)
def patch_artifact(
    artifactId: ArtifactId, body: Annotated[UpdateArtifactRequest, Body()]
) -> Response[Envelope[ArtifactOut]]:
    """Update an artifact: a new version.

    With `expectedVersion`, only if the artifact is still at that version. A stale
    `expectedVersion`, or losing a race with another update, is 409 `VERSION_CONFLICT`.
    """
    return ok(app, artifacts.update_artifact(principal(app), artifactId, body))


@app.delete(f"{ARTIFACTS}/<artifactId>", responses=_READ, tags=["artifacts"])
@requires()
def delete_artifact(artifactId: ArtifactId) -> Response[Envelope[Message]]:
    """Delete an artifact with every version.

    Its creator, the thread's owner or an admin.
    """
    artifacts.delete_artifact(principal(app), artifactId)
    return ok(app, Message(message="Artifact deleted"))


@app.get(f"{ARTIFACTS}/<artifactId>/versions", responses=raises(NotFound, Forbidden, InvalidInput), tags=["artifacts"])
@requires(service_scopes=ASSISTANT)
def list_artifact_versions(
    artifactId: ArtifactId, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[ArtifactVersionSummaryOut]]]:
    """An artifact's versions, oldest first.

    Without their content (`GET .../versions/{version}` has it).
    """
    return ok(app, artifacts.list_versions(principal(app), artifactId, limit=limit, cursor=cursor))


@app.get(f"{ARTIFACTS}/<artifactId>/versions/<version>", responses=_READ, tags=["artifacts"])
@requires(service_scopes=ASSISTANT)
def get_artifact_version(
    artifactId: ArtifactId, version: Annotated[int, Path(ge=1, le=999_999, description="Version number")]
) -> Response[Envelope[ArtifactVersionOut]]:
    """One version of an artifact, with its content."""
    return ok(app, artifacts.get_version(principal(app), artifactId, version))


@app.post(f"{ARTIFACTS}/<artifactId>/restore", responses=_WRITE, tags=["artifacts"])
@requires()
def restore_artifact(
    artifactId: ArtifactId, body: Annotated[RestoreArtifactRequest, Body()]
) -> Response[Envelope[ArtifactOut]]:
    """Restore an earlier version: a new version with its content.

    With `expectedVersion`, only if the artifact is still at that version (409
    `VERSION_CONFLICT` otherwise).
    """
    return ok(app, artifacts.restore_artifact(principal(app), artifactId, body))


@app.get(f"{ARTIFACTS}/<artifactId>/export", responses=_EXPORT_RESPONSES, tags=["artifacts"])
@requires()
def export_artifact(
    artifactId: ArtifactId, format: Annotated[ExportFormat, Query(description="json, csv or md")] = "json"
) -> Response[str]:
    """Export an artifact as a file.

    `json`: the artifact; `csv`: table-shaped content (`{"columns": [...], "rows": [[...]]}`,
    formulas neutralised), 409 `NOT_TABULAR` otherwise; `md`: title, summary and content.
    """
    body, media_type, filename = artifacts.export_artifact(principal(app), artifactId, format)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(status_code=200, content_type=media_type, body=body, headers=headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
