"""User routes: own profile (``/api/v1/users/me``) and admin user management."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthenticated
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import accepted, created, ok
from shared.identity import users
from shared.identity.schemas import (
    AdminCreateUserRequest,
    AdminPutUserRequest,
    AdminUpdateUserRequest,
    Role,
    Status,
    UpdateProfileRequest,
    UserOut,
    UserStatsOut,
)
from shared.lifecycle.export import ExportJobOut, request_export
from shared.lifecycle.schemas import DeleteAccountRequest, ErasureOut
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
PREFIX = "/api/v1/users"
UserId = Annotated[str, Path(min_length=1, max_length=64)]


@app.get(f"{PREFIX}/me", tags=["users"])
@requires()
def get_me() -> Response[Envelope[UserOut]]:
    """The caller's profile."""
    return ok(app, users.get_user(principal(app).user_id))


@app.patch(f"{PREFIX}/me", responses=raises(Conflict), tags=["users"])
@requires()
def update_me(body: Annotated[UpdateProfileRequest, Body()]) -> Response[Envelope[UserOut]]:
    """Update the caller's profile.

    Only `name`, `username` and `avatarUrl`.
    """
    return ok(app, users.update_profile(principal(app), body))


@app.get(f"{PREFIX}/me/export", responses=raises(success=202), tags=["users"])
@requires()
def export_me() -> Response[Envelope[ExportJobOut]]:
    """Export the caller's data.

    Starts a job that writes one JSON file of everything the account holds (profile, sessions and
    each system's data) and emails the account a download link valid for one hour. While that
    job waits or runs, asking again answers the same job.
    """
    return accepted(app, request_export(principal(app)))


@app.get(PREFIX, tags=["users"])
@requires("admin")
def list_users(
    role: Annotated[Role | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
    search: Annotated[str | None, Query(min_length=1, max_length=100, description="Name or email prefix")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[UserOut]]]:
    """Users, filtered by role and status.

    With `search`: users whose name or email starts with it (case-insensitive), name matches first.
    """
    principal(app, "admin")
    return ok(app, users.list_users(role=role, status=status, limit=limit, cursor=cursor, search=search))


@app.get("/api/v1/admin/users/stats", tags=["users"])
@requires("admin")
def user_stats() -> Response[Envelope[UserStatsOut]]:
    """User statistics (admin).

    Totals by role and status and registrations in the last 7 and 30 days, from counters.
    """
    principal(app, "admin")
    return ok(app, users.user_stats())


@app.post(PREFIX, responses=raises(Conflict, success=201), tags=["users"])
@requires("admin")
def create_user(body: Annotated[AdminCreateUserRequest, Body()]) -> Response[Envelope[UserOut]]:
    """Create a user (admin).

    Any role; approved unless `status` says otherwise.
    """
    principal(app, "admin")
    return created(app, users.admin_create_user(body))


@app.get(f"{PREFIX}/<userId>", responses=raises(NotFound), tags=["users"])
@requires("admin")
def get_user(userId: UserId) -> Response[Envelope[UserOut]]:
    """One user."""
    principal(app, "admin")
    return ok(app, users.get_user(userId))


@app.patch(f"{PREFIX}/<userId>", responses=raises(NotFound, Forbidden, Conflict), tags=["users"])
@requires("admin")
def update_user(userId: UserId, body: Annotated[AdminUpdateUserRequest, Body()]) -> Response[Envelope[UserOut]]:
    """Change a user's role or status.

    Not on oneself (403 `CANNOT_MODIFY_SELF`); applied only while the caller still is an active
    admin (else 403), so two admins cannot demote or suspend each other at once.
    """
    return ok(app, users.admin_update_user(principal(app, "admin"), userId, body))


@app.put(f"{PREFIX}/<userId>", responses=raises(NotFound, Forbidden, Conflict), tags=["users"])
@requires("admin")
def put_user(userId: UserId, body: Annotated[AdminPutUserRequest, Body()]) -> Response[Envelope[UserOut]]:
    """Update a user's name, role or status (admin).

    Partial: omitted fields stay. Role and status not on oneself.
    """
    return ok(app, users.admin_put_user(principal(app, "admin"), userId, body))


@app.delete(f"{PREFIX}/me", responses=raises(Unauthenticated, RateLimited, Conflict, success=202), tags=["users"])
@requires()
def delete_me(body: Annotated[DeleteAccountRequest, Body()]) -> Response[Envelope[ErasureOut]]:
    """Delete my account.

    Confirmed with the account's `password` (a wrong one is a 401 `INVALID_PASSWORD` and changes
    nothing; it counts as a failed sign-in). Then as the admin's deletion: no sign-in or token
    works from this moment, the address can register again, a confirmation email is sent, and the
    `account.erase` job (`jobId`) removes or anonymises the account's data in every system.
    An admin cannot delete their own account (409 `ADMIN_SELF_CHANGE`, nothing changed): another
    admin does it, so the platform always keeps an admin.
    """
    return accepted(app, users.delete_me(principal(app), body))


@app.delete(f"{PREFIX}/<userId>", responses=raises(NotFound, Forbidden, Conflict, success=202), tags=["users"])
@requires("admin")
def delete_user(userId: UserId) -> Response[Envelope[ErasureOut]]:
    """Delete an account (admin).

    At once: the account can no longer sign in, every token and session is refused, its email
    and username are free, and a confirmation email goes to its address. The `account.erase` job
    (`jobId`, with its progress in the admin jobs API) then removes or anonymises its data in
    every system. Not on oneself (403 `CANNOT_MODIFY_SELF`); an admin account can only be
    deleted by another admin, and only while the caller still is one (else 403, nothing changed).
    """
    return accepted(app, users.delete_user(principal(app, "admin"), userId))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
