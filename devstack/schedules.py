"""Schedules of the template, locally: every ``Schedule`` / ``ScheduleV2`` event of every
function, fired by a scheduler thread at its ``rate(...)`` / ``cron(...)`` / ``at(...)`` times
(:mod:`devstack.schedule_expressions`), and on demand. An expression the local stack cannot parse
(``L``, ``W``, ``#``) leaves its schedule listed but fired only on demand. Times are UTC unless a
ScheduleV2 sets ``ScheduleExpressionTimezone``.

The function receives the event's ``Input`` (parsed as JSON) when it has one, otherwise an
EventBridge ``Scheduled Event``. The schedules created at run time are
:mod:`devstack.one_time_schedules`.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devstack.events import scheduled_event
from devstack.schedule_expressions import Expression, parse_expression
from devstack.stack import Stack

Log = Callable[[str], None]


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
