"""The experience layer's part of an account's erasure and export (:mod:`shared.lifecycle.registry`).

What becomes of a deleted account's data here:

- **threads it owns** are deleted as ``DELETE /threads/{id}`` deletes them (head and memberships
  at once, the purge marker, the ``experience.purge-thread`` job owed in the same transaction),
  without the route's permission check (:func:`shared.experience.threads.remove_thread`). The
  purge job empties the partition (messages, versions, reactions, actions, artifacts, claims,
  search postings) and then deletes the thread's files, every uploader's (S3 objects, then
  records): the purge was extended for this, so a thread deleted through the API loses its
  files too. Items of a deleted thread are left to its purge by the steps below.
- **others' threads it is in**: it leaves them as a participant leaves (membership deleted, the
  thread's participants rewritten in one transaction).
- **its messages** there become tombstones by "Deleted user" (:data:`~shared.lifecycle.registry.
  DELETED_NAME`): text, blocks, attachments, client id, send claim and edit history
  (``MESSAGE_VERSION``) removed, search postings removed exactly (each posting deleted on
  condition that it exists, with its word counter's decrement), and the thread's
  ``lastMessagePreview`` removed when it showed that message. The author id stays (as on orders:
  a key, no longer anyone's name). Others' reactions on it stay counted, hidden as on any
  tombstone. Subscribers get ``message.deleted`` with the new author (``message.updated`` for a
  message its author had already deleted).
- **its reactions** are removed, each with its message's count decremented in the same
  transaction, conditioned on the reaction existing (a retry never decrements twice).
- **its actions** (``MESSAGE_ACTION``: a button pressed, an option chosen) are deleted: an action
  is the account's own input (a button's ``value`` is any text its client sent), means nothing
  without who pressed it, and whoever asked (an assistant) was told when it happened
  (``action.created``, ``GET /messages/{id}/actions``).
- **artifacts**: those it created are deleted with every version and content (its own work,
  like its messages' text); versions it wrote on others' artifacts stay (later versions build on
  them and the artifact is its creator's) with "Deleted user" as their author, and so does the
  head's ``updatedBy``.
- **files it uploaded**, in any thread or none: S3 objects (original and preview), then records.

Messages, reactions, actions and artifact versions are found through the account indexes (GSI2,
see :mod:`shared.experience.account_repository`), not by walking memberships: those miss the
threads the account left (its messages stay there), and each would cost a Query of a whole
thread. Every step works on what its index still lists and takes an item out of it when done,
so a retried or continued step resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from shared.clock import now_iso
from shared.errors import Conflict, NotFound
from shared.experience import account_repository as account
from shared.experience import artifacts_repository as artifacts
from shared.experience import message_repository as messages
from shared.experience import repository as threads_repository
from shared.experience import search, threads
from shared.experience.files import repository as files_repository
from shared.experience.files import service as files
from shared.experience.models import MessageItem, ReactionItem, ThreadItem
from shared.experience.retry import backoff
from shared.lifecycle.registry import DELETED_NAME, ErasureContext, erasure_step, export_section

PAGE = 25
ATTEMPTS = 10
EXPORT_THREADS = 500
EXPORT_MESSAGES = 1000
EXPORT_FILES = 500
EXPORT_ARTIFACT_VERSIONS = 500

T = TypeVar("T")


def _pages(items: Iterable[T]) -> Iterator[list[T]]:
    found = iter(items)
    while page := list(islice(found, PAGE)):
        yield page


# ---------------------------------------------------------------------------------- erasure


@erasure_step("experience.threads", entities=["THREAD", "THREAD_MEMBER", "THREAD_PURGE"], order=51)
def erase_threads(ctx: ErasureContext) -> bool:
    """Threads it owns deleted (their purge owed), the others left."""
    for member in account.memberships(ctx.user_id):
        thread = threads_repository.get_thread(member.thread_id)
        if thread is None:
            continue  # deleted meanwhile: its memberships went with it
        if thread.owner_id == ctx.user_id:
            if threads.remove_thread(thread.thread_id):
                ctx.touch(1 + len(thread.participants or []))
        elif threads.leave_thread(thread.thread_id, ctx.user_id):
            ctx.touch(2)
        if ctx.out_of_time():
            return False
    return True


@erasure_step(
    "experience.messages", entities=["MESSAGE", "MESSAGE_VERSION", "CLIENT_MESSAGE", "MESSAGE_POSTING"], order=52
)
def erase_messages(ctx: ErasureContext) -> bool:
    """Its messages in live threads become "Deleted user" tombstones; those of deleted threads
    (its own, just deleted) are deleted as their thread's purge deletes them (which then finds
    them gone: the work is done once)."""
    for page in _pages(account.messages_by(ctx.user_id)):
        live = threads_repository.get_threads(m.thread_id for m in page)
        for found in page:
            message = messages.get(found.thread_id, found.message_id)  # the index's copy may lag
            if message is not None:
                ctx.touch(_erase(message, live.get(message.thread_id)))
        if ctx.out_of_time():
            return False
    return True


def _erase(message: MessageItem, thread: ThreadItem | None) -> int:
    """Anonymise one message (delete it when its thread is gone); how many items that deleted
    or rewrote."""
    search.unindex_exactly(message)
    versions = messages.versions(message.thread_id, message.message_id)
    threads_repository.delete_items(versions)
    if thread is None:
        account.delete_message(message)
        return len(versions) + 1
    clear_preview = int(thread.message_count or 0) == int(message.seq)
    for attempt in range(ATTEMPTS):
        outcome = account.anonymise_message(message, DELETED_NAME, now_iso(), clear_preview=clear_preview)
        if outcome == "preview-moved":
            clear_preview = False
        elif outcome == "retry":
            backoff(attempt)
        else:
            return len(versions) + (1 if outcome == "done" else 0)
    raise Conflict("The message is busy; retry", code="MESSAGE_CHANGED")


@erasure_step("experience.reactions", entities=["REACTION"], order=53)
def erase_reactions(ctx: ErasureContext) -> bool:
    for page in _pages(account.reactions_by(ctx.user_id)):
        for reaction in page:
            _remove_reaction(reaction)
            ctx.touch(2)
        if ctx.out_of_time():
            return False
    return True


def _remove_reaction(reaction: ReactionItem) -> None:
    """Remove the reaction with its count (exact under retries: the count changes only with the
    reaction's delete); a reaction whose message is gone is just deleted."""
    for attempt in range(ATTEMPTS):
        message = messages.get(reaction.thread_id, reaction.message_id)
        if message is None:
            account.delete_reaction(reaction)
            return
        try:
            if messages.remove_reaction(message, reaction) is not None:
                return
        except NotFound:
            continue  # the message went meanwhile
        backoff(attempt)
    raise Conflict("The reaction is busy; retry", code="REACTION_BUSY")


@erasure_step("experience.actions", entities=["MESSAGE_ACTION"], order=54)
def erase_actions(ctx: ErasureContext) -> bool:
    """Its actions deleted (see the module's docstring)."""
    for page in _pages(account.actions_by(ctx.user_id)):
        for action in page:
            if account.delete_action(action):
                ctx.touch()
        if ctx.out_of_time():
            return False
    return True


@erasure_step("experience.artifacts", entities=["ARTIFACT", "ARTIFACT_VERSION", "ARTIFACT_CONTENT"], order=55)
def erase_artifacts(ctx: ErasureContext) -> bool:
    """Artifacts it created deleted; its versions of others' artifacts by "Deleted user"."""
    for page in _pages(account.artifact_versions_by(ctx.user_id)):
        for version in page:
            head = artifacts.get(version.thread_id, version.artifact_id)
            if head is None:  # deleted (a delete that stopped between head and versions leaves these)
                artifacts.delete_children(version.thread_id, version.artifact_id)
            elif head.created_by_id == ctx.user_id:
                artifacts.delete(head)
            else:
                account.anonymise_artifact_version(version, DELETED_NAME)
                account.anonymise_artifact_editor(head, ctx.user_id, DELETED_NAME)
            ctx.touch()
        if ctx.out_of_time():
            return False
    return True


@erasure_step("experience.files", entities=["FILE"], order=56)
def erase_files(ctx: ErasureContext) -> bool:
    """Every file it uploaded: S3 objects (original, preview), then the records."""
    for page in _pages(files_repository.uploaded_by(ctx.user_id)):
        files.discard(page)
        ctx.touch(len(page))
        if ctx.out_of_time():
            return False
    return True


# ----------------------------------------------------------------------------------- export


def _limited(items: Iterable[T], limit: int) -> tuple[list[T], bool]:
    found = list(islice(items, limit + 1))
    return found[:limit], len(found) > limit


@export_section("experience")
def export(user_id: str) -> dict[str, Any]:
    """The threads it owns and is in, the messages it wrote (their current text; a deleted one
    has none), its files' metadata (the files themselves are downloaded from the API) and the
    artifact versions it wrote (metadata; content through the artifacts API). Each list is
    bounded (newest first) and ``truncated`` says which one was cut."""
    memberships, more_threads = _limited(account.memberships(user_id), EXPORT_THREADS)
    heads = threads_repository.get_threads(m.thread_id for m in memberships)
    owned = [
        {
            "id": thread.thread_id,
            "title": thread.title,
            "status": thread.status,
            "messageCount": int(thread.message_count or 0),
            "createdAt": thread.created_at,
        }
        for m in memberships
        if (thread := heads.get(m.thread_id)) is not None and thread.owner_id == user_id
    ]
    member_of = [
        {"id": m.thread_id, "title": heads[m.thread_id].title, "role": m.role, "joinedAt": m.joined_at}
        for m in memberships
        if m.thread_id in heads and heads[m.thread_id].owner_id != user_id
    ]
    written, more_messages = _limited(account.messages_by(user_id), EXPORT_MESSAGES)
    uploads, more_files = _limited(files_repository.uploaded_by(user_id), EXPORT_FILES)
    versions, more_versions = _limited(account.artifact_versions_by(user_id), EXPORT_ARTIFACT_VERSIONS)
    return {
        "threads": owned,
        "memberOf": member_of,
        "messages": [_message(m) for m in written if not m.deleted],
        "files": [
            {
                "id": f.file_id,
                "filename": f.filename,
                "contentType": f.content_type,
                "size": int(f.size),
                "status": f.status,
                "threadId": f.thread_id,
                "createdAt": f.created_at,
            }
            for f in uploads
        ],
        "artifactVersions": [
            {
                "artifactId": v.artifact_id,
                "threadId": v.thread_id,
                "version": int(v.version),
                "title": v.title,
                "summary": v.summary,
                "createdAt": v.created_at,
            }
            for v in versions
        ],
        "truncated": {
            "threads": more_threads,
            "messages": more_messages,
            "files": more_files,
            "artifactVersions": more_versions,
        },
    }


def _message(message: MessageItem) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "threadId": message.thread_id,
        "role": message.role,
        "content": message.content,
        "blocks": message.blocks,
        "attachments": list(message.attachments or []),
        "createdAt": message.created_at,
        "editedAt": message.edited_at,
    }
