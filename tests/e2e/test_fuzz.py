"""A short ``make fuzz`` inside ``make test``: schemathesis against the session's local stack,
unauthenticated and as a customer, finds no 5xx, no undocumented status and no body that breaks
its documented schema. (``make fuzz`` runs the same for about 5 minutes.)"""

from __future__ import annotations

from devstack.fuzz import CHECKS, fuzz
from tests.e2e.conftest import LocalStack

BUDGET_SECONDS = 30


def test_schemathesis_finds_nothing(stack: LocalStack) -> None:
    assert set(CHECKS) == {"not_a_server_error", "status_code_conformance", "response_schema_conformance"}
    assert fuzz(stack.api.base_url, BUDGET_SECONDS, seed=20261127) == 0
