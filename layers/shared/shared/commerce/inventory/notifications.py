"""The seller's low-stock email, owed through the outbox with the entry the crossing writes."""

from __future__ import annotations

from shared.commerce.inventory.alerts import Snapshot
from shared.identity.models import UserItem
from shared.messaging.email import EmailMessage, owed_email
from shared.messaging.owed import Owed
from shared.settings import get_settings


def low_stock(seller: UserItem, product: Snapshot) -> Owed:
    """One per crossing: the key names the product and the version the crossing wrote."""
    base = get_settings().frontend_url.rstrip("/")
    return owed_email(
        EmailMessage(
            id=f"low-stock:{product.product_id}:{product.version}",
            template="low_stock",
            to=seller.email,
            data={
                "name": seller.name,
                "productName": product.name,
                "productId": product.product_id,
                "stock": product.stock,
                "threshold": product.threshold,
                "dashboardUrl": f"{base}/dashboard/seller",
            },
        )
    )
