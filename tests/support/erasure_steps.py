"""Run one system's erasure steps in-process, as the erasure job would, after the deletion
transaction has removed the account's profile."""

from __future__ import annotations

import time
from dataclasses import dataclass

from shared.identity import repository as identity
from shared.lifecycle import registry
from shared.lifecycle.registry import ErasureContext

from tests.support.api import Account


@dataclass(frozen=True)
class Run:
    results: dict[str, bool]  # step name → finished
    touched: int

    @property
    def finished(self) -> bool:
        return all(self.results.values())


def forget_profile(account: Account) -> None:
    """What the deletion transaction does before the job: the profile and its claims go."""
    user = identity.get_user(account.id)
    assert user is not None
    identity.delete_user(user)


def erase(user_id: str, system: str, *, role: str = "customer", seconds: float = 60.0) -> Run:
    """Run ``system``'s steps in order (``seconds`` ≤ 0: a deadline already past). Like the job,
    a step that stops for time ends this part: the steps after it wait for the next one."""
    ctx = ErasureContext(user_id, role, deadline=time.monotonic() + seconds)
    results: dict[str, bool] = {}
    for step in registry.steps():
        if step.name.startswith(f"{system}."):
            results[step.name] = step.run(ctx)
            if not results[step.name]:
                break
    return Run(results, ctx.touched)
