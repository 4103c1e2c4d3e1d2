"""``GET /api/v1/users/me/export``: a job writes one JSON file of the account's data to the private
exports bucket and emails a one-hour download link; a second request while it is live answers the
same job."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import requests
from shared.jobs.registry import JobContext
from shared.lifecycle import export, registry
from shared.lifecycle.registry import ErasureContext

from tests.support.api import Account, Api, assert_no_secrets, assert_problem
from tests.support.jobs import Jobs

EXPORT = "/api/v1/users/me/export"
JOBS = "/api/v1/admin/jobs"
SUBJECT = "Your data export is ready"
BUCKET = "exportsbucket"


@pytest.fixture
def jobs(api: Api) -> Jobs:
    return Jobs(api)


def ask(api: Api, account: Account) -> dict[str, Any]:
    res = api.call("GET", EXPORT, token=account.access_token)
    assert res.status == 202, res.body
    return dict(res.data)


def job_of(api: Api, admin: Account, job_id: str) -> dict[str, Any]:
    res = api.call("GET", f"{JOBS}/{job_id}", token=admin.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def link_in(text: str) -> str:
    found = re.search(r"Download your data: (\S+)", text)
    assert found, text
    return found.group(1)


def test_anonymous_callers_get_401(api: Api) -> None:
    assert_problem(api.call("GET", EXPORT), 401, "NO_TOKEN")


def test_the_export_is_one_json_file_of_the_account_emailed_as_a_short_lived_link(
    api: Api, jobs: Jobs, admin: Account, customer: Account
) -> None:
    # Given a customer signed in on two devices who asks for an export twice
    api.login_account(customer.email)
    first = ask(api, customer)
    assert first["status"] == "waiting"
    assert ask(api, customer)["jobId"] == first["jobId"]

    # When the job worker runs the job
    assert jobs.run() == {"delivered": 1, "failed": 0}

    # Then the job completed, naming the file it wrote
    job = job_of(api, admin, first["jobId"])
    assert job["status"] == "completed", job
    key = f"exports/{customer.id}/{first['jobId']}.json"
    assert job["result"]["key"] == key
    # And the bucket holds that one JSON file, encrypted
    stored = api.aws.s3.get_object(Bucket=BUCKET, Key=key)
    assert stored["ServerSideEncryption"] == "AES256"
    document = json.loads(stored["Body"].read())
    assert set(document) >= {"exportedAt", "userId", "account"}
    assert document["userId"] == customer.id
    profile = document["account"]["profile"]
    assert profile["email"] == customer.email
    assert profile["name"] == "Carla Customer"
    assert (profile["role"], profile["status"]) == ("customer", "approved")
    assert profile["createdAt"] == customer.user["createdAt"]
    sessions = document["account"]["sessions"]
    assert len(sessions) == 2
    assert all(set(s) == {"device", "ipAddress", "createdAt", "lastUsedAt", "expiresAt"} for s in sessions)
    assert sessions[0]["ipAddress"]
    assert_no_secrets(document)
    assert "passwordHash" not in json.dumps(document)
    assert "refreshHash" not in json.dumps(document)

    # And one email carries the link, which downloads that same file
    assert api.deliver_emails() == {"batchItemFailures": []}
    (mail,) = api.mails_to(customer.email, SUBJECT)
    url = link_in(mail.text)
    assert "X-Amz-Expires=3600" in url
    assert "1 hour " in mail.text
    downloaded = requests.get(url, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.json() == document
    assert 'filename="account-export-' in downloaded.headers["Content-Disposition"]


def test_a_finished_export_lets_the_next_request_start_a_new_one(api: Api, jobs: Jobs, customer: Account) -> None:
    first = ask(api, customer)
    jobs.run()
    second = ask(api, customer)
    assert second["jobId"] != first["jobId"]
    assert second["status"] == "waiting"


def test_every_registered_section_is_in_the_file(
    api: Api, jobs: Jobs, customer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a system that registered its export section
    monkeypatch.setitem(registry._REGISTRY.exporters, "blackjack", lambda user_id: {"games": [], "owner": user_id})
    job_id = ask(api, customer)["jobId"]
    jobs.run()
    document = json.loads(
        api.aws.s3.get_object(Bucket=BUCKET, Key=export.export_key(customer.id, job_id))["Body"].read()
    )
    assert document["blackjack"] == {"games": [], "owner": customer.id}
    assert list(document)[:3] == ["exportedAt", "userId", "account"]


def test_a_retried_export_writes_the_same_file_and_emails_once(api: Api, jobs: Jobs, customer: Account) -> None:
    # Given an export that ran (and emailed)
    job_id = ask(api, customer)["jobId"]
    jobs.run()
    # When an attempt of the same job runs again (a worker that died before recording the result)
    context = JobContext(
        job_id=job_id,
        job_type=export.EXPORT_JOB,
        payload={"userId": customer.id},
        attempt=2,
        attempts_total=2,
        max_attempts=export.MAX_ATTEMPTS,
    )
    again = export.run_export(context)
    # Then it rewrote the same key, owed no second email, and the account gets one
    assert again["key"] == export.export_key(customer.id, job_id)
    assert again["emailed"] is False
    assert api.aws.s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1
    api.deliver_emails()
    assert len(api.mails_to(customer.email, SUBJECT)) == 1


def test_an_account_deleted_before_the_job_ran_gets_no_file_and_no_email(
    api: Api, jobs: Jobs, admin: Account, customer: Account
) -> None:
    job_id = ask(api, customer)["jobId"]
    assert api.call("DELETE", f"/api/v1/users/{customer.id}", token=admin.access_token).status == 202
    jobs.run()
    assert job_of(api, admin, job_id)["result"] == {"skipped": "the account does not exist"}
    assert api.aws.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    api.deliver_emails()
    assert api.mails_to(customer.email, SUBJECT) == []


def test_deleting_the_account_erases_its_export_files(
    api: Api, customer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an account with three export files, and another account's
    monkeypatch.setattr(export, "ERASE_PAGE", 2)
    for n in range(3):
        api.aws.s3.put_object(Bucket=BUCKET, Key=export.export_key(customer.id, f"job{n}"), Body=b"{}")
    api.aws.s3.put_object(Bucket=BUCKET, Key=export.export_key("someone-else", "job"), Body=b"{}")
    step = next(s for s in registry.steps() if s.name == "lifecycle.exports")

    # When its erasure step runs out of time: it stops after one page
    late = ErasureContext(customer.id, "customer", deadline=time.monotonic() - 1)
    assert step.run(late) is False
    assert late.touched == 2
    # Then run again it finishes, and once more it finds nothing
    ctx = ErasureContext(customer.id, "customer", deadline=time.monotonic() + 60)
    assert step.run(ctx) is True
    assert ctx.touched == 1
    again = ErasureContext(customer.id, "customer", deadline=time.monotonic() + 60)
    assert step.run(again) is True
    assert again.touched == 0
    remaining = [o["Key"] for o in api.aws.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert remaining == [export.export_key("someone-else", "job")]
