"""A deleted thread is gone at once; the ``experience.purge-thread`` job it owes removes the rest
of its partition (messages, versions, reactions, actions, claims, search postings) through the
jobs worker, in pages, resumably, keeping the search word counters exact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from shared.data.table import Item
from shared.experience import jobs as purge_jobs
from shared.experience import repository
from shared.experience.models import search_pk, thread_pk
from shared.jobs import records
from shared.jobs.models import JobItem
from shared.search import index

from tests.support.api import Account, Api, assert_problem
from tests.support.experience import MESSAGES, THREADS, new_thread, post
from tests.support.jobs import Jobs

MESSAGE_COUNT = 7
PAGE_SIZE = 3  # items per page: the thread's items take several pages


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Owner")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Member")


@pytest.fixture
def jobs(api: Api) -> Jobs:
    return Jobs(api)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(purge_jobs, "PAGE_SIZE", PAGE_SIZE)


def thread_items(thread_id: str) -> list[Item]:
    return list(Item.query(thread_pk(thread_id), consistent_read=True))


def word_count(word: str) -> int:
    return index.word_counts(search_pk, [word])[word]


def purge_job() -> JobItem:
    found = list(records_of_type(purge_jobs.PURGE_THREAD))
    assert len(found) == 1
    return found[0]


def records_of_type(job_type: str) -> Iterator[JobItem]:
    return (item for item in Item.scan() if isinstance(item, JobItem) and item.job_type == job_type)


def busy_thread(api: Api, alice: Account, bob: Account) -> dict[str, Any]:
    """A thread with more items than a page: messages with words, a reaction, an edit, claims."""
    thread = new_thread(api, alice, bob)
    for n in range(MESSAGE_COUNT):
        post(api, alice, thread["id"], f"zebra quokka note {n}", clientMessageId=f"c{n}")
    first = post(api, bob, thread["id"], "zebra reply")
    api.call("POST", f"{MESSAGES}/{first['id']}/reactions", {"emoji": ":tada:"}, token=alice.access_token)
    api.call("PATCH", f"{MESSAGES}/{first['id']}", {"content": "zebra edited"}, token=bob.access_token)
    assert len(thread_items(thread["id"])) > 3 * PAGE_SIZE
    assert word_count("zebra") == MESSAGE_COUNT + 1
    return thread


def delete(api: Api, owner: Account, thread_id: str) -> None:
    res = api.call("DELETE", f"{THREADS}/{thread_id}", token=owner.access_token)
    assert res.status == 200, res.body
    assert res.data["message"] == "Thread deleted"


def test_a_deleted_thread_is_gone_at_once_and_its_job_removes_every_item(
    api: Api, jobs: Jobs, alice: Account, bob: Account
) -> None:
    thread = busy_thread(api, alice, bob)
    path = f"{THREADS}/{thread['id']}"

    delete(api, alice, thread["id"])

    # Gone at once for every participant (and a second delete finds nothing), the items remain
    for account in (alice, bob):
        assert_problem(api.call("GET", path, token=account.access_token), 404, "THREAD_NOT_FOUND")
        assert_problem(api.call("GET", f"{path}/messages", token=account.access_token), 404, "THREAD_NOT_FOUND")
    assert_problem(api.call("DELETE", path, token=alice.access_token), 404, "THREAD_NOT_FOUND")
    assert len(thread_items(thread["id"])) > PAGE_SIZE
    assert repository.purge_marker(thread["id"]) is not None

    # When the worker runs the owed job (one job per thread)
    assert jobs.run() == {"delivered": 1, "failed": 0}

    # Then nothing of the thread is left, the postings are gone and the counters exact
    job = purge_job()
    assert (job.status, job.progress) == ("completed", 100)
    assert json.loads(job.result or "{}") == {"messagesRemoved": MESSAGE_COUNT + 1}
    assert job.dedup_key == f"thread-purge:{thread['id']}:1"
    assert thread_items(thread["id"]) == []
    assert word_count("zebra") == 0
    assert word_count("quokka") == 0
    search = api.call("GET", f"{MESSAGES}/search", token=alice.access_token, query={"q": "zebra"})
    assert search.data["items"] == []


def test_replaying_the_purge_job_changes_nothing(api: Api, jobs: Jobs, alice: Account, bob: Account) -> None:
    thread = busy_thread(api, alice, bob)
    delete(api, alice, thread["id"])
    jobs.run()
    job = purge_job()

    # When the job's message is delivered again, and its handler runs again (an admin retry)
    assert api.invoke("JobsWorkerFunction", redelivery(api, job)) == {"batchItemFailures": []}
    assert purge_jobs.purge_thread(context_of(job)) == {"skipped": "no deleted thread to purge"}

    assert thread_items(thread["id"]) == []
    assert (word_count("zebra"), word_count("quokka")) == (0, 0)
    again = records.get(job.job_id)
    assert again is not None
    assert (again.status, again.attempts_total) == ("completed", job.attempts_total)


def test_a_crash_midway_is_resumed_by_the_retry(
    api: Api, jobs: Jobs, alice: Account, bob: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = busy_thread(api, alice, bob)
    delete(api, alice, thread["id"])
    real_delete = repository.delete_items
    calls = {"n": 0}

    def crash_on_fourth_page(items: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # that page's messages' postings are already gone, its items not
            raise RuntimeError("worker crashed")
        real_delete(items)

    monkeypatch.setattr(repository, "delete_items", crash_on_fourth_page)

    # When attempt 1 crashes after three pages (claims first, then messages, by sort key)
    assert jobs.run() == {"delivered": 1, "failed": 1}
    job = purge_job()
    assert (job.status, job.attempts, job.last_error) == ("delayed", 1, "worker crashed")
    assert thread_items(thread["id"])
    assert 0 < (job.progress or 0) < 100

    # Then the retry continues where it stopped, and decrements no counter twice
    jobs.release_held()
    assert jobs.run() == {"delivered": 1, "failed": 0}
    assert purge_job().status == "completed"
    assert thread_items(thread["id"]) == []
    assert (word_count("zebra"), word_count("quokka")) == (0, 0)


def test_an_attempt_out_of_time_owes_the_next_part(
    api: Api, jobs: Jobs, alice: Account, bob: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = busy_thread(api, alice, bob)
    delete(api, alice, thread["id"])
    monkeypatch.setattr(purge_jobs, "TIME_BUDGET_SECONDS", 0)  # one page per attempt

    runs = 0
    while thread_items(thread["id"]) and runs < 20:
        assert jobs.run() == {"delivered": 1, "failed": 0}
        runs += 1

    assert runs > 2
    assert thread_items(thread["id"]) == []
    parts = sorted(records_of_type(purge_jobs.PURGE_THREAD), key=lambda job: job.created_at)
    assert [job.status for job in parts] == ["completed"] * runs
    results = [json.loads(job.result or "{}") for job in parts]
    assert [result.get("continuedBy") for result in results] == [job.job_id for job in parts[1:]] + [None]
    assert sum(result["messagesRemoved"] for result in results) == MESSAGE_COUNT + 1
    assert (word_count("zebra"), word_count("quokka")) == (0, 0)


def test_a_manual_purge_never_touches_a_live_thread(api: Api, jobs: Jobs, alice: Account, bob: Account) -> None:
    from shared.jobs.enqueue import enqueue

    thread = busy_thread(api, alice, bob)
    before = len(thread_items(thread["id"]))
    job_id = enqueue(purge_jobs.PURGE_THREAD, {"threadId": thread["id"]})

    assert jobs.run() == {"delivered": 1, "failed": 0}

    done = records.get(job_id)
    assert done is not None
    assert json.loads(done.result or "{}") == {"skipped": "no deleted thread to purge"}
    assert len(thread_items(thread["id"])) == before
    assert api.call("GET", f"{THREADS}/{thread['id']}", token=bob.access_token).status == 200


def redelivery(api: Api, job: JobItem) -> dict[str, Any]:
    from devstack.events import sqs_event_from_messages

    message = {"MessageId": "redelivered", "ReceiptHandle": "r-1", "Body": json.dumps({"jobId": job.job_id, "run": 0})}
    return sqs_event_from_messages([message], api.aws.queue_arn("JobsQueue"))


def context_of(job: JobItem) -> Any:
    from shared.jobs.registry import JobContext

    return JobContext(
        job_id=job.job_id,
        job_type=job.job_type,
        payload=json.loads(job.payload or "{}"),
        attempt=1,
        attempts_total=1,
        max_attempts=int(job.max_attempts),
    )
