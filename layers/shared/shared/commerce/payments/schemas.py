"""Payment API models."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.schemas import ApiModel, StrictInput, Text

OrderId = Annotated[Text, Field(min_length=1, max_length=64)]


class PaymentIntentRequest(StrictInput):
    order_id: OrderId


class ConfirmPaymentRequest(StrictInput):
    order_id: OrderId


class IntentOut(ApiModel):
    client_secret: str
    payment_intent_id: str
    amount: int
    currency: str
    status: str
