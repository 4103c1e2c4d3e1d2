"""``make bench`` section for real-time: what one message costs the fan-out with N subscribed
connections (in-process, moto: ``PostToConnection`` calls and DynamoDB calls), and delivery
latency through the local stack (REST write -> table stream -> fan-out -> WebSocket frame
received), p50/p95 over :data:`LATENCY_MESSAGES` messages to 2 subscribers.

The latency part needs the local stack's WebSocket API (``/_local/info`` with ``websocketUrl``);
without it the section says so and measures nothing. ``python -m devstack.bench_realtime``
runs this section alone.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from functools import partial
from typing import Any

from devstack.metering import bench_environment, measure

TABLE = "bench-realtime"
SUBSCRIBERS = (1, 2, 10, 50)
LATENCY_MESSAGES = 100
ENV = {
    "APP_ENV": "local",
    "JWT_SECRET": "bench-signing-key-that-is-long-enough-0123456789",
    "TABLE_NAME": TABLE,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "WEBSOCKET_MANAGEMENT_ENDPOINT": "https://bench.execute-api.us-east-1.amazonaws.com/dev",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}


def posts_per_message() -> list[list[str]]:
    """A thread whose N participants each have one subscribed connection; one message posted:
    the fan-out of its stream record."""
    import boto3
    from moto import mock_aws

    from devstack.events import stream_record
    from devstack.resources import create_table

    rows: list[list[str]] = []
    with bench_environment(ENV), mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_table(dynamodb, TABLE)
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends
        from shared.data.table import configure_table
        from shared.experience import repository as threads
        from shared.experience.models import MessageItem, message_sk, thread_pk
        from shared.messaging.clients import reset_clients
        from shared.realtime import fanout, repository

        reset_clients()
        configure_table(TABLE)
        shard: Any = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[TABLE].stream_shard
        for count in SUBSCRIBERS:
            thread_id = f"bench-{count}"
            people = [threads.participant(f"u{n}", f"User {n}", "member") for n in range(count)]
            thread = threads.new_thread(
                thread_id, "2026-11-27T00:00:00.000Z", title="Bench", owner_id="u0", participants=people
            )
            thread.save()
            for n in range(count):
                connection = repository.new_connection(
                    f"c{count}-{n}=", f"u{n}", f"User {n}", "s", at="2026-11-27T00:00:00.000Z", ttl=2_000_000_000
                )
                repository.put_connection(connection)
                repository.subscribe(connection, thread_id, "2026-11-27T00:00:00.000Z")
            start = len(shard.items)
            MessageItem(
                thread_pk(thread_id),
                message_sk(f"m{count}"),
                message_id=f"m{count}",
                thread_id=thread_id,
                seq=1,
                author_id="u0",
                author_name="User 0",
                content="hello",
                created_at="2026-11-27T00:00:01.000Z",
            ).save()
            (record,) = [stream_record(item.to_json(), "arn:bench") for item in shard.items[start:]]
            meter, done, elapsed = measure(partial(fanout.deliver, record))
            rows.append([str(count), str(done.posts), str(meter.total_calls), meter.operations(), f"{elapsed:.1f}"])
    return rows


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def delivery_latency() -> list[list[str]]:
    """REST write -> ``message.created`` received, on each of two subscribed connections."""
    from devstack.process import running_stack

    with running_stack(LOCAL_SCHEDULES="off") as stack:
        if not stack.info.get("websocketUrl"):
            return [["skipped: the local stack serves no WebSocket API (/_local/info has no websocketUrl)", "", "", ""]]
        from websockets.sync.client import connect

        api = stack.api
        tokens = []
        for name in ("alice", "bob"):
            email = f"bench-{name}-{time.time_ns()}@example.com"
            res = api("POST", "/api/v1/auth/register", {"email": email, "password": "Bench-passw0rd", "name": name})
            tokens.append((str(res.data["accessToken"]), str(res.data["user"]["id"])))
        (alice, _), (bob, bob_id) = tokens
        thread = api("POST", "/api/v1/threads", {"title": "Bench", "participantIds": [bob_id]}, token=alice)
        thread_id = str(thread.data["id"])
        arrivals: dict[str, list[float]] = {}
        lock = threading.Lock()
        sockets = []
        for token in (alice, bob):
            ticket = api("POST", "/api/v1/realtime/ticket", token=token).data
            socket = connect(f"{ticket['url']}?ticket={ticket['ticket']}", open_timeout=10)
            socket.send(json.dumps({"action": "subscribe", "threadId": thread_id}))
            json.loads(socket.recv(timeout=10))
            sockets.append(socket)

        def listen(socket: Any) -> None:
            for raw in socket:
                frame = json.loads(raw)
                if frame.get("type") == "message.created":
                    with lock:
                        arrivals.setdefault(frame["data"]["id"], []).append(time.perf_counter())

        listeners = [threading.Thread(target=listen, args=(s,), daemon=True) for s in sockets]
        for listener in listeners:
            listener.start()
        latencies: list[float] = []
        lost = 0
        for n in range(LATENCY_MESSAGES):
            sent = time.perf_counter()
            res = api("POST", f"/api/v1/threads/{thread_id}/messages", {"content": f"bench {n}"}, token=alice)
            message_id = str(res.data["id"])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with lock:
                    got = list(arrivals.get(message_id, []))
                if len(got) >= 2:
                    break
                time.sleep(0.002)
            latencies.extend((at - sent) * 1000 for at in got)
            lost += 2 - len(got)
        for socket in sockets:
            socket.close()
    return [
        [
            f"{LATENCY_MESSAGES} messages x 2 subscribers",
            f"{statistics.median(latencies):.0f}" if latencies else "-",
            f"{_percentile(latencies, 0.95):.0f}" if latencies else "-",
            str(lost),
        ]
    ]


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    return [
        (
            "Real-time: one message's fan-out with N subscribed connections (in-process, moto)",
            ["subscribers", "PostToConnection calls", "DynamoDB calls", "operations", "ms"],
            posts_per_message(),
        ),
        (
            "Real-time: delivery latency through the local stack (REST write -> WebSocket frame)",
            ["run", "p50 ms", "p95 ms", "frames lost"],
            delivery_latency(),
        ),
    ]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, head, rows in section():
        print_table(title, head, rows)
