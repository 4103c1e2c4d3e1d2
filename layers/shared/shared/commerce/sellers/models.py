"""Seller store profile, kept in the seller's own partition.

Access patterns
===============

=====================================  ========================================================
Who reads what                         Key / index
=====================================  ========================================================
a seller's store profile               ``PK=USER#<id>``, ``SK=SELLER_PROFILE``
profile + account (public page, me)    one BatchGetItem of ``PROFILE`` and ``SELLER_PROFILE``
sellers by status (admin review)       identity's GSI3 ``USERS#STATUS#<status>`` filtered on
                                       role, then one BatchGetItem of the page's profiles
=====================================  ========================================================
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from shared.data.table import Item
from shared.identity.models import user_pk

SELLER_PROFILE_SK = "SELLER_PROFILE"


def profile_key(user_id: str) -> tuple[str, str]:
    return user_pk(user_id), SELLER_PROFILE_SK


class SellerProfileItem(Item, discriminator="SELLER_PROFILE"):
    user_id = UnicodeAttribute(attr_name="userId")
    store_name = UnicodeAttribute(null=True, attr_name="storeName")
    description = UnicodeAttribute(null=True)
    logo_url = UnicodeAttribute(null=True, attr_name="logoUrl")
    rejection_reason = UnicodeAttribute(null=True, attr_name="rejectionReason")
    reviewed_at = UnicodeAttribute(null=True, attr_name="reviewedAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
