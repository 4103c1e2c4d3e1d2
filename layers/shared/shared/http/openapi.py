"""What a route declares in its ``responses=``: its success status, and the domain errors it can
raise, each documented with the error envelope.

The statuses every operation shares (400, 500; 401/403 from its ``@requires`` mark; 413/415 for a
body) are added when the functions' documents are merged (``devstack/openapi.py``); what only the
route knows, which domain errors its rules can raise, it declares here::

    @app.post(PREFIX, responses=raises(NotFound, Conflict, success=201))

The status of each error class comes from the one map in :mod:`shared.http.errors`, so a route's
documentation cannot drift from what it answers; schemathesis' ``status_code_conformance``
(``make fuzz``) checks the declarations against the running stack.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from shared.errors import DomainError
from shared.http.errors import STATUS_BY_ERROR
from shared.schemas import ErrorEnvelope


def created_response(model: Any) -> dict[int, Any]:
    return {201: {"description": "Created", "content": {"application/json": {"model": model}}}}


def ok_response(model: Any, description: str) -> dict[int, Any]:
    """A 200 beside another success status (a replayed idempotent request, say)."""
    return {200: {"description": description, "content": {"application/json": {"model": model}}}}


def error_response(description: str) -> dict[str, Any]:
    """A response in the error envelope."""
    return {"description": description, "content": {"application/json": {"model": ErrorEnvelope}}}


def status_of(error: type[DomainError]) -> int:
    return next(STATUS_BY_ERROR[cls] for cls in error.__mro__ if cls in STATUS_BY_ERROR)


def raises(*errors: type[DomainError], success: int | None = 200) -> dict[int, Any]:
    """The responses of the domain errors a route can raise (a subclass is documented with its
    base's status; ``error.code`` tells the cases apart), and its ``success`` status, whose body
    is the route's return type (Powertools documents no success of its own once a route declares
    ``responses``)."""
    found: dict[int, Any] = {}
    if success is not None:
        found[success] = {"description": HTTPStatus(success).phrase}
    for status in sorted({status_of(error) for error in errors}):
        found[status] = error_response(f"{HTTPStatus(status).phrase} (see error.code)")
    return found
