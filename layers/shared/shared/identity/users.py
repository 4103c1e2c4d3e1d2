"""User management: own profile, and the admin's listing, edits and deletion."""

from __future__ import annotations

from typing import Any

from shared.clock import now_iso
from shared.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from shared.identity import auth, counters, directory, repository
from shared.identity.models import UserItem
from shared.identity.principal import Principal
from shared.identity.schemas import (
    AdminCreateUserRequest,
    AdminPutUserRequest,
    AdminUpdateUserRequest,
    Role,
    Status,
    UpdateProfileRequest,
    UserOut,
    UserStatsOut,
    check_password,
    normalize_email,
)
from shared.identity.views import user_out
from shared.ids import new_id
from shared.lifecycle.deletion import delete_account
from shared.lifecycle.models import SELF
from shared.lifecycle.schemas import DeleteAccountRequest, ErasureOut
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor
from shared.security.passwords import hash_password


def update_profile(principal: Principal, request: UpdateProfileRequest) -> UserOut:
    """Name, username and avatar only; role, status and email are not the caller's to set.

    Raises :class:`InvalidInput` for an empty update, :class:`Conflict` ``USERNAME_TAKEN``.
    """
    fields = request.model_fields_set
    if not fields:
        raise InvalidInput("Nothing to update", errors={"body": ["provide name, username or avatarUrl"]})
    cleared: dict[str, list[str]] = {
        name: ["cannot be null"] for name in ("name", "username") if name in fields and getattr(request, name) is None
    }
    if cleared:
        raise InvalidInput(errors=cleared)
    at = now_iso()
    user = principal.user
    if "username" in fields and request.username and request.username != user.username:
        repository.change_username(user, request.username, at)
    updated = repository.update_profile(
        user.user_id,
        at,
        name=request.name if "name" in fields else None,
        avatar_url=request.avatar_url,
        clear_avatar="avatar_url" in fields and request.avatar_url is None,
    )
    return user_out(updated)


def _get(user_id: str) -> UserItem:
    user = repository.get_user(user_id)
    if user is None:
        raise NotFound("User not found", code="USER_NOT_FOUND")
    return user


def list_users(
    *, role: Role | None, status: Status | None, limit: int, cursor: str | None, search: str | None = None
) -> ItemsPage[UserOut]:
    if search is not None:
        return _search_users(search, role=role, status=status, limit=limit, cursor=cursor)
    scope = f"users|{role}|{status}"
    page = directory.list_users(role=role, status=status, limit=limit, position=decode_cursor(cursor, scope))
    return ItemsPage[UserOut](
        items=[user_out(user) for user in page.items],
        next_cursor=encode_cursor(page.next_position, scope),
    )


def _search_users(
    search: str, *, role: Role | None, status: Status | None, limit: int, cursor: str | None
) -> ItemsPage[UserOut]:
    """Users whose name or email starts with ``search`` (case-insensitive): name matches first,
    then email-only matches, each in alphabetical order; each pass one index Query per page."""
    prefix = search.strip().lower()
    if not prefix:
        raise InvalidInput(errors={"search": ["must not be blank"]})
    scope = f"users-search|{prefix}|{role}|{status}"
    state = decode_cursor(cursor, scope) or {"pass": "name"}
    by_email = state.get("pass") == "email"
    position = state.get("at")
    found: list[UserItem] = []
    while True:
        page = directory.search_users(
            prefix, by_email=by_email, role=role, status=status, limit=limit - len(found), position=position
        )
        found.extend(page.items)
        position = page.next_position
        if position is not None or by_email:
            break
        by_email = True  # the name pass is done: go on with the email pass
        if len(found) >= limit:
            return _users_page(found, {"pass": "email"}, scope)
    next_state = {"pass": "email" if by_email else "name", "at": position} if position is not None else None
    return _users_page(found, next_state, scope)


def _users_page(found: list[UserItem], state: dict[str, Any] | None, scope: str) -> ItemsPage[UserOut]:
    return ItemsPage[UserOut](items=[user_out(u) for u in found], next_cursor=encode_cursor(state, scope))


def user_stats() -> UserStatsOut:
    """From the counters kept with every registration, role/status change and deletion."""
    return UserStatsOut(**counters.read())


def get_user(user_id: str) -> UserOut:
    return user_out(_get(user_id))


def admin_update_user(admin: Principal, user_id: str, request: AdminUpdateUserRequest) -> UserOut:
    """Set role and/or status. Suspension takes effect on the user's next request, because every
    request re-reads the user. An admin cannot change their own role or status, and the change
    commits only while the acting admin still is one (so two admins cannot demote or suspend each
    other at once: the platform keeps an admin).

    Raises :class:`NotFound`, :class:`Forbidden` ``CANNOT_MODIFY_SELF`` (or the acting admin stopped
    being one meanwhile), :class:`Conflict` ``USER_CHANGED``, :class:`InvalidInput`.
    """
    if request.role is None and request.status is None:
        raise InvalidInput("Nothing to update", errors={"body": ["provide role and/or status"]})
    if user_id == admin.user_id:
        raise _self_change()
    user = _get(user_id)
    changed = repository.set_role_status(user, now_iso(), request.role, request.status, acting_admin=admin.user_id)
    return user_out(changed)


def _self_change() -> Forbidden:
    return Forbidden("You cannot change your own role or status", code="CANNOT_MODIFY_SELF")


def admin_create_user(request: AdminCreateUserRequest) -> UserOut:
    """The registration rules (normalised email, password policy and hashing, unique email and
    username claims) without a session. Raises :class:`Conflict` ``USER_EXISTS``/``USERNAME_TAKEN``."""
    user = UserItem.new(
        new_id(),
        now_iso(),
        email=request.email,
        name=request.name,
        username=request.username,
        password_hash=hash_password(request.password),
        role=request.role,
        status=request.status,
        email_verified=True,
    )
    repository.create_user(user)
    return user_out(user)


def admin_put_user(admin: Principal, user_id: str, request: AdminPutUserRequest) -> UserOut:
    """Name, role and status (omitted fields stay). Raises :class:`NotFound`, :class:`Forbidden`
    ``CANNOT_MODIFY_SELF`` (role or status of oneself), :class:`InvalidInput`."""
    if request.name is None and request.role is None and request.status is None:
        raise InvalidInput("Nothing to update", errors={"body": ["provide name, role and/or status"]})
    if user_id == admin.user_id and (request.role is not None or request.status is not None):
        raise _self_change()
    user = _get(user_id)
    if request.name is not None:
        user = repository.update_profile(user_id, now_iso(), name=request.name)
    if request.role is None and request.status is None:
        return user_out(user)
    change = AdminUpdateUserRequest(role=request.role, status=request.status, reason=request.reason)
    return admin_update_user(admin, user_id, change)


def delete_user(admin: Principal, user_id: str) -> ErasureOut:
    """An admin deletes an account (see :func:`delete_me`), committed only while that admin still
    is one. Raises :class:`NotFound`, :class:`Forbidden` ``CANNOT_MODIFY_SELF`` (or the admin
    stopped being one meanwhile), :class:`Conflict` ``USER_CHANGED``."""
    if user_id == admin.user_id:
        raise Forbidden("You cannot delete your own account here", code="CANNOT_MODIFY_SELF")
    return delete_account(_get(user_id), requested_by=admin.user_id)


def delete_me(principal: Principal, request: DeleteAccountRequest) -> ErasureOut:
    """The caller deletes their own account, confirming it with their password: from then on no
    sign-in or token works, the address can register again, and a job erases the account's data in
    every system (:mod:`shared.lifecycle.jobs`).

    An admin cannot delete their own account (another admin can): the platform never ends
    without an admin.

    Raises :class:`Unauthenticated` ``INVALID_PASSWORD`` (nothing changed), :class:`RateLimited`,
    :class:`Conflict` ``ADMIN_SELF_CHANGE`` (an admin; nothing changed) or ``USER_CHANGED``.
    """
    if not auth.password_matches(principal.user, request.password):
        raise Unauthenticated("The password is incorrect; the account was not deleted", code="INVALID_PASSWORD")
    return delete_account(principal.user, requested_by=SELF)


def ensure_admin(email: str, password: str, name: str = "Administrator") -> UserOut:
    """Create the admin account, or make an existing account an approved admin with this password.

    Used by ``make create-admin`` and, in local mode, at stack start (idempotent).
    """
    email = normalize_email(email)
    check_password(password)
    at = now_iso()
    existing = repository.find_user_by_email(email)
    if existing is not None:
        repository.set_password(existing.user_id, hash_password(password), at)
        return user_out(repository.set_role_status(existing, at, "admin", "approved"))
    user_id = new_id()
    user = UserItem.new(
        user_id,
        at,
        email=email,
        name=name,
        password_hash=hash_password(password),
        role="admin",
        status="approved",
        email_verified=True,
    )
    repository.create_user(user)
    return user_out(user)
