"""Backoff and job descriptions: BullMQ's exponential formula, capped at SQS's 12 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared.jobs.backoff import MAX_VISIBILITY_SECONDS, Backoff, exponential
from shared.jobs.spec import JobSpec, build, owed


def test_attempt_gaps_are_two_then_four_then_eight_seconds() -> None:
    backoff = exponential()

    assert [backoff.delay(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]


@given(base=st.integers(0, 10_000), cap=st.integers(0, 10**6), attempt=st.integers(1, 10_000))
def test_a_delay_is_the_formula_within_the_cap(base: int, cap: int, attempt: int) -> None:
    delay = Backoff(base, cap).delay(attempt)

    assert 0 <= delay <= min(cap, MAX_VISIBILITY_SECONDS)
    if attempt < 40:
        assert delay == min(cap, MAX_VISIBILITY_SECONDS, base * 2 ** (attempt - 1))


@given(base=st.integers(1, 100), attempt=st.integers(1, 200))
def test_delays_never_shrink_from_one_attempt_to_the_next(base: int, attempt: int) -> None:
    backoff = exponential(base)

    assert backoff.delay(attempt + 1) >= backoff.delay(attempt)


def test_attempts_are_numbered_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        exponential().delay(0)


def test_a_job_without_delay_waits_and_one_with_a_delay_is_delayed() -> None:
    now = build("system.canary")
    later = build("system.canary", delay_seconds=30)

    assert now.run_at is None
    assert not now.delayed
    assert later.delayed
    assert later.run_at is not None
    gap = datetime.fromisoformat(later.run_at) - datetime.fromisoformat(later.created_at)
    assert timedelta(seconds=29) < gap <= timedelta(seconds=31)


def test_a_run_at_in_the_past_runs_at_once() -> None:
    spec = build("system.canary", run_at=datetime(2020, 1, 1, tzinfo=UTC))

    assert spec.run_at is None


def test_bad_delays_and_payloads_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        build("system.canary", delay_seconds=-1)
    with pytest.raises(ValueError, match="32 KiB"):
        build("system.canary", {"blob": "x" * 40_000})


def test_a_job_is_owed_once_per_run_and_its_message_names_only_the_job() -> None:
    spec = build("system.canary", {"failAttempts": 1}, priority="high", max_attempts=5)
    message = owed(spec)

    assert message.destination == "jobs"
    assert message.key == f"{spec.job_id}#0"
    assert JobSpec.model_validate(message.body) == spec
    assert spec.message() == {"jobId": spec.job_id, "run": 0}
    assert spec.schedule_name() == f"job-{spec.job_id}-0"
