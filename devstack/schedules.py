"""Schedules, locally: every ``Schedule`` / ``ScheduleV2`` event of every function, fired by a
scheduler thread at its ``rate(...)`` / ``cron(...)`` / ``at(...)`` times, and on demand; and the
EventBridge Scheduler one-time schedules created at run time (a delayed job's ``at(...)``), which
moto stores but never fires, fired at their time by :class:`OneTimeSchedules`.

Expressions follow EventBridge: ``rate(1 minute)``, ``rate(5 minutes|hours|days)``; ``cron(min hour
day-of-month month day-of-week year)`` with ``*``, ``?``, values, ranges, lists, steps (``0/15``,
``*/5``, ``MON-FRI``, ``JAN``); day-of-week 1-7 is SUN-SAT. ``L``, ``W`` and ``#`` are not supported
(the schedule is then listed but only fires on demand). Times are UTC unless a ScheduleV2 sets
``ScheduleExpressionTimezone``.

The function receives the event's ``Input`` (parsed as JSON) when it has one, otherwise an
EventBridge ``Scheduled Event``.
"""

from __future__ import annotations

import json
import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from devstack.events import scheduled_event
from devstack.stack import Stack

Log = Callable[[str], None]


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


@dataclass
class Schedule:
    name: str
    function: str
    event: str  # the event's key under the function's Events
    kind: str  # Schedule | ScheduleV2
    expression: str
    zone: str = "UTC"
    input: str | None = None
    enabled: bool = True
    parsed: Expression | None = field(default=None, repr=False)
    error: str | None = None

    def __post_init__(self) -> None:
        try:
            self.parsed = parse_expression(self.expression, self.zone)
        except ValueError as exc:
            self.error = str(exc)

    def resource_arn(self, region: str, account: str) -> str:
        if self.kind == "ScheduleV2":
            return f"arn:aws:scheduler:{region}:{account}:schedule/default/{self.name}"
        return f"arn:aws:events:{region}:{account}:rule/{self.name}"

    def payload(self, region: str, account: str, at: datetime | None = None) -> Any:
        if self.input is not None:
            try:
                return json.loads(self.input)
            except ValueError:
                return self.input
        source = "aws.scheduler" if self.kind == "ScheduleV2" else "aws.events"
        return scheduled_event(self.resource_arn(region, account), region=region, account=account, source=source, at=at)

    def describe(self) -> str:
        state = "" if self.enabled else " DISABLED"
        problem = f" (on demand only: {self.error})" if self.error else ""
        return f"{self.expression}{state}{problem}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "function": self.function,
            "event": self.event,
            "type": self.kind,
            "expression": self.expression,
            "timezone": self.zone,
            "enabled": self.enabled,
            "error": self.error,
        }


def schedules_of(stack: Stack) -> list[Schedule]:
    found: list[Schedule] = []
    for function, spec in stack.functions.items():
        for event_name, event in spec.events.items():
            kind = event.get("Type")
            if kind not in ("Schedule", "ScheduleV2"):
                continue
            props = stack.intrinsics.resolve(event.get("Properties") or {})
            expression = props.get("Schedule") if kind == "Schedule" else props.get("ScheduleExpression")
            state = str(props.get("State", "ENABLED")).upper()
            enabled = props.get("Enabled", True) not in (False, "false", "False") and state != "DISABLED"
            raw_input = props.get("Input")
            found.append(
                Schedule(
                    name=str(props.get("Name") or event_name),
                    function=function,
                    event=event_name,
                    kind=str(kind),
                    expression=str(expression),
                    zone=str(props.get("ScheduleExpressionTimezone") or "UTC"),
                    input=None if raw_input is None else str(raw_input),
                    enabled=enabled,
                )
            )
    return found


class ScheduleNotFound(LookupError):
    pass


def find_schedule(schedules: list[Schedule], name: str) -> Schedule:
    """By ``Name``, event key, or ``Function.EventKey``; raises :class:`ScheduleNotFound`."""
    for key in (
        lambda s: s.name,
        lambda s: s.event,
        lambda s: f"{s.function}.{s.event}",
    ):
        matches = [schedule for schedule in schedules if key(schedule) == name]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            options = ", ".join(f"{s.function}.{s.event}" for s in matches)
            raise ScheduleNotFound(f"{name!r} is ambiguous: use one of {options}")
    known = ", ".join(s.name for s in schedules) or "none"
    raise ScheduleNotFound(f"no schedule {name!r} (known: {known})")


def fire(stack: Stack, schedule: Schedule, at: datetime | None = None) -> Any:
    """Invoke the schedule's function with its event now; returns the function's result."""
    payload = schedule.payload(stack.resources.region, stack.resources.account, at)
    return stack.invoker.invoke(schedule.function, payload)


class Scheduler(threading.Thread):
    """Fires every enabled schedule at its times (missed times while busy are skipped)."""

    def __init__(
        self,
        stack: Stack,
        schedules: list[Schedule],
        stop: threading.Event,
        log: Log = print,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.stack = stack
        self.schedules = [s for s in schedules if s.enabled and s.parsed is not None]
        self.stop = stop
        self.log = log
        self.clock = clock
        start = clock()
        self.due: dict[int, datetime | None] = {
            i: s.parsed.next_after(start) if s.parsed else None for i, s in enumerate(self.schedules)
        }

    def tick(self, now: datetime) -> list[Schedule]:
        """Fire the schedules due at ``now``; returns them."""
        fired: list[Schedule] = []
        for index, schedule in enumerate(self.schedules):
            due = self.due[index]
            if due is None or due > now:
                continue
            fired.append(schedule)
            try:
                fire(self.stack, schedule, at=due)
                self.log(f"schedule {schedule.name} -> {schedule.function} ok")
            except Exception:
                self.log(f"schedule {schedule.name} -> {schedule.function} raised:\n{traceback.format_exc()}")
            assert schedule.parsed is not None
            self.due[index] = schedule.parsed.next_after(max(now, due))
        return fired

    def run(self) -> None:
        while not self.stop.is_set():
            self.tick(self.clock())
            upcoming = [due for due in self.due.values() if due is not None]
            wait = 1.0
            if upcoming:
                wait = max(0.05, min(wait, (min(upcoming) - self.clock()).total_seconds()))
            self.stop.wait(wait)


# ------------------------------------------------------------------- one-time schedules (Scheduler)


@dataclass(frozen=True)
class OneTimeSchedule:
    """An EventBridge Scheduler schedule created at run time (a job's ``at(...)``), as moto stores it."""

    name: str
    group: str
    expression: str
    target_arn: str
    input: str
    delete_after: bool
    due: datetime | None

    def to_json(self) -> dict[str, Any]:
        queue = self.target_arn.rsplit(":", 1)[-1]
        return {
            "name": self.name,
            "group": self.group,
            "event": "at",  # listed with the template's schedules (same keys)
            "function": f"SQS {queue}",
            "type": "OneTime",
            "expression": self.expression,
            "target": self.target_arn,
            "due": self.due.isoformat().replace("+00:00", "Z") if self.due else None,
            "actionAfterCompletion": "DELETE" if self.delete_after else "NONE",
        }


class OneTimeSchedules(threading.Thread):
    """Fires the Scheduler's ``at(...)`` schedules stored in moto (which never fires them): at its
    time, a schedule's ``Input`` is sent to its SQS target, then the schedule is deleted when its
    ``ActionAfterCompletion`` is ``DELETE`` (kept and never fired again otherwise). Only SQS
    targets are emulated; others are logged and skipped."""

    def __init__(
        self,
        stack: Stack,
        stop: threading.Event,
        log: Log = print,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        interval: float = 0.5,
    ) -> None:
        super().__init__(name="one-time-schedules", daemon=True)
        self.stack = stack
        self.stop = stop
        self.log = log
        self.clock = clock
        self.interval = interval
        self.fired: set[tuple[str, str]] = set()
        self.known: dict[tuple[str, str], OneTimeSchedule | None] = {}

    def _client(self, service: str) -> Any:
        import boto3

        return boto3.client(service, region_name=self.stack.resources.region)

    def pending(self) -> list[OneTimeSchedule]:
        """Every ``at(...)`` schedule in moto, with its target and due time. Listed every tick;
        each schedule's details are read once (a job's schedule is never updated)."""
        scheduler = self._client("scheduler")
        listed: set[tuple[str, str]] = set()
        kwargs: dict[str, Any] = {}
        while True:
            page = scheduler.list_schedules(**kwargs)
            for summary in page.get("Schedules", []):
                key = (str(summary.get("GroupName") or "default"), str(summary["Name"]))
                listed.add(key)
                if key not in self.known:
                    self.known[key] = self._describe(scheduler, *key)
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
        for key in set(self.known) - listed:
            del self.known[key]
        return [schedule for schedule in self.known.values() if schedule is not None]

    @staticmethod
    def _describe(scheduler: Any, group: str, name: str) -> OneTimeSchedule | None:
        detail = scheduler.get_schedule(Name=name, GroupName=group)
        expression = str(detail.get("ScheduleExpression", ""))
        if not expression.startswith("at("):
            return None
        try:
            parsed = parse_expression(expression, str(detail.get("ScheduleExpressionTimezone") or "UTC"))
            due = parsed.when if isinstance(parsed, At) else None
        except ValueError:
            due = None
        target = detail.get("Target") or {}
        return OneTimeSchedule(
            name=name,
            group=group,
            expression=expression,
            target_arn=str(target.get("Arn", "")),
            input=str(target.get("Input", "")),
            delete_after=detail.get("ActionAfterCompletion") == "DELETE",
            due=due,
        )

    def tick(self, now: datetime) -> list[OneTimeSchedule]:
        """Fire the schedules due at ``now``; returns them."""
        fired: list[OneTimeSchedule] = []
        for schedule in self.pending():
            key = (schedule.group, schedule.name)
            if schedule.due is None or schedule.due > now or key in self.fired:
                continue
            queue = self.stack.resources.queue_by_arn(schedule.target_arn)
            if queue is None:
                self.log(f"one-time schedule {schedule.name}: target {schedule.target_arn} is not a queue; skipped")
            else:
                url = self.stack.resources.queue_urls[queue]
                self._client("sqs").send_message(QueueUrl=url, MessageBody=schedule.input)
                self.log(f"one-time schedule {schedule.name} -> {queue}")
            fired.append(schedule)
            self.fired.add(key)
            if schedule.delete_after:
                self._client("scheduler").delete_schedule(Name=schedule.name, GroupName=schedule.group)
        return fired

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.tick(self.clock())
            except Exception:
                self.log(f"one-time schedules failed:\n{traceback.format_exc()}")
            self.stop.wait(self.interval)
