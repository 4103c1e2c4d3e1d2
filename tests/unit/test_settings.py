"""Settings from the environment: safe defaults, secrets refused outside local mode, rate limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError
from shared.security.secrets import jwt_signing_key
from shared.settings import ConfigurationError, RateLimit, Settings, get_settings

SECRET = "x" * 40


def test_defaults_are_production_safe() -> None:
    settings = Settings.from_environ({})

    assert settings.app_env == "prod"
    assert not settings.is_local
    assert settings.jwt_secret == ""
    assert settings.access_token_ttl_seconds == 900
    assert settings.rate_login_email == RateLimit(limit=10, window_seconds=900)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_jwt_secret_is_refused_outside_local_and_test(env: str) -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET may only be set in local or test mode"):
        Settings.from_environ({"APP_ENV": env, "JWT_SECRET": SECRET})


@pytest.mark.parametrize("env", ["local", "test"])
def test_jwt_secret_is_allowed_locally(env: str) -> None:
    assert Settings.from_environ({"APP_ENV": env, "JWT_SECRET": SECRET}).jwt_secret == SECRET


def test_get_settings_reports_misconfiguration_without_values(configure: Callable[..., None]) -> None:
    configure(APP_ENV="prod", JWT_SECRET="leaky-secret-value-0123456789-abcdef")

    with pytest.raises(ConfigurationError) as info:
        get_settings()

    assert "leaky-secret-value" not in str(info.value)
    assert "JWT_SECRET may only be set in local or test mode" in str(info.value)


def test_get_settings_names_the_bad_setting(configure: Callable[..., None]) -> None:
    configure(RATE_LOGIN_IP="lots", ACCESS_TOKEN_TTL_SECONDS="5")

    with pytest.raises(ConfigurationError) as info:
        get_settings()

    assert "RATE_LOGIN_IP" in str(info.value)
    assert "ACCESS_TOKEN_TTL_SECONDS" in str(info.value)
    assert "lots" not in str(info.value)


def test_secret_is_not_in_the_repr() -> None:
    settings = Settings.from_environ({"APP_ENV": "test", "JWT_SECRET": SECRET})

    assert SECRET not in repr(settings)


def test_deployed_signing_key_needs_a_secret_id(configure: Callable[..., None]) -> None:
    configure(APP_ENV="prod", JWT_SECRET=None, JWT_SECRET_ID=None)

    with pytest.raises(ConfigurationError, match="JWT_SECRET_ID"):
        jwt_signing_key()


def test_unknown_app_env_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings.from_environ({"APP_ENV": "staging"})


def test_environment_names_map_to_fields() -> None:
    settings = Settings.from_environ(
        {
            "APP_ENV": "test",
            "TABLE_NAME": "t1",
            "ACCESS_TOKEN_TTL_SECONDS": "120",
            "CORS_ALLOW_ORIGINS": "https://a.test, https://b.test,",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "POWERTOOLS_SERVICE_NAME": "auth",
            "EMAIL_FROM": "",
        }
    )

    assert settings.table_name == "t1"
    assert settings.access_token_ttl_seconds == 120
    assert settings.cors_allow_origins == ["https://a.test", "https://b.test"]
    assert settings.aws_region == "eu-west-1"
    assert settings.service_name == "auth"
    assert settings.email_from == "no-reply@example.com"  # empty means "not set"


def test_explicit_region_wins_over_default_region() -> None:
    settings = Settings.from_environ({"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "eu-west-1"})

    assert settings.aws_region == "us-west-2"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACCESS_TOKEN_TTL_SECONDS", "10"),
        ("ACCESS_TOKEN_TTL_SECONDS", "100000"),
        ("ARGON2_MEMORY_KIB", "1024"),
        ("ARGON2_TIME_COST", "1"),
        ("REFRESH_TOKEN_TTL_SECONDS", "60"),
        ("MAX_BODY_BYTES", "lots"),
    ],
)
def test_unsafe_or_malformed_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Settings.from_environ({name: value})


@pytest.mark.parametrize(
    ("text", "limit", "window"),
    [("3/900", 3, 900), ("10/60", 10, 60), (" 5/3600", 5, 3600)],
)
def test_rate_limit_parsing(text: str, limit: int, window: int) -> None:
    assert Settings.from_environ({"RATE_LOGIN_EMAIL": text}).rate_login_email == RateLimit(
        limit=limit, window_seconds=window
    )


@pytest.mark.parametrize("text", ["3", "3/", "/900", "a/b", "0/900", "3/0", "-1/900", "3/900/1", "3.5/900"])
def test_malformed_rate_limits_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        Settings.from_environ({"RATE_LOGIN_IP": text})


@pytest.mark.parametrize(
    "name",
    [
        "RATE_LOGIN_IP",
        "RATE_LOGIN_EMAIL",
        "RATE_REGISTER_IP",
        "RATE_REGISTER_EMAIL",
        "RATE_FORGOT_IP",
        "RATE_FORGOT_EMAIL",
    ],
)
def test_every_rate_limit_is_configurable(name: str) -> None:
    settings = Settings.from_environ({name: "7/70"})

    assert getattr(settings, name.lower()) == RateLimit(limit=7, window_seconds=70)


def test_settings_are_read_once_until_reset(configure: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_settings()
    monkeypatch.setenv("TABLE_NAME", "changed")

    assert get_settings() is first
    configure(TABLE_NAME="changed")
    assert get_settings().table_name == "changed"


def test_experience_allowed_domains_are_a_lowercase_comma_list() -> None:
    from shared.settings import Settings

    settings = Settings.from_environ({"EXPERIENCE_ALLOWED_DOMAINS": " Corp.test, @other.test ,,"})
    assert settings.experience_allowed_domains == ["corp.test", "other.test"]
    assert Settings.from_environ({"EXPERIENCE_ALLOWED_DOMAINS": ""}).experience_allowed_domains == []
