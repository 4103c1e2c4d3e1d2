from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from shared.security.passwords import reset_hasher
from shared.settings import reset_settings


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Torn down last (after monkeypatch restored the environment): forget changed settings."""
    reset_settings()
    yield
    reset_settings()
    reset_hasher()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Change settings through the environment: ``configure(APP_ENV="prod", JWT_SECRET=None)``."""

    def apply(**env: str | None) -> None:
        for key, value in env.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        reset_settings()
        reset_hasher()

    return apply
