"""Low-stock crossings, decided from a product's stream record (pure; no I/O).

A product is *low* while ``stockQuantity <= lowStockThreshold``. A MODIFY that makes a live
product (``active`` or ``out_of_stock``) low when it was not is a **crossing**: its seller is
emailed once for it (the email's business key is the product and the ``version`` the crossing
wrote, and the consumer applies each stream record once). Rising above the threshold again
re-arms the alert. Creating a product that starts low, or a draft running low, lists it but
emails nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

LIVE_STATUSES = ("active", "out_of_stock")
DEFAULT_THRESHOLD = 10  # the product model's default (the seed's)


@dataclass(frozen=True)
class Snapshot:
    product_id: str
    seller_id: str
    name: str
    stock: int
    threshold: int
    status: str
    version: int


@dataclass(frozen=True)
class Decision:
    """``keep``: put (or refresh) the product's low-stock entry; ``clear``: delete it;
    ``email``: owe the seller the alert for this crossing."""

    action: Literal["keep", "clear"]
    product: Snapshot
    email: bool = False


def snapshot(image: Mapping[str, Any] | None) -> Snapshot | None:
    if not image or image.get("productId") is None or image.get("sellerId") is None:
        return None
    threshold = image.get("lowStockThreshold")
    return Snapshot(
        product_id=str(image["productId"]),
        seller_id=str(image["sellerId"]),
        name=str(image.get("name") or ""),
        stock=int(image.get("stockQuantity") or 0),
        threshold=int(threshold) if threshold is not None else DEFAULT_THRESHOLD,
        status=str(image.get("status") or ""),
        version=int(image.get("version") or 0),
    )


def is_low(product: Snapshot | None) -> bool:
    return product is not None and product.stock <= product.threshold


def decide(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> Decision | None:
    """What a product record means for its low-stock entry; ``None``: nothing to write."""
    before, after = snapshot(old), snapshot(new)
    if after is None:
        return Decision("clear", before) if is_low(before) and before is not None else None
    if not is_low(after):
        return Decision("clear", after) if is_low(before) else None
    crossed = before is not None and not is_low(before)
    if not crossed and before is not None and _listed(before) == _listed(after):
        return None  # low before and after, nothing the listing shows changed
    return Decision("keep", after, email=crossed and after.status in LIVE_STATUSES)


def _listed(product: Snapshot) -> tuple[Any, ...]:
    return (product.name, product.stock, product.threshold, product.seller_id)
