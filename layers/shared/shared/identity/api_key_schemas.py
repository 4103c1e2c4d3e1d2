"""API key requests and views (the admin API of ``/api/v1/api-keys``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from shared.schemas import ApiModel, StrictInput, Text

Scope = Literal["experience:assistant"]


class CreateApiKeyRequest(StrictInput):
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=10)]

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, value: list[Scope]) -> list[Scope]:
        return list(dict.fromkeys(value))


class ApiKeyOut(ApiModel):
    id: str
    name: str
    scopes: list[str]
    prefix: str
    created_at: str


class CreatedApiKeyOut(ApiKeyOut):
    """The key itself is in this answer only; it is stored hashed."""

    key: str
