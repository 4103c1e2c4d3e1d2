"""Thread routes: ``/api/v1/threads`` (conversations, participants, read marks), plus the
experience API's index ``GET /api/v1`` and ``GET /api/v1/health``."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.experience import threads
from shared.experience.access import ASSISTANT
from shared.experience.schemas import (
    AddParticipantRequest,
    ApiInfo,
    CreateThreadRequest,
    HealthOut,
    MarkReadRequest,
    ThreadOut,
    ThreadStatus,
    UpdateThreadRequest,
)
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.observability import logger, metrics, tracer
from shared.realtime.presence import thread_presence
from shared.realtime.schemas import ThreadPresenceOut
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
API = "/api/v1"
PREFIX = f"{API}/threads"
ThreadId = Annotated[str, Path(min_length=1, max_length=64, description="Thread id")]
UserId = Annotated[str, Path(min_length=1, max_length=64, description="User id")]


@app.get(API, tags=["experience"])
def api_index() -> Response[Envelope[ApiInfo]]:
    """The API's name, version and links."""
    links = {"health": f"{API}/health", "threads": PREFIX, "messages": f"{API}/messages/search", "docs": "/docs"}
    return ok(app, ApiInfo(name="platform-api", version="1", links=links))


@app.get(f"{API}/health", tags=["experience"])
def api_health() -> Response[Envelope[HealthOut]]:
    """Liveness of the experience API (no dependencies touched)."""
    return ok(app, HealthOut(status="ok", version="1"))


@app.post(PREFIX, responses=raises(NotFound, Forbidden, InvalidInput, success=201), tags=["threads"])
@requires()
def create_thread(body: Annotated[CreateThreadRequest, Body()]) -> Response[Envelope[ThreadOut]]:
    """Start a thread.

    The caller owns it; `participantIds` (at most 49 others) join as members.
    """
    return created(app, threads.create_thread(principal(app), body))


@app.get(PREFIX, responses=raises(Forbidden), tags=["threads"])
@requires()
def list_threads(
    status: Annotated[ThreadStatus | None, Query()] = None, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[ThreadOut]]]:
    """The caller's threads, most recently active first.

    Each with the caller's `unreadCount`.
    """
    return ok(app, threads.list_threads(principal(app), status=status, limit=limit, cursor=cursor))


@app.get(f"{PREFIX}/<threadId>", responses=raises(NotFound, Forbidden), tags=["threads"])
@requires(service_scopes=ASSISTANT)
def get_thread(threadId: ThreadId) -> Response[Envelope[ThreadOut]]:
    """One thread (participants only)."""
    return ok(app, threads.get_thread(principal(app), threadId))


def _update(thread_id: str, body: UpdateThreadRequest) -> Response[Envelope[ThreadOut]]:
    return ok(app, threads.update_thread(principal(app), thread_id, body))


@app.put(f"{PREFIX}/<threadId>", responses=raises(NotFound, Forbidden, Conflict), tags=["threads"])
@requires()
def put_thread(threadId: ThreadId, body: Annotated[UpdateThreadRequest, Body()]) -> Response[Envelope[ThreadOut]]:
    """Update a thread (partial, like PATCH).

    Owner or admin; omitted fields stay.
    """
    return _update(threadId, body)


@app.patch(f"{PREFIX}/<threadId>", responses=raises(NotFound, Forbidden, Conflict), tags=["threads"])
@requires()
def patch_thread(threadId: ThreadId, body: Annotated[UpdateThreadRequest, Body()]) -> Response[Envelope[ThreadOut]]:
    """Update a thread.

    Owner or admin; omitted fields stay.
    """
    return _update(threadId, body)


@app.delete(f"{PREFIX}/<threadId>", responses=raises(NotFound, Forbidden, Conflict), tags=["threads"])
@requires()
def delete_thread(threadId: ThreadId) -> Response[Envelope[Message]]:
    """Delete a thread with its messages, reactions and actions.

    Owner or admin. The thread is gone at once; its messages, reactions and actions are removed
    in the background.
    """
    threads.delete_thread(principal(app), threadId)
    return ok(app, Message(message="Thread deleted"))


@app.post(
    f"{PREFIX}/<threadId>/participants", responses=raises(NotFound, Forbidden, Conflict, InvalidInput), tags=["threads"]
)
@requires()
def add_participant(
    threadId: ThreadId, body: Annotated[AddParticipantRequest, Body()]
) -> Response[Envelope[ThreadOut]]:
    """Add a participant (owner or admin)."""
    return ok(app, threads.add_participant(principal(app), threadId, body))


@app.delete(
    f"{PREFIX}/<threadId>/participants/<userId>", responses=raises(NotFound, Forbidden, Conflict), tags=["threads"]
)
@requires()
def remove_participant(threadId: ThreadId, userId: UserId) -> Response[Envelope[Message]]:
    """Remove a participant (owner or admin), or leave (oneself)."""
    threads.remove_participant(principal(app), threadId, userId)
    return ok(app, Message(message="Participant removed"))


@app.get(f"{PREFIX}/<threadId>/presence", responses=raises(NotFound, Forbidden), tags=["threads"])
@requires()
def get_presence(threadId: ThreadId) -> Response[Envelope[ThreadPresenceOut]]:
    """Who of the thread's participants is online (has a real-time connection open).

    Participants only. `online` lists them; `participants` gives everyone's status.
    """
    return ok(app, thread_presence(principal(app), threadId))


@app.post(f"{PREFIX}/<threadId>/read", responses=raises(NotFound, Forbidden), tags=["threads"])
@requires()
def mark_read(threadId: ThreadId, body: Annotated[MarkReadRequest, Body()]) -> Response[Envelope[ThreadOut]]:
    """Mark the thread read up to a message.

    The mark never moves back; answers the thread with the new `unreadCount`.
    """
    return ok(app, threads.mark_read(principal(app), threadId, body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
