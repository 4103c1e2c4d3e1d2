"""Deleting an account: one transaction that ends it and owes its erasure.

The transaction deletes the profile (every token and session is refused from then on, since each
request reads it), releases its email and username claims (the address can register again at
once), lowers the user counters, puts the erasure record, and owes the ``account.erase`` job and
the "account deleted" email to the address. Either all of it happens or none does.
"""

from __future__ import annotations

from functools import partial

from shared.errors import Conflict
from shared.identity import notifications
from shared.identity import repository as identity
from shared.identity.models import UserItem
from shared.jobs.spec import owed
from shared.lifecycle import repository
from shared.lifecycle.jobs import erase_job
from shared.lifecycle.models import SELF
from shared.lifecycle.schemas import ErasureOut
from shared.observability import logger


def delete_account(user: UserItem, *, requested_by: str = SELF) -> ErasureOut:
    """Delete ``user``'s account and owe its erasure; ``requested_by`` is ``"self"`` or the admin's id.

    An admin account is deleted only by another admin, and an admin's deletion commits only while
    that admin is an active one (:func:`shared.identity.repository.require_active_admin`), so the
    platform always keeps an admin, however the requests race.

    Raises :class:`NotFound` ``USER_NOT_FOUND`` (already deleted), :class:`Conflict`
    ``USER_CHANGED`` (its role or status changed meanwhile: retry) or ``ADMIN_SELF_CHANGE`` (an
    admin deleting their own account; nothing changed), :class:`Forbidden` (the requesting admin
    stopped being one meanwhile)."""
    if user.role == "admin" and requested_by in (SELF, user.user_id):
        raise Conflict(
            "An admin account is deleted only by another admin; nothing was changed", code="ADMIN_SELF_CHANGE"
        )
    spec = erase_job(user.user_id)
    record = repository.new_record(
        user.user_id,
        role=user.role,
        requested_by=requested_by,
        job_id=spec.job_id,
        email=user.email,
        username=user.username,
    )
    identity.delete_user(
        user,
        owed=[owed(spec), notifications.account_deleted(user)],
        extra=partial(repository.add_record, record=record),
        acting_admin=None if requested_by == SELF else requested_by,
    )
    logger.info("account deleted", extra={"user_id": user.user_id, "requested_by": requested_by, "job_id": spec.job_id})
    return ErasureOut(user_id=user.user_id, job_id=spec.job_id)
