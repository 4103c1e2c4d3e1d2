"""Rate limits on login, register and forgot-password (small limits set through the environment)."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.api import PASSWORD, Account, Api, ApiResponse, assert_problem
from tests.support.clock import Clock
from tests.support.jobs import Jobs

FORGOT = "/api/v1/auth/forgot-password"


def assert_rate_limited(res: ApiResponse, retry_after: int) -> None:
    assert_problem(res, 429, "RATE_LIMITED")
    assert res.headers["retry-after"] == str(retry_after)


def test_login_failures_per_email(api: Api, customer: Account, configure: Callable[..., None], clock: Clock) -> None:
    configure(RATE_LOGIN_EMAIL="3/900")

    # Given three failed attempts on one email, from three addresses
    for n in range(3):
        assert_problem(api.login(customer.email, "Wrong-passw0rd", ip=f"203.0.113.{n}"), 401, "INVALID_CREDENTIALS")

    # Then even the right password is refused until the window ends
    assert_rate_limited(api.login(customer.email, ip="203.0.113.50"), retry_after=800)
    assert_rate_limited(api.login(customer.email.upper(), ip="203.0.113.51"), retry_after=800)
    # ... other accounts are not affected
    other = api.register()
    assert api.login(other.email, ip="203.0.113.52").status == 200
    # ... and the next window lets the user in
    clock.now += 800
    assert api.login(customer.email, ip="203.0.113.53").status == 200


def test_successful_logins_are_not_counted(
    api: Api, customer: Account, configure: Callable[..., None], clock: Clock
) -> None:
    configure(RATE_LOGIN_EMAIL="2/900")

    for _ in range(4):
        assert api.login(customer.email).status == 200


def test_login_failures_per_ip(api: Api, configure: Callable[..., None], clock: Clock) -> None:
    configure(RATE_LOGIN_IP="3/900")
    victim = api.register()

    # Given an address that tried three different accounts and failed
    for n in range(3):
        api.login(f"guess{n}@example.com", PASSWORD, ip="203.0.113.66")

    # Then that address is refused, another is not
    assert_rate_limited(api.login(victim.email, ip="203.0.113.66"), retry_after=800)
    assert api.login(victim.email, ip="203.0.113.67").status == 200


def test_register_per_ip(api: Api, configure: Callable[..., None], clock: Clock) -> None:
    configure(RATE_REGISTER_IP="2/3600")
    for n in range(2):
        api.register(f"r{n}@example.com", ip="203.0.113.80")

    res = api.call(
        "POST",
        "/api/v1/auth/register",
        {"email": "r2@example.com", "password": PASSWORD, "name": "Third"},
        ip="203.0.113.80",
    )

    assert_rate_limited(res, retry_after=3500)
    assert api.register("r3@example.com", ip="203.0.113.81").user["email"] == "r3@example.com"


def test_register_per_email(api: Api, configure: Callable[..., None], clock: Clock) -> None:
    configure(RATE_REGISTER_EMAIL="2/3600")
    body = {"email": "same@example.com", "password": PASSWORD, "name": "Same"}
    api.call("POST", "/api/v1/auth/register", body, ip="203.0.113.90")
    assert_problem(api.call("POST", "/api/v1/auth/register", body, ip="203.0.113.91"), 409, "USER_EXISTS")

    assert_rate_limited(api.call("POST", "/api/v1/auth/register", body, ip="203.0.113.92"), retry_after=3500)


def test_forgot_per_email(api: Api, customer: Account, configure: Callable[..., None], clock: Clock) -> None:
    configure(RATE_FORGOT_EMAIL="2/3600")
    api.queued_emails()
    for n in range(2):
        assert api.call("POST", FORGOT, {"email": customer.email}, ip=f"203.0.113.{n}").status == 202

    res = api.call("POST", FORGOT, {"email": customer.email}, ip="203.0.113.9")

    assert_rate_limited(res, retry_after=3500)
    assert Jobs(api).run("JobsHighQueue") == {"delivered": 2, "failed": 0}
    assert len(api.queued_emails()) == 2
    # Unknown emails are limited the same way, so the limit reveals nothing either.
    for _ in range(2):
        api.call("POST", FORGOT, {"email": "nobody@example.com"})
    assert_rate_limited(api.call("POST", FORGOT, {"email": "nobody@example.com"}), retry_after=3500)


def test_forgot_per_ip(api: Api, configure: Callable[..., None], clock: Clock) -> None:
    configure(RATE_FORGOT_IP="2/3600")
    for n in range(2):
        api.call("POST", FORGOT, {"email": f"f{n}@example.com"}, ip="203.0.113.77")

    assert_rate_limited(api.call("POST", FORGOT, {"email": "f9@example.com"}, ip="203.0.113.77"), retry_after=3500)
