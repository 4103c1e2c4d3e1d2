"""Dashboard API models. Amounts are integer cents in ``currency``."""

from __future__ import annotations

from pydantic import Field

from shared.schemas import ApiModel


class DayOut(ApiModel):
    date: str
    orders: int
    gmv: int
    refunds: int


class OrdersOut(ApiModel):
    count: int = Field(description="Orders paid in the range")
    by_status: dict[str, int] = Field(description="The orders paid in the range, by their status now")


class TopProductOut(ApiModel):
    product_id: str
    name: str
    units: int
    revenue: int


class TopSellerOut(ApiModel):
    seller_id: str
    store_name: str | None
    orders: int
    revenue: int


class DashboardOut(ApiModel):
    currency: str
    from_: str = Field(alias="from")
    to: str
    gmv: int
    refunds: int
    net_revenue: int
    platform_fees: int
    orders: OrdersOut
    average_order_value: int
    new_customers: int
    new_sellers: int
    daily: list[DayOut]
    top_products: list[TopProductOut]
    top_sellers: list[TopSellerOut]
