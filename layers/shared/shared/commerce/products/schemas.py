"""Product and review API models. Prices are integer cents with a currency, never floats."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from shared.commerce.products.rules import MAX_PRICE, normalize_tags
from shared.commerce.slugs import check_slug
from shared.identity.schemas import check_url
from shared.schemas import ApiModel, LongText, StrictInput, StrictInt, StrictNumber, Text

ProductStatus = Literal["draft", "active", "inactive", "out_of_stock"]
Sort = Literal["newest", "price_low", "price_high", "rating", "relevance"]
Currency = Literal["usd", "eur", "gbp", "cad", "aud"]

ProductName = Annotated[Text, Field(min_length=2, max_length=255)]
Slug = Annotated[Text, AfterValidator(check_slug)]
Description = Annotated[LongText, Field(min_length=10, max_length=10_000)]
ShortDescription = Annotated[LongText, Field(min_length=10, max_length=500)]
Price = Annotated[StrictInt, Field(ge=1, le=MAX_PRICE, description="Integer cents")]
CostPrice = Annotated[StrictInt, Field(ge=0, le=MAX_PRICE, description="Integer cents")]
Sku = Annotated[Text, Field(min_length=2, max_length=100, pattern=r"^\S(.*\S)?$")]
Count = Annotated[StrictInt, Field(ge=0, le=1_000_000_000)]
Url = Annotated[Text, AfterValidator(check_url)]
Tag = Annotated[Text, Field(min_length=1, max_length=50)]
CategoryId = Annotated[Text, Field(min_length=1, max_length=64)]
Measure = Annotated[StrictNumber, Field(gt=0, allow_inf_nan=False, le=1_000_000)]


class DimensionsIn(StrictInput):
    length: Measure | None = None
    width: Measure | None = None
    height: Measure | None = None


class ProductFields(StrictInput):
    """Fields shared by create and update; ``sellerId`` and the counters are never accepted."""

    description: Description | None = None
    short_description: ShortDescription | None = None
    compare_price: Price | None = None
    cost_price: CostPrice | None = None
    currency: Currency | None = None
    low_stock_threshold: Count | None = None
    weight: Annotated[StrictNumber, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = None
    dimensions: DimensionsIn | None = None
    images: Annotated[list[Url], Field(max_length=10)] | None = None
    meta_title: Annotated[Text, Field(max_length=255)] | None = None
    meta_description: Annotated[LongText, Field(max_length=500)] | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] | None = None
    category_id: CategoryId | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return normalize_tags(value) if value is not None else None


class CreateProductRequest(ProductFields):
    name: ProductName
    slug: Slug | None = None
    price: Price
    sku: Sku | None = None
    stock_quantity: Count = 0
    status: ProductStatus = "draft"


class UpdateProductRequest(ProductFields):
    name: ProductName | None = None
    slug: Slug | None = None
    price: Price | None = None
    sku: Sku | None = None
    stock_quantity: Count | None = None
    status: ProductStatus | None = None


class DimensionsOut(ApiModel):
    length: float | None = None
    width: float | None = None
    height: float | None = None


class ProductSummary(ApiModel):
    """A list card: what listings and search results show."""

    id: str
    name: str
    slug: str
    short_description: str | None = None
    price: int
    compare_price: int | None = None
    currency: str
    image: str | None = None
    tags: list[str]
    average_rating: float
    review_count: int
    category_id: str | None = None
    seller_id: str
    status: ProductStatus
    created_at: str


class ProductOut(ApiModel):
    id: str
    seller_id: str
    category_id: str | None = None
    name: str
    slug: str
    description: str | None = None
    short_description: str | None = None
    price: int
    compare_price: int | None = None
    cost_price: int | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Only for the owner seller and admins",
    )
    currency: str
    sku: str | None = None
    stock_quantity: int
    low_stock_threshold: int
    in_stock: bool
    low_stock: bool
    discount_percentage: int
    weight: float | None = None
    dimensions: DimensionsOut | None = None
    images: list[str]
    status: ProductStatus
    meta_title: str | None = None
    meta_description: str | None = None
    tags: list[str]
    view_count: int
    average_rating: float
    review_count: int
    created_at: str
    updated_at: str


class CreateReviewRequest(StrictInput):
    rating: Annotated[StrictInt, Field(ge=1, le=5)]
    title: Annotated[Text, Field(max_length=120)] | None = None
    comment: Annotated[LongText, Field(max_length=2000)] | None = None


class UpdateReviewRequest(StrictInput):
    rating: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    title: Annotated[Text, Field(max_length=120)] | None = None
    comment: Annotated[LongText, Field(max_length=2000)] | None = None


class ReviewOut(ApiModel):
    id: str
    product_id: str
    user_id: str
    user_name: str
    rating: int
    title: str | None = None
    comment: str | None = None
    verified_purchase: bool
    created_at: str
    updated_at: str
