"""Send each email message at most once, keyed on its business id.

Powertools Idempotency records each message id in the table (``PK=idempotency#<function>``,
``SK=<hash of id>``, expiring after 7 days): a redelivered or duplicated message returns the
stored result and sends nothing. A send that fails is not recorded, so the retry sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.email.render import render
from shared.messaging.clients import client
from shared.messaging.email import EmailMessage
from shared.observability import logger
from shared.settings import get_settings

IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600
# RFC 2606 reserves this top-level domain: it never resolves. Deleted accounts' records carry
# such a placeholder address (``shared.lifecycle.registry.deleted_email``).
UNDELIVERABLE_SUFFIX = ".invalid"


def send_via_ses(message: EmailMessage) -> str:
    """Render and send through SES; returns the SES message id."""
    rendered = render(message)
    response = client("ses").send_email(
        Source=get_settings().email_from,
        Destination={"ToAddresses": [message.to]},
        Message={
            "Subject": {"Data": rendered.subject, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": rendered.text, "Charset": "UTF-8"},
                "Html": {"Data": rendered.html, "Charset": "UTF-8"},
            },
        },
    )
    return str(response["MessageId"])


@lru_cache(maxsize=1)
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=IDEMPOTENCY_TTL_SECONDS)


@lru_cache(maxsize=1)
def _send_once() -> Callable[..., dict[str, Any]]:
    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr="PK",
        sort_key_attr="SK",
        expiry_attr="ttl",
        boto3_client=client("dynamodb"),
    )

    @idempotent_function(data_keyword_argument="message", persistence_store=persistence, config=_config())
    def send(message: dict[str, Any]) -> dict[str, Any]:
        parsed = EmailMessage.model_validate(message)
        ses_id = send_via_ses(parsed)
        logger.info("email sent", extra={"template": parsed.template, "email_id": parsed.id, "ses_id": ses_id})
        return {"sesMessageId": ses_id}

    return cast(Callable[..., dict[str, Any]], send)


def deliver(message: EmailMessage, context: LambdaContext | None = None) -> dict[str, Any]:
    """Send ``message`` unless a message with the same id was already sent, or its address is a
    placeholder that can never receive mail (a bounce SES would count against the sender)."""
    if message.to.lower().endswith(UNDELIVERABLE_SUFFIX):
        logger.info(
            "email skipped: undeliverable address", extra={"template": message.template, "email_id": message.id}
        )
        return {"skipped": "undeliverable address"}
    if context is not None:
        _config().register_lambda_context(context)
    return _send_once()(message=message.model_dump())


def reset_delivery() -> None:
    _send_once.cache_clear()
    _config.cache_clear()
