"""Authentication routes: ``/api/v1/auth/*`` (register, login, tokens, sessions, passwords)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.http.app import create_app, serve
from shared.http.auth import access_cookie, clear_access_cookie, client_info, principal, requires
from shared.http.openapi import created_response
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


@app.post(f"{PREFIX}/register", responses=created_response(Envelope[AuthResult]), tags=["auth"])
def register(body: Annotated[RegisterRequest, Body()]) -> Response[Envelope[AuthResult]]:
    result = auth.register(body, client_info(app))
    return created(app, result, cookies=[access_cookie(result.access_token, result.expires_in)])


@app.post(f"{PREFIX}/login", tags=["auth"])
def login(body: Annotated[LoginRequest, Body()]) -> Response[Envelope[AuthResult]]:
    result = auth.login(body, client_info(app))
    return ok(app, result, cookies=[access_cookie(result.access_token, result.expires_in)])


@app.post(f"{PREFIX}/refresh", tags=["auth"])
def refresh(body: Annotated[RefreshRequest, Body()]) -> Response[Envelope[TokenPair]]:
    tokens = auth.refresh(body.refresh_token)
    return ok(app, tokens, cookies=[access_cookie(tokens.access_token, tokens.expires_in)])


@app.post(f"{PREFIX}/logout", tags=["auth"])
@requires()
def logout() -> Response[Envelope[Message]]:
    auth.logout(principal(app))
    return ok(app, Message(message="Logout successful"), cookies=[clear_access_cookie()])


@app.get(f"{PREFIX}/me", tags=["auth"])
@requires()
def me() -> Response[Envelope[UserOut]]:
    return ok(app, auth.me(principal(app)))


@app.get(f"{PREFIX}/verify", tags=["auth"])
@requires()
def verify() -> Response[Envelope[TokenCheck]]:
    return ok(app, auth.check_token(principal(app)))


@app.get(f"{PREFIX}/sessions", tags=["auth"])
@requires()
def sessions() -> Response[Envelope[ItemsPage[SessionOut]]]:
    return ok(app, ItemsPage[SessionOut](items=auth.list_sessions(principal(app))))


@app.delete(f"{PREFIX}/sessions/<sessionId>", tags=["auth"])
@requires()
def revoke_session(
    sessionId: Annotated[str, Path(min_length=1, max_length=64)],
) -> Response[Envelope[Message]]:
    auth.revoke_session(principal(app), sessionId)
    return ok(app, Message(message="Session revoked"))


@app.post(f"{PREFIX}/change-password", tags=["auth"])
@requires()
def change_password(body: Annotated[ChangePasswordRequest, Body()]) -> Response[Envelope[Message]]:
    ended = auth.change_password(principal(app), body)
    return ok(app, Message(message=f"Password changed; {ended} other session(s) signed out"))


@app.post(f"{PREFIX}/forgot-password", responses={202: {"description": "Accepted"}}, tags=["auth"])
def forgot_password(body: Annotated[ForgotPasswordRequest, Body()]) -> Response[Envelope[Message]]:
    auth.forgot_password(body.email, client_info(app))
    return accepted(app, Message(message="If that email is registered, a reset link is on its way"))


@app.post(f"{PREFIX}/reset-password", tags=["auth"])
def reset_password(body: Annotated[ResetPasswordRequest, Body()]) -> Response[Envelope[Message]]:
    auth.reset_password(body)
    return ok(app, Message(message="Password has been reset; sign in with the new password"))


@app.post(f"{PREFIX}/verify-email", tags=["auth"])
def verify_email(body: Annotated[VerifyEmailRequest, Body()]) -> Response[Envelope[UserOut]]:
    return ok(app, auth.verify_email(body.token))


@app.post(f"{PREFIX}/resend-verification", responses={202: {"description": "Accepted"}}, tags=["auth"])
@requires()
def resend_verification() -> Response[Envelope[Message]]:
    auth.resend_verification(principal(app))
    return accepted(app, Message(message="Verification email sent"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
