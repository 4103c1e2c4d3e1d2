"""Message routes: a thread's messages (post, list, catch up), ``/api/v1/messages/{id}`` (read,
edit with history, tombstone), reactions, actions, and search."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.experience import interactions, messages, search
from shared.experience.access import ASSISTANT
from shared.experience.schemas import (
    ActionOut,
    ActionRequest,
    CreateMessageRequest,
    MessageOut,
    MessageVersionOut,
    ReactionRequest,
    ReactionToggleOut,
    ReactionUsersOut,
    UpdateMessageRequest,
)
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import ok_response, raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
MESSAGES = "/api/v1/messages"
THREAD_MESSAGES = "/api/v1/threads/<threadId>/messages"
ThreadId = Annotated[str, Path(min_length=1, max_length=64, description="Thread id")]
MessageId = Annotated[str, Path(min_length=1, max_length=64, description="Message id")]
_READ = raises(NotFound, Forbidden)


@app.get(f"{MESSAGES}/search", responses=raises(NotFound, Forbidden, InvalidInput), tags=["messages"])
@requires()
def search_messages(
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find")],
    threadId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[MessageOut]]]:
    """Search the messages of the caller's threads.

    Newest first; every word must match.
    """
    return ok(app, search.search_messages(principal(app), q, threadId, limit=limit, cursor=cursor))


@app.post(
    THREAD_MESSAGES,
    responses=ok_response(Envelope[MessageOut], "The message a retried clientMessageId first created")
    | raises(NotFound, Forbidden, InvalidInput, Conflict, success=201),
    tags=["messages"],
)
@requires(service_scopes=ASSISTANT)
def post_message(threadId: ThreadId, body: Annotated[CreateMessageRequest, Body()]) -> Response[Envelope[MessageOut]]:
    """Post a message to a thread.

    At least one of `content` and `blocks`. The same `clientMessageId` answers the first
    message (200) instead of creating a second one. People post as `user`; an integration's API
    key (`X-Api-Key`, scope `experience:assistant`) as `assistant` (its default) or `system`.
    """
    message, was_created = messages.post_message(principal(app), threadId, body)
    return ok(app, message, status=201 if was_created else 200)


@app.get(THREAD_MESSAGES, responses=raises(NotFound, Forbidden, InvalidInput), tags=["messages"])
@requires(service_scopes=ASSISTANT)
def list_messages(
    threadId: ThreadId,
    after: Annotated[str | None, Query(min_length=1, max_length=64, description="Catch up after this message")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[MessageOut]]]:
    """A thread's messages, newest first.

    With `after`, the messages after that one, oldest first (catch-up after a reconnect).
    """
    return ok(app, messages.list_messages(principal(app), threadId, after=after, limit=limit, cursor=cursor))


@app.get(f"{MESSAGES}/<messageId>", responses=_READ, tags=["messages"])
@requires(service_scopes=ASSISTANT)
def get_message(messageId: MessageId) -> Response[Envelope[MessageOut]]:
    """One message."""
    return ok(app, messages.get_message(principal(app), messageId))


@app.put(f"{MESSAGES}/<messageId>", responses=raises(NotFound, Forbidden, InvalidInput, Conflict), tags=["messages"])
@requires()
def put_message(messageId: MessageId, body: Annotated[UpdateMessageRequest, Body()]) -> Response[Envelope[MessageOut]]:
    """Edit a message (partial, like PATCH).

    Its author only; the previous version is kept.
    """
    return ok(app, messages.edit_message(principal(app), messageId, body))


@app.patch(f"{MESSAGES}/<messageId>", responses=raises(NotFound, Forbidden, InvalidInput, Conflict), tags=["messages"])
@requires()
def patch_message(
    messageId: MessageId, body: Annotated[UpdateMessageRequest, Body()]
) -> Response[Envelope[MessageOut]]:
    """Edit a message.

    Its author only; the previous version is kept.
    """
    return ok(app, messages.edit_message(principal(app), messageId, body))


@app.delete(f"{MESSAGES}/<messageId>", responses=_READ, tags=["messages"])
@requires()
def delete_message(messageId: MessageId) -> Response[Envelope[MessageOut]]:
    """Delete a message (a tombstone that keeps its place).

    Its author, the thread's owner or an admin.
    """
    return ok(app, messages.delete_message(principal(app), messageId))


@app.get(f"{MESSAGES}/<messageId>/history", responses=_READ, tags=["messages"])
@requires()
def message_history(messageId: MessageId) -> Response[Envelope[list[MessageVersionOut]]]:
    """The previous versions of a message, oldest first."""
    return ok(app, messages.message_history(principal(app), messageId))


@app.post(
    f"{MESSAGES}/<messageId>/reactions",
    responses=raises(NotFound, Forbidden, InvalidInput, Conflict),
    tags=["messages"],
)
@requires()
def toggle_reaction(
    messageId: MessageId, body: Annotated[ReactionRequest, Body()]
) -> Response[Envelope[ReactionToggleOut]]:
    """Toggle the caller's reaction.

    Adds it, or removes it if present; counts stay exact under concurrency.
    """
    return ok(app, interactions.toggle_reaction(principal(app), messageId, body))


@app.get(f"{MESSAGES}/<messageId>/reactions", responses=_READ, tags=["messages"])
@requires()
def list_reactions(messageId: MessageId) -> Response[Envelope[list[ReactionUsersOut]]]:
    """Who reacted with what."""
    return ok(app, interactions.list_reactions(principal(app), messageId))


@app.post(
    f"{MESSAGES}/<messageId>/actions",
    responses=raises(NotFound, Forbidden, InvalidInput, Conflict, success=201),
    tags=["messages"],
)
@requires(service_scopes=ASSISTANT)
def record_action(messageId: MessageId, body: Annotated[ActionRequest, Body()]) -> Response[Envelope[ActionOut]]:
    """Press a button or choose an option of a message.

    The action id must exist in the message's blocks.
    """
    return ok(app, interactions.record_action(principal(app), messageId, body), status=201)


@app.get(f"{MESSAGES}/<messageId>/actions", responses=_READ, tags=["messages"])
@requires(service_scopes=ASSISTANT)
def list_actions(
    messageId: MessageId, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[ActionOut]]]:
    """The actions taken on a message, oldest first."""
    return ok(app, interactions.list_actions(principal(app), messageId, limit=limit, cursor=cursor))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
