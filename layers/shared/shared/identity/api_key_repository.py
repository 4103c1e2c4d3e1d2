"""API keys of integrations (the assistant posting into threads): the only module building their keys.

Access patterns
===============

=====================================  ===============================================================
Who reads what                         Key / index
=====================================  ===============================================================
a key presented in ``X-Api-Key``       ``PK=APIKEY#<keyId>``, ``SK=APIKEY`` (consistent GetItem on every
(every request it makes)               request: a revoked key is refused at once, nothing is cached)
admin: the keys, newest first          Query GSI1 ``GSI1PK=APIKEYS``, ``GSI1SK=<createdAt>#<keyId>``
erasure: the keys an account created   Query GSI2 ``GSI2PK=APIKEYS#CREATOR#<userId>``,
                                       ``GSI2SK=<createdAt>#<keyId>`` (sparse: anonymising removes it)
=====================================  ===============================================================

The item holds the SHA-256 of the whole key, never the key; revoking deletes it. The creator
index is written with each key since account erasure came; keys created before it are not in it
(a new product: there were none to backfill).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import delete_if, update_if

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
    item.gsi2pk, item.gsi2sk = creator_partition(item.created_by), item.gsi1sk
    return item


def creator_partition(user_id: str) -> str:
    return f"APIKEYS#CREATOR#{user_id}"


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
    return delete_if(ApiKeyItem(key_pk(key_id), KEY_SK))


def created_by(user_id: str, page_size: int) -> Iterator[ApiKeyItem]:
    """The keys ``user_id`` created, read ``page_size`` at a time. The index is eventually
    consistent: one anonymised a moment ago may still be listed (:func:`replace_creator` then
    changes nothing)."""
    found = Item.gsi2.query(creator_partition(user_id), page_size=page_size)
    return (item for item in found if isinstance(item, ApiKeyItem))


def replace_creator(item: ApiKeyItem, user_id: str, placeholder: str) -> bool:
    """Name ``placeholder`` as the key's creator instead of ``user_id`` (and leave the creator
    index); ``False`` when the key is gone or already anonymised."""
    return update_if(
        ApiKeyItem(item.pk, item.sk),
        [ApiKeyItem.created_by.set(placeholder), Item.gsi2pk.remove(), Item.gsi2sk.remove()],
        Item.pk.exists() & (ApiKeyItem.created_by == user_id),
    )
