"""Data access for threads and their members (the only module building their keys).

Thread writes are conditioned on the thread's ``revision`` (the value the service read), so a
change decided on a stale read is refused and retried, never applied over a newer state. A
thread holds at most 50 participants, so a post's fan-out (thread + one member update per
participant + message + claim = at most 53 items) always fits one transaction (limit 100).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import failed_conditions, is_condition_failure, transaction
from shared.errors import Conflict
from shared.experience.models import (
    MEMBER_PREFIX,
    PURGE_SK,
    THREAD_SK,
    MemberItem,
    Participant,
    ThreadItem,
    ThreadPurgeItem,
    activity_key,
    member_sk,
    thread_pk,
    user_threads,
)
from shared.messaging import outbox
from shared.messaging.owed import Owed


def thread_changed() -> Conflict:
    return Conflict("The thread changed meanwhile; retry", code="THREAD_CHANGED")


def new_thread(thread_id: str, at: str, **fields: Any) -> ThreadItem:
    return ThreadItem(thread_pk(thread_id), THREAD_SK, thread_id=thread_id, created_at=at, updated_at=at, **fields)


def new_member(thread: ThreadItem, user_id: str, role: str, at: str) -> MemberItem:
    member = MemberItem(
        thread_pk(thread.thread_id),
        member_sk(user_id),
        thread_id=thread.thread_id,
        user_id=user_id,
        role=role,
        status=thread.status,
        last_activity_at=thread.last_message_at or thread.created_at,
        read_seq=int(thread.message_count or 0),
        joined_at=at,
    )
    set_member_keys(member, thread.status, member.last_activity_at)
    return member


def set_member_keys(member: MemberItem, status: str, activity: str) -> None:
    key = activity_key(activity, member.thread_id)
    member.gsi1pk, member.gsi1sk = user_threads(member.user_id), key
    member.gsi2pk, member.gsi2sk = user_threads(member.user_id, status), key


def member_activity_actions(activity: str, thread_id: str) -> list[Any]:
    """A member's update on a post: its threads-by-activity index keys move to the top."""
    key = activity_key(activity, thread_id)
    return [MemberItem.last_activity_at.set(activity), Item.gsi1sk.set(key), Item.gsi2sk.set(key)]


def participant(user_id: str, name: str, role: str) -> Participant:
    return Participant(user_id=user_id, name=name, role=role)  # type: ignore[no-untyped-call]


def get_thread_and_member(thread_id: str, user_id: str) -> tuple[ThreadItem | None, MemberItem | None]:
    """The thread and the caller's membership, in one consistent BatchGetItem."""
    thread: ThreadItem | None = None
    member: MemberItem | None = None
    keys = [(thread_pk(thread_id), THREAD_SK), (thread_pk(thread_id), member_sk(user_id))]
    for found in Item.batch_get(keys, consistent_read=True):
        if isinstance(found, ThreadItem):
            thread = found
        elif isinstance(found, MemberItem):
            member = found
    return thread, member


def get_thread(thread_id: str) -> ThreadItem | None:
    try:
        found = Item.get(thread_pk(thread_id), THREAD_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ThreadItem) else None


def get_threads(thread_ids: Iterable[str]) -> dict[str, ThreadItem]:
    keys = [(thread_pk(thread_id), THREAD_SK) for thread_id in dict.fromkeys(thread_ids)]
    return {item.thread_id: item for item in Item.batch_get(keys) if isinstance(item, ThreadItem)}


def members(thread_id: str) -> list[MemberItem]:
    found = Item.query(thread_pk(thread_id), Item.sk.startswith(MEMBER_PREFIX), consistent_read=True)
    return [item for item in found if isinstance(item, MemberItem)]


def memberships_page(
    user_id: str, status: str | None, *, limit: int, position: dict[str, Any] | None
) -> Page[MemberItem]:
    """The user's memberships, most recently active thread first (GSI1, or GSI2 by status)."""
    if status:
        run = partial(Item.gsi2.query, user_threads(user_id, status), scan_index_forward=False)
        return query_page(run, limit=limit, position=position, index="GSI2")
    run = partial(Item.gsi1.query, user_threads(user_id), scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI1")


def thread_ids_of(user_id: str, limit: int) -> list[str]:
    """The ids of the user's most recently active threads (at most ``limit``)."""
    found = Item.gsi1.query(user_threads(user_id), scan_index_forward=False, limit=limit)
    return [item.thread_id for item in found if isinstance(item, MemberItem)]


def _revision_check(thread: ThreadItem) -> Any:
    return ThreadItem.revision == thread.revision


def create(thread: ThreadItem, new_members: list[MemberItem]) -> None:
    with transaction() as tx:
        tx.save(thread, condition=Item.pk.does_not_exist())
        for member in new_members:
            tx.save(member)


def update(thread: ThreadItem, actions: list[Any], *, new_status: str | None, member_ids: list[str]) -> None:
    """Update the thread iff its ``revision`` is unchanged; a new ``status`` is copied to every
    member (their status index) in the same transaction. Raises :class:`Conflict` ``THREAD_CHANGED``."""
    try:
        with transaction() as tx:
            tx.update(thread, actions=[*actions, ThreadItem.revision.add(1)], condition=_revision_check(thread))
            for user_id in member_ids if new_status else []:
                ref = MemberItem(thread_pk(thread.thread_id), member_sk(user_id))
                status = str(new_status)
                tx.update(ref, actions=[MemberItem.status.set(status), Item.gsi2pk.set(user_threads(user_id, status))])
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise thread_changed() from exc
        raise


def change_members(
    thread: ThreadItem, participants: list[Participant], at: str, *, joining: MemberItem | None, leaving: str | None
) -> None:
    """Set the thread's participants and put the ``joining`` member (which must not exist) or
    delete the ``leaving`` one, iff the thread's ``revision`` is unchanged.

    Raises :class:`Conflict` ``ALREADY_PARTICIPANT`` or ``THREAD_CHANGED`` (retry)."""
    actions: list[Any] = [
        ThreadItem.participants.set(participants),
        ThreadItem.updated_at.set(at),
        ThreadItem.revision.add(1),
    ]
    try:
        with transaction() as tx:
            if joining is not None:
                tx.save(joining, condition=Item.pk.does_not_exist())
            if leaving is not None:
                tx.delete(MemberItem(thread_pk(thread.thread_id), member_sk(leaving)))
            tx.update(thread, actions=actions, condition=_revision_check(thread))
    except TransactWriteError as exc:
        failed = failed_conditions(exc)  # deletes, then puts, then updates
        if joining is not None and failed[:1] == [True]:
            raise Conflict("This user is already in the thread", code="ALREADY_PARTICIPANT") from exc
        if any(failed):
            raise thread_changed() from exc
        raise


def delete_head(thread: ThreadItem, member_ids: list[str], at: str, owed: Sequence[Owed]) -> None:
    """Delete the thread and its memberships at once (the thread is gone for everyone), leaving
    the purge marker that says its partition is still being emptied, and owe ``owed`` (the purge
    job) in the same transaction."""
    marker = ThreadPurgeItem(
        thread_pk(thread.thread_id), PURGE_SK, thread_id=thread.thread_id, owner_id=thread.owner_id, deleted_at=at
    )
    try:
        with transaction() as tx:
            tx.save(marker)
            tx.delete(thread, condition=_revision_check(thread))
            for user_id in member_ids:
                tx.delete(MemberItem(thread_pk(thread.thread_id), member_sk(user_id)))
            outbox.add(tx, *owed)
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise thread_changed() from exc
        raise


def thread_items_page(thread_id: str, limit: int) -> list[Item]:
    """Up to ``limit`` items left in a (deleted) thread's partition, its purge marker excluded
    (consistent: a retried purge must not see items an earlier attempt already removed)."""
    found = Item.query(thread_pk(thread_id), limit=limit + 1, consistent_read=True)  # the marker may be among them
    return [item for item in found if not isinstance(item, ThreadPurgeItem)][:limit]


def purge_marker(thread_id: str) -> ThreadPurgeItem | None:
    try:
        found = Item.get(thread_pk(thread_id), PURGE_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ThreadPurgeItem) else None


def delete_purge_marker(thread_id: str) -> None:
    ThreadPurgeItem(thread_pk(thread_id), PURGE_SK).delete()


def delete_items(items: Iterable[Item]) -> None:
    with Item.batch_write() as batch:
        for item in items:
            batch.delete(item)


def add_to(tx: TransactWrite, thread: ThreadItem, actions: list[Any]) -> None:
    """Add a revision-conditioned thread update to ``tx`` (the post transaction)."""
    tx.update(thread, actions=[*actions, ThreadItem.revision.add(1)], condition=_revision_check(thread))


def mark_read(member: MemberItem, seq: int, message_id: str) -> None:
    """Move the member's read mark forward to ``seq`` (a later mark wins; never backwards)."""
    try:
        member.update(
            actions=[MemberItem.read_seq.set(seq), MemberItem.last_read_message_id.set(message_id)],
            condition=Item.pk.exists() & (MemberItem.read_seq < seq),
        )
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise
