"""The products' use of the one inverted index (:mod:`shared.search.index`): postings
``SEARCH#<word>`` / ``<createdAt>#<productId>`` of every active product, each carrying the
product's card and words, and one ``ADD`` counter per word (``SEARCH#<word>`` / ``#COUNT``) so
a query starts from its rarest word. Words come from :func:`rules.words` for products and
queries alike, capped at :data:`rules.MAX_WORD_CHARS` characters, so every key fits DynamoDB's
limits whatever a product holds and a long query word still finds the product.

:class:`SearchOps` is the set of index writes that takes a product from one state to another;
:mod:`shared.commerce.products.repository` writes them with the product (in its transaction, or
after it with an undo on failure); a rating change rewrites the cards
(:func:`shared.commerce.products.review_repository.refresh_rating`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition

from shared.commerce.products import rules
from shared.commerce.products.models import PRODUCT_SK, PostingItem, ProductItem, product_pk, search_pk
from shared.data.pagination import Page
from shared.data.transactions import failed_conditions, transaction
from shared.search import index

_CARDS_PER_TRANSACTION = 99  # and the product's condition check: DynamoDB's 100 items


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


class SearchOps(index.IndexOps):
    """The index writes that take a product from ``old`` to ``new`` (either may be ``None``)."""

    @classmethod
    def between(cls, old: ProductItem | None, new: ProductItem | None) -> SearchOps:
        before = posting_items(old) if old else []
        after = posting_items(new) if new else []
        rewrite = not (before and after and _card(before[0]) == _card(after[0]))  # unchanged cards stay
        ops = index.IndexOps.diff(before, after, rewrite_kept=rewrite, model=PostingItem)
        return cls(model=PostingItem, puts=ops.puts, deletes=ops.deletes, counts=ops.counts)

    def write(self, puts: Iterable[Any], deletes: Iterable[tuple[str, str]]) -> None:
        write_postings(puts, deletes)

    def undo(self, before: ProductItem | None) -> None:
        """Back to ``before``'s postings and counters after :meth:`apply` failed part way."""
        self.restore(posting_items(before) if before else [])


def _card(posting: PostingItem) -> dict[str, Any]:
    """What a posting holds besides its word (the same on every posting of a product)."""
    return {key: value for key, value in posting.serialize().items() if key != "PK"}


def write_postings(puts: Iterable[PostingItem], deletes: Iterable[tuple[str, str]] = ()) -> None:
    index.write_postings(puts, deletes, model=PostingItem)


def refresh_cards(product: ProductItem) -> bool:
    """Rewrite the postings of ``product`` as it was written at its ``version`` (a rating change
    copies the average into every card), each batch in a transaction that checks the product is
    still at that version. A product written again meanwhile (edited, renamed, delisted) is left
    to that write, which read this change and puts or drops its own postings: stale cards must
    not overwrite them, nor bring back the postings of a delisted product. Returns whether every
    card was written."""
    postings = posting_items(product)
    for start in range(0, len(postings), _CARDS_PER_TRANSACTION):
        try:
            with transaction() as tx:
                tx.condition_check(
                    ProductItem,
                    product_pk(product.product_id),
                    PRODUCT_SK,
                    condition=ProductItem.version == product.version,
                )
                for posting in postings[start : start + _CARDS_PER_TRANSACTION]:
                    tx.save(posting)
        except TransactWriteError as exc:
            if any(failed_conditions(exc)):
                return False
            raise
    return True


def word_counts(words: list[str]) -> dict[str, int]:
    """How many active products contain each word (0 for unknown words); one BatchGetItem."""
    return index.word_counts(search_pk, words)


def postings_page(
    word: str, *, filter_condition: Condition | None, limit: int, position: dict[str, Any] | None
) -> Page[PostingItem]:
    return index.postings_page(search_pk(word), filter_condition=filter_condition, limit=limit, position=position)


def all_postings(word: str, *, filter_condition: Condition | None) -> list[PostingItem]:
    return index.all_postings(search_pk(word), filter_condition=filter_condition, model=PostingItem)
