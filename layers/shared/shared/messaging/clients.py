"""Lazily created, cached boto3 clients (no client is built at import time)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from shared.settings import get_settings


@lru_cache(maxsize=8)
def client(service: str) -> Any:
    import boto3

    return boto3.client(service, region_name=get_settings().aws_region)


def reset_clients() -> None:
    client.cache_clear()
