"""Experience request and response models (the API contract)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from shared.experience.emoji import check_emoji
from shared.schemas import ApiModel, LongText, StrictInput, Text

ThreadStatus = Literal["active", "archived"]
MessageRole = Literal["user", "assistant", "system"]
MAX_PARTICIPANTS = 50
MAX_METADATA_BYTES = 16 * 1024
MAX_MEMORY_BYTES = 64 * 1024
MAX_CONTENT = 40_000
Id = Annotated[Text, Field(min_length=1, max_length=64)]


def _sized(limit: int) -> Any:
    def check(value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(json.dumps(value, separators=(",", ":"))) > limit:
            raise ValueError(f"must be at most {limit // 1024} KB of JSON")
        return value

    return AfterValidator(check)


Metadata = Annotated[dict[str, Any], _sized(MAX_METADATA_BYTES)]
Memory = Annotated[dict[str, Any], _sized(MAX_MEMORY_BYTES)]
Title = Annotated[Text, Field(min_length=1, max_length=200)]
Content = Annotated[LongText, Field(max_length=MAX_CONTENT)]
Blocks = list[dict[str, Any]]


class CreateThreadRequest(StrictInput):
    title: Title
    metadata: Metadata | None = None
    memory: Memory | None = None
    participant_ids: Annotated[list[Id], Field(max_length=MAX_PARTICIPANTS)] | None = None


class UpdateThreadRequest(StrictInput):
    """Partial: omitted fields stay; ``metadata``/``memory`` are replaced whole when given."""

    title: Title | None = None
    status: ThreadStatus | None = None
    metadata: Metadata | None = None
    memory: Memory | None = None


class AddParticipantRequest(StrictInput):
    user_id: Id


class MarkReadRequest(StrictInput):
    message_id: Id


class CreateMessageRequest(StrictInput):
    content: Content | None = None
    blocks: Blocks | None = None
    role: MessageRole = "user"
    attachments: Annotated[list[Id], Field(max_length=20)] | None = None
    client_message_id: Id | None = None

    @model_validator(mode="after")
    def _needs_a_body(self) -> CreateMessageRequest:
        if not (self.content and self.content.strip()) and not self.blocks:
            raise ValueError("Provide content or blocks")
        return self


class UpdateMessageRequest(StrictInput):
    content: Content | None = None
    blocks: Blocks | None = None


class ReactionRequest(StrictInput):
    emoji: Annotated[str, Field(min_length=1, max_length=52), AfterValidator(check_emoji)]


class ActionRequest(StrictInput):
    action_id: Annotated[Text, Field(min_length=1, max_length=255)]
    value: Annotated[LongText, Field(max_length=2000)] | None = None

    @field_validator("action_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ParticipantOut(ApiModel):
    user_id: str
    name: str
    role: Literal["owner", "member"]


class ThreadOut(ApiModel):
    id: str
    title: str
    owner_id: str
    participants: list[ParticipantOut]
    status: ThreadStatus
    metadata: dict[str, Any]
    memory: dict[str, Any]
    message_count: int
    last_message_at: str | None = None
    last_message_preview: str | None = None
    unread_count: int
    created_at: str
    updated_at: str


class UserRef(ApiModel):
    id: str
    name: str


class ReactionSummary(ApiModel):
    emoji: str
    count: int
    me: bool


class MessageOut(ApiModel):
    id: str
    thread_id: str
    author: UserRef
    role: MessageRole
    content: str | None = None
    blocks: Blocks | None = None
    attachments: list[str]
    reactions: list[ReactionSummary]
    client_message_id: str | None = None
    version: int
    edited_at: str | None = None
    deleted: bool
    created_at: str


class MessageVersionOut(ApiModel):
    version: int
    content: str | None = None
    blocks: Blocks | None = None
    written_at: str
    replaced_at: str


class ReactionToggleOut(ApiModel):
    added: bool
    reactions: list[ReactionSummary]


class ReactionUsersOut(ApiModel):
    emoji: str
    count: int
    users: list[UserRef]


class ActionOut(ApiModel):
    id: str
    message_id: str
    action_id: str
    value: str | None = None
    user: UserRef
    created_at: str


class ApiInfo(ApiModel):
    name: str
    version: str
    links: dict[str, str]


class HealthOut(ApiModel):
    status: str
    version: str
