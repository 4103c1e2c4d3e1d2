"""POST /api/v1/uploads: a presigned S3 POST limited to one key, an image type and 5 MB."""

from __future__ import annotations

import pytest

from tests.support.api import Account, Api, assert_problem

UPLOADS = "/api/v1/uploads"
FIVE_MB = 5 * 1024 * 1024


def ticket(api: Api, account: Account, **body: object) -> dict[str, object]:
    res = api.call("POST", UPLOADS, body, token=account.access_token)
    assert res.status == 201, res.body
    return dict(res.data)


def test_avatar_ticket_is_scoped_to_the_caller(api: Api, customer: Account) -> None:
    data = ticket(api, customer, purpose="avatar", contentType="image/png", contentLength=2048)

    key = str(data["key"])
    assert key.startswith(f"avatar/{customer.id}/")
    assert key.endswith(".png")
    assert data["maxBytes"] == FIVE_MB
    assert data["contentType"] == "image/png"
    fields = data["fields"]
    assert isinstance(fields, dict)
    assert fields["key"] == key
    assert fields["Content-Type"] == "image/png"
    assert "policy" in fields
    assert str(data["publicUrl"]).endswith(key)
    assert str(data["uploadUrl"]).startswith("https://")


def test_the_signed_policy_enforces_type_and_size(api: Api, customer: Account) -> None:
    import base64
    import json

    data = ticket(api, customer, purpose="avatar", contentType="image/jpeg", contentLength=10)
    fields = data["fields"]
    assert isinstance(fields, dict)
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, FIVE_MB] in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert {"key": data["key"]} in conditions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "avatar", "contentType": "application/pdf", "contentLength": 10}, "contentType"),
        ({"purpose": "avatar", "contentType": "image/svg+xml", "contentLength": 10}, "contentType"),
        ({"purpose": "avatar", "contentType": "image/png", "contentLength": FIVE_MB + 1}, "contentLength"),
        ({"purpose": "avatar", "contentType": "image/png", "contentLength": 0}, "contentLength"),
        ({"purpose": "malware", "contentType": "image/png", "contentLength": 10}, "purpose"),
        ({"purpose": "avatar", "contentType": "image/png", "contentLength": 10, "key": "x"}, "key"),
    ],
)
def test_bad_requests_are_400(api: Api, customer: Account, body: dict[str, object], field: str) -> None:
    res = api.call("POST", UPLOADS, body, token=customer.access_token)
    assert field in assert_problem(res, 400, "VALIDATION_ERROR")["errors"]


def test_who_may_upload_what(api: Api, admin: Account, customer: Account) -> None:
    image = {"purpose": "product-image", "contentType": "image/webp", "contentLength": 100}
    logo = {"purpose": "logo", "contentType": "image/png", "contentLength": 100}
    pending = api.register(role="seller")

    assert_problem(api.call("POST", UPLOADS, image), 401, "NO_TOKEN")
    assert_problem(api.call("POST", UPLOADS, image, token=customer.access_token), 403, "SELLER_NOT_APPROVED")
    assert_problem(api.call("POST", UPLOADS, logo, token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(api.call("POST", UPLOADS, image, token=pending.access_token), 403, "SELLER_NOT_APPROVED")
    assert api.call("POST", UPLOADS, logo, token=pending.access_token).status == 201

    api.call("POST", f"/api/v1/admin/sellers/{pending.id}/approve", token=admin.access_token)
    assert api.call("POST", UPLOADS, image, token=pending.access_token).status == 201
    assert api.call("POST", UPLOADS, image, token=admin.access_token).status == 201
