"""Query parameters shared by every listing: ``limit`` (1-100, default 20) and ``cursor``."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

Limit = Annotated[int, Query(ge=1, le=100, description="Page size (1-100)")]
Cursor = Annotated[str | None, Query(max_length=2048, description="Opaque cursor from nextCursor")]
