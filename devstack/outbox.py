"""The local outbox: every email sent through the local SES (moto, running in this process).

Moto keeps one body per ``SendEmail`` (the HTML part when there is one), so :func:`install` wraps
moto's SES ``SendEmail`` handler to keep both the text and the HTML part of each message, keyed by
the SES message id. :func:`emails` reads moto's list of sent messages (the source of truth), adding
the captured parts; raw messages are parsed from their MIME source.
"""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from devstack.local_aws import LOCAL_ACCOUNT, LOCAL_REGION


@dataclass(frozen=True)
class _Captured:
    text: str | None
    html: str | None
    sent_at: str


_lock = threading.Lock()
_captured: dict[str, _Captured] = {}
_first_seen: dict[str, str] = {}
_state = {"installed": False}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _param(response: Any, name: str) -> str | None:
    values = getattr(response, "querystring", {}).get(name)
    if isinstance(values, list) and values:
        return str(values[0])
    try:
        value = response._get_param(name)
    except Exception:
        return None
    return None if value is None else str(value)


def install() -> None:
    """Wrap moto's SES ``SendEmail`` so both body parts are kept (idempotent)."""
    if _state["installed"]:
        return
    from moto.ses.responses import EmailResponse

    original = EmailResponse.send_email

    def send_email(self: Any) -> Any:
        text = _param(self, "Message.Body.Text.Data")
        html = _param(self, "Message.Body.Html.Data")
        result = original(self)
        message_id = (getattr(result, "result", None) or {}).get("MessageId")
        if message_id:
            with _lock:
                _captured[str(message_id)] = _Captured(text, html, _now())
        return result

    EmailResponse.send_email = send_email  # type: ignore[method-assign]
    _state["installed"] = True


def _backend(account: str, region: str) -> Any:
    from moto.ses.models import ses_backends

    return ses_backends[account][region]


def _recipients(destinations: Any) -> list[str]:
    if isinstance(destinations, dict):
        return [str(a) for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key) or []]
    return [str(a) for a in destinations or []]


def _to_item(message: Any) -> dict[str, Any]:
    message_id = str(getattr(message, "id", "") or getattr(message, "ids", [""])[0])
    with _lock:
        captured = _captured.get(message_id)
        sent_at = captured.sent_at if captured else _first_seen.setdefault(message_id, _now())
    item: dict[str, Any] = {
        "id": message_id,
        "from": getattr(message, "source", ""),
        "to": ", ".join(_recipients(getattr(message, "destinations", None))),
        "subject": "",
        "text": None,
        "html": None,
        "sentAt": sent_at,
    }
    if hasattr(message, "raw_data"):
        parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
        item["subject"] = str(parsed.get("Subject", ""))
        item["to"] = item["to"] or str(parsed.get("To", ""))
        for kind in ("plain", "html"):
            part = parsed.get_body(preferencelist=(kind,))  # type: ignore[attr-defined]
            if part is not None:
                item["text" if kind == "plain" else "html"] = part.get_content()
    elif hasattr(message, "template"):
        item["subject"] = f"template:{message.template}"
        item["text"] = str(getattr(message, "template_data", ""))
    else:
        item["subject"] = str(getattr(message, "subject", ""))
        if captured is not None:
            item["text"], item["html"] = captured.text, captured.html
        else:
            body = str(getattr(message, "body", ""))
            item["html" if "<" in body and ">" in body else "text"] = body
    return item


def emails(to: str | None = None, *, account: str = LOCAL_ACCOUNT, region: str = LOCAL_REGION) -> list[dict[str, Any]]:
    """Every sent email, oldest first; ``to`` keeps those with that recipient (case-insensitive)."""
    items = [_to_item(message) for message in list(_backend(account, region).sent_messages)]
    if to:
        wanted = to.strip().lower()
        items = [item for item in items if wanted in [a.strip().lower() for a in item["to"].split(",")]]
    return items


def clear(*, account: str = LOCAL_ACCOUNT, region: str = LOCAL_REGION) -> int:
    """Forget every sent email; returns how many there were."""
    backend = _backend(account, region)
    with _lock:
        count = len(backend.sent_messages)
        backend.sent_messages.clear()
        _captured.clear()
        _first_seen.clear()
    return count
