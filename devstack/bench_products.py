"""``make bench`` section: what product listings and search cost as the catalog grows.

Runs in-process against moto (``mock_aws``): bulk-inserts 100 and then 10,000 active products
(with their search postings and word counters, as the repository writes them), then measures
one page of each listing and a search for a word that ~1% of the products contain: DynamoDB
calls, items DynamoDB read (``ScannedCount`` of queries, items of gets) and read units. A
listing page reads about ``limit`` items whatever the catalog size; a search reads the matches
of its rarest word (plus one BatchGetItem of word counters).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from devstack.metering import metered

SIZES = (100, 10_000)
TABLE = "bench-products"
RARE_WORD = "zircon"
_ENV = {
    "APP_ENV": "test",
    "TABLE_NAME": TABLE,
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "JWT_SECRET": "bench-signing-key-that-is-long-enough-0123456789",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
_ADJECTIVES = ("blue", "red", "green", "steel", "oak", "glass", "linen", "copper", "matte", "vintage")
_NOUNS = ("mug", "lamp", "chair", "kettle", "bowl", "vase", "desk", "pan", "shelf", "clock")


@contextmanager
def _environment() -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in _ENV}
    os.environ.update(_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _ItemsRead:
    """Items DynamoDB read per call (a botocore hook on the models' client)."""

    def __init__(self) -> None:
        self.items = 0

    def __call__(self, parsed: dict[str, Any], **_: Any) -> None:
        if "ScannedCount" in parsed:
            self.items += int(parsed["ScannedCount"])
        elif "Item" in parsed:
            self.items += 1
        elif "Responses" in parsed:
            self.items += sum(len(found) for found in parsed["Responses"].values())


def _populate(count: int, category_id: str) -> None:
    from shared.commerce.products import repository, search_index
    from shared.data.table import Item
    from shared.search.index import COUNT_SK, WordCountItem

    rng = random.Random(count)  # noqa: S311 - bench data, not security
    words: Counter[str] = Counter()
    with Item.batch_write() as batch:
        for n in range(count):
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            if n % 100 == 0:
                name += f" {RARE_WORD}"
            product = repository.new_product(
                f"p{n:07d}",
                f"2026-01-01T00:00:00.000Z{n:07d}",
                seller_id=f"s{n % 50}",
                category_id=category_id if n % 10 == 0 else f"other-{n % 7}",
                name=name,
                slug=f"product-{n}",
                short_description=None,  # name words only: fewer postings, a faster bench
                description=None,
                price=100 + rng.randrange(100_000),
                currency="usd",
                stock_quantity=5,
                status="active",
                tags=[],
                images=[],
            )
            batch.save(product)
            for posting in search_index.posting_items(product):
                batch.save(posting)
                words[posting.pk] += 1
        for pk, total in words.items():
            batch.save(WordCountItem(pk, COUNT_SK, products=total))


def _measure(label: str, run: Callable[[], Any], reads: _ItemsRead) -> list[str]:
    reads.items = 0
    with metered() as meter:
        result = run()
    returned = len(result.items)
    return [label, str(returned), str(meter.total_calls), str(reads.items), f"{meter.read_units:g}", meter.operations()]


def _rows_for(count: int) -> list[list[str]]:
    import boto3
    from moto import mock_aws
    from shared.commerce.categories import repository as categories
    from shared.commerce.products.listing import ListingQuery, list_products
    from shared.data.table import configure_table, connection
    from shared.settings import reset_settings

    from devstack.resources import create_table

    with mock_aws():
        reset_settings()
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        configure_table(TABLE)
        category = categories.new_item(
            "bench-category", "2026-01-01T00:00:00.000Z", name="Bench", slug="bench", description=None, parent_id=None
        )
        categories.create(category)
        _populate(count, "bench-category")
        reads = _ItemsRead()
        connection().client.meta.events.register("after-call.dynamodb", reads)
        queries: list[tuple[str, ListingQuery]] = [
            ("newest, limit 20", ListingQuery(limit=20)),
            ("price_low 200-50000, limit 20", ListingQuery(sort="price_low", min_price=200, max_price=50_000)),
            ("category (10%), newest, limit 20", ListingQuery(category="bench-category")),
            ("category (10%), price_high, limit 20", ListingQuery(category="bench-category", sort="price_high")),
            (f"search '{RARE_WORD}' (1%), relevance", ListingQuery(search=RARE_WORD)),
            (f"search '{RARE_WORD}' (1%), newest", ListingQuery(search=RARE_WORD, sort="newest")),
            (f"search 'blue {RARE_WORD}', relevance", ListingQuery(search=f"blue {RARE_WORD}")),
        ]
        rows = [
            [f"{count:,}", *_measure(label, partial(list_products, None, query), reads)] for label, query in queries
        ]
        connection().client.meta.events.unregister("after-call.dynamodb", reads)
    return rows


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    from shared.data.table import configure_table
    from shared.settings import reset_settings

    with _environment():
        try:
            rows = [row for size in SIZES for row in _rows_for(size)]
        finally:
            reset_settings()
            configure_table()
    header = ["products", "request", "returned", "calls", "items read", "RCU", "operations"]
    return [("Product listing and search cost by catalog size (moto in-process)", header, rows)]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, header, table_rows in section():
        print_table(title, header, table_rows)
