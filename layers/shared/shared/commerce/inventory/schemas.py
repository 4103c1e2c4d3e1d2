"""Low-stock API models."""

from __future__ import annotations

from shared.schemas import ApiModel


class LowStockOut(ApiModel):
    product_id: str
    name: str
    slug: str | None
    status: str | None
    stock_quantity: int
    low_stock_threshold: int
