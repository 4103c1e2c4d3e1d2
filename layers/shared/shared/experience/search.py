"""Message search over the one inverted index (:mod:`shared.search.index`).

A message's postings are ``MSGSEARCH#<word>`` / ``<messageId>`` for each distinct word among
the first :data:`MAX_INDEXED_WORDS` words of its content and blocks' text, carrying the thread
id; tombstoned messages have none. Postings are written after the message's transaction (300
postings and counters do not fit one), by BatchWriteItem, with the word counters updated in
transactions of 100. A failure there answers 5xx with the message stored; a retry with the
same ``clientMessageId`` indexes it again (posting writes are idempotent; a counter may then
over-count, which only affects which word a query starts from, never its results).

A query reads the postings of its rarest word only, newest first, filtered to the caller's
threads (``threadId IN`` the caller's 100 most recently active threads, or one thread) and to
the other words; the page's messages are then read by key (one BatchGetItem).
"""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition

from shared.data.table import Item
from shared.data.transactions import failed_conditions, transaction
from shared.errors import InvalidInput
from shared.experience import access, blocks, repository, views
from shared.experience import message_repository as messages
from shared.experience.models import MessageItem, MessagePostingItem, message_sk, search_pk, thread_pk
from shared.experience.schemas import MessageOut
from shared.identity.principal import Principal
from shared.schemas import ItemsPage
from shared.search import index
from shared.security.cursors import decode_cursor, encode_cursor

MAX_INDEXED_WORDS = 300
MAX_QUERY_WORDS = 8
MAX_SCOPE_THREADS = 100
UNINDEX_CHUNK = 50  # a posting delete and its counter update: 100 items, one transaction


def postings(message: MessageItem | None) -> list[MessagePostingItem]:
    if message is None or message.deleted:
        return []
    found = index.words(message.content, blocks.plain_text(message.blocks), limit=MAX_INDEXED_WORDS)
    padded = index.padded(found)
    return [
        MessagePostingItem(
            search_pk(word),
            message.message_id,
            message_id=message.message_id,
            thread_id=message.thread_id,
            words=padded,
        )
        for word in found
    ]


def _ops(before: Sequence[MessagePostingItem], after: Sequence[MessagePostingItem]) -> index.IndexOps:
    changed = bool(before and after and before[0].words != after[0].words)
    return index.IndexOps.diff(before, after, rewrite_kept=changed, model=MessagePostingItem)


def reindex(old: MessageItem | None, new: MessageItem | None) -> None:
    """Take a message's postings from ``old``'s to ``new``'s (either may be None)."""
    ops = _ops(postings(old), postings(new))
    if ops.size:
        ops.apply_batched()


def unindex_exactly(message: MessageItem) -> None:
    """Remove a message's postings (a deleted thread's purge), each deleted on condition that it
    exists, with its word counter's decrement in the same transaction: a repeat (a retried purge
    job) decrements nothing twice, so the counters stay exact."""
    pending = postings(message)
    for start in range(0, len(pending), UNINDEX_CHUNK):
        chunk = pending[start : start + UNINDEX_CHUNK]
        while chunk:
            try:
                with transaction() as tx:
                    for posting in chunk:
                        tx.delete(posting, condition=Item.pk.exists())
                        tx.update(index.WordCountItem(posting.pk, index.COUNT_SK), actions=index.count_actions(-1))
                remaining: list[MessagePostingItem] = []
            except TransactWriteError as exc:
                failed = failed_conditions(exc)[: len(chunk)]  # the deletes come first
                if not any(failed):
                    raise
                remaining = [posting for posting, gone in zip(chunk, failed, strict=True) if not gone]
            chunk = remaining


def search_messages(
    caller: Principal, q: str, thread_id: str | None, *, limit: int, cursor: str | None
) -> ItemsPage[MessageOut]:
    """Raises :class:`InvalidInput` (no usable word), :class:`NotFound` ``THREAD_NOT_FOUND``."""
    access.ensure_domain(caller)
    query_words = index.words(q)[:MAX_QUERY_WORDS]
    if not query_words:
        raise InvalidInput(errors={"q": ["needs a word of at least 2 letters or digits"]})
    empty = ItemsPage[MessageOut](items=[], next_cursor=None)
    scope: Condition
    if thread_id:
        access.visible_thread(caller, thread_id)
        scope = MessagePostingItem.thread_id == thread_id
    else:
        thread_ids = repository.thread_ids_of(caller.user_id, MAX_SCOPE_THREADS)
        if not thread_ids:
            return empty
        scope = MessagePostingItem.thread_id.is_in(*thread_ids)
    counts = index.word_counts(search_pk, query_words)
    if min(counts.values()) <= 0:
        return empty
    rarest = min(query_words, key=lambda word: counts[word])
    others = [MessagePostingItem.words.contains(f" {w} ") for w in query_words if w != rarest]
    key = f"messages-search|{caller.user_id}|{thread_id}|{' '.join(query_words)}"
    page = index.postings_page(
        search_pk(rarest),
        filter_condition=index.and_all([scope, *others]),
        limit=limit,
        position=decode_cursor(cursor, key),
    )
    hits = [p for p in page.items if isinstance(p, MessagePostingItem)]
    found = {
        m.message_id: m
        for m in Item.batch_get([(thread_pk(p.thread_id), message_sk(p.message_id)) for p in hits])
        if isinstance(m, MessageItem) and not m.deleted
    }
    items: list[MessageOut] = []
    for posting in hits:
        message = found.get(posting.message_id)
        if message is not None:
            mine = messages.my_reactions(caller.user_id, message.thread_id, [message.message_id])
            items.append(views.message_out(message, {emoji for _mid, emoji in mine}))
    return ItemsPage[MessageOut](items=items, next_cursor=encode_cursor(page.next_position, key))
