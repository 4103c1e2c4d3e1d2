"""Category entity.

Access patterns
===============

==================================  ==========================================================
Who reads what                      Key / index
==================================  ==========================================================
category by id                      ``PK=CATEGORY#<id>``, ``SK=CATEGORY``
category by slug                    ``PK=UNIQUE#CATEGORY_SLUG#<slug>`` → owner id → category
all categories, by name (public)    Query GSI1 ``GSI1PK=CATEGORIES``, ``GSI1SK=<lower(name)>#<id>``
children of a category              Query GSI2 ``GSI2PK=CATEGORY_CHILDREN#<parentId>`` (``ROOT``
                                    for top-level), ``GSI2SK=<lower(name)>#<id>``
==================================  ==========================================================

The category set is small (hundreds at most), so the public list reads one GSI1 partition.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from shared.data.table import Item

CATEGORY_SK = "CATEGORY"
ROOT = "ROOT"


def category_pk(category_id: str) -> str:
    return f"CATEGORY#{category_id}"


class CategoryItem(Item, discriminator="CATEGORY"):
    category_id = UnicodeAttribute(attr_name="categoryId")
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True, attr_name="parentId")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")

    @staticmethod
    def index_keys(category_id: str, name: str, parent_id: str | None) -> dict[str, str]:
        order = f"{name.lower()}#{category_id}"
        return {
            "gsi1pk": "CATEGORIES",
            "gsi1sk": order,
            "gsi2pk": f"CATEGORY_CHILDREN#{parent_id or ROOT}",
            "gsi2sk": order,
        }
