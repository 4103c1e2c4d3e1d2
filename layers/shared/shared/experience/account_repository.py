"""Data access by account: what an account wrote across threads, found through the account
indexes (GSI2 of messages, reactions, actions and artifact versions, see
:mod:`shared.experience.models` and :mod:`shared.experience.artifacts_models`), and the
conditional rewrites that anonymise it (erasure, :mod:`shared.experience.lifecycle`).

Each rewrite removes the item from its account index in the same write, conditioned on the item
still being indexed: a retried erasure finds only what is left and never rewrites twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pynamodb.exceptions import TransactWriteError

from shared.data.table import Item
from shared.data.transactions import delete_if, failed_conditions, transaction, update_if
from shared.experience.artifacts_models import ArtifactItem, ArtifactVersionItem, user_artifact_versions
from shared.experience.message_repository import conflicted
from shared.experience.models import (
    THREAD_SK,
    ActionItem,
    ClientMessageItem,
    MemberItem,
    MessageItem,
    ReactionItem,
    ThreadItem,
    author_messages,
    client_sk,
    thread_pk,
    user_actions,
    user_reactions,
    user_threads,
)

Rewrite = Literal["done", "skipped", "retry", "preview-moved"]


def memberships(user_id: str, limit: int | None = None) -> Iterator[MemberItem]:
    """The account's memberships, most recently active thread first (GSI1)."""
    found = Item.gsi1.query(user_threads(user_id), scan_index_forward=False, limit=limit)
    return (item for item in found if isinstance(item, MemberItem))


def messages_by(user_id: str, limit: int | None = None) -> Iterator[MessageItem]:
    """The messages the account wrote and that still name it, newest first (GSI2)."""
    found = Item.gsi2.query(author_messages(user_id), scan_index_forward=False, limit=limit)
    return (item for item in found if isinstance(item, MessageItem))


def reactions_by(user_id: str) -> Iterator[ReactionItem]:
    return (item for item in Item.gsi2.query(user_reactions(user_id)) if isinstance(item, ReactionItem))


def actions_by(user_id: str) -> Iterator[ActionItem]:
    return (item for item in Item.gsi2.query(user_actions(user_id)) if isinstance(item, ActionItem))


def artifact_versions_by(user_id: str, limit: int | None = None) -> Iterator[ArtifactVersionItem]:
    """The artifact versions the account wrote that still name it (version 1: it created the artifact)."""
    found = Item.gsi2.query(user_artifact_versions(user_id), limit=limit)
    return (item for item in found if isinstance(item, ArtifactVersionItem))


def anonymise_message(message: MessageItem, name: str, at: str, *, clear_preview: bool) -> Rewrite:
    """In one transaction: the message becomes a tombstone named ``name`` (content, blocks,
    attachments and client id removed, out of its author's index), its client-id claim goes, and
    with ``clear_preview`` the thread's ``lastMessagePreview`` (its text) is removed, conditioned
    on this message still being the thread's last.

    ``done``; ``skipped`` when the message is gone or was anonymised already; ``retry`` on a
    concurrent transaction; ``preview-moved`` when a newer message took the preview (call again
    without ``clear_preview``)."""
    actions: list[Any] = [
        MessageItem.author_name.set(name),
        MessageItem.deleted.set(True),
        MessageItem.content.remove(),
        MessageItem.blocks.remove(),
        MessageItem.attachments.set([]),
        MessageItem.client_message_id.remove(),
        Item.gsi2pk.remove(),
        Item.gsi2sk.remove(),
    ]
    if not message.deleted:
        actions.append(MessageItem.deleted_at.set(at))
    indexed = Item.pk.exists() & (Item.gsi2pk == author_messages(message.author_id))
    claim = message.client_message_id
    try:
        with transaction() as tx:
            if claim:
                pk = thread_pk(message.thread_id)
                tx.delete(ClientMessageItem(pk, client_sk(message.author_id, claim)))
            tx.update(message, actions=actions, condition=indexed)
            if clear_preview:
                thread = ThreadItem(thread_pk(message.thread_id), THREAD_SK)
                last = Item.pk.exists() & (ThreadItem.message_count == int(message.seq))
                tx.update(thread, actions=[ThreadItem.last_message_preview.remove()], condition=last)
    except TransactWriteError as exc:
        failed = failed_conditions(exc)[1 if claim else 0 :]  # the claim's delete comes first
        if failed[:1] == [True]:
            return "skipped"
        if failed[1:2] == [True]:
            return "preview-moved"
        if conflicted(exc):
            return "retry"
        raise
    return "done"


def delete_message(message: MessageItem) -> None:
    """Delete a message of a deleted thread and its client-id claim (what the thread's purge
    would delete; its postings and versions go first)."""
    with Item.batch_write() as batch:
        if message.client_message_id:
            pk = thread_pk(message.thread_id)
            batch.delete(ClientMessageItem(pk, client_sk(message.author_id, message.client_message_id)))
        batch.delete(message)


def delete_action(action: ActionItem) -> bool:
    """False when it was gone already."""
    return delete_if(action)


def anonymise_artifact_version(version: ArtifactVersionItem, name: str) -> bool:
    """The version names ``name`` as its author, and leaves the author's index."""
    actions = [ArtifactVersionItem.author_name.set(name), Item.gsi2pk.remove(), Item.gsi2sk.remove()]
    return update_if(version, actions, Item.pk.exists() & Item.gsi2pk.exists())


def anonymise_artifact_editor(head: ArtifactItem, user_id: str, name: str) -> bool:
    """The head's ``updatedBy`` names ``name``, if ``user_id`` still is its last editor."""
    condition = Item.pk.exists() & (ArtifactItem.updated_by_id == user_id)
    return update_if(head, [ArtifactItem.updated_by_name.set(name)], condition)


def delete_reaction(reaction: ReactionItem) -> None:
    """Delete a reaction whose message is gone (a deleted thread's, no count left to adjust)."""
    reaction.delete()
