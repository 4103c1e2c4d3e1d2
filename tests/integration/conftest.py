from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from shared.identity import users
from shared.security.passwords import reset_hasher
from shared.settings import reset_settings

from tests.support.api import PASSWORD, Account, Api
from tests.support.aws import FakeAws, fake_aws
from tests.support.clock import Clock
from tests.support.localstripe import local_stripe_server


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Set up first, torn down last: after monkeypatch restored the environment, forget the
    settings (and the password hasher built from them) a test may have changed."""
    yield
    reset_settings()
    reset_hasher()


@pytest.fixture(scope="session")
def local_stripe() -> Iterator[str]:
    """localstripe, started once per test session (per xdist worker); ``STRIPE_API_BASE`` points
    at it for the whole session. Tests share its data: create what you use, look up by id."""
    with local_stripe_server() as url:
        previous = os.environ.get("STRIPE_API_BASE")
        os.environ["STRIPE_API_BASE"] = url
        reset_settings()
        try:
            yield url
        finally:
            if previous is None:
                os.environ.pop("STRIPE_API_BASE", None)
            else:
                os.environ["STRIPE_API_BASE"] = previous
            reset_settings()


@pytest.fixture
def aws() -> Iterator[FakeAws]:
    with fake_aws() as fake:
        yield fake


@pytest.fixture
def api(aws: FakeAws) -> Api:
    return Api(aws)


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Change settings through the environment, as a deployment would: ``configure(RATE_LOGIN_EMAIL="3/900")``."""

    def apply(**env: str) -> None:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        reset_settings()
        reset_hasher()

    return apply


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze the rate limiter's clock, so that no window boundary falls inside a test."""
    frozen = Clock()
    monkeypatch.setattr("shared.data.ratelimit.epoch", frozen)
    return frozen


@pytest.fixture
def customer(api: Api) -> Account:
    return api.register(name="Carla Customer")


@pytest.fixture
def admin(api: Api) -> Account:
    users.ensure_admin("admin@example.com", PASSWORD, "Ada Admin")
    res = api.login("admin@example.com")
    assert res.status == 200, res.body
    return Account(res.data["user"], res.data["accessToken"], res.data["refreshToken"], PASSWORD)


def pytest_configure(config: pytest.Config) -> None:
    # Powertools Metrics warns on every invocation that logged no metric; it is noise here.
    config.addinivalue_line("filterwarnings", "ignore:No application metrics to publish:UserWarning")
