"""``POST /api/v1/auth/forgot-password`` does the same DynamoDB work for a known and an unknown
address (its time tells nothing about accounts); the ``identity.password-reset`` job it enqueues
owes the reset email only for an account that exists and may reset, once per job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from shared.data.table import connection
from shared.identity.jobs import PASSWORD_RESET, issue_password_reset
from shared.jobs.registry import JobContext

from tests.support.api import Account, Api
from tests.support.jobs import Jobs
from tests.support.outbox import owed_items

FORGOT = "/api/v1/auth/forgot-password"
Shape = tuple[Any, ...]


def _shape(operation: str, params: dict[str, Any]) -> Shape:
    """What a call does, without the values it does it with (keys, ids, times, the address)."""
    if operation == "TransactWriteItems":
        writes = []
        for entry in params["TransactItems"]:
            ((kind, write),) = entry.items()
            fields = tuple(sorted(write.get("Item", {}))) or tuple(sorted(write.get("Key", {})))
            writes.append((kind, fields, write.get("UpdateExpression"), write.get("ConditionExpression")))
        return (operation, tuple(writes))
    fields = tuple(sorted(params.get("Item", {}))) or tuple(sorted(params.get("Key", {})))
    return (operation, fields, params.get("UpdateExpression"), params.get("ConditionExpression"))


@contextmanager
def dynamodb_calls() -> Iterator[list[Shape]]:
    """Every DynamoDB call made in the block, as :func:`_shape`s (a botocore event hook on the
    client under every model)."""
    seen: list[Shape] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.append(_shape(model.name, params))

    events = connection().client.meta.events
    events.register("provide-client-params.dynamodb", record)
    try:
        yield seen
    finally:
        events.unregister("provide-client-params.dynamodb", record)


def forgot_calls(api: Api, email: str, ip: str) -> list[Shape]:
    with dynamodb_calls() as calls:
        res = api.call("POST", FORGOT, {"email": email}, ip=ip)
    assert res.status == 202, res.body
    return calls


def test_known_and_unknown_emails_make_the_same_dynamodb_calls(api: Api, customer: Account) -> None:
    api.queued_emails()

    # When a known and an unknown address ask for a reset
    known = forgot_calls(api, customer.email, "203.0.113.10")
    unknown = forgot_calls(api, "nobody-at-all@example.com", "203.0.113.11")

    # Then the requests made the same calls: the two rate counters and the job's one transaction
    assert known == unknown
    assert [call[0] for call in known] == ["UpdateItem", "UpdateItem", "TransactWriteItems"]
    # And only the known address gets the reset email, once the jobs ran
    assert Jobs(api).run("JobsHighQueue") == {"delivered": 2, "failed": 0}
    queued = api.queued_emails()
    assert [(m["template"], m["to"]) for m in queued] == [("password_reset", customer.email)]


def reset_job(email: str, attempt: int = 1, job_id: str = "job-1") -> JobContext:
    return JobContext(
        job_id=job_id,
        job_type=PASSWORD_RESET,
        payload={"email": email},
        attempt=attempt,
        attempts_total=attempt,
        max_attempts=3,
    )


def test_a_retried_attempt_of_the_job_issues_no_second_token(api: Api, customer: Account) -> None:
    api.queued_emails()

    # Given an attempt that stored the token and owed the email (then died before completing)
    assert issue_password_reset(reset_job(customer.email)) == {"emailed": True}

    # When the job is retried, nothing more is issued: the one email's token stays valid
    assert issue_password_reset(reset_job(customer.email, attempt=2)) == {"emailed": False}
    resets = [item for item in owed_items() if item.message_key.startswith(f"password-reset:{customer.id}:")]
    assert len(resets) == 1


def test_the_job_of_an_unknown_address_owes_nothing(api: Api) -> None:
    assert issue_password_reset(reset_job("ghost@example.com")) == {"emailed": False}
    assert owed_items() == []
