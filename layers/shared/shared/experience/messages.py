"""Message rules: post (idempotent on ``clientMessageId``), list newest first or catch up after
a message, read, edit with history, tombstone."""

from __future__ import annotations

from typing import Any

from shared.clock import now_iso
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.experience import access, blocks, search, views
from shared.experience import message_repository as repository
from shared.experience.files.attachments import attachable_files
from shared.experience.message_repository import DuplicateSend
from shared.experience.models import MemberItem, MessageItem, ThreadItem
from shared.experience.retry import backoff
from shared.experience.schemas import CreateMessageRequest, MessageOut, MessageVersionOut, UpdateMessageRequest
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

ATTEMPTS = 25
PREVIEW_CHARS = 140
_ID_CHARS = set("0123456789abcdefghjkmnpqrstvwxyz")


def _check_blocks(value: list[dict[str, Any]] | None) -> None:
    if value is not None:
        problems = blocks.validate(value)
        if problems:
            raise InvalidInput("The blocks are invalid", errors=problems)


def _preview(content: str | None, message_blocks: list[dict[str, Any]] | None) -> str:
    text = " ".join((content or blocks.plain_text(message_blocks)).split())
    return text[:PREVIEW_CHARS]


def visible_message(caller: Principal, message_id: str) -> tuple[MessageItem, ThreadItem, MemberItem | None]:
    """A message of a thread the caller is in. Raises :class:`NotFound` ``MESSAGE_NOT_FOUND``
    (whatever the reason: absent, or in another thread), :class:`Forbidden` ``DOMAIN_NOT_ALLOWED``."""
    access.ensure_domain(caller)
    message = repository.find(message_id)
    if message is None:
        raise repository.message_not_found()
    try:
        thread, member = access.visible_thread(caller, message.thread_id)
    except NotFound as exc:
        raise repository.message_not_found() from exc
    return message, thread, member


def _mine(caller: Principal, thread_id: str, found: list[MessageItem]) -> dict[str, set[str]]:
    mine: dict[str, set[str]] = {}
    live = [m.message_id for m in found if not m.deleted and m.reaction_counts]
    for message_id, emoji in repository.my_reactions(caller.user_id, thread_id, live):
        mine.setdefault(message_id, set()).add(emoji)
    return mine


def message_view(caller: Principal, message: MessageItem) -> MessageOut:
    return views.message_out(message, _mine(caller, message.thread_id, [message]).get(message.message_id))


def _role_of(caller: Principal, request: CreateMessageRequest) -> str:
    """People post as ``user``; integrations (API keys) as ``assistant`` (their default) or
    ``system``. Raises :class:`Forbidden` ``ROLE_NOT_ALLOWED`` for any other pairing."""
    if caller.is_service:
        role = request.role if "role" in request.model_fields_set else "assistant"
        if role == "user":
            raise Forbidden("An integration posts as assistant or system", code="ROLE_NOT_ALLOWED")
        return role
    if request.role != "user":
        raise Forbidden("Only integrations (API keys) may post as assistant or system", code="ROLE_NOT_ALLOWED")
    return request.role


def post_message(caller: Principal, thread_id: str, request: CreateMessageRequest) -> tuple[MessageOut, bool]:
    """Returns the message and whether it was created (False: a retried ``clientMessageId``,
    answered with the first message). Raises :class:`NotFound`, :class:`Forbidden`
    (``ROLE_NOT_ALLOWED``, ``DOMAIN_NOT_ALLOWED``), :class:`InvalidInput` (blocks: `errors` by path),
    :class:`Conflict` ``THREAD_CHANGED`` (after retries under heavy concurrency); attachments:
    see :func:`~shared.experience.files.attachments.attachable_files`."""
    role = _role_of(caller, request)
    _check_blocks(request.blocks)
    attachments: list[str] | None = None
    for attempt in range(ATTEMPTS):
        thread, _member = access.visible_thread(caller, thread_id)
        if attachments is None:
            attachments = [ref.id for ref in attachable_files(thread_id, request.attachments or [])]
        if request.client_message_id:
            first = _first_of(caller, thread_id, request.client_message_id)
            if first is not None:
                return first, False
        at = now_iso()
        seq = int(thread.message_count or 0) + 1
        message = repository.new_message(
            thread_id,
            new_id(),
            seq=seq,
            author_id=caller.user_id,
            author_name=caller.user.name,
            role=role,
            content=request.content,
            blocks=request.blocks,
            attachments=attachments,
            client_message_id=request.client_message_id,
            reaction_counts={},
            version=1,
            created_at=at,
        )
        thread_actions = [
            ThreadItem.message_count.set(seq),
            ThreadItem.last_message_at.set(at),
            ThreadItem.last_message_preview.set(_preview(request.content, request.blocks)),
        ]
        member_ids = [p.user_id for p in thread.participants or []]
        try:
            repository.post(thread, message, member_ids, thread_actions)
        except DuplicateSend:
            continue
        except Conflict:
            backoff(attempt)
            continue
        search.reindex(None, message)
        return views.message_out(message), True
    raise Conflict("The thread is busy; retry", code="THREAD_CHANGED")


def _first_of(caller: Principal, thread_id: str, client_message_id: str) -> MessageOut | None:
    message_id = repository.claimed(thread_id, caller.user_id, client_message_id)
    message = repository.get(thread_id, message_id) if message_id else None
    if message is None:
        return None
    search.reindex(None, message)  # a first attempt that failed after its transaction is indexed now
    return message_view(caller, message)


def _check_message_id(value: str, field: str) -> None:
    if len(value) != 26 or not set(value) <= _ID_CHARS:
        raise InvalidInput(errors={field: ["is not a message id"]})


def list_messages(
    caller: Principal, thread_id: str, *, after: str | None, limit: int, cursor: str | None
) -> ItemsPage[MessageOut]:
    """Newest first; with ``after``, the messages after that one, oldest first (catch-up).
    Each page is one Query of ``limit + 1`` items (plus one for the caller's reactions)."""
    access.visible_thread(caller, thread_id)
    scope = f"messages|{thread_id}|{after}"
    position = decode_cursor(cursor, scope)
    if after is not None:
        _check_message_id(after, "after")
        page = repository.after(thread_id, after, limit=limit, position=position)
    else:
        page = repository.page(thread_id, limit=limit, position=position)
    found = [m for m in page.items if isinstance(m, MessageItem)]
    mine = _mine(caller, thread_id, found)
    items = [views.message_out(m, mine.get(m.message_id)) for m in found]
    return ItemsPage[MessageOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


def get_message(caller: Principal, message_id: str) -> MessageOut:
    message, _thread, _member = visible_message(caller, message_id)
    return message_view(caller, message)


def edit_message(caller: Principal, message_id: str, request: UpdateMessageRequest) -> MessageOut:
    """By its author: ``version`` + 1, ``editedAt``, the previous version kept. Raises
    :class:`NotFound`, :class:`Forbidden` ``NOT_MESSAGE_AUTHOR``, :class:`InvalidInput`,
    :class:`Conflict` (``MESSAGE_DELETED``, ``MESSAGE_CHANGED``)."""
    fields = request.model_fields_set
    if not fields & {"content", "blocks"}:
        raise InvalidInput("Nothing to update", errors={"body": ["provide content and/or blocks"]})
    _check_blocks(request.blocks)
    message, _thread, _member = visible_message(caller, message_id)
    if message.author_id != caller.user_id:
        raise Forbidden("Only the author may edit a message", code="NOT_MESSAGE_AUTHOR")
    if message.deleted:
        raise Conflict("This message was deleted", code="MESSAGE_DELETED")
    content = request.content if "content" in fields else message.content
    new_blocks = request.blocks if "blocks" in fields else message.blocks
    if not (content and content.strip()) and not new_blocks:
        raise InvalidInput(errors={"body": ["Provide content or blocks"]})
    at = now_iso()
    actions: list[Any] = [
        MessageItem.content.set(content) if content is not None else MessageItem.content.remove(),
        MessageItem.blocks.set(new_blocks) if new_blocks is not None else MessageItem.blocks.remove(),
        MessageItem.version.add(1),
        MessageItem.edited_at.set(at),
    ]
    repository.edit(message, actions, repository.new_version(message, at))
    edited = repository.get(message.thread_id, message.message_id) or message
    search.reindex(message, edited)
    return message_view(caller, edited)


def message_history(caller: Principal, message_id: str) -> list[MessageVersionOut]:
    """The previous versions of a message, oldest first (empty for a deleted message)."""
    message, _thread, _member = visible_message(caller, message_id)
    if message.deleted:
        return []
    return [views.version_out(v) for v in repository.versions(message.thread_id, message.message_id)]


def delete_message(caller: Principal, message_id: str) -> MessageOut:
    """By its author, the thread's owner or an admin: a tombstone that keeps its place.
    Idempotent. Raises :class:`NotFound`, :class:`Forbidden` ``NOT_MESSAGE_AUTHOR``."""
    message, thread, _member = visible_message(caller, message_id)
    if caller.user_id not in (message.author_id, thread.owner_id) and not caller.is_admin:
        raise Forbidden(
            "Only the author, the thread's owner or an admin may delete a message", code="NOT_MESSAGE_AUTHOR"
        )
    if repository.tombstone(message, now_iso()):
        search.reindex(message, None)
    gone = repository.get(message.thread_id, message.message_id) or message
    return views.message_out(gone)
