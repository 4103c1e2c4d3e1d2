"""Count DynamoDB calls and consumed capacity per request (local stack and bench only).

Installs a wrapper around botocore's ``BaseClient._make_api_call`` that asks DynamoDB for
``ReturnConsumedCapacity=TOTAL`` and adds up, per :func:`metered` block (a context variable, so
concurrent requests do not mix), the number of calls by operation and the read/write units.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

_CAPACITY_OPS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
}
_WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@dataclass
class Meter:
    calls: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def operations(self) -> str:
        return ",".join(f"{op}={count}" for op, count in sorted(self.calls.items()))

    def summary(self) -> str:
        return f"calls={self.total_calls} rcu={self.read_units:g} wcu={self.write_units:g} [{self.operations()}]"


_current: contextvars.ContextVar[Meter | None] = contextvars.ContextVar("dynamodb_meter", default=None)
_installed = False


def _units(response: dict[str, Any]) -> float:
    consumed = response.get("ConsumedCapacity")
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    return float(sum(entry.get("CapacityUnits", 0) or 0 for entry in entries))


def install() -> None:
    """Patch botocore once (idempotent)."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def metered_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        meter = _current.get()
        if meter is None or self.meta.service_model.service_name != "dynamodb":
            return original(self, operation_name, api_params)
        if operation_name in _CAPACITY_OPS:
            api_params = {**api_params, "ReturnConsumedCapacity": "TOTAL"}
        meter.calls[operation_name] += 1
        response = original(self, operation_name, api_params)
        if operation_name in _WRITE_OPS:
            meter.write_units += _units(response)
        else:
            meter.read_units += _units(response)
        return response

    BaseClient._make_api_call = metered_call  # type: ignore[method-assign]
    _installed = True


def add(calls: dict[str, int], read_units: float, write_units: float) -> None:
    """Count calls made elsewhere (a worker process) in the current :func:`metered` block, if any."""
    meter = _current.get()
    if meter is not None:
        meter.calls.update(calls)
        meter.read_units += read_units
        meter.write_units += write_units


@contextmanager
def metered() -> Iterator[Meter]:
    install()
    meter = Meter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


@contextmanager
def bench_environment(values: dict[str, str]) -> Iterator[None]:
    """Set ``values`` in the environment (and forget cached settings) for a bench section; the
    previous values come back afterwards."""
    import os

    from shared.settings import reset_settings

    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    reset_settings()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings()


def measure(run: Callable[[], T]) -> tuple[Meter, T, float]:
    """Run ``run`` metered: its DynamoDB meter, its result and its wall time in ms."""
    import time

    with metered() as meter:
        started = time.perf_counter()
        result = run()
        elapsed = (time.perf_counter() - started) * 1000
    return meter, result, elapsed
