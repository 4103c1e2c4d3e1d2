"""Principal extraction: ``Authorization: Bearer <jwt>``, the access-token cookie, or an
integration's ``X-Api-Key``.

An API key is a service principal: it reaches only the routes that opted in with
``@requires(..., service_scopes=(...))`` for one of its scopes, and every other protected route
answers it 403 ``API_KEY_NOT_ALLOWED`` (one rule, here, before the route runs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from shared.errors import Forbidden, Unauthenticated
from shared.identity.principal import ClientInfo, Principal, authenticate, authenticate_api_key, require_role
from shared.settings import get_settings

_CONTEXT_KEY = "principal"
API_KEY_HEADER = "x-api-key"
MAX_API_KEY_CHARS = 200
AUTH_MARK = "__requires_access__"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    """What a route requires of its caller: signed in, one of ``roles`` (any role if empty), and
    with ``approved``, an approved account (sellers start ``pending``). An API key is admitted
    only when it holds one of ``service_scopes`` (none: every key is refused)."""

    roles: tuple[str, ...] = ()
    approved: bool = False
    service_scopes: tuple[str, ...] = ()


def requires(*roles: str, approved: bool = False, service_scopes: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Mark a route as needing a signed-in caller (holding one of ``roles``, if given; with an
    approved account if ``approved``), so that the caller is checked *before* the request is
    validated: a request without credentials gets 401 and a caller without the role 403,
    whatever its body. Put it under ``@app.<method>``; the route still gets its principal with
    :func:`principal` (cached for the request). The OpenAPI document derives each operation's
    security and 401/403 responses from this mark. ``service_scopes``: the API key scopes that
    may call the route too (an integration's service principal); without them, a key is 403."""

    def mark(func: F) -> F:
        setattr(func, AUTH_MARK, Access(tuple(roles), approved, tuple(service_scopes)))
        return func

    _load_session_store()
    return mark


def _load_session_store() -> None:
    """A function with a protected route reads a session on its first request: its store
    (identity's repository, PynamoDB, botocore) is loaded with the function, so that first
    request costs about what a warm one does (Uploads' own code needs no table). The token codec
    (PyJWT, cryptography) stays with the first authentication."""
    import shared.identity.repository  # noqa: F401


def route_access(func: Callable[..., Any]) -> Access | None:
    """The mark of a route, or None if it is public."""
    found = getattr(func, AUTH_MARK, None)
    return found if isinstance(found, Access) else None


def required_roles(func: Callable[..., Any]) -> tuple[str, ...] | None:
    """The roles a route was marked with (``()`` = any signed-in caller), or None if public."""
    access = route_access(func)
    return access.roles if access is not None else None


def authorize(app: APIGatewayHttpResolver, access: Access) -> Principal:
    """The caller, checked against a route's mark. Raises :class:`Unauthenticated` (401) or
    :class:`Forbidden` (403: ``INSUFFICIENT_PERMISSIONS``, ``SELLER_NOT_APPROVED``,
    ``API_KEY_NOT_ALLOWED``, ...)."""
    caller = principal(app)
    if caller.service is not None:
        if not set(access.service_scopes) & set(caller.service.scopes):
            raise Forbidden("An API key may not use this route", code="API_KEY_NOT_ALLOWED")
        return caller
    if access.roles:
        require_role(caller, *access.roles)
    if access.approved and caller.user.status != "approved":
        if caller.role == "seller":
            raise Forbidden("Your seller account is not approved yet", code="SELLER_NOT_APPROVED")
        raise Forbidden("Your account is not approved", code="ACCOUNT_NOT_APPROVED")
    return caller


def access_token(app: APIGatewayHttpResolver) -> str | None:
    header = app.current_event.headers.get("authorization") or ""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    cookie_name = get_settings().auth_cookie_name
    for cookie in app.current_event.cookies or []:
        name, _, value = cookie.strip().partition("=")
        if name == cookie_name and value:
            return value
    return None


def api_key(app: APIGatewayHttpResolver) -> str | None:
    """The ``X-Api-Key`` header, if any. Raises :class:`Unauthenticated` ``INVALID_API_KEY`` for
    one too long to be ours (not hashed)."""
    value = (app.current_event.headers.get(API_KEY_HEADER) or "").strip()
    if len(value) > MAX_API_KEY_CHARS:
        raise Unauthenticated("The API key is invalid or revoked", code="INVALID_API_KEY")
    return value or None


def principal(app: APIGatewayHttpResolver, *roles: str) -> Principal:
    """The authenticated caller (checked once per request), optionally required to hold a role
    (a service principal holds none). An access token wins over an ``X-Api-Key``.

    Raises :class:`Unauthenticated` (401), :class:`Forbidden` (403) or :class:`RateLimited` (an
    API key over its limit).
    """
    found = app.context.get(_CONTEXT_KEY)
    if not isinstance(found, Principal):
        token = access_token(app)
        key = None if token else api_key(app)
        if token:
            found = authenticate(token)
        elif key:
            found = authenticate_api_key(key)
        else:
            raise Unauthenticated("Access token is required", code="NO_TOKEN")
        app.context[_CONTEXT_KEY] = found
    return require_role(found, *roles) if roles else found


def client_info(app: APIGatewayHttpResolver) -> ClientInfo:
    http = (app.current_event.raw_event.get("requestContext") or {}).get("http") or {}
    return ClientInfo(ip=http.get("sourceIp") or None, user_agent=http.get("userAgent") or None)


def access_cookie(token: str, max_age: int) -> Cookie:
    """The access token as an HttpOnly, SameSite=Strict cookie (Secure outside local mode)."""
    settings = get_settings()
    return Cookie(
        name=settings.auth_cookie_name,
        value=token,
        path="/",
        secure=not settings.is_local,
        http_only=True,
        max_age=max_age,
        same_site=SameSite.STRICT_MODE,
    )


def clear_access_cookie() -> Cookie:
    return access_cookie("", 0)
