"""The local stack's worker pools (``devstack.workers``) and SQS poller counts, without processes."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from devstack.sqs_poller import SqsSource
from devstack.workers import DEFAULT_CONCURRENCY, _Pool, concurrency_setting


class _FakeWorker:
    def __init__(self, number: int) -> None:
        self.number = number
        self.alive = True
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def _pool(size: int) -> tuple[_Pool, list[_FakeWorker]]:
    started: list[_FakeWorker] = []

    def start() -> Any:
        started.append(_FakeWorker(len(started)))
        return started[-1]

    return _Pool(start, size), started


def test_concurrency_setting() -> None:
    assert concurrency_setting({}) == DEFAULT_CONCURRENCY
    assert concurrency_setting({"LOCAL_CONCURRENCY": "5"}) == 5
    assert concurrency_setting({"LOCAL_CONCURRENCY": "0"}) == 1


def test_workers_start_on_demand_and_the_last_used_is_reused() -> None:
    pool, started = _pool(3)
    first = pool.acquire()
    second = pool.acquire()
    assert len(started) == 2
    pool.release(first)
    pool.release(second)
    assert pool.acquire() is second  # the warmest environment first
    assert len(started) == 2


def test_a_full_pool_waits_for_a_worker() -> None:
    pool, started = _pool(1)
    busy = pool.acquire()
    got: list[Any] = []
    waiter = threading.Thread(target=lambda: got.append(pool.acquire()))
    waiter.start()
    waiter.join(timeout=0.2)
    assert waiter.is_alive()  # still waiting: one execution environment, busy
    pool.release(busy)
    waiter.join(timeout=5)
    assert got == [busy]
    assert len(started) == 1


def test_a_dead_worker_is_replaced() -> None:
    pool, started = _pool(1)
    worker = pool.acquire()
    worker.alive = False
    pool.release(worker)
    assert worker.stopped
    assert pool.acquire() is not worker
    assert len(started) == 2


def test_closing_returns_the_idle_and_the_busy_workers_and_refuses_new_invocations() -> None:
    pool, _ = _pool(2)
    busy = pool.acquire()
    idle = pool.acquire()
    pool.release(idle)
    assert pool.close() == ([idle], [busy])
    with pytest.raises(RuntimeError):
        pool.acquire()


@pytest.mark.parametrize(("maximum", "pool_size", "pollers"), [(None, 3, 3), (2, 3, 2), (20, 3, 3), (5, 1, 1)])
def test_sqs_pollers_follow_maximum_concurrency_within_the_pool(
    maximum: int | None, pool_size: int, pollers: int
) -> None:
    source = SqsSource("Fn", "Queue", "Q", "url", "arn", max_concurrency=maximum)
    assert source.pollers(pool_size) == pollers
    shortened = SqsSource("Fn", "Queue", "Q", "url", "arn", max_concurrency=maximum, visibility_timeout=1)
    assert shortened.pollers(pool_size) == 1
