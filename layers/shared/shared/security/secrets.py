"""Signing keys. Outside local/test mode they come from Secrets Manager, never a default."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from shared.messaging.clients import client
from shared.settings import ConfigurationError, get_settings

_MIN_SECRET_BYTES = 32
_LOCAL_FALLBACK = "local-development-signing-key-not-for-production!!"


def _secrets() -> Any:
    """Powertools' Secrets Manager provider (values cached for ``max_age``) on the process's
    client: its default would build a boto3 session of its own, a second botocore session on
    the first authenticated request of every deployed function."""
    return _provider(client("secretsmanager"))


@lru_cache(maxsize=1)
def _provider(secretsmanager: Any) -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=secretsmanager)


def jwt_signing_key() -> str:
    """The HS256 key for access tokens.

    Local/test mode: ``JWT_SECRET`` (or a fixed development key). Deployed: the secret named by
    ``JWT_SECRET_ID``, fetched through Powertools Parameters and cached for five minutes.
    """
    settings = get_settings()
    if settings.is_local:
        return settings.jwt_secret or _LOCAL_FALLBACK
    if not settings.jwt_secret_id:
        raise ConfigurationError("JWT_SECRET_ID is not set")
    value = _secrets().get(settings.jwt_secret_id, max_age=300)
    secret = value.decode() if isinstance(value, bytes) else str(value)
    if len(secret.encode()) < _MIN_SECRET_BYTES:
        raise ConfigurationError("the JWT secret is shorter than 32 bytes")
    return secret


LOCAL_STRIPE_SECRET_KEY = "sk_test_localstripe"
LOCAL_STRIPE_WEBHOOK_SECRET = "whsec_local_development_secret"


def _secret(secret_id: str, setting: str) -> str:
    if not secret_id:
        raise ConfigurationError(f"{setting} is not set")
    value = _secrets().get(secret_id, max_age=300)
    secret = value.decode() if isinstance(value, bytes) else str(value)
    if not secret.strip():
        raise ConfigurationError(f"the secret named by {setting} is empty")
    return secret.strip()


def stripe_api_key() -> str:
    """Stripe's secret API key: ``STRIPE_SECRET_KEY`` locally, else the secret ``STRIPE_SECRET_ID``."""
    settings = get_settings()
    if settings.is_local:
        return settings.stripe_secret_key or LOCAL_STRIPE_SECRET_KEY
    return _secret(settings.stripe_secret_id, "STRIPE_SECRET_ID")


def stripe_webhook_secret() -> str:
    """The webhook signing secret (``whsec_...``): ``STRIPE_WEBHOOK_SECRET`` locally, else the secret
    ``STRIPE_WEBHOOK_SECRET_ID``."""
    settings = get_settings()
    if settings.is_local:
        return settings.stripe_webhook_secret or LOCAL_STRIPE_WEBHOOK_SECRET
    return _secret(settings.stripe_webhook_secret_id, "STRIPE_WEBHOOK_SECRET_ID")


def derived_key(purpose: str) -> bytes:
    """A key for ``purpose`` (cursors, token hashing) derived from the signing key."""
    return hmac.new(jwt_signing_key().encode(), purpose.encode(), hashlib.sha256).digest()


def token_digest(token: str) -> str:
    """The stored form of an opaque token: SHA-256, so a table leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
