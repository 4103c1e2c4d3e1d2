"""Cart API models. A request names a product and a quantity, nothing else: unknown fields
(a price, a name) are refused with 400, and every price shown is read from the product."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.commerce.cart.rules import MAX_QUANTITY
from shared.schemas import ApiModel, StrictInput, StrictInt, Text

ProductId = Annotated[Text, Field(min_length=1, max_length=64)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


class AddCartItemRequest(StrictInput):
    product_id: ProductId
    quantity: Quantity = Field(default=1, description="Added to the quantity already in the cart")


class SetCartItemRequest(StrictInput):
    quantity: Quantity = Field(description="The line's new quantity")


class CartLineOut(ApiModel):
    """One product in the cart, as the catalog shows it now. The product fields are null when
    the product has been deleted since it was added (the line is then unavailable)."""

    product_id: str
    name: str | None
    slug: str | None
    image: str | None
    unit_price: int | None = Field(description="Integer cents: the product's current price")
    currency: str | None
    quantity: int
    line_total: int | None = Field(description="unitPrice x quantity, integer cents")
    available: bool = Field(description="Active, in stock for this quantity, and in the cart's currency")
    stock_quantity: int
    status: str | None = Field(description="The product's status")


class CartOut(ApiModel):
    items: list[CartLineOut]
    item_count: int = Field(description="Sum of the quantities of every line")
    subtotal: int = Field(description="Integer cents: sum of lineTotal over the available lines")
    currency: str
    updated_at: str | None = Field(description="Last change to any line; null for an empty cart")
