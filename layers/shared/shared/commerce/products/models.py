"""Product, search-index and review entities.

Access patterns
===============

=========================================  ===================================================================
Who reads what                             Key / index
=========================================  ===================================================================
product by id (detail, edits, reviews)     ``PK=PRODUCT#<id>``, ``SK=PRODUCT``
product by slug                            ``PK=UNIQUE#PRODUCT_SLUG#<slug>`` → owner id → product
SKU taken?                                 ``PK=UNIQUE#PRODUCT_SKU#<sku>`` (claimed in the create transaction)
active products, newest first              Query GSI1 ``GSI1PK=PRODUCTS#ACTIVE``, ``GSI1SK=<createdAt>#<id>``
active products by price (min/max range)   Query GSI2 ``GSI2PK=PRODUCTS#ACTIVE``, ``GSI2SK=<price:010d>#<id>``
                                           (``minPrice``/``maxPrice`` become a BETWEEN key condition)
active products by rating                  Query GSI3 ``GSI3PK=PRODUCTS#ACTIVE``,
                                           ``GSI3SK=<avg*100:03d>#<createdAt>#<id>`` (descending)
active products of a category, newest      Query GSI4 ``GSI4PK=PRODUCTS#CATEGORY#<cid>``, ``GSI4SK=<createdAt>#<id>``
active products of a category, by price    Query GSI6 ``GSI6PK=PRODUCTS#CATEGORY#<cid>``, ``GSI6SK=<price:010d>#<id>``
a seller's products (every status)         Query GSI5 ``GSI5PK=PRODUCTS#SELLER#<sid>``, ``GSI5SK=<createdAt>#<id>``
search: products containing a word         ``PK=SEARCH#<word>``, ``SK=<createdAt>#<productId>`` (postings)
search: how many products contain a word   ``PK=SEARCH#<word>``, ``SK=#COUNT`` (``ADD`` counter)
reviews of a product, newest first         Query GSI1 ``GSI1PK=PRODUCT_REVIEWS#<pid>``, ``GSI1SK=<createdAt>#<uid>``
one user's review of a product             ``PK=PRODUCT#<pid>``, ``SK=REVIEW#<userId>`` (one per user, conditional put)
a user's reviews (export, erasure)         Query GSI2 ``GSI2PK=USER_REVIEWS#<uid>``, ``GSI2SK=<createdAt>#<pid>``
did the user buy the product?              ``PK=USER#<uid>``, ``SK=PURCHASE#<pid>`` (written by checkout)
a user's proofs of purchase (erasure)      Query ``PK=USER#<uid>``, ``begins_with(SK, "PURCHASE#")``
=========================================  ===================================================================

GSI1-GSI4 and GSI6 keys are set only while a product is ``active`` or ``out_of_stock`` (sparse
indexes: a page of the public listing reads about ``limit`` items whatever the catalog size);
a sold-out product sits in the sold-out twin of its partition (``PRODUCTS#OUT_OF_STOCK``,
``PRODUCTS#CATEGORY#<cid>#OUT_OF_STOCK``, same sort keys), so the default listing never reads
it and ``includeOutOfStock`` reads the twin after the in-stock partition. GSI5 is set for
every status so a seller sees their drafts. Combinations no index serves (category + rating,
seller + price, tags, a price range under the newest sort) read the best index and filter;
they cost in proportion to the items skipped.

A review's GSI2 keys (its author's reviews) are written since account erasure (issue #18); the
product is new, so there are no older reviews without them to backfill.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from shared.data.table import Item
from shared.search.index import COUNT_SK, WordCountItem  # noqa: F401 - re-exported: the index counters products use

PRODUCT_SK = "PRODUCT"
ACTIVE = "PRODUCTS#ACTIVE"
SOLD_OUT = "PRODUCTS#OUT_OF_STOCK"
LISTED_STATUSES = ("active", "out_of_stock")
REVIEW_PREFIX = "REVIEW#"


def product_pk(product_id: str) -> str:
    return f"PRODUCT#{product_id}"


def category_partition(category_id: str) -> str:
    return f"PRODUCTS#CATEGORY#{category_id}"


def sold_out_partition(partition: str) -> str:
    """The partition holding the sold-out products of an in-stock listing partition."""
    return SOLD_OUT if partition == ACTIVE else f"{partition}#OUT_OF_STOCK"


def seller_partition(seller_id: str) -> str:
    return f"PRODUCTS#SELLER#{seller_id}"


def search_pk(word: str) -> str:
    return f"SEARCH#{word}"


def review_sk(user_id: str) -> str:
    return f"{REVIEW_PREFIX}{user_id}"


def reviews_partition(product_id: str) -> str:
    return f"PRODUCT_REVIEWS#{product_id}"


def user_reviews(user_id: str) -> str:
    return f"USER_REVIEWS#{user_id}"


PURCHASE_PREFIX = "PURCHASE#"


def purchase_key(user_id: str, product_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"{PURCHASE_PREFIX}{product_id}"


def price_key(price: int) -> str:
    return f"{price:010d}"


def rating_key(average: float) -> str:
    return f"{round(average * 100):03d}"


def rating_order(average: float, created_at: str, product_id: str) -> str:
    """GSI3SK of a listed product: by rating, then newest (the one derivation of that key)."""
    return f"{rating_key(average)}#{created_at}#{product_id}"


class ProductItem(Item, discriminator="PRODUCT"):
    product_id = UnicodeAttribute(attr_name="productId")
    seller_id = UnicodeAttribute(attr_name="sellerId")
    category_id = UnicodeAttribute(null=True, attr_name="categoryId")
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    short_description = UnicodeAttribute(null=True, attr_name="shortDescription")
    price = NumberAttribute()
    compare_price = NumberAttribute(null=True, attr_name="comparePrice")
    cost_price = NumberAttribute(null=True, attr_name="costPrice")
    currency = UnicodeAttribute(default="usd")
    sku = UnicodeAttribute(null=True)
    stock_quantity = NumberAttribute(default=0, attr_name="stockQuantity")
    low_stock_threshold = NumberAttribute(default=10, attr_name="lowStockThreshold")
    weight = NumberAttribute(null=True)
    length = NumberAttribute(null=True)  # dimensions
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    images = ListAttribute[str](default=list)
    status = UnicodeAttribute(default="draft")
    meta_title = UnicodeAttribute(null=True, attr_name="metaTitle")
    meta_description = UnicodeAttribute(null=True, attr_name="metaDescription")
    tags = ListAttribute[str](default=list)
    view_count = NumberAttribute(default=0, attr_name="viewCount")
    rating_sum = NumberAttribute(default=0, attr_name="ratingSum")
    review_count = NumberAttribute(default=0, attr_name="reviewCount")
    average_rating = NumberAttribute(default=0, attr_name="averageRating")
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class PostingItem(Item, discriminator="POSTING"):
    """One word of one active product: the card a search result shows, and the product's words."""

    product_id = UnicodeAttribute(attr_name="productId")
    seller_id = UnicodeAttribute(attr_name="sellerId")
    category_id = UnicodeAttribute(null=True, attr_name="categoryId")
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    short_description = UnicodeAttribute(null=True, attr_name="shortDescription")
    price = NumberAttribute()
    compare_price = NumberAttribute(null=True, attr_name="comparePrice")
    currency = UnicodeAttribute(default="usd")
    image = UnicodeAttribute(null=True)
    tags = ListAttribute[str](default=list)
    average_rating = NumberAttribute(default=0, attr_name="averageRating")
    review_count = NumberAttribute(default=0, attr_name="reviewCount")
    words = UnicodeAttribute()  # every word of the product, space separated and space padded
    name_words = UnicodeAttribute(attr_name="nameWords")
    created_at = UnicodeAttribute(attr_name="createdAt")


class ReviewItem(Item, discriminator="REVIEW"):
    product_id = UnicodeAttribute(attr_name="productId")
    user_id = UnicodeAttribute(attr_name="userId")
    user_name = UnicodeAttribute(attr_name="userName")
    rating = NumberAttribute()
    title = UnicodeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    verified_purchase = BooleanAttribute(default=False, attr_name="verifiedPurchase")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class PurchaseItem(Item, discriminator="PURCHASE"):
    """Written by checkout when an order is paid (``PK=USER#<uid>``, ``SK=PURCHASE#<pid>``)."""

    product_id = UnicodeAttribute(attr_name="productId")
    user_id = UnicodeAttribute(attr_name="userId")
