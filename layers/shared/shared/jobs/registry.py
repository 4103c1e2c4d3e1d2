"""Job types: each system registers the handler of each of its job types here, by name.

A handler receives a :class:`JobContext` and returns a small JSON-able result (or ``None``);
raising fails the attempt (retried with backoff until ``maxAttempts``). ``manual=True`` lets an
admin enqueue the type (``POST /api/v1/admin/jobs``), its payload checked by ``payload``.
:data:`CATALOG` names the modules that register types; the worker and the admin API load them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

# Modules whose import registers job types (each system's ``jobs`` module).
CATALOG = (
    "shared.jobs.system",
    "shared.identity.jobs",
    "shared.commerce.orders.jobs",
    "shared.commerce.payouts.jobs",
    "shared.experience.jobs",
    "shared.blog.jobs",
    "shared.lifecycle.jobs",
    "shared.lifecycle.export",
    "shared.lifecycle.cleanup",
)


@dataclass
class JobContext:
    job_id: str
    job_type: str
    payload: dict[str, Any]
    attempt: int  # 1-based, within the current run
    attempts_total: int  # every attempt so far, earlier runs (before an admin retry) included
    max_attempts: int
    report_progress: Callable[[int], None] = field(repr=False, default=lambda _p: None)

    def progress(self, percent: int) -> None:
        """Record progress (0-100) on the job record; visible to the admin API."""
        self.report_progress(max(0, min(100, int(percent))))


Handler = Callable[[JobContext], dict[str, Any] | None]


@dataclass(frozen=True)
class JobType:
    name: str
    handler: Handler
    manual: bool = False
    payload: type[BaseModel] | None = None


_TYPES: dict[str, JobType] = {}


def register(
    name: str, *, manual: bool = False, payload: type[BaseModel] | None = None
) -> Callable[[Handler], Handler]:
    """Decorator: ``@register("identity.onboarding-email")`` on the handler of a job type."""

    def decorate(handler: Handler) -> Handler:
        _TYPES[name] = JobType(name=name, handler=handler, manual=manual, payload=payload)
        return handler

    return decorate


def load_catalog() -> None:
    for module in CATALOG:
        importlib.import_module(module)


def job_type(name: str) -> JobType | None:
    load_catalog()
    return _TYPES.get(name)


def types() -> dict[str, JobType]:
    load_catalog()
    return dict(_TYPES)
