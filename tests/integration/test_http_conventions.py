"""What every API response looks like: envelope, errors, headers, body limits, CORS."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.api import Account, Api, assert_problem

REGISTER = "/api/v1/auth/register"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def test_success_envelope_carries_the_request_id(api: Api, customer: Account) -> None:
    res = api.call("GET", "/api/v1/auth/me", token=customer.access_token)

    assert res.status == 200
    assert res.body["success"] is True
    assert set(res.body) == {"success", "data", "meta"}
    assert len(res.body["meta"]["requestId"]) >= 16


def test_health(api: Api) -> None:
    res = api.call("GET", "/health")

    assert res.status == 200
    assert res.data["status"] == "ok"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/health", None),
        ("POST", REGISTER, {"email": "nope"}),
        ("GET", "/api/v1/auth/me", None),
        ("GET", "/api/v1/users", None),
    ],
)
def test_security_headers_on_success_and_error(api: Api, method: str, path: str, body: object) -> None:
    res = api.call(method, path, body)

    for name, value in SECURITY_HEADERS.items():
        assert res.headers.get(name) == value, (name, res.headers)
    assert "max-age=" in res.headers["strict-transport-security"]
    assert "default-src 'none'" in res.headers["content-security-policy"]


def test_malformed_json_is_400_invalid_json(api: Api) -> None:
    # Given a body that is not JSON, sent as JSON
    res = api.call("POST", REGISTER, '{"email": "a@b.co",', headers={"content-type": "application/json"})

    # Then the caller learns it is the JSON, not a field, that is wrong
    assert_problem(res, 400, "INVALID_JSON")


def test_body_that_is_not_an_object_is_a_validation_error(api: Api) -> None:
    res = api.call("POST", "/api/v1/auth/login", ["a", "b"])

    assert_problem(res, 400, "VALIDATION_ERROR")
    assert "body" in res.error["errors"]


def test_missing_body_is_a_validation_error(api: Api) -> None:
    res = api.call("POST", "/api/v1/auth/login")

    assert_problem(res, 400, "VALIDATION_ERROR")
    assert res.error["errors"] == {"body": ["This field is required"]}


def test_oversized_body_is_413_before_parsing(api: Api) -> None:
    body = '{"email": "' + "a" * 1_100_000 + '"}'

    res = api.call("POST", REGISTER, body, headers={"content-type": "application/json"})

    assert_problem(res, 413, "PAYLOAD_TOO_LARGE")
    assert res.headers["x-content-type-options"] == "nosniff"


def test_body_limit_is_configurable(api: Api, configure: Callable[..., None]) -> None:
    configure(MAX_BODY_BYTES="64")

    small = api.call("POST", "/api/v1/auth/login", {"email": "a@b.co", "password": "x"})
    large = api.call("POST", "/api/v1/auth/login", {"email": "a@b.co", "password": "x" * 60})

    assert small.status == 401
    assert_problem(large, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", "email=a@b.co"),
        ("application/xml", "<login/>"),
        ("application/x-www-form-urlencoded", "email=a%40b.co&password=Passw0rd-long"),
        (
            "multipart/form-data; boundary=xyz",
            "--xyz\r\nContent-Disposition: form-data; name=email\r\n\r\na\r\n--xyz--",
        ),
    ],
)
def test_non_json_body_is_415(api: Api, content_type: str, body: str) -> None:
    res = api.call("POST", "/api/v1/auth/login", body, headers={"content-type": content_type})

    assert_problem(res, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_json_with_charset_is_accepted(api: Api) -> None:
    res = api.call(
        "POST",
        "/api/v1/auth/login",
        '{"email": "nobody@example.com", "password": "whatever1"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )

    assert_problem(res, 401, "INVALID_CREDENTIALS")


def test_unknown_route_is_404_in_the_envelope(api: Api) -> None:
    # Given a path the function has no route for (API Gateway would not send it, but a
    # catch-all route or a template/route drift would)
    res = api.call_function("AuthFunction", "GET", "/api/v1/auth/does-not-exist")

    assert_problem(res, 404, "ROUTE_NOT_FOUND")


def test_unknown_user_id_is_404_not_500(api: Api, admin: Account) -> None:
    res = api.call("GET", "/api/v1/users/01nosuchuser", token=admin.access_token)

    assert_problem(res, 404, "USER_NOT_FOUND")


def test_cors_preflight(api: Api) -> None:
    res = api.call_function(
        "AuthFunction",
        "OPTIONS",
        "/api/v1/auth/login",
        headers={
            "origin": "https://app.test",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type",
        },
    )

    assert res.status == 204
    assert res.headers["access-control-allow-origin"] in ("*", "https://app.test")
    allowed = res.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed
    assert "POST" in res.headers["access-control-allow-methods"]
    assert "retry-after" in res.headers["access-control-expose-headers"].lower()


def test_cors_headers_on_a_cross_origin_response(api: Api) -> None:
    res = api.call("GET", "/health", headers={"origin": "https://app.test"})

    assert res.status == 200
    assert res.headers["access-control-allow-origin"] in ("*", "https://app.test")
