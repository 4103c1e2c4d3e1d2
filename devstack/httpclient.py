"""A tiny JSON HTTP client (standard library only) for the local stack's tools and e2e tests."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any


def local_base_url() -> str:
    """The running local stack: ``LOCAL_API_URL``, else ``http://127.0.0.1:$PORT`` (default 3000)."""
    return os.environ.get("LOCAL_API_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '3000'}"


@dataclass
class HttpResponse:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def data(self) -> Any:
        return self.json()["data"]

    @property
    def error(self) -> dict[str, Any]:
        return dict(self.json()["error"])


def request(
    method: str,
    url: str,
    body: Any = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    timeout: float = 30,
) -> HttpResponse:
    """Send ``body`` as JSON (or ``data`` as is); 4xx/5xx responses are returned, not raised."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url}")
    hdrs = dict(headers or {})
    payload = data
    if body is not None:
        payload = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=payload, method=method.upper(), headers=hdrs)  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:  # noqa: S310 - http(s) only
            return HttpResponse(res.status, res.headers, res.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return HttpResponse(exc.code, exc.headers, exc.read())


class Client:
    """``request`` bound to a base URL."""

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or local_base_url()).rstrip("/")

    def __call__(self, method: str, path: str, body: Any = None, **kwargs: Any) -> HttpResponse:
        return request(method, f"{self.base_url}{path}", body, **kwargs)
