"""Experience entities: a thread's partition holds the thread, its members and every message
with its children, so reading a page of a thread is one Query and deleting a thread is a walk
of one partition.

Access patterns
===============

=========================================  ===================================================================
Who reads what                             Key / index
=========================================  ===================================================================
one thread (every thread/message route)    ``PK=THREAD#<tid>``, ``SK=THREAD`` (consistent GetItem)
the caller's membership of a thread        ``PK=THREAD#<tid>``, ``SK=MEMBER#<uid>`` (batch-read with the thread)
a thread's members (fan-out on post)       Query ``PK=THREAD#<tid>``, ``begins_with(SK, "MEMBER#")``
the caller's threads, most recently        Query GSI1 ``GSI1PK=USER_THREADS#<uid>``, ``GSI1SK=<lastActivity>#<tid>``
active first                               (desc), then one BatchGetItem of the page's threads
... filtered by status                     Query GSI2 ``GSI2PK=USER_THREADS#<uid>#<status>``, same sort key
a thread's messages, newest first          Query ``PK=THREAD#<tid>``, ``begins_with(SK, "M#")`` (desc)
catch-up after a message (oldest first)    Query ``PK=THREAD#<tid>``, ``SK > M#<mid>`` and ``< M#~`` (asc)
one message by id                          Query GSI1 ``GSI1PK=MESSAGE#<mid>`` (one item; a GSI read is eventually
                                           consistent: an id is findable a moment after its post, whose
                                           answer already carries the message; writes re-read by key)
a retried send (clientMessageId)           ``PK=THREAD#<tid>``, ``SK=CLIENT#<uid>#<clientMessageId>`` (claim
                                           put in the send transaction, ``attribute_not_exists``)
edit history of a message                  Query ``PK=THREAD#<tid>``, ``begins_with(SK, "V#<mid>#")``
who reacted how to a message               Query ``PK=THREAD#<tid>``, ``begins_with(SK, "R#<mid>#")``
the caller's reactions on a page           Query GSI1 ``GSI1PK=REACTOR#<uid>#<tid>``, ``GSI1SK`` between the
                                           page's first and last message id
actions pressed on a message               Query ``PK=THREAD#<tid>``, ``begins_with(SK, "A#<mid>#")``
an account's messages (erasure, export)    Query GSI2 ``GSI2PK=AUTHOR_MESSAGES#<uid>``, ``GSI2SK=<mid>``
an account's reactions (erasure)           Query GSI2 ``GSI2PK=USER_REACTIONS#<uid>``, ``GSI2SK=<tid>#<mid>#<emoji>``
an account's actions (erasure)             Query GSI2 ``GSI2PK=USER_ACTIONS#<uid>``, ``GSI2SK=<actionEventId>``
message search                             the inverted index (:mod:`shared.search.index`), postings
                                           ``PK=MSGSEARCH#<word>``, ``SK=<messageId>`` carrying the thread id
=========================================  ===================================================================

The three account indexes (GSI2 of messages, reactions and actions) are written with every new
item; erasure (:mod:`shared.experience.lifecycle`) deletes the item or takes it out of its index
when it anonymises it, so the index holds exactly what is left to do. The product had no accounts to
erase before they existed, so no item predates them and nothing is backfilled. A message's author
index stays on its tombstone (the tombstone still names its author).

Counters live on the items they count and change in the transaction that causes them:
``messageCount``/``lastMessageAt``/``lastMessagePreview`` on the thread (the post transaction,
conditioned on the thread's ``revision``), reaction counts in the message's ``reactionCounts``
map (the toggle transaction, conditioned on the reaction item's existence), and each member's
``readSeq`` (unread = ``messageCount - readSeq``, every message carries its ``seq``).

Events for real-time fan-out (part 3) are the table's stream records of these item types
(``type`` attribute): ``THREAD`` (INSERT/MODIFY/REMOVE; ``participants`` on the item),
``THREAD_PURGE`` (INSERT = a deleted thread's items are being removed; REMOVE = done),
``THREAD_MEMBER`` (INSERT = joined, REMOVE = left; MODIFY also on every post and read),
``MESSAGE`` (INSERT = created, MODIFY = edited, reactions changed or tombstoned with
``deleted``), ``REACTION`` and ``MESSAGE_ACTION`` (INSERT/REMOVE). Each carries ``threadId``; a
consumer finds the audience from the ``THREAD`` item's ``participants`` or by the members Query.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from shared.data.table import Item

THREAD_SK = "THREAD"
PURGE_SK = "PURGE"
MEMBER_PREFIX = "MEMBER#"
MESSAGE_PREFIX = "M#"
MESSAGE_END = "M#~"
SEARCH_PREFIX = "MSGSEARCH#"


def thread_pk(thread_id: str) -> str:
    return f"THREAD#{thread_id}"


def member_sk(user_id: str) -> str:
    return f"{MEMBER_PREFIX}{user_id}"


def user_threads(user_id: str, status: str | None = None) -> str:
    return f"USER_THREADS#{user_id}#{status}" if status else f"USER_THREADS#{user_id}"


def activity_key(at: str, thread_id: str) -> str:
    return f"{at}#{thread_id}"


def message_sk(message_id: str) -> str:
    return f"{MESSAGE_PREFIX}{message_id}"


def message_lookup(message_id: str) -> str:
    return f"MESSAGE#{message_id}"


def client_sk(user_id: str, client_message_id: str) -> str:
    return f"CLIENT#{user_id}#{client_message_id}"


def version_prefix(message_id: str) -> str:
    return f"V#{message_id}#"


def version_sk(message_id: str, version: int) -> str:
    return f"{version_prefix(message_id)}{version:06d}"


def reaction_prefix(message_id: str) -> str:
    return f"R#{message_id}#"


def reaction_sk(message_id: str, emoji: str, user_id: str) -> str:
    return f"{reaction_prefix(message_id)}{emoji}#{user_id}"


def reactor_pk(user_id: str, thread_id: str) -> str:
    return f"REACTOR#{user_id}#{thread_id}"


def author_messages(user_id: str) -> str:
    return f"AUTHOR_MESSAGES#{user_id}"


def user_reactions(user_id: str) -> str:
    return f"USER_REACTIONS#{user_id}"


def user_actions(user_id: str) -> str:
    return f"USER_ACTIONS#{user_id}"


def action_prefix(message_id: str) -> str:
    return f"A#{message_id}#"


def search_pk(word: str) -> str:
    return f"{SEARCH_PREFIX}{word}"


class Participant(MapAttribute[str, str]):
    user_id = UnicodeAttribute(attr_name="userId")
    name = UnicodeAttribute()
    role = UnicodeAttribute()


class ThreadItem(Item, discriminator="THREAD"):
    """``PK=THREAD#<tid>``, ``SK=THREAD``. ``revision`` rises with every write (posts included),
    so a write conditioned on it saw the latest participants and message count."""

    thread_id = UnicodeAttribute(attr_name="threadId")
    title = UnicodeAttribute()
    owner_id = UnicodeAttribute(attr_name="ownerId")
    status = UnicodeAttribute(default="active")
    metadata = JSONAttribute(null=True)
    memory = JSONAttribute(null=True)
    participants = ListAttribute(of=Participant, default=list)
    message_count = NumberAttribute(default=0, attr_name="messageCount")
    last_message_at = UnicodeAttribute(null=True, attr_name="lastMessageAt")
    last_message_preview = UnicodeAttribute(null=True, attr_name="lastMessagePreview")
    revision = NumberAttribute(default=1)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class ThreadPurgeItem(Item, discriminator="THREAD_PURGE"):
    """``PK=THREAD#<tid>``, ``SK=PURGE``: a deleted thread whose partition is still being emptied.
    Written with the thread's deletion (which owes the ``experience.purge-thread`` job), removed
    by that job with the partition's last item."""

    thread_id = UnicodeAttribute(attr_name="threadId")
    owner_id = UnicodeAttribute(attr_name="ownerId")
    deleted_at = UnicodeAttribute(attr_name="deletedAt")


class MemberItem(Item, discriminator="THREAD_MEMBER"):
    """``PK=THREAD#<tid>``, ``SK=MEMBER#<uid>``; GSI1/GSI2 list the user's threads by activity."""

    thread_id = UnicodeAttribute(attr_name="threadId")
    user_id = UnicodeAttribute(attr_name="userId")
    role = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    last_activity_at = UnicodeAttribute(attr_name="lastActivityAt")
    read_seq = NumberAttribute(default=0, attr_name="readSeq")
    last_read_message_id = UnicodeAttribute(null=True, attr_name="lastReadMessageId")
    joined_at = UnicodeAttribute(attr_name="joinedAt")


class MessageItem(Item, discriminator="MESSAGE"):
    """``PK=THREAD#<tid>``, ``SK=M#<mid>``; ``GSI1PK=MESSAGE#<mid>`` finds it by id, GSI2
    ``AUTHOR_MESSAGES#<uid>`` lists its author's messages."""

    message_id = UnicodeAttribute(attr_name="messageId")
    thread_id = UnicodeAttribute(attr_name="threadId")
    seq = NumberAttribute()
    author_id = UnicodeAttribute(attr_name="authorId")
    author_name = UnicodeAttribute(attr_name="authorName")
    role = UnicodeAttribute(default="user")
    content = UnicodeAttribute(null=True)
    blocks = JSONAttribute(null=True)
    attachments = ListAttribute[str](default=list)
    client_message_id = UnicodeAttribute(null=True, attr_name="clientMessageId")
    reaction_counts = MapAttribute[str, int](default=dict, attr_name="reactionCounts")  # type: ignore[no-untyped-call]
    version = NumberAttribute(default=1)
    edited_at = UnicodeAttribute(null=True, attr_name="editedAt")
    deleted = BooleanAttribute(default=False)
    deleted_at = UnicodeAttribute(null=True, attr_name="deletedAt")
    created_at = UnicodeAttribute(attr_name="createdAt")


class ClientMessageItem(Item, discriminator="CLIENT_MESSAGE"):
    """``PK=THREAD#<tid>``, ``SK=CLIENT#<uid>#<clientMessageId>``: the first message of a send."""

    message_id = UnicodeAttribute(attr_name="messageId")


class MessageVersionItem(Item, discriminator="MESSAGE_VERSION"):
    """``PK=THREAD#<tid>``, ``SK=V#<mid>#<version>``: a message as it was before an edit."""

    message_id = UnicodeAttribute(attr_name="messageId")
    thread_id = UnicodeAttribute(attr_name="threadId")
    version = NumberAttribute()
    content = UnicodeAttribute(null=True)
    blocks = JSONAttribute(null=True)
    written_at = UnicodeAttribute(attr_name="writtenAt")
    replaced_at = UnicodeAttribute(attr_name="replacedAt")


class ReactionItem(Item, discriminator="REACTION"):
    """``PK=THREAD#<tid>``, ``SK=R#<mid>#<emoji>#<uid>``; GSI1 ``REACTOR#<uid>#<tid>`` / ``<mid>#<emoji>``,
    GSI2 ``USER_REACTIONS#<uid>`` / ``<tid>#<mid>#<emoji>``."""

    thread_id = UnicodeAttribute(attr_name="threadId")
    message_id = UnicodeAttribute(attr_name="messageId")
    emoji = UnicodeAttribute()
    user_id = UnicodeAttribute(attr_name="userId")
    user_name = UnicodeAttribute(attr_name="userName")
    created_at = UnicodeAttribute(attr_name="createdAt")


class ActionItem(Item, discriminator="MESSAGE_ACTION"):
    """``PK=THREAD#<tid>``, ``SK=A#<mid>#<actionEventId>``: a button press or a selection;
    GSI2 ``USER_ACTIONS#<uid>`` / ``<actionEventId>``."""

    action_event_id = UnicodeAttribute(attr_name="actionEventId")
    thread_id = UnicodeAttribute(attr_name="threadId")
    message_id = UnicodeAttribute(attr_name="messageId")
    action_id = UnicodeAttribute(attr_name="actionId")
    value = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(attr_name="userId")
    user_name = UnicodeAttribute(attr_name="userName")
    created_at = UnicodeAttribute(attr_name="createdAt")


class MessagePostingItem(Item, discriminator="MESSAGE_POSTING"):
    """``PK=MSGSEARCH#<word>``, ``SK=<messageId>``: one indexed word of a message."""

    message_id = UnicodeAttribute(attr_name="messageId")
    thread_id = UnicodeAttribute(attr_name="threadId")
    words = UnicodeAttribute()
