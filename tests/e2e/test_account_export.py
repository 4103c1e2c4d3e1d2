"""Account export on the local stack: the emailed link downloads the account's JSON file over HTTP
from the stack's S3."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests

from devstack.httpclient import Client
from tests.e2e.conftest import LocalStack, eventually
from tests.e2e.test_local_stack import emails_to, register

pytestmark = pytest.mark.e2e
SUBJECT = "Your data export is ready"


def test_the_emailed_link_downloads_the_export(stack: LocalStack, api: Client) -> None:
    # Given a signed-in user who asks for their export
    email = f"export-{uuid.uuid4().hex[:10]}@example.com"
    account = register(api, email)
    res = api("GET", "/api/v1/users/me/export", token=account["accessToken"])
    assert res.status == 202, res.body
    assert res.data["status"] in ("waiting", "active", "completed")

    # When the job ran and the email arrived
    def export_mail() -> dict[str, Any] | None:
        return next((m for m in emails_to(api, email) if m["subject"] == SUBJECT), None)

    mail = eventually(export_mail, timeout=30)

    # Then its link downloads the JSON file of the account
    found = re.search(r"Download your data: (\S+)", mail["text"])
    assert found, mail["text"]
    downloaded = requests.get(found.group(1), timeout=10)
    assert downloaded.status_code == 200, downloaded.text
    document = downloaded.json()
    assert document["userId"] == account["user"]["id"]
    assert document["account"]["profile"]["email"] == email
    assert len(document["account"]["sessions"]) == 1
