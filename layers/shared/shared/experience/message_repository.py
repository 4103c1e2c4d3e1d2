"""Data access for messages and their children: versions, client-id claims, reactions, actions
(the only module building their keys).

Every write that can race is conditioned: a post on the thread's ``revision`` (which gives each
message its ``seq``) and on its client-id claim not existing; an edit on the message's
``version``; a reaction toggle on the reaction item's (non-)existence, with the count changed
by the same transaction, so counts stay exact whatever the concurrency.
"""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import failed_conditions, is_condition_failure, transaction
from shared.errors import Conflict, NotFound
from shared.experience import repository as threads
from shared.experience.models import (
    MESSAGE_END,
    MESSAGE_PREFIX,
    ActionItem,
    ClientMessageItem,
    MemberItem,
    MessageItem,
    MessageVersionItem,
    ReactionItem,
    ThreadItem,
    action_prefix,
    author_messages,
    client_sk,
    member_sk,
    message_lookup,
    message_sk,
    reaction_prefix,
    reaction_sk,
    reactor_pk,
    thread_pk,
    user_actions,
    user_reactions,
    version_prefix,
    version_sk,
)


def conflicted(exc: TransactWriteError) -> bool:
    """Whether DynamoDB cancelled the transaction for a concurrent transaction on the same item
    (``TransactionConflict``): nothing was written, the caller retries."""
    return any(reason and reason.code == "TransactionConflict" for reason in exc.cancellation_reasons or [])


class DuplicateSend(Exception):
    """The client-id claim of a send already exists: the first message answers."""


def message_not_found() -> NotFound:
    return NotFound("Message not found", code="MESSAGE_NOT_FOUND")


def new_message(thread_id: str, message_id: str, **fields: Any) -> MessageItem:
    message = MessageItem(
        thread_pk(thread_id), message_sk(message_id), thread_id=thread_id, message_id=message_id, **fields
    )
    message.gsi1pk, message.gsi1sk = message_lookup(message_id), "MESSAGE"
    message.gsi2pk, message.gsi2sk = author_messages(message.author_id), message_id
    return message


def find(message_id: str) -> MessageItem | None:
    """A message by id alone (GSI1; the page of one item), or None."""
    for found in Item.gsi1.query(message_lookup(message_id), limit=1):
        if isinstance(found, MessageItem):
            return found
    return None


def get(thread_id: str, message_id: str) -> MessageItem | None:
    try:
        found = Item.get(thread_pk(thread_id), message_sk(message_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, MessageItem) else None


def claimed(thread_id: str, user_id: str, client_message_id: str) -> str | None:
    """The message id a client id was first used for, if any."""
    try:
        found = Item.get(thread_pk(thread_id), client_sk(user_id, client_message_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found.message_id if isinstance(found, ClientMessageItem) else None


def post(thread: ThreadItem, message: MessageItem, member_ids: list[str], thread_actions: list[Any]) -> None:
    """One transaction: the message, its client-id claim, the thread's counters (conditioned on
    its revision) and every member's activity keys (the author's read position too).

    Raises :class:`DuplicateSend` (the claim exists), :class:`Conflict` ``THREAD_CHANGED`` (retry).
    """
    author = message.author_id
    try:
        with transaction() as tx:
            tx.save(message, condition=Item.pk.does_not_exist())
            if message.client_message_id:
                claim = ClientMessageItem(
                    thread_pk(thread.thread_id),
                    client_sk(author, message.client_message_id),
                    message_id=message.message_id,
                )
                tx.save(claim, condition=Item.pk.does_not_exist())
            threads.add_to(tx, thread, thread_actions)
            for user_id in member_ids:
                actions = threads.member_activity_actions(message.created_at, thread.thread_id)
                if user_id == author:
                    actions += [
                        MemberItem.read_seq.set(message.seq),
                        MemberItem.last_read_message_id.set(message.message_id),
                    ]
                tx.update(MemberItem(thread_pk(thread.thread_id), member_sk(user_id)), actions=actions)
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if message.client_message_id and failed[1:2] == [True]:
            raise DuplicateSend from exc
        if any(failed) or conflicted(exc):
            raise threads.thread_changed() from exc
        raise


def page(thread_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[MessageItem]:
    """A thread's messages, newest first: one Query reading ``limit + 1`` items."""
    run = partial(
        Item.query, thread_pk(thread_id), Item.sk.between(MESSAGE_PREFIX, MESSAGE_END), scan_index_forward=False
    )
    return query_page(run, limit=limit, position=position)


def after(thread_id: str, message_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[MessageItem]:
    """The messages after ``message_id``, oldest first: one Query reading ``limit + 1`` items."""
    start = message_sk(message_id) + "\x00"
    run = partial(Item.query, thread_pk(thread_id), Item.sk.between(start, MESSAGE_END), consistent_read=True)
    return query_page(run, limit=limit, position=position)


def edit(message: MessageItem, actions: list[Any], previous: MessageVersionItem) -> None:
    """Write the new content iff the message is still at the version read, with the previous one
    kept. Raises :class:`Conflict` ``MESSAGE_CHANGED``."""
    condition = (MessageItem.version == message.version) & (MessageItem.deleted == False)  # noqa: E712
    try:
        with transaction() as tx:
            tx.update(message, actions=actions, condition=condition)
            tx.save(previous, condition=Item.pk.does_not_exist())
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise Conflict("The message changed meanwhile; retry", code="MESSAGE_CHANGED") from exc
        raise


def new_version(message: MessageItem, replaced_at: str) -> MessageVersionItem:
    return MessageVersionItem(
        thread_pk(message.thread_id),
        version_sk(message.message_id, int(message.version)),
        message_id=message.message_id,
        thread_id=message.thread_id,
        version=int(message.version),
        content=message.content,
        blocks=message.blocks,
        written_at=message.edited_at or message.created_at,
        replaced_at=replaced_at,
    )


def versions(thread_id: str, message_id: str) -> list[MessageVersionItem]:
    found = Item.query(thread_pk(thread_id), Item.sk.startswith(version_prefix(message_id)), consistent_read=True)
    return [item for item in found if isinstance(item, MessageVersionItem)]


def tombstone(message: MessageItem, at: str) -> bool:
    """Clear a message's body, keeping it in place; False if it was already deleted."""
    actions: list[Any] = [
        MessageItem.deleted.set(True),
        MessageItem.deleted_at.set(at),
        MessageItem.content.remove(),
        MessageItem.blocks.remove(),
        MessageItem.attachments.set([]),
    ]
    try:
        message.update(actions=actions, condition=Item.pk.exists() & (MessageItem.deleted == False))  # noqa: E712
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


# ---------------------------------------------------------------------------- reactions
def new_reaction(message: MessageItem, emoji: str, user_id: str, user_name: str, at: str) -> ReactionItem:
    reaction = ReactionItem(
        thread_pk(message.thread_id),
        reaction_sk(message.message_id, emoji, user_id),
        thread_id=message.thread_id,
        message_id=message.message_id,
        emoji=emoji,
        user_id=user_id,
        user_name=user_name,
        created_at=at,
    )
    reaction.gsi1pk, reaction.gsi1sk = reactor_pk(user_id, message.thread_id), f"{message.message_id}#{emoji}"
    reaction.gsi2pk = user_reactions(user_id)
    reaction.gsi2sk = f"{message.thread_id}#{message.message_id}#{emoji}"
    return reaction


def _live_message() -> Condition:
    condition: Condition = Item.pk.exists() & (MessageItem.deleted == False)  # noqa: E712
    return condition


def _count_change(emoji: str, delta: int) -> list[Any]:
    count = cast(Any, MessageItem.reaction_counts)[emoji]
    return [count.set((count | 0) + delta)]


def add_reaction(message: MessageItem, reaction: ReactionItem) -> bool | None:
    """Put the reaction and count it: True; False if the caller's reaction already exists; None
    if a concurrent transaction got in the way (nothing written: retry).

    Raises :class:`NotFound` ``MESSAGE_NOT_FOUND`` when the message went or was deleted."""
    try:
        with transaction() as tx:
            tx.save(reaction, condition=Item.pk.does_not_exist())
            tx.update(message, actions=_count_change(reaction.emoji, 1), condition=_live_message())
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if failed[1:2] == [True]:
            raise message_not_found() from exc
        if failed[:1] == [True]:
            return False
        if conflicted(exc):
            return None
        raise
    return True


def remove_reaction(message: MessageItem, reaction: ReactionItem) -> bool | None:
    """Delete the reaction and uncount it: True; False if there was none; None on a concurrent
    transaction (retry)."""
    try:
        with transaction() as tx:
            tx.delete(reaction, condition=Item.pk.exists())
            tx.update(message, actions=_count_change(reaction.emoji, -1), condition=Item.pk.exists())
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if failed[:1] == [True]:
            return False
        if failed[1:2] == [True]:
            raise message_not_found() from exc
        if conflicted(exc):
            return None
        raise
    return True


def reactions(thread_id: str, message_id: str) -> list[ReactionItem]:
    found = Item.query(thread_pk(thread_id), Item.sk.startswith(reaction_prefix(message_id)), consistent_read=True)
    return sorted((item for item in found if isinstance(item, ReactionItem)), key=lambda r: r.created_at)


def my_reactions(user_id: str, thread_id: str, message_ids: list[str]) -> set[tuple[str, str]]:
    """``(messageId, emoji)`` of the user's reactions among these messages: one Query of the
    user's reactions in the thread between the lowest and highest id."""
    if not message_ids:
        return set()
    low, high = min(message_ids), max(message_ids)
    condition = Item.gsi1sk.between(f"{low}#", f"{high}$")  # "$" sorts right after "#"
    found = Item.gsi1.query(reactor_pk(user_id, thread_id), condition)
    wanted = set(message_ids)
    return {(r.message_id, r.emoji) for r in found if isinstance(r, ReactionItem) and r.message_id in wanted}


# ---------------------------------------------------------------------------- actions
def put_action(action: ActionItem) -> None:
    try:
        action.save(condition=Item.pk.does_not_exist())
    except PutError as exc:
        if is_condition_failure(exc):
            raise Conflict("This action was already recorded", code="ACTION_EXISTS") from exc
        raise


def new_action(message: MessageItem, action_event_id: str, **fields: Any) -> ActionItem:
    action = ActionItem(
        thread_pk(message.thread_id),
        f"{action_prefix(message.message_id)}{action_event_id}",
        action_event_id=action_event_id,
        thread_id=message.thread_id,
        message_id=message.message_id,
        **fields,
    )
    action.gsi2pk, action.gsi2sk = user_actions(action.user_id), action_event_id
    return action


def actions_page(message: MessageItem, *, limit: int, position: dict[str, Any] | None) -> Page[ActionItem]:
    prefix = action_prefix(message.message_id)
    run = partial(Item.query, thread_pk(message.thread_id), Item.sk.startswith(prefix), consistent_read=True)
    return query_page(run, limit=limit, position=position)
