"""Authentication flows: register, login, refresh (rotation + reuse detection), logout,
password change/reset and email verification."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from aws_lambda_powertools.metrics import MetricUnit

from shared.clock import iso, now, now_iso
from shared.data import ratelimit
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited, Unauthenticated
from shared.identity import notifications, repository, session_repository
from shared.identity.jobs import PASSWORD_RESET, onboarding_email
from shared.identity.models import SessionItem, UserItem
from shared.identity.principal import ClientInfo, Principal, ensure_not_blocked
from shared.identity.schemas import (
    AuthResult,
    ChangePasswordRequest,
    LoginRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionOut,
    TokenCheck,
    TokenPair,
    UserOut,
)
from shared.identity.tokens import new_refresh_token, new_user_token, parse_refresh_token, token_owner
from shared.identity.views import session_out, user_out
from shared.ids import new_id
from shared.jobs.enqueue import enqueue
from shared.jobs.spec import owed
from shared.observability import logger, metrics
from shared.security.jwt_tokens import issue_access_token
from shared.security.passwords import hash_password, needs_rehash, verify_password
from shared.security.secrets import token_digest
from shared.settings import RateLimit, get_settings


def _invalid_credentials() -> Unauthenticated:
    # A new instance per failure: re-raising one shared instance would chain every failure's
    # traceback (and the frames holding the submitted passwords) onto it for the container's life.
    return Unauthenticated("Invalid email or password", code="INVALID_CREDENTIALS")


def _count(scope: str, key: str | None, rule: RateLimit) -> None:
    """Count one attempt; Raises :class:`RateLimited` once the window's limit is passed."""
    if not key:
        return
    window = ratelimit.hit(scope, key, rule.window_seconds)
    if window.count > rule.limit:
        metrics.add_metric(name="RateLimited", unit=MetricUnit.Count, value=1)
        raise RateLimited(window.retry_after_seconds)


def _check_not_limited(scope: str, key: str | None, rule: RateLimit) -> None:
    if key:
        window = ratelimit.peek(scope, key, rule.window_seconds)
        if window.count >= rule.limit:
            raise RateLimited(window.retry_after_seconds)


def _start_session(user: UserItem, client: ClientInfo) -> TokenPair:
    settings = get_settings()
    session_id = new_id()
    refresh_token = new_refresh_token(user.user_id, session_id)
    started = now()
    expires = started + timedelta(seconds=settings.refresh_token_ttl_seconds)
    session = session_repository.new_session_item(
        user.user_id,
        session_id,
        refresh_hash=token_digest(refresh_token),
        created_at=iso(started),
        last_used_at=iso(started),
        expires_at=iso(expires),
        user_agent=(client.user_agent or "")[:256] or None,
        ip_address=client.ip,
    )
    session.ttl = expires
    session_repository.put_session(session)
    access_token, expires_in = issue_access_token(user.user_id, session_id, user.role)
    return TokenPair(access_token=access_token, refresh_token=refresh_token, expires_in=expires_in)


def _auth_result(user: UserItem, tokens: TokenPair) -> AuthResult:
    return AuthResult(
        user=user_out(user),
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


def register(request: RegisterRequest, client: ClientInfo) -> AuthResult:
    """Create a customer (approved) or a seller (pending approval).

    Raises :class:`Conflict` ``USER_EXISTS``/``USERNAME_TAKEN``, :class:`RateLimited`.
    """
    settings = get_settings()
    _count("register-ip", client.ip, settings.rate_register_ip)
    _count("register-email", request.email, settings.rate_register_email)
    created = now_iso()
    user_id = new_id()
    verify_token = new_user_token(user_id)
    user = UserItem.new(
        user_id,
        created,
        email=request.email,
        name=request.name,
        username=request.username,
        password_hash=hash_password(request.password),
        role=request.role,
        status="pending" if request.role == "seller" else "approved",
        email_verified=False,
        verify_hash=token_digest(verify_token),
        verify_expires_at=iso(now() + timedelta(seconds=settings.email_verification_ttl_seconds)),
    )
    owes = [
        notifications.welcome(user),
        notifications.verify_email(user, verify_token),
        owed(onboarding_email(user_id)),
    ]
    repository.create_user(user, owes)
    tokens = _start_session(user, client)
    metrics.add_metric(name="UserRegistered", unit=MetricUnit.Count, value=1)
    logger.info("user registered", extra={"user_id": user_id, "role": user.role})
    return _auth_result(user, tokens)


def login(request: LoginRequest, client: ClientInfo) -> AuthResult:
    """Failed attempts are counted per IP and per email; the same ``INVALID_CREDENTIALS`` answers
    an unknown email and a wrong password, after the same argon2 work.

    Raises :class:`Unauthenticated`, :class:`Forbidden` (``ACCOUNT_SUSPENDED``,
    ``ACCOUNT_PENDING``, ``ACCOUNT_REJECTED``), :class:`RateLimited`.
    """
    settings = get_settings()
    _check_not_limited("login-ip", client.ip, settings.rate_login_ip)
    _check_not_limited("login-email", request.email, settings.rate_login_email)
    user = repository.find_user_by_email(request.email)
    if not verify_password(user.password_hash if user else None, request.password) or user is None:
        metrics.add_metric(name="LoginFailed", unit=MetricUnit.Count, value=1)
        _count("login-ip", client.ip, settings.rate_login_ip)
        _count("login-email", request.email, settings.rate_login_email)
        raise _invalid_credentials()
    ensure_not_blocked(user)
    if user.status == "pending":
        raise Forbidden("Your seller account is pending approval", code="ACCOUNT_PENDING")
    logged_in = now_iso()
    rehash = hash_password(request.password) if needs_rehash(user.password_hash) else None
    repository.record_login(user.user_id, logged_in, rehash)
    user.last_login_at = logged_in
    tokens = _start_session(user, client)
    logger.info("user logged in", extra={"user_id": user.user_id})
    return _auth_result(user, tokens)


def refresh(raw_token: str) -> TokenPair:
    """Rotate the refresh token. Presenting a token that is not the session's current one
    (a replayed, stolen or raced token) ends the whole session.

    Raises :class:`Unauthenticated` ``INVALID_REFRESH_TOKEN``/``REFRESH_TOKEN_REUSED``,
    :class:`Forbidden` for blocked accounts.
    """
    invalid = Unauthenticated("Invalid or expired refresh token", code="INVALID_REFRESH_TOKEN")
    token = parse_refresh_token(raw_token)
    if token is None:
        raise invalid
    user, session = repository.get_user_and_session(token.user_id, token.session_id)
    current = now_iso()
    if session is None or user is None or session.expires_at <= current:
        raise invalid
    presented = token_digest(token.raw)
    new_token = new_refresh_token(user.user_id, session.session_id)
    if not hmac.compare_digest(presented, session.refresh_hash):
        _revoke_reused(session)
    ensure_not_blocked(user)
    rotated = session_repository.rotate_refresh(
        user.user_id, session.session_id, presented, token_digest(new_token), current
    )
    if not rotated:
        _revoke_reused(session)
    access_token, expires_in = issue_access_token(user.user_id, session.session_id, user.role)
    return TokenPair(access_token=access_token, refresh_token=new_token, expires_in=expires_in)


def _revoke_reused(session: SessionItem) -> NoReturn:
    """A refresh token that is not the session's current one (replayed, stolen or raced) ends it."""
    session_repository.delete_session(session.user_id, session.session_id)
    metrics.add_metric(name="RefreshTokenReuse", unit=MetricUnit.Count, value=1)
    logger.warning("refresh token reuse; session revoked", extra={"user_id": session.user_id})
    raise Unauthenticated(
        "This refresh token was already used; the session has been revoked", code="REFRESH_TOKEN_REUSED"
    )


def logout(principal: Principal) -> None:
    session_repository.delete_session(principal.user_id, principal.session_id)


def me(principal: Principal) -> UserOut:
    return user_out(principal.user)


def check_token(principal: Principal) -> TokenCheck:
    return TokenCheck(
        valid=True,
        user=user_out(principal.user),
        session_id=principal.session_id,
        expires_at=iso(datetime.fromtimestamp(principal.token_expires_at, UTC)),
    )


def list_sessions(principal: Principal) -> list[SessionOut]:
    current = now_iso()
    stored = session_repository.list_sessions(principal.user_id)
    sessions: list[SessionItem] = [s for s in stored if s.expires_at > current]
    sessions.sort(key=lambda s: s.last_used_at, reverse=True)
    return [session_out(s, principal.session_id) for s in sessions]


def revoke_session(principal: Principal, session_id: str) -> None:
    """End one of the caller's own sessions. Raises :class:`NotFound` ``SESSION_NOT_FOUND``."""
    if not session_repository.delete_session(principal.user_id, session_id):
        raise NotFound("Session not found", code="SESSION_NOT_FOUND")


def password_matches(user: UserItem, password: str) -> bool:
    """Whether ``password`` is the account's, for a signed-in caller confirming a sensitive change.
    A wrong one counts like a failed login of the account (a stolen access token must not be an
    unlimited oracle for the password). Raises :class:`RateLimited`."""
    rule = get_settings().rate_login_email
    _check_not_limited("login-email", user.email, rule)
    if verify_password(user.password_hash, password):
        return True
    _count("login-email", user.email, rule)
    return False


def change_password(principal: Principal, request: ChangePasswordRequest) -> int:
    """Change the password and end every other session. Returns how many were ended.

    Wrong current passwords count like failed logins of the account (whoever holds a stolen
    access token must not get an unlimited oracle for the password).

    Raises :class:`InvalidInput` ``INVALID_CURRENT_PASSWORD``, :class:`RateLimited`.
    """
    user = principal.user
    if not password_matches(user, request.current_password):
        raise InvalidInput(
            "Current password is incorrect",
            code="INVALID_CURRENT_PASSWORD",
            errors={"currentPassword": ["is incorrect"]},
        )
    if request.new_password == request.current_password:
        raise InvalidInput(
            "The new password must differ from the current one",
            errors={"newPassword": ["must differ from the current password"]},
        )
    changed = now_iso()
    new_hash = hash_password(request.new_password)
    repository.set_password(user.user_id, new_hash, changed, [notifications.password_changed(user, changed)])
    return session_repository.delete_sessions(user.user_id, keep_session_id=principal.session_id)


def forgot_password(email: str, client: ClientInfo) -> None:
    """Always 202, and the same work for every address: the rate counters, then one transaction
    enqueueing the ``identity.password-reset`` job (:mod:`shared.identity.jobs`), which looks the
    account up and owes the reset email only if it exists and may reset. Neither the answer nor its
    time tells known emails from unknown ones, and no queue is called, so a queue outage fails
    nothing either.

    Raises :class:`RateLimited`.
    """
    settings = get_settings()
    _count("forgot-ip", client.ip, settings.rate_forgot_ip)
    _count("forgot-email", email, settings.rate_forgot_email)
    enqueue(PASSWORD_RESET, {"email": email}, priority="high")


def reset_password(request: ResetPasswordRequest) -> None:
    """Single use, 10-minute token. Ends every session of the user.

    Raises :class:`InvalidInput` ``INVALID_RESET_TOKEN``.
    """
    invalid = InvalidInput(
        "The reset token is invalid or has expired",
        code="INVALID_RESET_TOKEN",
        errors={"token": ["is invalid or has expired"]},
    )
    user_id = token_owner(request.token)
    if user_id is None:
        raise invalid
    user = repository.get_user(user_id)
    if user is None:
        raise invalid
    changed = now_iso()
    new_hash = hash_password(request.password)
    owed = [notifications.password_changed(user, changed)]
    if not repository.consume_reset_token(user_id, token_digest(request.token), changed, new_hash, owed):
        raise invalid
    session_repository.delete_sessions(user_id)


def verify_email(token: str) -> UserOut:
    """Raises :class:`InvalidInput` ``INVALID_VERIFICATION_TOKEN``."""
    invalid = InvalidInput(
        "The verification token is invalid or has expired",
        code="INVALID_VERIFICATION_TOKEN",
        errors={"token": ["is invalid or has expired"]},
    )
    user_id = token_owner(token)
    if user_id is None:
        raise invalid
    user = repository.consume_verify_token(user_id, token_digest(token), now_iso())
    if user is None:
        raise invalid
    return user_out(user)


def resend_verification(principal: Principal) -> None:
    """Raises :class:`Conflict` ``ALREADY_VERIFIED``, :class:`RateLimited`."""
    user = principal.user
    if user.email_verified:
        raise Conflict("The email address is already verified", code="ALREADY_VERIFIED")
    settings = get_settings()
    _count("verify-email", user.user_id, settings.rate_forgot_email)
    token = new_user_token(user.user_id)
    expires = iso(now() + timedelta(seconds=settings.email_verification_ttl_seconds))
    repository.set_verify_token(user.user_id, token_digest(token), expires, [notifications.verify_email(user, token)])
