"""Artifact requests and views (the API contract)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from shared.experience.artifacts_models import compact_json
from shared.experience.files.schemas import FileRef as ArtifactFile
from shared.experience.schemas import Id, UserRef
from shared.schemas import ApiModel, LongText, StrictInput, StrictInt, Text

ArtifactType = Literal["insight", "report", "dashboard", "pdf", "reference"]
ExportFormat = Literal["json", "csv", "md"]
MAX_CONTENT_BYTES = 256 * 1024
MAX_FILES = 20


def _check_content(value: dict[str, Any]) -> dict[str, Any]:
    if len(compact_json(value).encode()) > MAX_CONTENT_BYTES:
        raise ValueError("must be at most 256 KB of JSON")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Title = Annotated[Text, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
Summary = Annotated[LongText, Field(max_length=2000)]
Content = Annotated[dict[str, Any], AfterValidator(_check_content)]
Version = Annotated[StrictInt, Field(ge=1, le=999_999)]


class CreateArtifactRequest(StrictInput):
    type: ArtifactType
    title: Title
    content: Content
    summary: Summary | None = None
    message_id: Id | None = None
    file_ids: Annotated[list[Id], Field(max_length=MAX_FILES)] | None = None


class UpdateArtifactRequest(StrictInput):
    """Partial: omitted fields stay (``summary: null`` clears it). With ``expectedVersion``, the
    update applies only to that version."""

    title: Title | None = None
    content: Content | None = None
    summary: Summary | None = None
    expected_version: Version | None = None

    @field_validator("title", "content")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null")
        return value


class RestoreArtifactRequest(StrictInput):
    version: Version
    expected_version: Version | None = None


class ArtifactSummaryOut(ApiModel):
    """An artifact in a listing: everything but its content (up to 256 KB each)."""

    id: str
    thread_id: str
    type: ArtifactType
    title: str
    summary: str | None = None
    message_id: str | None = None
    files: list[ArtifactFile]
    version: int
    created_by: UserRef
    updated_by: UserRef
    created_at: str
    updated_at: str


class ArtifactOut(ArtifactSummaryOut):
    content: dict[str, Any]


class ArtifactVersionSummaryOut(ApiModel):
    version: int
    title: str
    summary: str | None = None
    files: list[ArtifactFile]
    author: UserRef
    restored_from: int | None = None
    created_at: str


class ArtifactVersionOut(ArtifactVersionSummaryOut):
    content: dict[str, Any]
