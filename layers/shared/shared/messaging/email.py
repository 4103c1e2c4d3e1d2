"""Transactional email for the ``email_worker`` function, owed through the outbox.

A message is ``{"id", "template", "to", "data"}``. ``id`` is a business key (for example
``password-reset:<userId>:<tokenDigest>``): the worker sends each id at most once, so a
redelivered or re-queued message never sends twice.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.messaging.owed import Owed

# Every name here has ``<name>.html.j2`` and ``<name>.txt.j2`` under shared/email/templates and a
# subject in shared/email/render.py (tests/unit/test_project_files.py checks it).
Template = Literal[
    "welcome",
    "getting_started",
    "verify_email",
    "password_reset",
    "password_changed",
    "account_deleted",
    "seller_approved",
    "seller_rejected",
    "order_confirmation",
    "order_shipped",
    "order_cancelled",
    "order_refunded",
    "post_live",
    "low_stock",
    "data_export",
]


class EmailMessage(BaseModel):
    id: str = Field(min_length=1, max_length=256)
    template: Template
    to: str = Field(min_length=3, max_length=320)
    data: dict[str, Any] = Field(default_factory=dict)


def owed_email(message: EmailMessage) -> Owed:
    """``message`` as an outbox message: add it to the transaction of the change that causes it
    (see :mod:`shared.messaging.outbox`); the relay queues it and the worker sends it once."""
    return Owed("email", message.id, message.model_dump())
