"""Data access for user profiles and their email/username claims. With
:mod:`shared.identity.session_repository` (sessions), :mod:`shared.identity.directory` (the admin's
listing and search) and :mod:`shared.identity.api_key_repository`, the only identity modules that
build keys or talk to DynamoDB."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.data import unique
from shared.data.table import Item
from shared.data.transactions import failed_conditions, is_condition_failure, transaction
from shared.errors import Conflict, Forbidden, NotFound
from shared.identity import counters
from shared.identity.models import (
    PROFILE_SK,
    USERS_BY_NAME,
    SessionItem,
    UserItem,
    name_key,
    session_sk,
    user_pk,
)
from shared.messaging import outbox
from shared.messaging.owed import Owed

EMAIL = "EMAIL"
USERNAME = "USERNAME"
ADMIN = "admin"
TRANSACTION_CONFLICT = "TransactionConflict"
APPROVED = "approved"


def create_user(user: UserItem, owed: Sequence[Owed] = ()) -> None:
    """Create the profile, claim its email (and username) and owe ``owed`` atomically.

    Raises :class:`Conflict` ``USER_EXISTS`` or ``USERNAME_TAKEN``.
    """
    try:
        with transaction() as tx:
            unique.claim(tx, EMAIL, user.email, user.user_id)
            if user.username:
                unique.claim(tx, USERNAME, user.username.lower(), user.user_id)
            tx.save(user, condition=Item.pk.does_not_exist())
            outbox.add(tx, *owed)
            counters.added(tx, user.role, user.status, user.created_at)
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if failed and failed[0]:
            raise Conflict("User with this email already exists", code="USER_EXISTS") from exc
        if user.username and len(failed) > 1 and failed[1]:
            raise Conflict("This username is already taken", code="USERNAME_TAKEN") from exc
        raise


def get_user(user_id: str) -> UserItem | None:
    try:
        found = Item.get(user_pk(user_id), PROFILE_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, UserItem) else None


def find_user_by_email(email: str) -> UserItem | None:
    owner = unique.owner_of(EMAIL, email)
    return get_user(owner) if owner else None


def get_user_and_session(user_id: str, session_id: str) -> tuple[UserItem | None, SessionItem | None]:
    """Both items in one consistent BatchGetItem (the per-request authentication read)."""
    keys = [(user_pk(user_id), PROFILE_SK), (user_pk(user_id), session_sk(session_id))]
    user: UserItem | None = None
    session: SessionItem | None = None
    for found in Item.batch_get(keys, consistent_read=True):
        if isinstance(found, UserItem):
            user = found
        elif isinstance(found, SessionItem):
            session = found
    return user, session


def _user_update(
    user_id: str,
    actions: list[Any],
    condition: Any = None,
    owed: Sequence[Owed] = (),
    counted: tuple[tuple[str, str], tuple[str, str]] | None = None,
    *,
    acting_admin: str | None = None,
) -> UserItem:
    """Update an existing profile (owing ``owed`` and moving the user counters from
    ``counted[0]`` to ``counted[1]`` (role, status) in the same transaction); Raises
    :class:`NotFound` when it does not exist (or the extra ``condition`` does not hold, which
    callers catch as :class:`Conflict`), :class:`Forbidden` when ``acting_admin`` is no longer an
    active admin (see :func:`require_active_admin`). In a transaction the returned item holds only
    its keys."""
    item = UserItem(user_pk(user_id), PROFILE_SK)
    exists = Item.pk.exists()
    full_condition = exists & condition if condition is not None else exists
    try:
        if owed or counted or acting_admin:
            with transaction() as tx:
                if acting_admin:
                    require_active_admin(tx, acting_admin)
                tx.update(item, actions=actions, condition=full_condition)
                outbox.add(tx, *owed)
                if counted:
                    counters.moved(tx, *counted)
        else:
            item.update(actions=actions, condition=full_condition)
    except (UpdateError, TransactWriteError) as exc:
        if isinstance(exc, TransactWriteError):
            if acting_admin and failed_conditions(exc)[:1] == [True]:
                raise _admin_rights_ended() from exc
            _raise_if_raced(exc)
        if is_condition_failure(exc):
            raise NotFound("User not found", code="USER_NOT_FOUND") from exc
        raise
    return item


def require_active_admin(tx: TransactWrite, admin_id: str) -> None:
    """Make ``tx`` commit only while ``admin_id`` is an approved admin (a condition check, sent
    first: index 0 of :func:`failed_conditions`). A change an admin makes to another account thus
    carries its own proof that an active admin remains, and two admins removing each other at
    once cannot both succeed: each transaction writes the profile the other one checks."""
    tx.condition_check(
        UserItem,
        user_pk(admin_id),
        PROFILE_SK,
        condition=(UserItem.role == ADMIN) & (UserItem.status == APPROVED),
    )


def _raise_if_raced(exc: TransactWriteError) -> None:
    """Raises :class:`Conflict` ``USER_CHANGED`` when DynamoDB cancelled the transaction because
    another one was writing the same items at that moment (two admins acting on each other at
    once): nothing was written, and a retry sees the winner's result."""
    if any(reason is not None and reason.code == TRANSACTION_CONFLICT for reason in exc.cancellation_reasons or []):
        raise Conflict("The user changed meanwhile; retry", code="USER_CHANGED") from exc


def _admin_rights_ended() -> Forbidden:
    return Forbidden("Your account stopped being an active admin meanwhile; nothing was changed")


def record_login(user_id: str, at: str, new_password_hash: str | None) -> None:
    actions = [UserItem.last_login_at.set(at)]
    if new_password_hash:
        actions.append(UserItem.password_hash.set(new_password_hash))
    _user_update(user_id, actions)


def update_profile(
    user_id: str,
    at: str,
    *,
    name: str | None = None,
    avatar_url: str | None = None,
    clear_avatar: bool = False,
) -> UserItem:
    actions: list[Any] = [UserItem.updated_at.set(at)]
    if name is not None:
        actions += [UserItem.name.set(name), Item.gsi4pk.set(USERS_BY_NAME), Item.gsi4sk.set(name_key(name, user_id))]
    if clear_avatar:
        actions.append(UserItem.avatar_url.remove())
    elif avatar_url is not None:
        actions.append(UserItem.avatar_url.set(avatar_url))
    return _user_update(user_id, actions)


def change_username(user: UserItem, new_username: str, at: str) -> None:
    """Release the old username and claim the new one with the profile update, atomically.
    A change of case only keeps the claim (usernames are unique case-insensitively).

    Raises :class:`Conflict` ``USERNAME_TAKEN``.
    """
    old = user.username.lower() if user.username else None
    new = new_username.lower()
    claiming = old != new
    releasing = old is not None and claiming
    try:
        with transaction() as tx:
            if claiming:
                unique.claim(tx, USERNAME, new, user.user_id)
            if releasing and old is not None:
                unique.release(tx, USERNAME, old, user.user_id)
            tx.update(
                UserItem(user_pk(user.user_id), PROFILE_SK),
                actions=[UserItem.username.set(new_username), UserItem.updated_at.set(at)],
                condition=Item.pk.exists(),
            )
    except TransactWriteError as exc:
        # DynamoDB gets deletes before puts (PynamoDB's order), so the claim follows the release.
        claim_at = 1 if releasing else 0
        failed = failed_conditions(exc)
        if claiming and len(failed) > claim_at and failed[claim_at]:
            raise Conflict("This username is already taken", code="USERNAME_TAKEN") from exc
        raise


def set_password(user_id: str, password_hash: str, at: str, owed: Sequence[Owed] = ()) -> None:
    _user_update(
        user_id,
        [
            UserItem.password_hash.set(password_hash),
            UserItem.updated_at.set(at),
            UserItem.reset_hash.remove(),
            UserItem.reset_expires_at.remove(),
        ],
        owed=owed,
    )


def set_reset_token(user_id: str, token_hash: str, expires_at: str, owed: Sequence[Owed], *, job_id: str) -> bool:
    """Store the reset token (replacing any earlier one) and owe ``owed``, once per ``job_id``:
    False when the account is gone or that job already issued a token (a retried attempt)."""
    try:
        _user_update(
            user_id,
            [
                UserItem.reset_hash.set(token_hash),
                UserItem.reset_expires_at.set(expires_at),
                UserItem.reset_job.set(job_id),
            ],
            condition=UserItem.reset_job.does_not_exist() | (UserItem.reset_job != job_id),
            owed=owed,
        )
    except NotFound:
        return False
    return True


def consume_reset_token(user_id: str, token_hash: str, now: str, password_hash: str, owed: Sequence[Owed] = ()) -> bool:
    """Set the new password (owing ``owed``) iff the token is the current one and unexpired;
    single use."""
    try:
        _user_update(
            user_id,
            [
                UserItem.password_hash.set(password_hash),
                UserItem.updated_at.set(now),
                UserItem.reset_hash.remove(),
                UserItem.reset_expires_at.remove(),
            ],
            condition=(UserItem.reset_hash == token_hash) & (UserItem.reset_expires_at > now),
            owed=owed,
        )
    except NotFound:
        return False
    return True


def set_verify_token(user_id: str, token_hash: str, expires_at: str, owed: Sequence[Owed] = ()) -> None:
    _user_update(user_id, [UserItem.verify_hash.set(token_hash), UserItem.verify_expires_at.set(expires_at)], owed=owed)


def consume_verify_token(user_id: str, token_hash: str, now: str) -> UserItem | None:
    try:
        return _user_update(
            user_id,
            [
                UserItem.email_verified.set(True),
                UserItem.updated_at.set(now),
                UserItem.verify_hash.remove(),
                UserItem.verify_expires_at.remove(),
            ],
            condition=(UserItem.verify_hash == token_hash) & (UserItem.verify_expires_at > now),
        )
    except NotFound:
        return None


def set_role_status(
    user: UserItem,
    at: str,
    role: str | None,
    status: str | None,
    owed: Sequence[Owed] = (),
    *,
    acting_admin: str | None = None,
) -> UserItem:
    """Change role/status and the index keys derived from them in one write (owing ``owed`` in the
    same transaction), only if they are still what ``user`` says (so two racing changes cannot
    both apply on the same state) and, with ``acting_admin``, only while that admin is an active
    one (:func:`require_active_admin`).

    Raises :class:`NotFound` ``USER_NOT_FOUND``, :class:`Conflict` ``USER_CHANGED``,
    :class:`Forbidden` (``acting_admin`` is no longer an active admin).
    """
    new_role = role or user.role
    new_status = status or user.status
    keys = UserItem.index_keys(new_role, new_status, user.created_at, user.user_id)
    actions = [
        UserItem.role.set(new_role),
        UserItem.status.set(new_status),
        UserItem.updated_at.set(at),
        *(getattr(Item, name).set(value) for name, value in keys.items()),
    ]
    try:
        updated = _user_update(
            user.user_id,
            actions,
            (UserItem.role == user.role) & (UserItem.status == user.status),
            owed,
            counted=((user.role, user.status), (new_role, new_status)),
            acting_admin=acting_admin,
        )
    except NotFound:
        if get_user(user.user_id) is None:
            raise
        raise Conflict("The user changed meanwhile; retry", code="USER_CHANGED") from None
    # a transaction returns no attributes: read the profile it wrote
    return get_user(user.user_id) or updated


def delete_user(
    user: UserItem,
    owed: Sequence[Owed] = (),
    extra: Callable[[TransactWrite], None] | None = None,
    *,
    acting_admin: str | None = None,
) -> None:
    """Delete the profile, free its email/username and lower the user counters in one
    transaction, owing ``owed`` and adding ``extra``'s writes (the erasure record) to it; with
    ``acting_admin``, only while that admin is an active one (:func:`require_active_admin`). The
    sessions stay until the account's erasure removes them: each is refused from this moment,
    because every request reads the profile.

    Raises :class:`NotFound` ``USER_NOT_FOUND``, :class:`Conflict` ``USER_CHANGED`` (its role or
    status changed since ``user`` was read), :class:`Forbidden` (``acting_admin`` is no longer an
    active admin).
    """
    try:
        with transaction() as tx:
            if acting_admin:
                require_active_admin(tx, acting_admin)
            still = Item.pk.exists() & (UserItem.role == user.role) & (UserItem.status == user.status)
            tx.delete(UserItem(user_pk(user.user_id), PROFILE_SK), condition=still)
            release_claims(tx, user)
            counters.removed(tx, user.role, user.status, user.created_at)
            outbox.add(tx, *owed)
            if extra is not None:
                extra(tx)
    except TransactWriteError as exc:
        _raise_if_raced(exc)
        failed = failed_conditions(exc)
        if acting_admin:
            if failed[:1] == [True]:
                raise _admin_rights_ended() from exc
            failed = failed[1:]
        if failed[:1] == [True]:
            if get_user(user.user_id) is not None:
                raise Conflict("The user changed meanwhile; retry", code="USER_CHANGED") from exc
            raise NotFound("User not found", code="USER_NOT_FOUND") from exc
        raise


def release_claims(tx: TransactWrite, user: UserItem) -> None:
    """Free ``user``'s email and username claims in ``tx`` (each only while it still names them)."""
    unique.release(tx, EMAIL, user.email, user.user_id)
    if user.username:
        unique.release(tx, USERNAME, user.username.lower(), user.user_id)


def claims_held(user_id: str, email: str | None, username: str | None) -> list[tuple[str, str]]:
    """The (kind, value) claims among ``email`` and ``username`` that ``user_id`` still owns."""
    held = [(EMAIL, email)] if email else []
    if username:
        held.append((USERNAME, username.lower()))
    return [(kind, value) for kind, value in held if unique.owner_of(kind, value) == user_id]


def release_claims_of(user_id: str, claims: Sequence[tuple[str, str]]) -> None:
    """Free ``claims`` (kind, value) still owned by ``user_id``; one already freed is left alone."""
    for kind, value in claims:
        try:
            with transaction() as tx:
                unique.release(tx, kind, value, user_id)
        except TransactWriteError as exc:
            if not any(failed_conditions(exc)):
                raise
