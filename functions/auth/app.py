"""Authentication routes: ``/api/v1/auth/*`` (register, login, tokens, sessions, passwords)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthenticated
from shared.http.app import create_app, serve
from shared.http.auth import access_cookie, clear_access_cookie, client_info, principal, requires
from shared.http.openapi import raises
from shared.http.responses import accepted, created, ok
from shared.identity import auth
from shared.identity.schemas import (
    AuthResult,
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionOut,
    TokenCheck,
    TokenPair,
    UserOut,
    VerifyEmailRequest,
)
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
PREFIX = "/api/v1/auth"


@app.post(
    f"{PREFIX}/register",
    responses=raises(Conflict, RateLimited, success=201),
    tags=["auth"],
)
def register(body: Annotated[RegisterRequest, Body()]) -> Response[Envelope[AuthResult]]:
    """Create an account.

    A customer is approved at once; a seller starts `pending` until an admin approves the
    application. Answers the user and a token pair, and sets the access-token cookie.
    """
    result = auth.register(body, client_info(app))
    return created(app, result, cookies=[access_cookie(result.access_token, result.expires_in)])


@app.post(f"{PREFIX}/login", responses=raises(Unauthenticated, Forbidden, RateLimited), tags=["auth"])
def login(body: Annotated[LoginRequest, Body()]) -> Response[Envelope[AuthResult]]:
    """Sign in with email and password.

    Answers the user and a token pair, and sets the access-token cookie. Failed attempts are rate
    limited per IP and per email.
    """
    result = auth.login(body, client_info(app))
    return ok(app, result, cookies=[access_cookie(result.access_token, result.expires_in)])


@app.post(f"{PREFIX}/refresh", responses=raises(Unauthenticated, Forbidden), tags=["auth"])
def refresh(body: Annotated[RefreshRequest, Body()]) -> Response[Envelope[TokenPair]]:
    """Exchange a refresh token for a new token pair.

    The refresh token is rotated: presenting an old one again revokes the whole session.
    """
    tokens = auth.refresh(body.refresh_token)
    return ok(app, tokens, cookies=[access_cookie(tokens.access_token, tokens.expires_in)])


@app.post(f"{PREFIX}/logout", tags=["auth"])
@requires()
def logout() -> Response[Envelope[Message]]:
    """Sign out.

    Ends the current session and clears the access-token cookie.
    """
    auth.logout(principal(app))
    return ok(app, Message(message="Logout successful"), cookies=[clear_access_cookie()])


@app.get(f"{PREFIX}/me", tags=["auth"])
@requires()
def me() -> Response[Envelope[UserOut]]:
    """The signed-in user."""
    return ok(app, auth.me(principal(app)))


@app.get(f"{PREFIX}/verify", tags=["auth"])
@requires()
def verify() -> Response[Envelope[TokenCheck]]:
    """Check the access token.

    Answers whether it is valid, with its user, session id and expiry.
    """
    return ok(app, auth.check_token(principal(app)))


@app.get(f"{PREFIX}/sessions", tags=["auth"])
@requires()
def sessions() -> Response[Envelope[ItemsPage[SessionOut]]]:
    """The caller's sessions.

    The one making the request is flagged `current`.
    """
    return ok(app, ItemsPage[SessionOut](items=auth.list_sessions(principal(app))))


@app.delete(f"{PREFIX}/sessions/<sessionId>", responses=raises(NotFound), tags=["auth"])
@requires()
def revoke_session(
    sessionId: Annotated[str, Path(min_length=1, max_length=64)],
) -> Response[Envelope[Message]]:
    """End one of the caller's sessions."""
    auth.revoke_session(principal(app), sessionId)
    return ok(app, Message(message="Session revoked"))


@app.post(f"{PREFIX}/change-password", responses=raises(RateLimited), tags=["auth"])
@requires()
def change_password(body: Annotated[ChangePasswordRequest, Body()]) -> Response[Envelope[Message]]:
    """Change the password.

    Needs the current password; ends every other session. A wrong current password counts as a
    failed login.
    """
    ended = auth.change_password(principal(app), body)
    return ok(app, Message(message=f"Password changed; {ended} other session(s) signed out"))


@app.post(f"{PREFIX}/forgot-password", responses=raises(RateLimited, success=202), tags=["auth"])
def forgot_password(body: Annotated[ForgotPasswordRequest, Body()]) -> Response[Envelope[Message]]:
    """Ask for a password reset link.

    Always 202, after the same work for every address, so neither the answer nor its time
    discloses whether the email is registered. A background job then mails a registered, not
    suspended account a single-use link valid 10 minutes.
    """
    auth.forgot_password(body.email, client_info(app))
    return accepted(app, Message(message="If that email is registered, a reset link is on its way"))


@app.post(f"{PREFIX}/reset-password", tags=["auth"])
def reset_password(body: Annotated[ResetPasswordRequest, Body()]) -> Response[Envelope[Message]]:
    """Set a new password with a reset token.

    Ends every session of the account.
    """
    auth.reset_password(body)
    return ok(app, Message(message="Password has been reset; sign in with the new password"))


@app.post(f"{PREFIX}/verify-email", tags=["auth"])
def verify_email(body: Annotated[VerifyEmailRequest, Body()]) -> Response[Envelope[UserOut]]:
    """Verify the email address with the token from the verification mail."""
    return ok(app, auth.verify_email(body.token))


@app.post(
    f"{PREFIX}/resend-verification",
    responses=raises(Conflict, RateLimited, success=202),
    tags=["auth"],
)
@requires()
def resend_verification() -> Response[Envelope[Message]]:
    """Mail a new verification link."""
    auth.resend_verification(principal(app))
    return accepted(app, Message(message="Verification email sent"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
