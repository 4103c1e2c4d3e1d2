"""The local stack (``python -m devstack.server``) as a subprocess, once per test session."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from devstack.httpclient import Client
from devstack.process import RunningStack, StackFailed, running_stack
from tests.conftest import TEST_ENV

T = TypeVar("T")

VISIBILITY_TIMEOUT = 1


LocalStack = RunningStack


def eventually(check: Callable[[], T | None], timeout: float = 15, interval: float = 0.2) -> T:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    try:
        with running_stack(drop=set(TEST_ENV), LOCAL_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)) as running:
            yield running
    except StackFailed as exc:
        pytest.fail(str(exc))


@pytest.fixture
def api(stack: LocalStack) -> Client:
    return stack.api
