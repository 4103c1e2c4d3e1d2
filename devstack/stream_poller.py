"""DynamoDB streams polled and delivered to their functions, as Lambda's event source mapping
does (``Events: {Type: DynamoDB}``).

``GetRecords`` from every shard of the stream, starting at ``StartingPosition``, ``BatchSize``
records per invocation, keeping only the records that ``FilterCriteria`` match (see
:mod:`devstack.filters`; a batch with none invokes nothing). A failed batch is retried (after a
second) from the start, or with ``ReportBatchItemFailures`` from the lowest failed sequence number,
up to ``MaximumRetryAttempts`` (-1 or absent: until it succeeds, as in AWS). With
``BisectBatchOnFunctionError`` a batch whose invocation raises is split in halves, each invoked on
its own, down to the failing record. Once the retries are spent, the failing record (the rest of
the batch when no record is named) is skipped and, with a ``DestinationConfig.OnFailure`` SQS
queue, described there as Lambda does (``DDBStreamBatchInfo``). ``MaximumRecordAgeInSeconds`` is
not emulated. A cancelled transaction streams nothing (see :mod:`devstack.moto_streams`).
"""

from __future__ import annotations

import json
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from devstack.events import stream_record
from devstack.filters import accepts, parse_filters
from devstack.moto_streams import keep_streams_through_cancellations
from devstack.pollers import Log, client, enabled, failed_identifiers, getatt_resource
from devstack.stack import Stack


@dataclass(frozen=True)
class StreamSource:
    function: str
    event: str
    table: str  # logical id
    stream_arn: str
    batch_size: int = 100
    starting_position: str = "LATEST"
    report_failures: bool = False
    max_retries: int = -1
    enabled: bool = True
    filters: tuple[dict[str, Any], ...] = ()
    bisect: bool = False
    on_failure_queue: str | None = None  # logical id of the OnFailure SQS destination
    on_failure_queue_url: str | None = None

    def describe(self) -> str:
        parts = [f"batch {self.batch_size}", f"from {self.starting_position}"]
        if self.filters:
            parts.append(f"{len(self.filters)} filter(s)")
        if self.report_failures:
            parts.append("partial failures")
        if self.bisect:
            parts.append("bisect")
        if self.max_retries >= 0:
            parts.append(f"max {self.max_retries} retries")
        if self.on_failure_queue:
            parts.append(f"on failure -> {self.on_failure_queue}")
        if not self.enabled:
            parts.append("DISABLED")
        return ", ".join(parts)


def stream_sources(stack: Stack) -> list[StreamSource]:
    found: list[StreamSource] = []
    for function, spec in stack.functions.items():
        for event_name, event in spec.events.items():
            if event.get("Type") != "DynamoDB":
                continue
            props = event.get("Properties") or {}
            stream = props.get("Stream")
            table = getatt_resource(stream)
            if not table:
                arn = str(stack.intrinsics.resolve(stream))
                table = next((name for name, value in stack.resources.stream_arns.items() if value == arn), "")
            if table not in stack.resources.stream_arns:
                raise ValueError(f"{function}.{event_name}: {stream!r} is not the stream of a table in the template")
            on_failure = _on_failure_queue(stack, f"{function}.{event_name}", props)
            found.append(
                StreamSource(
                    function=function,
                    event=event_name,
                    table=table,
                    stream_arn=stack.resources.stream_arns[table],
                    batch_size=int(props.get("BatchSize", 100)),
                    starting_position=str(props.get("StartingPosition", "LATEST")),
                    report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                    max_retries=int(props.get("MaximumRetryAttempts", -1)),
                    enabled=enabled(props),
                    filters=parse_filters(props.get("FilterCriteria")),
                    bisect=props.get("BisectBatchOnFunctionError") in (True, "true", "True"),
                    on_failure_queue=on_failure,
                    on_failure_queue_url=stack.resources.queue_urls[on_failure] if on_failure else None,
                )
            )
    return found


def _on_failure_queue(stack: Stack, where: str, props: dict[str, Any]) -> str | None:
    """The logical id of the event's ``DestinationConfig.OnFailure`` queue, if it has one.

    Raises :class:`ValueError` for a destination that is not a queue of the template.
    """
    on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure")) or {}
    target = on_failure.get("Destination")
    if target is None:
        return None
    queue = getatt_resource(target) or stack.resources.queue_by_arn(str(stack.intrinsics.resolve(target))) or ""
    if queue not in stack.resources.queue_urls:
        raise ValueError(f"{where}: on-failure destination {target!r} is not a queue of the template")
    return queue


class StreamPoller(threading.Thread):
    def __init__(
        self,
        source: StreamSource,
        stack: Stack,
        stop: threading.Event,
        log: Log = print,
        interval: float = 0.5,
    ) -> None:
        super().__init__(name=f"stream-{source.function}-{source.event}", daemon=True)
        self.source = source
        self.stack = stack
        self.stop = stop
        self.log = log
        self.interval = interval
        self.streams = client("dynamodbstreams", stack)
        keep_streams_through_cancellations()
        self._iterators: dict[str, str] = {}
        self._attempts: dict[str, int] = {}
        # Take the LATEST position now, not at the first poll, so nothing written after start is lost.
        self._shards()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                delivered = self.poll_once()
            except Exception:
                if self.stop.is_set():
                    return
                self.log(f"stream {self.source.table}: polling failed:\n{traceback.format_exc()}")
                delivered = 0
            if not delivered:
                self.stop.wait(self.interval)

    def _shards(self) -> list[str]:
        description = self.streams.describe_stream(StreamArn=self.source.stream_arn)["StreamDescription"]
        shards = [str(shard["ShardId"]) for shard in description.get("Shards", [])]
        for shard in shards:
            if shard not in self._iterators:
                self._iterators[shard] = self._iterator(shard, self.source.starting_position)
        return shards

    def _iterator(self, shard: str, kind: str, sequence_number: str | None = None) -> str:
        kwargs: dict[str, Any] = {"StreamArn": self.source.stream_arn, "ShardId": shard, "ShardIteratorType": kind}
        if sequence_number is not None:
            kwargs["SequenceNumber"] = sequence_number
        return str(self.streams.get_shard_iterator(**kwargs)["ShardIterator"])

    def poll_once(self) -> int:
        """Deliver at most one batch per shard; returns the number of records read."""
        return sum(self._poll_shard(shard) for shard in self._shards())

    def _poll_shard(self, shard: str) -> int:
        source = self.source
        response = self.streams.get_records(ShardIterator=self._iterators[shard], Limit=source.batch_size)
        read: list[dict[str, Any]] = response.get("Records", [])
        records = [record for record in read if accepts(source.filters, stream_record(record, source.stream_arn))]
        if not records:
            self._iterators[shard] = response["NextShardIterator"]
            self._attempts.pop(shard, None)
            return len(read)
        sequence_numbers = [str(record["dynamodb"]["SequenceNumber"]) for record in records]
        started = time.monotonic()
        failed_at = self._deliver(records)
        retry_from = None if failed_at is None else sequence_numbers[failed_at]
        ms = (time.monotonic() - started) * 1000
        status = "ok" if retry_from is None else f"failed from {retry_from}"
        self.log(f"stream {source.table} -> {source.function} {len(records)} record(s), {status} {ms:.0f}ms")
        if failed_at is None:
            self._iterators[shard] = response["NextShardIterator"]
            self._attempts.pop(shard, None)
            return len(read)
        attempts = self._attempts.get(shard, 0) + 1
        if 0 <= source.max_retries < attempts:
            # Bisecting or per-record failures name the record that fails: only it is skipped.
            identified = source.bisect or source.report_failures
            skipped = records[failed_at : failed_at + 1] if identified else records[failed_at:]
            self.log(
                f"stream {source.table}: giving up after {attempts - 1} retries ({len(skipped)} record(s) skipped)"
            )
            self._send_to_on_failure(shard, skipped, attempts)
            resume = failed_at + len(skipped)
            if resume < len(records):
                self._iterators[shard] = self._iterator(shard, "AT_SEQUENCE_NUMBER", sequence_numbers[resume])
            else:
                self._iterators[shard] = response["NextShardIterator"]
            self._attempts.pop(shard, None)
            return len(read)
        self._attempts[shard] = attempts
        self._iterators[shard] = self._iterator(shard, "AT_SEQUENCE_NUMBER", retry_from)
        self.stop.wait(1)
        return len(read)

    def _deliver(self, records: list[dict[str, Any]]) -> int | None:
        """Invoke the function with ``records``; returns the index of the first record to retry
        from (``None``: all done). Bisects a batch whose invocation raised, if asked to."""
        source = self.source
        event = {"Records": [stream_record(record, source.stream_arn) for record in records]}
        sequence_numbers = [str(record["dynamodb"]["SequenceNumber"]) for record in records]
        try:
            result = self.stack.invoker.invoke(source.function, event)
        except Exception:
            self.log(f"stream {source.table} -> {source.function} raised:\n{traceback.format_exc()}")
            if not source.bisect or len(records) == 1:
                return 0
            middle = len(records) // 2
            self.log(f"stream {source.table} -> {source.function}: bisecting {len(records)} records")
            first = self._deliver(records[:middle])
            if first is not None:
                return first
            second = self._deliver(records[middle:])
            return None if second is None else middle + second
        if source.report_failures:
            failed = failed_identifiers(result, sequence_numbers)
            if failed:
                return sequence_numbers.index(min(failed, key=int))
        return None

    def _send_to_on_failure(self, shard: str, records: list[dict[str, Any]], attempts: int) -> None:
        """Describe the skipped records on the on-failure queue, as Lambda does for streams."""
        source, res = self.source, self.stack.resources
        if not source.on_failure_queue_url or not records:
            return

        def arrival(record: dict[str, Any]) -> str:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            moment = created if isinstance(created, datetime) else datetime.now(UTC)
            return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{res.region}:{res.account}:function:{source.function}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": str(records[0]["dynamodb"]["SequenceNumber"]),
                "endSequenceNumber": str(records[-1]["dynamodb"]["SequenceNumber"]),
                "approximateArrivalOfFirstRecord": arrival(records[0]),
                "approximateArrivalOfLastRecord": arrival(records[-1]),
                "batchSize": len(records),
                "streamArn": source.stream_arn,
            },
        }
        client("sqs", self.stack).send_message(QueueUrl=source.on_failure_queue_url, MessageBody=json.dumps(message))
        self.log(f"stream {source.table}: {len(records)} record(s) described on {source.on_failure_queue}")
