"""Access tokens: short-lived HS256 JWTs with iss, aud, exp, iat, sub, jti and the session id.

PyJWT (and the cryptography package it loads, ~40 ms) is imported when a token is first issued
or verified, not when a function imports this module: most routes are public or never sign.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.clock import epoch
from shared.errors import Unauthenticated
from shared.ids import new_id
from shared.security.secrets import jwt_signing_key
from shared.settings import get_settings

ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "sub", "jti", "iss", "aud"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    token_id: str
    expires_at: int


def issue_access_token(user_id: str, session_id: str, role: str) -> tuple[str, int]:
    """Return ``(token, expires_in_seconds)``."""
    import jwt

    settings = get_settings()
    now = epoch()
    ttl = settings.access_token_ttl_seconds
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": user_id,
        "sid": session_id,
        "role": role,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": new_id(),
    }
    return jwt.encode(claims, jwt_signing_key(), algorithm=ALGORITHM), ttl


def decode_access_token(token: str) -> AccessClaims:
    """Verify signature, algorithm, issuer, audience and expiry.

    Raises :class:`Unauthenticated` with code ``TOKEN_EXPIRED`` or ``INVALID_TOKEN``.
    """
    import jwt

    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            jwt_signing_key(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED},
            leeway=5,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("Access token has expired", code="TOKEN_EXPIRED") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("Invalid access token", code="INVALID_TOKEN") from exc
    sub, sid, jti = claims.get("sub"), claims.get("sid"), claims.get("jti")
    if not all(isinstance(value, str) and value for value in (sub, sid, jti)):
        raise Unauthenticated("Invalid access token", code="INVALID_TOKEN")
    return AccessClaims(user_id=str(sub), session_id=str(sid), token_id=str(jti), expires_at=int(claims["exp"]))
