"""The lifecycle registry: each system says what it does with a deleted account's data, and what
it puts in the account's export.

Every entity type (an :class:`~shared.data.table.Item` discriminator) is either handled by an
erasure step (:func:`erasure_step`) or retained with a stated reason (:func:`retain`: it holds no
personal data, it is kept for accounting and anonymised by another step, or it expires by TTL
within minutes). ``tests/unit/test_lifecycle_registry.py`` fails for a type that is neither, so a
new system cannot forget its part.

An erasure step receives an :class:`ErasureContext` and removes or anonymises what is left of the
account in its system. Steps run in ``order`` (then name) inside the account's erasure job, which
may be retried or killed at any point: a step must therefore be idempotent (it works on what is
still there, and a second run after it finished does nothing) and it should return ``False`` at
its next page once :meth:`ErasureContext.out_of_time` is true (the job then continues in a new
part, see :mod:`shared.lifecycle.jobs`). Aggregates a step adjusts (a product's rating, a post's
comment count) must change in the same transaction as the item they count, conditioned on that
item still existing, so a retry never adjusts twice.

An export section receives the user id and returns a JSON-able value: what the account owns in
that system (see :mod:`shared.lifecycle.export`).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# Modules whose import registers each system's steps, retentions and export sections.
CATALOG: tuple[str, ...] = (
    "shared.identity.lifecycle",
    "shared.blackjack.lifecycle",
    "shared.blog.lifecycle",
    "shared.commerce.lifecycle",
    "shared.commerce.uploads.erasure",
    "shared.lifecycle.export",
    "shared.experience.lifecycle",
    "shared.realtime.lifecycle",
)

# What replaces a deleted account's name wherever a record must stay (orders, others' threads).
DELETED_NAME = "Deleted user"


def deleted_email(user_id: str) -> str:
    """The placeholder address of a deleted account on the records kept for accounting."""
    return f"deleted-{user_id}@deleted.invalid"


@dataclass
class ErasureContext:
    """One part of an account's erasure job.

    ``role`` is the account's role when deletion was asked (the profile is gone by then).
    ``deadline`` is a ``time.monotonic()`` value: a step checks :meth:`out_of_time` between pages.
    ``touched`` counts items deleted or rewritten (reported by the job and ``make bench``).
    """

    user_id: str
    role: str
    deadline: float
    touched: int = 0

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline

    def touch(self, count: int = 1) -> None:
        self.touched += count


Step = Callable[[ErasureContext], bool]
Exporter = Callable[[str], Any]


@dataclass(frozen=True)
class ErasureStep:
    name: str
    run: Step
    entities: tuple[str, ...]
    order: int


@dataclass
class _Registry:
    steps: dict[str, ErasureStep] = field(default_factory=dict)
    retained: dict[str, str] = field(default_factory=dict)
    exporters: dict[str, Exporter] = field(default_factory=dict)


_REGISTRY = _Registry()


def erasure_step(name: str, *, entities: Iterable[str], order: int = 50) -> Callable[[Step], Step]:
    """Decorator: ``@erasure_step("commerce.cart", entities=["CART_LINE"])`` on a step.

    ``entities`` are the discriminators of the types whose items of the account this step removes
    or anonymises. The step returns ``True`` when nothing is left to do, ``False`` when it stopped
    because time ran out (it is then run again in the job's next part).
    """

    def decorate(step: Step) -> Step:
        _REGISTRY.steps[name] = ErasureStep(name=name, run=step, entities=tuple(entities), order=order)
        return step

    return decorate


def retain(*entities: str, reason: str) -> None:
    """Declare types that no erasure step touches, and why (the reason is read in review)."""
    if not reason.strip():
        raise ValueError("a retained entity type needs a reason")
    for entity in entities:
        _REGISTRY.retained[entity] = reason


def export_section(name: str) -> Callable[[Exporter], Exporter]:
    """Decorator: ``@export_section("blackjack")`` on a function ``(user_id) -> JSON-able``."""

    def decorate(exporter: Exporter) -> Exporter:
        _REGISTRY.exporters[name] = exporter
        return exporter

    return decorate


def load_catalog() -> None:
    for module in CATALOG:
        importlib.import_module(module)


def steps() -> list[ErasureStep]:
    """Every registered step, in the order the erasure job runs them."""
    load_catalog()
    return sorted(_REGISTRY.steps.values(), key=lambda step: (step.order, step.name))


def exporters() -> dict[str, Exporter]:
    load_catalog()
    return dict(sorted(_REGISTRY.exporters.items()))


def coverage() -> dict[str, str]:
    """Each declared entity type → the step that erases it, or ``retained: <reason>``."""
    load_catalog()
    covered = {entity: f"retained: {reason}" for entity, reason in _REGISTRY.retained.items()}
    for step in _REGISTRY.steps.values():
        for entity in step.entities:
            covered[entity] = step.name
    return covered
