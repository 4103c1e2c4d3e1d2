"""Data access for seller profiles."""

from __future__ import annotations

from typing import Any

from shared.commerce.sellers.models import SellerProfileItem, profile_key
from shared.data.table import Item
from shared.data.transactions import delete_if
from shared.identity.models import PROFILE_SK, UserItem, user_pk


def get_profiles(user_ids: list[str]) -> dict[str, SellerProfileItem]:
    """The store profiles of these sellers (missing ones are absent), in one batch read."""
    if not user_ids:
        return {}
    found = Item.batch_get([profile_key(uid) for uid in dict.fromkeys(user_ids)])
    return {item.user_id: item for item in found if isinstance(item, SellerProfileItem)}


def get_seller(user_id: str) -> tuple[UserItem | None, SellerProfileItem | None]:
    """The account and its store profile in one consistent batch read."""
    user: UserItem | None = None
    profile: SellerProfileItem | None = None
    for item in Item.batch_get([(user_pk(user_id), PROFILE_SK), profile_key(user_id)], consistent_read=True):
        if isinstance(item, UserItem):
            user = item
        elif isinstance(item, SellerProfileItem):
            profile = item
    return user, profile


def store_names(user_ids: list[str]) -> dict[str, str]:
    """Each seller's store name, or their account name when the store has none, in one batch
    read of both items (sellers that do not exist are absent)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    keys = [key for uid in ids for key in ((user_pk(uid), PROFILE_SK), profile_key(uid))]
    accounts: dict[str, str] = {}
    stores: dict[str, str] = {}
    for item in Item.batch_get(keys):
        if isinstance(item, UserItem):
            accounts[item.user_id] = item.name
        elif isinstance(item, SellerProfileItem) and item.store_name:
            stores[item.user_id] = item.store_name
    return {uid: stores.get(uid) or accounts[uid] for uid in ids if uid in stores or uid in accounts}


def upsert_profile(user_id: str, at: str, **fields: Any) -> SellerProfileItem:
    """Set the given profile fields (``None`` removes one); creates the profile on first write."""
    item = SellerProfileItem(*profile_key(user_id))
    actions: list[Any] = [
        SellerProfileItem.user_id.set(user_id),
        SellerProfileItem.updated_at.set(at),
        Item.item_type.set(SellerProfileItem),
    ]
    for name, value in fields.items():
        attribute = getattr(SellerProfileItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    item.update(actions=actions)
    return item


def delete_profile(user_id: str) -> bool:
    """Delete the store profile (the store page); returns whether there was one."""
    return delete_if(SellerProfileItem(*profile_key(user_id)))
