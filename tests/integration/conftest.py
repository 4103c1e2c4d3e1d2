from __future__ import annotations

from collections.abc import Iterator

import pytest
from shared.identity import users

from tests.support.api import PASSWORD, Account, Api
from tests.support.aws import FakeAws, fake_aws


@pytest.fixture
def aws() -> Iterator[FakeAws]:
    with fake_aws() as fake:
        yield fake


@pytest.fixture
def api(aws: FakeAws) -> Api:
    return Api(aws)


@pytest.fixture
def customer(api: Api) -> Account:
    return api.register(name="Carla Customer")


@pytest.fixture
def admin(api: Api) -> Account:
    users.ensure_admin("admin@example.com", PASSWORD, "Ada Admin")
    res = api.login("admin@example.com")
    assert res.status == 200, res.body
    return Account(res.data["user"], res.data["accessToken"], res.data["refreshToken"], PASSWORD)
