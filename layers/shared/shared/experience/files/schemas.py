"""File request and response models (the API contract) and the allow-list of content types."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field

from shared.experience.schemas import Id, UserRef
from shared.schemas import ApiModel, StrictInput, StrictInt, Text

MAX_FILE_BYTES = 100 * 1024 * 1024
# JSON is parsed whole to be checked; text is checked as it streams, so only JSON has a lower cap.
MAX_JSON_BYTES = 20 * 1024 * 1024

ContentType = Literal[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "text/markdown",
    "application/json",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
]
CONTENT_TYPES: tuple[str, ...] = get_args(ContentType)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
FileStatus = Literal["pending", "ready", "rejected"]


def _media_type(value: object) -> object:
    """``Image/PNG; charset=x`` → ``image/png``: the policy then pins the canonical type."""
    if isinstance(value, str):
        return value.split(";", 1)[0].strip().lower()
    return value


def _plain_name(value: str) -> str:
    if not value.strip() or value in (".", "..") or "/" in value or "\\" in value:
        raise ValueError("must be a file name (no path separators)")
    return value


Filename = Annotated[Text, Field(min_length=1, max_length=255), AfterValidator(_plain_name)]


class CreateFileRequest(StrictInput):
    filename: Filename
    content_type: Annotated[ContentType, BeforeValidator(_media_type)]
    size: StrictInt = Field(ge=1, le=MAX_FILE_BYTES, description="Size in bytes (at most 100 MB; JSON 20 MB)")
    thread_id: Id | None = None


class RenameFileRequest(StrictInput):
    filename: Filename


class FileOut(ApiModel):
    id: str
    filename: str
    content_type: str
    size: int
    status: FileStatus
    reason: str | None = Field(default=None, description="Why the upload was rejected")
    thread_id: str | None = None
    uploader: UserRef
    width: int | None = None
    height: int | None = None
    preview_url: str | None = Field(default=None, description="Presigned GET of the preview (images, once ready)")
    download_url: str | None = Field(default=None, description="Presigned GET of the file (once ready)")
    url_expires_in: int | None = Field(default=None, description="Seconds the URLs stay valid")
    created_at: str
    updated_at: str


class UploadForm(ApiModel):
    url: str = Field(description="POST a multipart form here: every entry of `fields`, then `file` (last)")
    fields: dict[str, str]
    expires_in: int = Field(description="Seconds the form stays valid")


class CreatedFileOut(ApiModel):
    file: FileOut
    upload: UploadForm


class FileRef(ApiModel):
    """A file as a message or an artifact refers to it."""

    id: str
    filename: str
    content_type: str
    size: int
