"""One inverted index for every searchable entity (products, messages).

An entity's searchable text is cut into :func:`words`; each word gets a *posting* item in the
partition ``<prefix><word>`` (the entity picks the prefix, the posting's sort key and what the
posting carries) and one ``ADD`` counter ``<prefix><word>`` / ``#COUNT`` saying how many
postings the word has, so a query starts from its rarest word and reads only that word's
postings: the cost of a search grows with the matches of its rarest word, never with the size
of the corpus. The other query words are checked with a ``contains`` filter on the posting's
space-padded ``words``.

:class:`IndexOps` is the set of writes that takes an entity's postings from one state to
another; the entity's repository writes them inside its transaction when they fit, or after it
(:meth:`IndexOps.apply`, idempotent puts and deletes plus counter updates, with
:meth:`IndexOps.undo` to put the previous postings back when a write fails part way).

Beyond what this serves, the upgrade path is a stream-fed OpenSearch sink (DESIGN.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import failed_conditions, transaction

MAX_WORD_CHARS = 64
COUNT_SK = "#COUNT"
_WORD_RE = re.compile(r"[a-z0-9]+")


class WordCountItem(Item, discriminator="WORD_COUNT"):
    """``PK=<prefix><word>``, ``SK=#COUNT``: how many postings the word has. The attribute is
    named ``products`` after the index's first user (stored data keeps that name)."""

    products = NumberAttribute(default=0)


def words(*texts: str | None, limit: int | None = None) -> list[str]:
    """Search words: lowercase, accents stripped, split on anything not a letter or digit,
    1-character words ignored, each cut to its first :data:`MAX_WORD_CHARS` characters; distinct,
    in first-seen order. With ``limit``, only the first ``limit`` words of the text are read
    (repeats count: "the first 300 words of a message").

    The same function reads documents and queries, so the cut applies to both: a word longer
    than the cap still finds its document. The cap keeps every index key far below DynamoDB's
    2,048-byte key limit whatever a document holds."""
    found: dict[str, None] = {}
    read = 0
    for text in texts:
        if not text:
            continue
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        for word in _WORD_RE.findall(ascii_text):
            if len(word) > 1:
                found.setdefault(word[:MAX_WORD_CHARS], None)
                read += 1
                if limit is not None and read >= limit:
                    return list(found)
    return list(found)


def padded(found: Iterable[str]) -> str:
    """Words as a posting's ``words`` attribute: space separated and space padded, so that
    ``contains(words, " <w> ")`` matches whole words only."""
    return f" {' '.join(found)} "


def count_actions(delta: int) -> list[Any]:
    # The counter may not exist yet: the update creates it, so it sets its type too.
    return [WordCountItem.products.add(delta), Item.item_type.set(WordCountItem)]


def write_postings(puts: Iterable[Item], deletes: Iterable[tuple[str, str]] = (), *, model: type[Item] = Item) -> None:
    """Idempotent posting writes (BatchWriteItem); ``model`` is the posting class of the deletes."""
    with Item.batch_write() as batch:
        for posting in puts:
            batch.save(posting)
        for pk, sk in deletes:
            batch.delete(model(pk, sk))


def update_count(pk: str, delta: int) -> None:
    WordCountItem(pk, COUNT_SK).update(actions=count_actions(delta))


@dataclass
class IndexOps:
    """The index writes that take an entity's postings from ``before`` to ``after``.

    Postings are keyed by their partition (one per word); a posting whose partition is in both
    states is rewritten only when ``rewrite_kept`` (its card changed)."""

    model: type[Item] = Item
    puts: list[Any] = field(default_factory=list)
    deletes: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)  # counter updates made by apply()

    @classmethod
    def diff(cls, before: Sequence[Any], after: Sequence[Any], *, rewrite_kept: bool, model: type[Item]) -> IndexOps:
        old = {p.pk: p for p in before}
        new_keys = {p.pk for p in after}
        ops = cls(model=model, puts=[p for p in after if rewrite_kept or p.pk not in old])
        for pk, posting in old.items():
            if pk not in new_keys:
                ops.deletes.append((pk, posting.sk))
                ops.counts[pk] = -1
        for pk in new_keys - set(old):
            ops.counts[pk] = 1
        return ops

    @property
    def size(self) -> int:
        return len(self.puts) + len(self.deletes) + len(self.counts)

    def add_to(self, tx: TransactWrite) -> None:
        for posting in self.puts:
            tx.save(posting)
        for pk, sk in self.deletes:
            tx.delete(self.model(pk, sk))
        for pk, delta in self.counts.items():
            tx.update(WordCountItem(pk, COUNT_SK), actions=count_actions(delta))

    def write(self, puts: Iterable[Any], deletes: Iterable[tuple[str, str]]) -> None:
        """The posting writer (an entity's index may route it through its own module)."""
        write_postings(puts, deletes, model=self.model)

    def apply(self) -> None:
        self.write(self.puts, self.deletes)
        for pk, delta in self.counts.items():
            update_count(pk, delta)
            self.applied[pk] = delta

    def apply_batched(self) -> None:
        """Like :meth:`apply`, in few calls: postings by BatchWriteItem, counters by transactions
        of up to 100 updates each (for an index whose counters only guide query planning)."""
        self.write(self.puts, self.deletes)
        pending = list(self.counts.items())
        for start in range(0, len(pending), 100):
            with transaction() as tx:
                for pk, delta in pending[start : start + 100]:
                    tx.update(WordCountItem(pk, COUNT_SK), actions=count_actions(delta))
            self.applied.update(pending[start : start + 100])

    def restore(self, restored: Sequence[Any]) -> None:
        """Back to the ``restored`` postings after :meth:`apply` failed part way (posting writes
        are idempotent; only the counter updates that were applied are reversed)."""
        kept = {posting.pk for posting in restored}
        self.write(restored, [(p.pk, p.sk) for p in self.puts if p.pk not in kept])
        for pk in list(self.applied):
            update_count(pk, -self.applied.pop(pk))


EXACT_CHUNK = 50  # a posting's delete and its counter's update: 100 items per transaction
EXACT_ATTEMPTS = 3


def remove_exactly(keys: Sequence[tuple[str, str]], *, model: type[Item]) -> int:
    """Delete the postings of ``keys`` that still exist, each in one transaction with its word
    counter's ``-1`` and conditioned on the posting still existing, so a retry or a second run
    (an erasure job resumed) never counts a word down twice. Returns how many were deleted.

    Costs a consistent BatchGetItem per 50 keys on top of the writes: for removals that must
    stay exact when repeated, unlike :meth:`IndexOps.apply_batched`."""
    removed = 0
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), EXACT_CHUNK):
        chunk = unique[start : start + EXACT_CHUNK]
        for attempt in range(EXACT_ATTEMPTS):
            present = [(item.pk, item.sk) for item in Item.batch_get(chunk, consistent_read=True)]
            if not present:
                break
            try:
                with transaction() as tx:
                    for pk, sk in present:
                        tx.delete(model(pk, sk), condition=Item.pk.exists())
                        tx.update(WordCountItem(pk, COUNT_SK), actions=count_actions(-1))
            except TransactWriteError as exc:
                if any(failed_conditions(exc)) and attempt + 1 < EXACT_ATTEMPTS:
                    continue  # removed meanwhile by another run: read what is left again
                raise
            removed += len(present)
            break
    return removed


def word_counts(pk_of: Callable[[str], str], query_words: list[str]) -> dict[str, int]:
    """How many postings each word has (0 for unknown words); one BatchGetItem."""
    by_pk = {pk_of(word): word for word in query_words}
    counts = dict.fromkeys(query_words, 0)
    for found in Item.batch_get([(pk, COUNT_SK) for pk in by_pk]):
        if isinstance(found, WordCountItem):
            counts[by_pk[found.pk]] = int(found.products or 0)
    return counts


def postings_page(
    pk: str, *, filter_condition: Condition | None, limit: int, position: dict[str, Any] | None
) -> Page[Any]:
    """One page of a word's postings, highest sort key (newest) first."""
    run = partial(Item.query, pk, Item.sk >= "0", scan_index_forward=False)
    return query_page(run, limit=limit, position=position, filter_condition=filter_condition)


def all_postings(pk: str, *, filter_condition: Condition | None, model: type[Item]) -> list[Any]:
    found = Item.query(pk, Item.sk >= "0", filter_condition=filter_condition)
    return [item for item in found if isinstance(item, model)]


def and_all(conditions: Sequence[Condition]) -> Condition | None:
    combined: Condition | None = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined
