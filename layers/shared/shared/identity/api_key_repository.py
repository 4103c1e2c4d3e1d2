"""API keys of integrations (the assistant posting into threads): the only module building their keys.

Access patterns
===============

=====================================  ===============================================================
Who reads what                         Key / index
=====================================  ===============================================================
a key presented in ``X-Api-Key``       ``PK=APIKEY#<keyId>``, ``SK=APIKEY`` (consistent GetItem on every
(every request it makes)               request: a revoked key is refused at once, nothing is cached)
admin: the keys, newest first          Query GSI1 ``GSI1PK=APIKEYS``, ``GSI1SK=<createdAt>#<keyId>``
=====================================  ===============================================================

The item holds the SHA-256 of the whole key, never the key; revoking deletes it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import is_condition_failure

KEY_SK = "APIKEY"
LIST_PK = "APIKEYS"


def key_pk(key_id: str) -> str:
    return f"APIKEY#{key_id}"


class ApiKeyItem(Item, discriminator="API_KEY"):
    key_id = UnicodeAttribute(attr_name="keyId")
    name = UnicodeAttribute()
    scopes = ListAttribute[str](default=list)
    prefix = UnicodeAttribute()
    key_hash = UnicodeAttribute(attr_name="keyHash")
    created_by = UnicodeAttribute(attr_name="createdBy")
    created_at = UnicodeAttribute(attr_name="createdAt")


def new_key(key_id: str, created_at: str, **fields: Any) -> ApiKeyItem:
    item = ApiKeyItem(key_pk(key_id), KEY_SK, key_id=key_id, created_at=created_at, **fields)
    item.gsi1pk, item.gsi1sk = LIST_PK, f"{created_at}#{key_id}"
    return item


def create(item: ApiKeyItem) -> None:
    item.save(condition=Item.pk.does_not_exist())


def get(key_id: str) -> ApiKeyItem | None:
    try:
        found = Item.get(key_pk(key_id), KEY_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ApiKeyItem) else None


def page(*, limit: int, position: dict[str, Any] | None) -> Page[ApiKeyItem]:
    run = partial(Item.gsi1.query, LIST_PK, scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI1")


def delete(key_id: str) -> bool:
    """Delete the key; False when there was none."""
    try:
        ApiKeyItem(key_pk(key_id), KEY_SK).delete(condition=Item.pk.exists())
    except DeleteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
