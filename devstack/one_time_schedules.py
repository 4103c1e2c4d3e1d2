"""EventBridge Scheduler's one-time schedules created at run time (a delayed job's ``at(...)``),
which moto stores but never fires: fired at their time by :class:`OneTimeSchedules`."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from devstack.schedule_expressions import At, parse_expression
from devstack.schedules import Log
from devstack.stack import Stack


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
