"""The transactional outbox: what a write owes survives a queue outage, is relayed from the stream
once the queue is back, and reaches the user once, whatever is replayed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from pynamodb.exceptions import TransactWriteError
from shared.clock import now
from shared.data.table import Item
from shared.data.transactions import transaction
from shared.messaging import outbox
from shared.messaging.models import outbox_key
from shared.messaging.owed import Owed

from devstack.events import scheduled_event
from tests.support.api import Account, Api, assert_problem
from tests.support.aws import FakeAws
from tests.support.checkout import buy, open_shop
from tests.support.jobs import Jobs
from tests.support.outbox import RELAY, insert_record, stream_event
from tests.support.outbox import owed_items as all_owed_items

FORGOT = "/api/v1/auth/forgot-password"
QUEUES = ("EmailQueue", "StripeEventsQueue")
SWEEP_ARN = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/platform-outbox-sweep"


def owed_items() -> list[Any]:
    """The owed messages for the relay's queues taken down here: every destination but ``jobs``
    (a registration also owes its onboarding job, relayed to the job queue, which stays up)."""
    return [item for item in all_owed_items() if item.destination != "jobs"]


class Queues:
    """Take the relay's queues down (deleted in moto: every send fails) and bring them back."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def down(self) -> None:
        for logical in QUEUES:
            self.api.aws.sqs.delete_queue(QueueUrl=self.api.aws.queue_urls[logical])

    def up(self) -> None:
        for logical in QUEUES:
            url = self.api.aws.queue_urls[logical]
            assert self.api.aws.sqs.create_queue(QueueName=url.rsplit("/", 1)[1])["QueueUrl"] == url


@pytest.fixture
def queues(api: Api) -> Queues:
    return Queues(api)


def owed_keys() -> list[str]:
    return [item.message_key for item in owed_items()]


def relay(api: Api, records: list[dict[str, Any]]) -> dict[str, Any]:
    return api.invoke(RELAY, stream_event(records))


def owe_in_a_failing_transaction(owed: Owed, user_id: str) -> None:
    with transaction() as tx:
        outbox.add(tx, owed)
        tx.condition_check(Item, user_id, "NO-SUCH-ITEM", condition=Item.pk.exists())


def email_queue_bodies(api: Api) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while batch := api.aws.queue_messages("EmailQueue"):
        bodies.extend(json.loads(m["Body"]) for m in batch)
    return bodies


# ------------------------------------------------------------------------------ queue outages


def test_forgot_password_is_202_for_known_and_unknown_emails_with_the_queue_down(
    api: Api, customer: Account, queues: Queues
) -> None:
    # Given the registration emails are relayed, and then the queues go down
    api.queued_emails()
    queues.down()

    # When a known and an unknown email ask for a reset
    known = api.call("POST", FORGOT, {"email": customer.email})
    unknown = api.call("POST", FORGOT, {"email": "nobody-here@example.com"})

    # Then both get the same 202, and once their jobs ran the known one's reset email is owed
    assert known.status == unknown.status == 202, (known.body, unknown.body)
    assert {k: v for k, v in known.body.items() if k != "meta"} == {
        k: v for k, v in unknown.body.items() if k != "meta"
    }
    assert known.headers.keys() == unknown.headers.keys()
    assert Jobs(api).run("JobsHighQueue") == {"delivered": 2, "failed": 0}
    (owed,) = owed_items()
    assert owed.message_key.startswith(f"password-reset:{customer.id}:")
    assert json.loads(owed.body or "{}")["to"] == customer.email

    # And while the queue is down the relay fails and the message stays owed
    records = [insert_record(item) for item in owed_items()]
    failed = relay(api, records)
    assert [f["itemIdentifier"] for f in failed["batchItemFailures"]] == [
        r["dynamodb"]["SequenceNumber"] for r in records
    ]
    assert [item.message_key for item in owed_items()] == [owed.message_key]

    # When the queue is back, the stream's retry relays it and the user gets one reset email
    queues.up()
    assert relay(api, records) == {"batchItemFailures": []}
    assert owed_items() == []
    assert api.deliver_emails() == {"batchItemFailures": []}
    assert len(api.mails_to(customer.email, "Password Reset Request")) == 1
    assert api.mails_to("nobody-here@example.com") == []


def test_every_email_written_while_the_queue_is_down_is_delivered_once_it_is_back(
    api: Api, admin: Account, queues: Queues
) -> None:
    # Given the queues are down
    queues.down()

    # When a seller registers and the admin approves the application
    seller = api.register(role="seller", name="Sally Seller")
    approved = api.call("POST", f"/api/v1/admin/sellers/{seller.id}/approve", token=admin.access_token)

    # Then both requests succeed and the three emails are owed
    assert approved.status == 200, approved.body
    kinds = sorted(key.split(":", 1)[0] for key in owed_keys())
    assert kinds == ["seller-approved", "verify-email", "welcome"]
    assert api.relay_outbox()["batchItemFailures"]

    # And once the queues are back every email reaches the seller, once
    queues.up()
    assert api.deliver_emails() == {"batchItemFailures": []}
    subjects = sorted(mail.subject for mail in api.mails_to(seller.email))
    assert subjects == [
        "Confirm your email address",
        "Welcome to Platform!",
        "Your Seller Account Has Been Approved!",
    ]
    assert api.deliver_emails() == {"batchItemFailures": []}
    assert len(api.mails_to(seller.email)) == 3


def test_an_order_cancelled_while_the_queue_is_down_emails_the_buyer_once_it_is_back(
    api: Api, admin: Account, customer: Account, queues: Queues
) -> None:
    # Given a pending order, and every email so far delivered
    shop = open_shop(api, admin)
    placed = buy(api, customer, shop.products[0]["id"])
    api.deliver_emails()

    # When the buyer cancels it while the queues are down
    queues.down()
    res = api.call(
        "POST", f"/api/v1/orders/{placed['id']}/cancel", {"reason": "Changed my mind"}, token=customer.access_token
    )

    # Then the cancellation succeeds and its email is owed, with the reason
    assert res.status == 200, res.body
    assert res.data["status"] == "cancelled"
    (owed,) = owed_items()
    assert owed.message_key == f"order_cancelled:{placed['id']}"
    assert json.loads(owed.body or "{}")["data"]["reason"] == "Changed my mind"

    # And the buyer gets it once the queues are back
    queues.up()
    assert api.deliver_emails() == {"batchItemFailures": []}
    (mail,) = api.mails_to(customer.email, f"Your Order Has Been Cancelled - {placed['orderNumber']}")
    assert "Changed my mind" in mail.text


def test_the_sweep_relays_what_the_stream_gave_up_on(
    api: Api, customer: Account, queues: Queues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the stream gave up on the registration emails and a resent verification while the
    # queue was down
    queues.down()
    api.call("POST", "/api/v1/auth/resend-verification", token=customer.access_token)
    assert len(api.relay_outbox()["batchItemFailures"]) == 3
    queues.up()

    # When the schedule runs before they are five minutes old, it leaves them to the stream
    schedule = scheduled_event(SWEEP_ARN, region="us-east-1", account="123456789012")
    assert api.invoke(RELAY, schedule) == {"relayed": 0, "skipped": 0, "failed": 0}

    # And once they are, it relays all three
    later = now() + timedelta(minutes=6)
    monkeypatch.setattr("shared.messaging.outbox.now", lambda: later)
    assert api.invoke(RELAY, schedule) == {"relayed": 3, "skipped": 0, "failed": 0}
    assert owed_items() == []
    assert sorted(m["template"] for m in email_queue_bodies(api)) == ["verify_email", "verify_email", "welcome"]


# ------------------------------------------------------------------------------- idempotency


def test_a_replayed_stream_record_sends_nothing_twice(api: Api, customer: Account) -> None:
    # Given the registration's two INSERT records, relayed once
    records = [insert_record(item) for item in owed_items()]
    assert relay(api, records) == {"batchItemFailures": []}
    assert len(email_queue_bodies(api)) == 2

    # When the stream delivers them again (at least once)
    assert relay(api, records) == {"batchItemFailures": []}

    # Then nothing more is queued, and the user got each email once
    assert email_queue_bodies(api) == []


def test_a_relay_that_crashes_after_sending_sends_again_and_the_worker_sends_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a relay that sends, then dies before marking the message relayed
    account = api.register(name="Crash Test")
    records = [insert_record(item) for item in owed_items()]
    real_mark = outbox.mark_relayed
    monkeypatch.setattr(outbox, "mark_relayed", lambda item: (_ for _ in ()).throw(RuntimeError("crash")))
    first = relay(api, records)
    assert len(first["batchItemFailures"]) == 2
    queued_once = [json.dumps(body) for body in email_queue_bodies(api)]
    assert len(queued_once) == 2

    # When the stream retries with a healthy relay, the messages are sent again
    monkeypatch.setattr(outbox, "mark_relayed", real_mark)
    assert relay(api, records) == {"batchItemFailures": []}
    queued_twice = [json.dumps(body) for body in email_queue_bodies(api)]
    assert sorted(queued_twice) == sorted(queued_once)

    # Then the email worker, keyed on each message id, sends each email once
    assert api.deliver(queued_once + queued_twice) == {"batchItemFailures": []}
    assert len(api.mails_to(account.email)) == 2


def test_an_email_to_a_deleted_accounts_placeholder_is_never_sent(api: Api) -> None:
    from shared.lifecycle.registry import deleted_email

    body = {"id": "order-shipped:erased", "template": "welcome", "to": deleted_email("01erased"), "data": {"name": "x"}}

    assert api.deliver([json.dumps(body)]) == {"batchItemFailures": []}

    assert api.sent_emails() == []


def test_a_duplicate_owed_key_collapses_into_one_message(aws: FakeAws) -> None:
    message = Owed("email", "welcome:dup", {"id": "welcome:dup", "template": "welcome", "to": "a@example.com"})

    assert outbox.put(message) is True
    assert outbox.put(message) is False

    assert [item.message_key for item in owed_items()] == ["welcome:dup"]


# --------------------------------------------------------------------------- what is written


def test_a_failed_domain_transaction_owes_nothing(api: Api, admin: Account) -> None:
    # Given an account whose emails were relayed
    first = api.register("taken@example.com")
    api.queued_emails()

    # When a second registration of the same email fails
    res = api.call(
        "POST",
        "/api/v1/auth/register",
        {"email": "taken@example.com", "password": "An0ther-passw0rd", "name": "Second"},
    )

    # Then it owes no email
    assert_problem(res, 409, "USER_EXISTS")
    assert owed_items() == []

    # And a transaction cancelled by any other condition stores none of its messages
    owed = Owed("email", "never-sent", {"id": "never-sent"})
    with pytest.raises(TransactWriteError):
        owe_in_a_failing_transaction(owed, first.id)
    assert owed_items() == []
    assert outbox.get(*outbox_key(owed.destination, owed.key)) is None


def test_a_relayed_item_keeps_its_key_without_its_body_and_expires_in_a_week(api: Api, customer: Account) -> None:
    (item, _) = owed_items()
    assert item.body
    assert item.gsi1pk
    assert item.ttl is None

    api.relay_outbox()

    relayed = outbox.get(item.pk, item.sk)
    assert relayed is not None
    assert relayed.relayed_at
    assert relayed.body is None
    assert relayed.gsi1pk is None
    assert relayed.gsi1sk is None
    assert relayed.ttl is not None
    assert timedelta(days=6, hours=23) < relayed.ttl - now() <= timedelta(days=7)


def test_the_relay_only_receives_inserts_of_outbox_items(api: Api, customer: Account) -> None:
    (item, _) = owed_items()
    insert = insert_record(item)
    modify = {**insert, "eventName": "MODIFY"}
    other = json.loads(json.dumps(insert))
    other["dynamodb"]["NewImage"]["type"] = {"S": "USER"}

    assert stream_event([insert, modify, other])["Records"] == [insert]
