"""The admin's user directory: listing by role or status and prefix search by name or email, each
page one index Query (see the access patterns in :mod:`shared.identity.models`)."""

from __future__ import annotations

from functools import partial
from typing import Any

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.identity.models import USERS_BY_EMAIL, USERS_BY_NAME, UserItem


def list_users(*, role: str | None, status: str | None, limit: int, position: dict[str, Any] | None) -> Page[UserItem]:
    if role:
        run = partial(Item.gsi2.query, f"USERS#ROLE#{role}", scan_index_forward=False)
        filter_condition = (UserItem.status == status) if status else None
        return query_page(run, limit=limit, position=position, index="GSI2", filter_condition=filter_condition)
    if status:
        run = partial(Item.gsi3.query, f"USERS#STATUS#{status}", scan_index_forward=False)
        return query_page(run, limit=limit, position=position, index="GSI3")
    run = partial(Item.gsi1.query, "USERS", scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI1")


def search_users(
    prefix: str,
    *,
    by_email: bool,
    role: str | None,
    status: str | None,
    limit: int,
    position: dict[str, Any] | None,
) -> Page[UserItem]:
    """Users whose lowercased name (or email) starts with ``prefix``, in that order. The email
    pass leaves out users whose name also matches (the name pass lists them)."""
    conditions: list[Any] = []
    if role:
        conditions.append(UserItem.role == role)
    if status:
        conditions.append(UserItem.status == status)
    if by_email:
        conditions.append(~Item.gsi4sk.startswith(prefix))
        run = partial(Item.gsi5.query, USERS_BY_EMAIL, Item.gsi5sk.startswith(prefix))
        index = "GSI5"
    else:
        run = partial(Item.gsi4.query, USERS_BY_NAME, Item.gsi4sk.startswith(prefix))
        index = "GSI4"
    condition = None
    for part in conditions:
        condition = part if condition is None else condition & part
    return query_page(run, limit=limit, position=position, index=index, filter_condition=condition)
