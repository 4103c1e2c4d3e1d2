"""Base pydantic models for the API contract: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class ApiModel(BaseModel):
    """A response (or lenient request) model.

    ``defer_build``: a model's validator is built when it is first used, not when its module is
    imported. A function imports every model of its routes (and of the services they share) but
    a container serves only some routes: measured with ``make bench``, this takes ~50 ms off the
    import of the commerce functions and adds nothing measurable to their first request.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, str_strip_whitespace=True, defer_build=True
    )


class StrictInput(ApiModel):
    """A request body whose unknown fields are refused, so nothing can be mass-assigned."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, str_strip_whitespace=True, extra="forbid", defer_build=True
    )


class Meta(ApiModel):
    request_id: str | None = None


class Envelope(ApiModel, Generic[T]):
    success: bool = True
    data: T
    meta: Meta = Field(default_factory=Meta)


class ItemsPage(ApiModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Message(ApiModel):
    message: str


class ErrorDetail(ApiModel):
    """The seeds' ``code``/``message`` plus RFC 7807 fields."""

    code: str
    message: str
    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)
    request_id: str | None = None


class ErrorEnvelope(ApiModel):
    success: bool = False
    error: ErrorDetail
