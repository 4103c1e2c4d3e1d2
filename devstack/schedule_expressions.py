"""EventBridge schedule expressions: ``rate(...)``, ``cron(...)`` and ``at(...)``, parsed, and
the next time each fires after a given moment.

``rate(1 minute)``, ``rate(5 minutes|hours|days)``; ``cron(min hour day-of-month month day-of-week
year)`` with ``*``, ``?``, values, ranges, lists, steps (``0/15``, ``*/5``, ``MON-FRI``, ``JAN``);
day-of-week 1-7 is SUN-SAT. ``L``, ``W`` and ``#`` are not supported (:func:`parse_expression`
raises ``ValueError``). Times are UTC unless a zone is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


def _zone(name: str) -> tzinfo:
    """UTC without the tz database (which some machines lack); other zones through zoneinfo."""
    return UTC if name.upper() in ("UTC", "ETC/UTC", "GMT", "Z") else ZoneInfo(name)


class Expression(Protocol):
    def next_after(self, moment: datetime) -> datetime | None: ...


@dataclass(frozen=True)
class Rate:
    period: timedelta

    def next_after(self, moment: datetime) -> datetime | None:
        return moment + self.period


@dataclass(frozen=True)
class At:
    when: datetime

    def next_after(self, moment: datetime) -> datetime | None:
        return self.when if self.when > moment else None


_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: i + 1 for i, name in enumerate(_MONTH_NAMES)}
_DAYS = {name: i + 1 for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The values a cron field allows; ``None`` for ``*``/``?`` (any)."""
    text = text.strip().upper()
    if text in ("*", "?"):
        return None
    if re.search(r"[LW#]", re.sub(r"[A-Z]{3}", "", text)):
        raise ValueError(f"cron field {text!r}: L, W and # are not supported locally")
    values: set[int] = set()

    def number(token: str) -> int:
        if names and token in names:
            return names[token]
        if not token.isdigit():
            raise ValueError(f"cron field {text!r}: bad value {token!r}")
        return int(token)

    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"cron field {text!r}: bad step")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(base)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"cron field {text!r}: out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days: frozenset[int] | None
    months: frozenset[int] | None
    weekdays: frozenset[int] | None  # 1 = Sunday
    years: frozenset[int] | None
    zone: str = "UTC"

    @classmethod
    def parse(cls, body: str, zone: str = "UTC") -> Cron:
        fields = body.split()
        if len(fields) != 6:
            raise ValueError(f"cron({body}): EventBridge cron expressions have 6 fields")
        return cls(
            minutes=_field(fields[0], 0, 59),
            hours=_field(fields[1], 0, 23),
            days=_field(fields[2], 1, 31),
            months=_field(fields[3], 1, 12, _MONTHS),
            weekdays=_field(fields[4], 1, 7, _DAYS),
            years=_field(fields[5], 1970, 2199),
            zone=zone,
        )

    def _day_matches(self, day: datetime) -> bool:
        weekday = (day.weekday() + 1) % 7 + 1  # Python Monday=0 -> EventBridge Sunday=1
        return (
            (self.years is None or day.year in self.years)
            and (self.months is None or day.month in self.months)
            and (self.days is None or day.day in self.days)
            and (self.weekdays is None or weekday in self.weekdays)
        )

    def next_after(self, moment: datetime) -> datetime | None:
        zone = _zone(self.zone)
        local = moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
        hours = sorted(self.hours) if self.hours is not None else list(range(24))
        minutes = sorted(self.minutes) if self.minutes is not None else list(range(60))
        day = local.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in hours:
                    for minute in minutes:
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= local:
                            return candidate.replace(tzinfo=zone).astimezone(UTC)
            day += timedelta(days=1)
        return None


_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.I)
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


def parse_expression(expression: str, zone: str = "UTC") -> Expression:
    """Parse ``rate(...)``, ``cron(...)`` or ``at(...)``; raises ``ValueError``."""
    text = expression.strip()
    found = _RATE.match(text)
    if found:
        value, unit = int(found.group(1)), found.group(2).lower()
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise ValueError(f"{text}: use 'rate(1 minute)' or 'rate(N minutes)' with N > 1")
        return Rate(_UNITS[unit.rstrip("s")] * value)
    if text.startswith("cron(") and text.endswith(")"):
        return Cron.parse(text[5:-1], zone)
    if text.startswith("at(") and text.endswith(")"):
        when = datetime.fromisoformat(text[3:-1]).replace(tzinfo=_zone(zone))
        return At(when.astimezone(UTC))
    raise ValueError(f"unsupported schedule expression {text!r}")
