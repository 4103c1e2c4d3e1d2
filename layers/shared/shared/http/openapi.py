"""OpenAPI helpers for routes whose success status is not 200."""

from __future__ import annotations

from typing import Any


def created_response(model: Any) -> dict[int, Any]:
    return {201: {"description": "Created", "content": {"application/json": {"model": model}}}}
