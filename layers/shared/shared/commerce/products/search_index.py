"""The search index of products (the one inverted index of the catalog): postings
``SEARCH#<word>`` / ``<createdAt>#<productId>`` of every active product, each carrying the
product's card and words, and one ``ADD`` counter per word (``SEARCH#<word>`` / ``#COUNT``) so
a query starts from its rarest word. Words come from :func:`rules.words` for products and
queries alike, capped at :data:`rules.MAX_WORD_CHARS` characters, so every key fits DynamoDB's
limits whatever a product holds and a long query word still finds the product.

:class:`SearchOps` is the set of index writes that takes a product from one state to another;
:mod:`shared.commerce.products.repository` writes them with the product (in its transaction, or
after it with an undo on failure).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from shared.commerce.products import rules
from shared.commerce.products.models import COUNT_SK, PostingItem, ProductItem, WordCountItem, search_pk
from shared.data.pagination import Page, query_page
from shared.data.table import Item


def posting_items(product: ProductItem) -> list[PostingItem]:
    """The postings of an active product (none otherwise)."""
    if product.status != "active":
        return []
    all_words = rules.words(product.name, product.short_description, product.description)
    padded = f" {' '.join(all_words)} "
    name_words = f" {' '.join(rules.words(product.name))} "
    sk = f"{product.created_at}#{product.product_id}"
    return [
        PostingItem(
            search_pk(word),
            sk,
            product_id=product.product_id,
            seller_id=product.seller_id,
            category_id=product.category_id,
            name=product.name,
            slug=product.slug,
            short_description=product.short_description,
            price=product.price,
            compare_price=product.compare_price,
            currency=product.currency,
            image=product.images[0] if product.images else None,
            tags=list(product.tags or []),
            average_rating=product.average_rating,
            review_count=product.review_count,
            words=padded,
            name_words=name_words,
            created_at=product.created_at,
        )
        for word in all_words
    ]


@dataclass
class SearchOps:
    """The index writes that take a product from ``old`` to ``new`` (either may be ``None``)."""

    puts: list[PostingItem] = field(default_factory=list)
    deletes: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)  # counter updates made by apply()

    @classmethod
    def between(cls, old: ProductItem | None, new: ProductItem | None) -> SearchOps:
        before = {p.pk: p for p in posting_items(old)} if old else {}
        after = posting_items(new) if new else []
        after_keys = {p.pk for p in after}
        if before and after and _card(before[next(iter(before))]) == _card(after[0]):
            after = [p for p in after if p.pk not in before]  # unchanged cards are not rewritten
        ops = cls(puts=after)
        for pk, posting in before.items():
            if pk not in after_keys:
                ops.deletes.append((pk, posting.sk))
                ops.counts[pk] = -1
        for pk in after_keys - set(before):
            ops.counts[pk] = 1
        return ops

    @property
    def size(self) -> int:
        return len(self.puts) + len(self.deletes) + len(self.counts)

    def add_to(self, tx: TransactWrite) -> None:
        for posting in self.puts:
            tx.save(posting)
        for pk, sk in self.deletes:
            tx.delete(PostingItem(pk, sk))
        for pk, delta in self.counts.items():
            tx.update(WordCountItem(pk, COUNT_SK), actions=_count_actions(delta))

    def apply(self) -> None:
        write_postings(self.puts, self.deletes)
        for pk, delta in self.counts.items():
            WordCountItem(pk, COUNT_SK).update(actions=_count_actions(delta))
            self.applied[pk] = delta

    def undo(self, before: ProductItem | None) -> None:
        """Back to ``before``'s postings and counters after :meth:`apply` failed part way (posting
        writes are idempotent; only the counter updates that were applied are reversed)."""
        restored = posting_items(before) if before else []
        kept = {posting.pk for posting in restored}
        write_postings(restored, [(p.pk, p.sk) for p in self.puts if p.pk not in kept])
        for pk in list(self.applied):
            WordCountItem(pk, COUNT_SK).update(actions=_count_actions(-self.applied.pop(pk)))


def _card(posting: PostingItem) -> dict[str, Any]:
    """What a posting holds besides its word (the same on every posting of a product)."""
    return {key: value for key, value in posting.serialize().items() if key != "PK"}


def _count_actions(delta: int) -> list[Any]:
    # The counter may not exist yet: the update creates it, so it sets its type too.
    return [WordCountItem.products.add(delta), Item.item_type.set(WordCountItem)]


def write_postings(puts: Iterable[PostingItem], deletes: Iterable[tuple[str, str]] = ()) -> None:
    with Item.batch_write() as batch:
        for posting in puts:
            batch.save(posting)
        for pk, sk in deletes:
            batch.delete(PostingItem(pk, sk))


def word_counts(words: list[str]) -> dict[str, int]:
    """How many active products contain each word (0 for unknown words); one BatchGetItem."""
    counts = dict.fromkeys(words, 0)
    for found in Item.batch_get([(search_pk(word), COUNT_SK) for word in words]):
        if isinstance(found, WordCountItem):
            counts[found.pk.removeprefix("SEARCH#")] = int(found.products or 0)
    return counts


def postings_page(
    word: str, *, filter_condition: Condition | None, limit: int, position: dict[str, Any] | None
) -> Page[PostingItem]:
    run = partial(Item.query, search_pk(word), Item.sk >= "0", scan_index_forward=False)
    return query_page(run, limit=limit, position=position, filter_condition=filter_condition)


def all_postings(word: str, *, filter_condition: Condition | None) -> list[PostingItem]:
    found = Item.query(search_pk(word), Item.sk >= "0", filter_condition=filter_condition)
    return [item for item in found if isinstance(item, PostingItem)]
