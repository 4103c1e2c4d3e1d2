"""Who may do what in the experience layer.

Only participants see a thread and anything in it: to anyone else every thread, message,
reaction and action id answers 404, so ids reveal nothing. Admins see and manage every thread.
``EXPERIENCE_ALLOWED_DOMAINS`` limits the whole layer to users of the listed email domains.
An integration's API key with the scope ``experience:assistant`` (:data:`ASSISTANT`) sees every
thread, on the routes that opt in with ``@requires(service_scopes=ASSISTANT)``.
"""

from __future__ import annotations

from shared.errors import Forbidden, NotFound
from shared.experience import repository
from shared.experience.models import MemberItem, ThreadItem
from shared.identity.principal import Principal
from shared.settings import get_settings

ASSISTANT = ("experience:assistant",)


def thread_not_found() -> NotFound:
    return NotFound("Thread not found", code="THREAD_NOT_FOUND")


def ensure_domain(caller: Principal) -> None:
    """Raises :class:`Forbidden` ``DOMAIN_NOT_ALLOWED`` when the caller's email domain is not
    listed (an integration has none: the admin who created its key vouched for it)."""
    if caller.is_service:
        return
    allowed = get_settings().experience_allowed_domains
    domain = caller.user.email.rpartition("@")[2].lower()
    if allowed and domain not in allowed:
        raise Forbidden("Your email domain may not use this service", code="DOMAIN_NOT_ALLOWED")


def visible_thread(caller: Principal, thread_id: str) -> tuple[ThreadItem, MemberItem | None]:
    """The thread and the caller's membership (None for an admin or an integration outside it).

    Raises :class:`Forbidden` ``DOMAIN_NOT_ALLOWED``, :class:`NotFound` ``THREAD_NOT_FOUND``."""
    ensure_domain(caller)
    thread, member = repository.get_thread_and_member(thread_id, caller.user_id)
    if thread is None or (member is None and not (caller.is_admin or caller.is_service)):
        raise thread_not_found()
    return thread, member


def ensure_owner(caller: Principal, thread: ThreadItem) -> None:
    if thread.owner_id != caller.user_id and not caller.is_admin:
        raise Forbidden("Only the thread's owner may do this", code="NOT_THREAD_OWNER")
