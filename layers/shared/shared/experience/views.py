"""Entities → API views."""

from __future__ import annotations

from typing import Any

from shared.experience.models import ActionItem, MemberItem, MessageItem, MessageVersionItem, ThreadItem
from shared.experience.schemas import (
    ActionOut,
    MessageOut,
    MessageVersionOut,
    ParticipantOut,
    ReactionSummary,
    ThreadOut,
    UserRef,
)


def unread(thread: ThreadItem, member: MemberItem | None) -> int:
    if member is None:
        return 0
    return max(0, int(thread.message_count or 0) - int(member.read_seq or 0))


def thread_out(thread: ThreadItem, member: MemberItem | None) -> ThreadOut:
    return ThreadOut(
        id=thread.thread_id,
        title=thread.title,
        owner_id=thread.owner_id,
        participants=[ParticipantOut(user_id=p.user_id, name=p.name, role=p.role) for p in thread.participants or []],  # type: ignore[arg-type]
        status=thread.status,  # type: ignore[arg-type]
        metadata=thread.metadata or {},
        memory=thread.memory or {},
        message_count=int(thread.message_count or 0),
        last_message_at=thread.last_message_at,
        last_message_preview=thread.last_message_preview,
        unread_count=unread(thread, member),
        created_at=thread.created_at,
        updated_at=thread.updated_at,
    )


def reaction_counts(message: MessageItem) -> dict[str, int]:
    """``emoji -> count`` of a message's reactions (zero counts left by toggles dropped)."""
    raw: dict[str, Any] = message.reaction_counts.as_dict() if message.reaction_counts else {}  # type: ignore[no-untyped-call]
    return {emoji: int(count) for emoji, count in raw.items() if int(count) > 0}


def reaction_summaries(message: MessageItem, mine: set[str]) -> list[ReactionSummary]:
    counts = reaction_counts(message)
    found = list(counts.items())
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return [ReactionSummary(emoji=emoji, count=count, me=emoji in mine) for emoji, count in found]


def message_out(message: MessageItem, mine: set[str] | None = None) -> MessageOut:
    return MessageOut(
        id=message.message_id,
        thread_id=message.thread_id,
        author=UserRef(id=message.author_id, name=message.author_name),
        role=message.role,  # type: ignore[arg-type]
        content=message.content,
        blocks=message.blocks,
        attachments=list(message.attachments or []),
        reactions=[] if message.deleted else reaction_summaries(message, mine or set()),
        client_message_id=message.client_message_id,
        version=int(message.version),
        edited_at=message.edited_at,
        deleted=bool(message.deleted),
        created_at=message.created_at,
    )


def version_out(version: MessageVersionItem) -> MessageVersionOut:
    return MessageVersionOut(
        version=int(version.version),
        content=version.content,
        blocks=version.blocks,
        written_at=version.written_at,
        replaced_at=version.replaced_at,
    )


def action_out(action: ActionItem) -> ActionOut:
    return ActionOut(
        id=action.action_event_id,
        message_id=action.message_id,
        action_id=action.action_id,
        value=action.value,
        user=UserRef(id=action.user_id, name=action.user_name),
        created_at=action.created_at,
    )
