"""Queue transactional email for the ``email_worker`` function.

A message is ``{"id", "template", "to", "data"}``. ``id`` is a business key (for example
``password-reset:<userId>:<tokenDigest>``): the worker sends each id at most once, so a
redelivered or re-queued message never sends twice.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.messaging.clients import client
from shared.settings import ConfigurationError, get_settings

# Every name here has ``<name>.html.j2`` and ``<name>.txt.j2`` under shared/email/templates and a
# subject in shared/email/render.py (tests/unit/test_project_files.py checks it).
Template = Literal[
    "welcome",
    "verify_email",
    "password_reset",
    "password_changed",
    "seller_approved",
    "seller_rejected",
    "order_confirmation",
    "order_shipped",
    "order_cancelled",
    "order_refunded",
]


class EmailMessage(BaseModel):
    id: str = Field(min_length=1, max_length=256)
    template: Template
    to: str = Field(min_length=3, max_length=320)
    data: dict[str, Any] = Field(default_factory=dict)


def send_email(message: EmailMessage, *, required: bool = False) -> None:
    """Queue ``message``. A queueing failure is logged and, unless ``required``, swallowed: a
    welcome mail must not fail the registration it follows; a reset mail must not silently vanish."""
    from shared.observability import logger

    try:
        enqueue_email(message)
    except Exception:
        logger.exception("could not queue email", extra={"template": message.template})
        if required:
            raise


def enqueue_email(message: EmailMessage) -> None:
    queue_url = get_settings().email_queue_url
    if not queue_url:
        raise ConfigurationError("EMAIL_QUEUE_URL is not set")
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message.model_dump()))
