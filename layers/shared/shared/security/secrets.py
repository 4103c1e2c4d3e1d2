"""Signing keys. Outside local/test mode they come from Secrets Manager, never a default."""

from __future__ import annotations

import hashlib
import hmac

from shared.settings import ConfigurationError, get_settings

_MIN_SECRET_BYTES = 32
_LOCAL_FALLBACK = "local-development-signing-key-not-for-production!!"


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
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(settings.jwt_secret_id, max_age=300)
    secret = value.decode() if isinstance(value, bytes) else str(value)
    if len(secret.encode()) < _MIN_SECRET_BYTES:
        raise ConfigurationError("the JWT secret is shorter than 32 bytes")
    return secret


def derived_key(purpose: str) -> bytes:
    """A key for ``purpose`` (cursors, token hashing) derived from the signing key."""
    return hmac.new(jwt_signing_key().encode(), purpose.encode(), hashlib.sha256).digest()


def token_digest(token: str) -> str:
    """The stored form of an opaque token: SHA-256, so a table leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
