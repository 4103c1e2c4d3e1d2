"""Base pydantic models for the API contract: camelCase on the wire, snake_case in Python, and
the field types every request model builds on.

Request numbers are strict: an integer field takes a JSON integer only (not ``"5"``, ``true`` or
``100.0``) and a number field a JSON number only. Text is checked for characters that have no
business in it: :data:`Text` (names, usernames, emails, titles, slugs, short labels) refuses
every control character (NUL, tab, newline, DEL, C1) and the bidi embedding/override/isolate
controls (U+202A-U+202E, U+2066-U+2069) that can make a name read differently on another user's
screen or in an email; :data:`LongText` (descriptions, comments, notes) also allows tab and
newlines.
"""

from __future__ import annotations

import re
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic.alias_generators import to_camel

T = TypeVar("T")

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_UNSAFE_TEXT = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_UNSAFE_LONG_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")


def check_text(value: str) -> str:
    """Raises ``ValueError`` for control characters (newlines included) and bidi controls."""
    if _UNSAFE_TEXT.search(value):
        raise ValueError("Must not contain control characters or bidirectional overrides")
    return value


def check_long_text(value: str) -> str:
    """Like :func:`check_text`, but tab, newline and carriage return are allowed."""
    if _UNSAFE_LONG_TEXT.search(value):
        raise ValueError("Must not contain control characters (other than tab and newline) or bidirectional overrides")
    return value


Text = Annotated[str, AfterValidator(check_text)]
LongText = Annotated[str, AfterValidator(check_long_text)]
StrictInt = Annotated[int, Strict()]
StrictNumber = Annotated[float, Strict()]


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
