"""``make bench`` section: what an artifact's versions cost to write and read.

Runs in-process against moto: an artifact with 1 KB and then 256 KB of content (the limit),
first at version 1, then after 50 updates. A write is one transaction: the new version's small
metadata item, its content item only when the content changed, and the head conditioned on the
version read; a read is the id lookup (GSI1), the thread and membership (one batch), the head
and the content item. Neither grows with the number of versions. moto reports no size-based
capacity, so the table shows the bytes sent to and received from DynamoDB: DynamoDB bills a
transactional write 2 WCU per KB of each item written and a consistent read 1 RCU per 4 KB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devstack.bench_experience import _principal
from devstack.bench_products import _ENV, _ItemsRead
from devstack.metering import bench_environment, metered

SIZES_KB = (1, 256)
HISTORY = 50
TABLE = "bench-artifacts"


def _content(kb: int) -> dict[str, Any]:
    return {"text": "x" * (kb * 1024 - 20)}


class _Bytes:
    """Bytes of the DynamoDB requests sent and responses received (botocore hooks)."""

    def __init__(self) -> None:
        self.sent = 0
        self.received = 0

    def before_send(self, request: Any, **_: Any) -> None:
        self.sent += len(request.body or b"")

    def after_call(self, http_response: Any, **_: Any) -> None:
        self.received += len(http_response.content or b"")


class _Probe:
    def __init__(self) -> None:
        self.reads, self.moved = _ItemsRead(), _Bytes()


def _row(kb: int, versions: int, label: str, run: Callable[[], Any], probe: _Probe) -> list[str]:
    reads, moved = probe.reads, probe.moved
    reads.items = 0
    moved.sent = moved.received = 0
    with metered() as meter:
        run()
    return [
        f"{kb} KB",
        str(versions),
        label,
        str(meter.total_calls),
        str(reads.items),
        f"{moved.sent / 1024:.1f}",
        f"{moved.received / 1024:.1f}",
        meter.operations(),
    ]


def _rows_for(kb: int) -> list[list[str]]:
    import boto3
    from moto import mock_aws
    from shared.data.table import configure_table, connection
    from shared.experience import artifacts, threads
    from shared.experience.artifacts_schemas import (
        CreateArtifactRequest,
        RestoreArtifactRequest,
        UpdateArtifactRequest,
    )
    from shared.experience.schemas import CreateThreadRequest

    from devstack.resources import create_table

    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        configure_table(TABLE)
        alice = _principal("alice")
        thread = threads.create_thread(alice, CreateThreadRequest(title="Bench"))
        probe = _Probe()
        reads, moved = probe.reads, probe.moved
        events = connection().client.meta.events
        events.register("after-call.dynamodb", reads)
        events.register("before-send.dynamodb", moved.before_send)
        events.register("after-call.dynamodb", moved.after_call)
        body = CreateArtifactRequest(type="report", title="Bench", content=_content(kb))
        made: list[Any] = []
        rows = [
            _row(
                kb,
                1,
                "create (version 1)",
                lambda: made.append(artifacts.create_artifact(alice, thread.id, body)),
                probe,
            )
        ]
        aid = made[0].id

        def measured(versions: int) -> list[list[str]]:
            update = UpdateArtifactRequest(content=_content(kb), expected_version=versions)
            rename = UpdateArtifactRequest(title=f"Bench {versions + 1}")
            return [
                _row(
                    kb,
                    versions,
                    "GET artifact (latest content)",
                    lambda: artifacts.get_artifact(alice, aid),
                    probe,
                ),
                _row(kb, versions, "GET version 1", lambda: artifacts.get_version(alice, aid, 1), probe),
                _row(
                    kb,
                    versions,
                    "versions page, limit 20",
                    lambda: artifacts.list_versions(alice, aid, limit=20, cursor=None),
                    probe,
                ),
                _row(
                    kb,
                    versions,
                    "update content (expectedVersion)",
                    lambda: artifacts.update_artifact(alice, aid, update),
                    probe,
                ),
                _row(
                    kb, versions + 1, "update title only", lambda: artifacts.update_artifact(alice, aid, rename), probe
                ),
            ]

        rows += measured(1)
        for _ in range(HISTORY - 3):
            artifacts.update_artifact(alice, aid, UpdateArtifactRequest(title="again"))
        rows += measured(HISTORY)
        restore = RestoreArtifactRequest(version=1)
        rows.append(
            _row(
                kb,
                HISTORY + 2,
                "restore version 1",
                lambda: artifacts.restore_artifact(alice, aid, restore),
                probe,
            )
        )
        events.unregister("after-call.dynamodb", probe)
        events.unregister("before-send.dynamodb", moved.before_send)
        events.unregister("after-call.dynamodb", moved.after_call)
    return rows


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    from shared.data.table import configure_table

    with bench_environment({**_ENV, "TABLE_NAME": TABLE}):
        try:
            rows = [row for kb in SIZES_KB for row in _rows_for(kb)]
        finally:
            configure_table()
    header = ["content", "versions", "request", "calls", "items read", "KB sent", "KB received", "operations"]
    return [("Artifact version writes and reads by content size and history (moto in-process)", header, rows)]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, header, table_rows in section():
        print_table(title, header, table_rows)
