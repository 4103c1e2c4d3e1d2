"""SQS queues polled and delivered to their functions, as Lambda's event source mapping does
(``Events: {Type: SQS}``).

``ReceiveMessage`` with the event's ``BatchSize`` (gathering up to
``MaximumBatchingWindowInSeconds``), up to ``ScalingConfig.MaximumConcurrency`` batches at once
(within the function's worker pool, see :mod:`devstack.workers`), the queue's visibility timeout
(``LOCAL_VISIBILITY_TIMEOUT`` overrides it), records shaped as Lambda sends them. After the
invocation the poller deletes the records that succeeded: with ``ReportBatchItemFailures`` every
record not in ``batchItemFailures``, otherwise all or nothing; an exception fails the whole batch.
Failed records reappear after the visibility timeout (or the one the function set with
``ChangeMessageVisibility``, as a job's backoff does: the poller never resets it), messages sent
with ``DelaySeconds`` appear once it ran out (moto keeps both; the poller short-polls an idle queue
every :data:`IDLE_POLL_SECONDS`), and moto's ``ReceiveMessage`` moves a message to the queue's DLQ
once its receive count reached the redrive policy's ``maxReceiveCount`` (as SQS does).
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

from devstack.events import sqs_event_from_messages
from devstack.pollers import Log, client, enabled, failed_identifiers, getatt_resource
from devstack.stack import Stack

# Short polls this far apart on an idle queue. moto's long poll notices a message that becomes
# visible (its DelaySeconds or a ChangeMessageVisibility ran out) only at its next one-second
# tick, which would stretch a job's 2 s backoff to 3; this keeps it within a quarter second.
IDLE_POLL_SECONDS = 0.25
# The other pollers of a source (MaximumConcurrency) poll an idle queue this far apart: they add
# throughput under a backlog (a poller that got messages polls again at once), not idle load.
EXTRA_IDLE_POLL_SECONDS = 2.0


@dataclass(frozen=True)
class SqsSource:
    function: str
    event: str
    queue: str  # logical id
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    window_seconds: float = 0.0
    report_failures: bool = False
    enabled: bool = True
    visibility_timeout: int | None = None  # None: the queue's own
    max_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency

    def pollers(self, pool_size: int) -> int:
        """How many batches are in flight at once: ``MaximumConcurrency``, within the function's pool.

        One when ``LOCAL_VISIBILITY_TIMEOUT`` shortens the visibility timeout (tests): it may then
        be shorter than an invocation, and another poller would receive a record again while it
        is being processed (SQS would too, but that is not what the setting is for)."""
        if self.visibility_timeout is not None:
            return 1
        return max(1, min(self.max_concurrency or pool_size, pool_size))

    def describe(self) -> str:
        parts = [f"batch {self.batch_size}"]
        if self.max_concurrency:
            parts.append(f"max concurrency {self.max_concurrency}")
        if self.window_seconds:
            parts.append(f"window {self.window_seconds:g}s")
        if self.report_failures:
            parts.append("partial failures")
        if not self.enabled:
            parts.append("DISABLED")
        return ", ".join(parts)


def sqs_sources(stack: Stack, visibility_timeout: int | None = None) -> list[SqsSource]:
    found: list[SqsSource] = []
    for function, spec in stack.functions.items():
        for event_name, event in spec.events.items():
            if event.get("Type") != "SQS":
                continue
            props = event.get("Properties") or {}
            queue_ref = props.get("Queue")
            queue = getatt_resource(queue_ref) or (
                stack.resources.queue_by_arn(str(stack.intrinsics.resolve(queue_ref))) or ""
            )
            if queue not in stack.resources.queue_urls:
                raise ValueError(f"{function}.{event_name}: queue {queue_ref!r} is not a queue of the template")
            found.append(
                SqsSource(
                    function=function,
                    event=event_name,
                    queue=queue,
                    queue_url=stack.resources.queue_urls[queue],
                    queue_arn=stack.resources.queue_arns[queue],
                    batch_size=int(props.get("BatchSize", 10)),
                    window_seconds=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                    report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                    enabled=enabled(props),
                    visibility_timeout=visibility_timeout,
                    max_concurrency=_int_or_none((props.get("ScalingConfig") or {}).get("MaximumConcurrency")),
                )
            )
    return found


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


class SqsPoller(threading.Thread):
    """Receives and delivers one batch at a time; the server runs :meth:`SqsSource.pollers` of them
    per source, as Lambda scales its pollers up to ``MaximumConcurrency``."""

    def __init__(
        self, source: SqsSource, stack: Stack, stop: threading.Event, log: Log = print, index: int = 0
    ) -> None:
        super().__init__(name=f"sqs-{source.function}-{source.event}-{index}", daemon=True)
        self.index = index
        self.source = source
        self.stack = stack
        self.stop = stop
        self.log = log
        self.sqs = client("sqs", stack)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if not self.poll_once(wait_seconds=0):
                    self.stop.wait(IDLE_POLL_SECONDS if self.index == 0 else EXTRA_IDLE_POLL_SECONDS)
            except Exception:
                if self.stop.is_set():
                    return
                self.log(f"SQS {self.source.queue}: polling failed:\n{traceback.format_exc()}")
                self.stop.wait(1)

    def _receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "QueueUrl": self.source.queue_url,
            "MaxNumberOfMessages": max(1, min(10, count)),
            "WaitTimeSeconds": wait_seconds,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if self.source.visibility_timeout is not None:
            kwargs["VisibilityTimeout"] = self.source.visibility_timeout
        messages: list[dict[str, Any]] = self.sqs.receive_message(**kwargs).get("Messages", [])
        return messages

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch (if any) and deliver it; returns the number of records delivered."""
        source = self.source
        messages = self._receive(source.batch_size, wait_seconds)
        if not messages:
            return 0
        deadline = time.monotonic() + source.window_seconds
        while len(messages) < source.batch_size and not self.stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            more = self._receive(source.batch_size - len(messages), max(0, min(20, int(remaining))))
            if more:
                messages.extend(more)
            elif remaining < 1:
                self.stop.wait(remaining)
        self.deliver(messages)
        return len(messages)

    def deliver(self, messages: list[dict[str, Any]]) -> set[str]:
        """Invoke the function with ``messages``, delete the successes; returns the failed ids."""
        source = self.source
        ids = [m["MessageId"] for m in messages]
        started = time.monotonic()
        try:
            result = self.stack.invoker.invoke(source.function, sqs_event_from_messages(messages, source.queue_arn))
            failed = failed_identifiers(result, ids) if source.report_failures else set()
        except Exception:
            self.log(f"SQS {source.queue} -> {source.function} raised:\n{traceback.format_exc()}")
            failed = set(ids)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        ms = (time.monotonic() - started) * 1000
        self.log(f"SQS {source.queue} -> {source.function} {len(messages)} record(s), {len(failed)} failed {ms:.0f}ms")
        return failed
