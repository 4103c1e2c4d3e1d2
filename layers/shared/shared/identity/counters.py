"""User statistics kept as counters, changed in the transactions that change users.

Access patterns
===============

==============================  ======================================================
Who reads what                  Key
==============================  ======================================================
admin: totals by role/status    ``PK=USERSTATS``, ``SK=ALL`` (GetItem)
admin: new users, last 30 days  Query ``PK=USERSTATS``, ``SK`` between ``DAY#<d-29>``
                                and ``DAY#<d>`` (at most 30 items; each kept 40 days)
==============================  ======================================================

Registration (:func:`added`), a role or status change (:func:`moved`) and a deletion
(:func:`removed`) add their ``ADD`` updates to their own transaction, so the counters equal the
users they count. Accounts created before this existed are not counted: the counters start at
deploy (an operator who needs them to cover older accounts can run a one-off backfill; none is
built, because every account created since is counted exactly).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute
from pynamodb.transactions import TransactWrite

from shared.clock import now
from shared.data.table import Item

STATS_PK = "USERSTATS"
ALL_SK = "ALL"
DAY_PREFIX = "DAY#"
DAY_RETENTION = timedelta(days=40)
ROLES = ("customer", "seller", "admin")
STATUSES = ("pending", "approved", "rejected", "suspended")


class UserCounterItem(Item, discriminator="USER_COUNTER"):
    total = NumberAttribute(default=0)
    role_customer = NumberAttribute(default=0, attr_name="roleCustomer")
    role_seller = NumberAttribute(default=0, attr_name="roleSeller")
    role_admin = NumberAttribute(default=0, attr_name="roleAdmin")
    status_pending = NumberAttribute(default=0, attr_name="statusPending")
    status_approved = NumberAttribute(default=0, attr_name="statusApproved")
    status_rejected = NumberAttribute(default=0, attr_name="statusRejected")
    status_suspended = NumberAttribute(default=0, attr_name="statusSuspended")


class UserDayItem(Item, discriminator="USER_DAY"):
    """Registrations on one UTC day."""

    registrations = NumberAttribute(default=0, attr_name="count")


def _day(moment: str | datetime) -> str:
    value = datetime.fromisoformat(moment.replace("Z", "+00:00")) if isinstance(moment, str) else moment
    return value.date().isoformat()


def _all(tx: TransactWrite, changes: dict[str, int]) -> None:
    actions: list[Any] = [getattr(UserCounterItem, name).add(delta) for name, delta in changes.items() if delta]
    if actions:
        tx.update(UserCounterItem(STATS_PK, ALL_SK), actions=[*actions, Item.item_type.set(UserCounterItem)])


def _day_count(tx: TransactWrite, created_at: str, delta: int) -> None:
    day = _day(created_at)
    if date.fromisoformat(day) < now().date() - timedelta(days=35):
        return  # its day counter is gone (or about to be): nothing to correct
    expires = datetime.fromisoformat(day).replace(tzinfo=now().tzinfo) + DAY_RETENTION
    actions: list[Any] = [UserDayItem.registrations.add(delta), Item.item_type.set(UserDayItem), Item.ttl.set(expires)]
    tx.update(UserDayItem(STATS_PK, f"{DAY_PREFIX}{day}"), actions=actions)


def added(tx: TransactWrite, role: str, status: str, created_at: str) -> None:
    _all(tx, {"total": 1, f"role_{role}": 1, f"status_{status}": 1})
    _day_count(tx, created_at, 1)


def moved(tx: TransactWrite, old: tuple[str, str], new: tuple[str, str]) -> None:
    """(role, status) from ``old`` to ``new``."""
    changes: dict[str, int] = {}
    for prefix, before, after in (("role_", old[0], new[0]), ("status_", old[1], new[1])):
        if before != after:
            changes[prefix + before] = changes.get(prefix + before, 0) - 1
            changes[prefix + after] = changes.get(prefix + after, 0) + 1
    _all(tx, changes)


def removed(tx: TransactWrite, role: str, status: str, created_at: str) -> None:
    _all(tx, {"total": -1, f"role_{role}": -1, f"status_{status}": -1})
    _day_count(tx, created_at, -1)


def read() -> dict[str, Any]:
    """``{total, byRole, byStatus, newLast7Days, newLast30Days}``: one GetItem, one Query."""
    today = now().date()
    totals: UserCounterItem | None
    try:
        found = Item.get(STATS_PK, ALL_SK, consistent_read=True)
        totals = found if isinstance(found, UserCounterItem) else None
    except Item.DoesNotExist:
        totals = None
    first = (today - timedelta(days=29)).isoformat()
    days = Item.query(STATS_PK, Item.sk.between(f"{DAY_PREFIX}{first}", f"{DAY_PREFIX}{today.isoformat()}"))
    week_start = (today - timedelta(days=6)).isoformat()
    last7 = last30 = 0
    for item in days:
        if isinstance(item, UserDayItem):
            count = max(0, int(item.registrations or 0))
            last30 += count
            if item.sk.removeprefix(DAY_PREFIX) >= week_start:
                last7 += count

    def value(name: str) -> int:
        return max(0, int(getattr(totals, name) or 0)) if totals is not None else 0

    return {
        "total": value("total"),
        "by_role": {role: value(f"role_{role}") for role in ROLES},
        "by_status": {status: value(f"status_{status}") for status in STATUSES},
        "new_last_7_days": last7,
        "new_last_30_days": last30,
    }
