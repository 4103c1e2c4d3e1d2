"""Order API models. Money is integer cents with a currency; addresses are validated here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from shared.identity.schemas import check_url
from shared.schemas import ApiModel, LongText, StrictInput, StrictInt
from shared.schemas import Text as SafeText

OrderStatus = Literal["pending", "confirmed", "processing", "shipped", "delivered", "cancelled", "refunded"]
Text = Annotated[SafeText, Field(min_length=1, max_length=255)]
Cents = Annotated[StrictInt, Field(ge=1, le=99_999_999, description="Integer cents")]


class Address(StrictInput):
    first_name: Text
    last_name: Text
    company: Text | None = None
    address1: Text
    address2: Text | None = None
    city: Text
    state: Text | None = None
    postal_code: Annotated[SafeText, Field(min_length=1, max_length=20)]
    country: Annotated[SafeText, Field(min_length=2, max_length=56, description="ISO 3166 code or name")]
    phone: Annotated[SafeText, Field(min_length=3, max_length=40)] | None = None


class CreateOrderRequest(StrictInput):
    """Lines, prices, amounts and status are never accepted: they come from the cart and products."""

    shipping_address: Address
    billing_address: Address | None = None
    notes: Annotated[LongText, Field(max_length=1_000)] | None = None


class ShipOrderRequest(StrictInput):
    tracking_number: Annotated[SafeText, Field(min_length=1, max_length=100)]
    tracking_url: Annotated[SafeText, Field(max_length=500)] | None = None

    @field_validator("tracking_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_url(value) if value is not None else None


class CancelOrderRequest(StrictInput):
    reason: Annotated[LongText, Field(min_length=1, max_length=500)] | None = None


class RefundOrderRequest(StrictInput):
    amount: Cents | None = Field(default=None, description="Integer cents; the whole refundable amount when omitted")
    reason: Annotated[LongText, Field(min_length=1, max_length=500)] | None = None


class OrderLineOut(ApiModel):
    product_id: str
    seller_id: str
    name: str
    slug: str | None = None
    sku: str | None = None
    image: str | None = None
    unit_price: int
    quantity: int
    line_total: int


class AddressOut(ApiModel):
    first_name: str
    last_name: str
    company: str | None = None
    address1: str
    address2: str | None = None
    city: str
    state: str | None = None
    postal_code: str
    country: str
    phone: str | None = None


class PaymentOut(ApiModel):
    payment_intent_id: str
    status: str
    amount: int
    currency: str
    amount_refunded: int = 0
    card_brand: str | None = None
    card_last4: str | None = None
    failure_reason: str | None = None
    created_at: str
    updated_at: str


class OrderOut(ApiModel):
    id: str
    order_number: str
    user_id: str
    status: OrderStatus
    currency: str
    subtotal: int
    tax_amount: int
    shipping_amount: int
    discount_amount: int
    total_amount: int
    paid_amount: int
    refunded_amount: int
    items: list[OrderLineOut]
    item_count: int
    shipping_address: AddressOut
    billing_address: AddressOut | None = None
    notes: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    payment_intent_id: str | None = None
    paid_at: str | None = None
    shipped_at: str | None = None
    delivered_at: str | None = None
    cancelled_at: str | None = None
    cancellation_reason: str | None = None
    refunded_at: str | None = None
    created_at: str
    updated_at: str
    payments: list[PaymentOut] | None = Field(default=None, description="On the order detail only")
