"""Thread rules: create, list (most recently active first, with the caller's unread count),
read, partial update, delete, participants, read marks."""

from __future__ import annotations

from typing import Any

from shared.clock import now_iso
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.experience import access, repository, views
from shared.experience import message_repository as messages
from shared.experience.jobs import purge_thread_job
from shared.experience.models import Participant, ThreadItem
from shared.experience.retry import backoff
from shared.experience.schemas import (
    MAX_PARTICIPANTS,
    AddParticipantRequest,
    CreateThreadRequest,
    MarkReadRequest,
    ThreadOut,
    ThreadStatus,
    UpdateThreadRequest,
)
from shared.identity import repository as identity
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.jobs.spec import owed
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

ATTEMPTS = 5


def _user_not_found(user_id: str) -> NotFound:
    return NotFound(f"User {user_id} not found", code="USER_NOT_FOUND")


def create_thread(caller: Principal, request: CreateThreadRequest) -> ThreadOut:
    """The caller owns it; ``participantIds`` join as members. Raises :class:`NotFound`
    ``USER_NOT_FOUND``, :class:`InvalidInput` (more than 50 participants)."""
    access.ensure_domain(caller)
    others = [uid for uid in dict.fromkeys(request.participant_ids or []) if uid != caller.user_id]
    if len(others) + 1 > MAX_PARTICIPANTS:
        raise InvalidInput(errors={"participantIds": [f"a thread holds at most {MAX_PARTICIPANTS} participants"]})
    found = {uid: identity.get_user(uid) for uid in others}
    missing = [uid for uid, user in found.items() if user is None]
    if missing:
        raise _user_not_found(missing[0])
    at = now_iso()
    participants = [repository.participant(caller.user_id, caller.user.name, "owner")]
    participants += [repository.participant(uid, user.name, "member") for uid, user in found.items() if user]
    thread = repository.new_thread(
        new_id(),
        at,
        title=request.title,
        owner_id=caller.user_id,
        status="active",
        metadata=request.metadata or {},
        memory=request.memory or {},
        participants=participants,
    )
    members = [repository.new_member(thread, p.user_id, p.role, at) for p in participants]
    repository.create(thread, members)
    return views.thread_out(thread, members[0])


def list_threads(
    caller: Principal, *, status: ThreadStatus | None, limit: int, cursor: str | None
) -> ItemsPage[ThreadOut]:
    """One Query of the caller's memberships (by activity) and one BatchGetItem of their threads."""
    access.ensure_domain(caller)
    scope = f"threads|{caller.user_id}|{status}"
    page = repository.memberships_page(caller.user_id, status, limit=limit, position=decode_cursor(cursor, scope))
    found = repository.get_threads(m.thread_id for m in page.items)
    items = [views.thread_out(found[m.thread_id], m) for m in page.items if m.thread_id in found]
    return ItemsPage[ThreadOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


def get_thread(caller: Principal, thread_id: str) -> ThreadOut:
    thread, member = access.visible_thread(caller, thread_id)
    return views.thread_out(thread, member)


def update_thread(caller: Principal, thread_id: str, request: UpdateThreadRequest) -> ThreadOut:
    """Partial update by the owner (or an admin). Raises :class:`NotFound`, :class:`Forbidden`
    ``NOT_THREAD_OWNER``, :class:`InvalidInput`, :class:`Conflict` ``THREAD_CHANGED``."""
    fields = request.model_fields_set
    nulls: dict[str, list[str]] = {
        name: ["cannot be null"] for name in ("title", "status") if name in fields and getattr(request, name) is None
    }
    if nulls:
        raise InvalidInput(errors=nulls)
    for attempt in range(ATTEMPTS):
        thread, _member = access.visible_thread(caller, thread_id)
        access.ensure_owner(caller, thread)
        at = now_iso()
        actions: list[Any] = [ThreadItem.updated_at.set(at)]
        if request.title is not None:
            actions.append(ThreadItem.title.set(request.title))
        if "metadata" in fields:
            actions.append(ThreadItem.metadata.set(request.metadata or {}))
        if "memory" in fields:
            actions.append(ThreadItem.memory.set(request.memory or {}))
        new_status = request.status if request.status and request.status != thread.status else None
        if new_status:
            actions.append(ThreadItem.status.set(new_status))
        member_ids = [p.user_id for p in thread.participants or []]
        try:
            repository.update(thread, actions, new_status=new_status, member_ids=member_ids)
        except Conflict:
            backoff(attempt)
            continue
        return get_thread(caller, thread_id)
    raise repository.thread_changed()


def delete_thread(caller: Principal, thread_id: str) -> None:
    """The thread and its memberships go in one transaction, gone for everyone at once (every
    read goes through the thread item), with a purge marker left in their place and the
    ``experience.purge-thread`` job owed (:mod:`shared.experience.jobs`), which removes its
    messages, versions, reactions, actions, claims and search postings in the background."""
    for attempt in range(ATTEMPTS):
        thread, _member = access.visible_thread(caller, thread_id)
        access.ensure_owner(caller, thread)
        if _delete(thread):
            return
        backoff(attempt)
    raise repository.thread_changed()


def remove_thread(thread_id: str) -> bool:
    """:func:`delete_thread` without a caller (an erased account's threads): True when this call
    deleted it, False when it was gone already. Raises :class:`Conflict` ``THREAD_CHANGED``."""
    for attempt in range(ATTEMPTS):
        thread = repository.get_thread(thread_id)
        if thread is None:
            return False
        if _delete(thread):
            return True
        backoff(attempt)
    raise repository.thread_changed()


def _delete(thread: ThreadItem) -> bool:
    """False when the thread changed meanwhile (read it again)."""
    member_ids = [m.user_id for m in repository.members(thread.thread_id)]
    job = owed(purge_thread_job(thread.thread_id, int(thread.message_count or 0)))
    try:
        repository.delete_head(thread, member_ids, now_iso(), [job])
    except Conflict:
        return False
    return True


def _participants_without(thread: ThreadItem, user_id: str) -> list[Participant]:
    return [p for p in thread.participants or [] if p.user_id != user_id]


def add_participant(caller: Principal, thread_id: str, request: AddParticipantRequest) -> ThreadOut:
    """By the owner (or an admin). Raises :class:`NotFound` ``USER_NOT_FOUND``, :class:`Conflict`
    ``ALREADY_PARTICIPANT``, :class:`InvalidInput` (thread full)."""
    user = identity.get_user(request.user_id)
    for attempt in range(ATTEMPTS):
        thread, _member = access.visible_thread(caller, thread_id)
        access.ensure_owner(caller, thread)
        if user is None:
            raise _user_not_found(request.user_id)
        if any(p.user_id == user.user_id for p in thread.participants or []):
            raise Conflict("This user is already in the thread", code="ALREADY_PARTICIPANT")
        if len(thread.participants or []) >= MAX_PARTICIPANTS:
            raise InvalidInput(errors={"userId": [f"a thread holds at most {MAX_PARTICIPANTS} participants"]})
        at = now_iso()
        participants = [*(thread.participants or []), repository.participant(user.user_id, user.name, "member")]
        try:
            joining = repository.new_member(thread, user.user_id, "member", at)
            repository.change_members(thread, participants, at, joining=joining, leaving=None)
        except Conflict as exc:
            if exc.code == "ALREADY_PARTICIPANT":
                raise
            backoff(attempt)
            continue
        return get_thread(caller, thread_id)
    raise repository.thread_changed()


def remove_participant(caller: Principal, thread_id: str, user_id: str) -> None:
    """The owner (or an admin) removes anyone but the owner; a member may leave. Raises
    :class:`NotFound` (``THREAD_NOT_FOUND``, ``PARTICIPANT_NOT_FOUND``), :class:`Forbidden`."""
    for attempt in range(ATTEMPTS):
        thread, _member = access.visible_thread(caller, thread_id)
        if user_id != caller.user_id:
            access.ensure_owner(caller, thread)
        if user_id == thread.owner_id:
            raise Forbidden("The owner cannot leave the thread; delete it instead", code="OWNER_CANNOT_LEAVE")
        if not any(p.user_id == user_id for p in thread.participants or []):
            raise NotFound("This user is not in the thread", code="PARTICIPANT_NOT_FOUND")
        if _leave(thread, user_id):
            return
        backoff(attempt)
    raise repository.thread_changed()


def _leave(thread: ThreadItem, user_id: str) -> bool:
    """False when the thread changed meanwhile (read it again)."""
    try:
        repository.change_members(
            thread, _participants_without(thread, user_id), now_iso(), joining=None, leaving=user_id
        )
    except Conflict:
        return False
    return True


def leave_thread(thread_id: str, user_id: str) -> bool:
    """The user leaves the thread as :func:`remove_participant` has them leave, without a caller
    (an erased account leaving others' threads): True when this call removed them, False when
    they were not in it (or it is gone). Raises :class:`Conflict` ``THREAD_CHANGED``."""
    for attempt in range(ATTEMPTS):
        thread = repository.get_thread(thread_id)
        if thread is None or not any(p.user_id == user_id for p in thread.participants or []):
            return False
        if _leave(thread, user_id):
            return True
        backoff(attempt)
    raise repository.thread_changed()


def mark_read(caller: Principal, thread_id: str, request: MarkReadRequest) -> ThreadOut:
    """Marks the thread read up to a message (never moves the mark back). Raises
    :class:`NotFound` (``THREAD_NOT_FOUND``, ``MESSAGE_NOT_FOUND``, ``NOT_A_PARTICIPANT``)."""
    thread, member = access.visible_thread(caller, thread_id)
    if member is None:
        raise NotFound("You are not in this thread", code="NOT_A_PARTICIPANT")
    message = messages.get(thread_id, request.message_id)
    if message is None:
        raise messages.message_not_found()
    repository.mark_read(member, int(message.seq), message.message_id)
    thread, member = access.visible_thread(caller, thread_id)
    return views.thread_out(thread, member)
