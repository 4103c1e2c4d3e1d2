"""The ``account.erase`` job through the jobs worker: identity's steps, progress and the record;
an attempt killed halfway then retried (nothing counted or adjusted twice); out-of-time parts
continued by new jobs; an admin's manual resume (refused for a live account)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from shared.data.table import Item
from shared.identity import api_keys, counters, session_repository, users
from shared.identity import lifecycle as identity_lifecycle
from shared.identity.jobs import ONBOARDING_EMAIL
from shared.identity.schemas import AdminCreateUserRequest
from shared.jobs import records
from shared.jobs.models import JobItem
from shared.lifecycle import jobs as erase_jobs
from shared.lifecycle import registry
from shared.lifecycle import repository as erasures
from shared.lifecycle.jobs import ERASE
from shared.lifecycle.registry import ErasureContext, ErasureStep

from tests.support.api import PASSWORD, Account, Api, assert_problem
from tests.support.jobs import Jobs

JOBS = "/api/v1/admin/jobs"
SESSIONS = 5
PAGE = 2  # sessions per page: the sessions step takes three pages


@pytest.fixture
def jobs(api: Api) -> Jobs:
    return Jobs(api)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity_lifecycle, "PAGE_SIZE", PAGE)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each registered step ran."""
    seen: Counter[str] = Counter()
    for name, step in list(registry._REGISTRY.steps.items()):

        def counted(ctx: ErasureContext, run: Callable[[ErasureContext], bool] = step.run, name: str = name) -> bool:
            seen[name] += 1
            return run(ctx)

        monkeypatch.setitem(registry._REGISTRY.steps, name, ErasureStep(name, counted, step.entities, step.order))
    return seen


def inject(monkeypatch: pytest.MonkeyPatch, name: str, order: int, run: Callable[[ErasureContext], bool]) -> None:
    monkeypatch.setitem(registry._REGISTRY.steps, name, ErasureStep(name, run, (), order))


def busy_account(api: Api) -> Account:
    """A customer with :data:`SESSIONS` sessions and a pending onboarding email."""
    account = api.register(name="Erin Erased")
    for _ in range(SESSIONS - 1):
        api.login_account(account.email)
    assert len(session_repository.list_sessions(account.id)) == SESSIONS
    return account


def delete(api: Api, account: Account) -> str:
    res = api.call("DELETE", "/api/v1/users/me", {"password": PASSWORD}, token=account.access_token)
    assert res.status == 202, res.body
    return str(res.data["jobId"])


def erase_jobs_of(user_id: str) -> list[JobItem]:
    page = records.list_jobs(status=None, job_type=ERASE, limit=100, position=None)
    found = [job for job in page.items if json.loads(job.payload)["userId"] == user_id]
    return sorted(found, key=lambda job: json.loads(job.payload).get("part") or 0)


def run_until_erased(jobs: Jobs, user_id: str, *, rounds: int = 30) -> None:
    """Deliver job messages (releasing backoffs) until the erasure record is completed."""
    for _ in range(rounds):
        record = erasures.get(user_id)
        assert record is not None
        if record.status == "completed":
            return
        jobs.run()
        jobs.release_held()
    raise AssertionError(f"the erasure of {user_id} did not complete in {rounds} rounds")


def onboarding_job(user_id: str) -> JobItem:
    page = records.list_jobs(status=None, job_type=ONBOARDING_EMAIL, limit=100, position=None)
    (found,) = [job for job in page.items if json.loads(job.payload)["userId"] == user_id]
    return found


def step_names() -> set[str]:
    return {step.name for step in registry.steps()}


def test_the_job_erases_identity_and_completes_the_record(api: Api, admin: Account, jobs: Jobs) -> None:
    account = busy_account(api)
    job_id = delete(api, account)

    run_until_erased(jobs, account.id)

    assert session_repository.list_sessions(account.id) == []
    assert onboarding_job(account.id).status == "cancelled"
    record = erasures.get(account.id)
    assert record is not None
    assert record.status == "completed"
    assert record.completed_at
    assert set(record.steps_done or ()) == step_names()
    assert record.touched == SESSIONS + 1  # the sessions and the onboarding job
    assert record.email is None
    assert record.username is None
    shown = api.call("GET", f"{JOBS}/{job_id}", token=admin.access_token).data
    assert shown["status"] == "completed"
    assert shown["progress"] == 100
    total = len(step_names())
    assert shown["result"] == {"steps": total, "total": total, "touched": SESSIONS + 1, "part": 1}


def test_api_keys_an_admin_created_are_kept_with_the_creator_anonymised(api: Api, admin: Account, jobs: Jobs) -> None:
    request = AdminCreateUserRequest.model_validate(
        {"email": "leaving.admin@example.com", "password": PASSWORD, "name": "Leaving Admin", "role": "admin"}
    )
    users.admin_create_user(request)
    leaving = api.login_account("leaving.admin@example.com")
    created = api.call(
        "POST",
        "/api/v1/api-keys",
        {"name": "Assistant", "scopes": ["experience:assistant"]},
        token=leaving.access_token,
    )
    assert created.status == 201, created.body

    assert api.call("DELETE", f"/api/v1/users/{leaving.id}", token=admin.access_token).status == 202
    run_until_erased(jobs, leaving.id)

    # The integration still works; nothing points at the deleted admin any more
    assert api_keys.verify(created.data["key"]).created_by == identity_lifecycle.DELETED_CREATOR
    listed = api.call("GET", "/api/v1/api-keys", token=admin.access_token).data["items"]
    assert [key["id"] for key in listed] == [created.data["id"]]
    stored = [item.attribute_values for item in Item.query(f"APIKEY#{created.data['id']}")]
    assert leaving.id not in json.dumps(stored, default=str)


def test_an_attempt_killed_halfway_is_retried_and_counts_nothing_twice(
    api: Api, jobs: Jobs, monkeypatch: pytest.MonkeyPatch, calls: Counter[str]
) -> None:
    account = busy_account(api)
    job_id = delete(api, account)
    after_deletion = counters.read()
    # Attempt 1 dies inside the sessions step, after its first page
    real_delete = session_repository.delete_session_items
    pages: list[int] = []

    def dies_on_page_two(sessions: Any) -> None:
        pages.append(len(sessions))
        if len(pages) == 2:
            raise ConnectionError("the worker died")
        real_delete(sessions)

    monkeypatch.setattr(session_repository, "delete_session_items", dies_on_page_two)
    # Attempt 2 dies in a later system's step, after identity's first steps were recorded done
    progress_seen: list[int] = []
    flaky_runs: list[str] = []

    def flaky(ctx: ErasureContext) -> bool:
        flaky_runs.append(ctx.user_id)
        if len(flaky_runs) == 1:
            raise RuntimeError("a system's step failed")
        job = records.get(job_id)
        assert job is not None
        progress_seen.append(int(job.progress))
        return True

    inject(monkeypatch, "test.flaky", 50, flaky)

    jobs.run()
    job = records.get(job_id)
    assert job is not None
    assert job.status == "delayed"
    assert len(session_repository.list_sessions(account.id)) == SESSIONS - PAGE
    record = erasures.get(account.id)
    assert record is not None
    assert record.touched == PAGE
    assert not record.steps_done

    jobs.release_held()
    jobs.run()
    record = erasures.get(account.id)
    assert record is not None
    before_flaky = {step.name for step in registry.steps() if (step.order, step.name) < (50, "test.flaky")}
    assert {"identity.sessions", "identity.jobs", "identity.api-keys"} <= before_flaky
    assert set(record.steps_done or ()) == before_flaky

    jobs.release_held()
    jobs.run()

    job = records.get(job_id)
    assert job is not None
    assert job.status == "completed"
    assert [entry.error for entry in job.attempt_log] == ["the worker died", "a system's step failed", None]
    record = erasures.get(account.id)
    assert record is not None
    assert record.status == "completed"
    # Every step done once; the only step re-run is the one that died, and its count is exact
    assert session_repository.list_sessions(account.id) == []
    assert record.touched == SESSIONS + 1
    assert calls["identity.sessions"] == 2
    assert calls["identity.jobs"] == calls["identity.api-keys"] == calls["identity.account"] == 1
    assert flaky_runs == [account.id, account.id]
    assert counters.read() == after_deletion
    # While the injected step ran, the job showed the steps done so far
    done_before = len(before_flaky)
    assert progress_seen == [done_before * 100 // len(registry.steps())]


def test_out_of_time_parts_are_continued_by_new_jobs(api: Api, jobs: Jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(erase_jobs, "TIME_BUDGET_SECONDS", 0.0)
    # Identity's steps only: a part per step of every system would show nothing more, slowly
    registry.load_catalog()
    for name in [name for name in registry._REGISTRY.steps if not name.startswith("identity.")]:
        monkeypatch.delitem(registry._REGISTRY.steps, name)
    account = busy_account(api)
    delete(api, account)

    run_until_erased(jobs, account.id)

    parts = erase_jobs_of(account.id)
    results = [json.loads(job.result or "null") for job in parts]
    # Each part does one page of one step, then owes the next part
    assert [result["part"] for result in results] == list(range(1, len(parts) + 1))
    assert len(parts) == 3 + len(step_names())  # three pages of sessions, one part per step
    assert all(job.status == "completed" for job in parts)
    assert [result.get("continuedBy") for result in results] == [job.job_id for job in parts[1:]] + [None]
    assert [job.dedup_key for job in parts] == [f"account-erase:{account.id}:{n}" for n in range(1, len(parts) + 1)]
    assert sum(result["touched"] for result in results) == SESSIONS + 1
    record = erasures.get(account.id)
    assert record is not None
    assert (record.status, record.touched, record.part, record.job_id) == (
        "completed",
        SESSIONS + 1,
        len(parts),
        parts[-1].job_id,
    )


def test_an_admin_resumes_an_erasure_but_never_erases_a_live_account(
    api: Api, admin: Account, customer: Account, jobs: Jobs, calls: Counter[str]
) -> None:
    for user_id in (customer.id, "01nosuchuser"):
        res = api.call("POST", JOBS, {"type": ERASE, "payload": {"userId": user_id}}, token=admin.access_token)
        assert_problem(res, 400, "VALIDATION_ERROR")
    assert api.me(customer.access_token).status == 200

    account = busy_account(api)
    first = delete(api, account)
    resumed = api.call("POST", JOBS, {"type": ERASE, "payload": {"userId": account.id}}, token=admin.access_token)
    assert resumed.status == 201, resumed.body
    run_until_erased(jobs, account.id)
    for _ in range(3):
        jobs.run()

    record = erasures.get(account.id)
    assert record is not None
    assert record.status == "completed"
    assert record.touched == SESSIONS + 1
    assert all(count == 1 for count in calls.values())
    shown = [api.call("GET", f"{JOBS}/{job}", token=admin.access_token).data for job in (first, resumed.data["id"])]
    assert [job["status"] for job in shown] == ["completed", "completed"]
    assert sum(bool(job["result"].get("alreadyCompleted")) for job in shown) == 1
