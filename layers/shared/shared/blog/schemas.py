"""The blog's API contract (requests and responses)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from shared.identity.schemas import check_url
from shared.schemas import ApiModel, LongText, StrictInput, Text

PostStatus = Literal["draft", "scheduled", "published"]
WriteStatus = Literal["draft", "published"]
TagSort = Literal["popular", "name"]


def check_https(value: str) -> str:
    check_url(value)
    if not value.lower().startswith("https://"):
        raise ValueError("Must be an https URL")
    return value


HttpsUrl = Annotated[Text, AfterValidator(check_https)]
Title = Annotated[Text, Field(min_length=1, max_length=200)]
Content = Annotated[LongText, Field(min_length=1, max_length=100_000)]
Excerpt = Annotated[LongText, Field(max_length=500)]
TagName = Annotated[Text, Field(min_length=1, max_length=50)]


class _PostFields(StrictInput):
    @field_validator("publish_at", check_fields=False)
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("publishAt needs a time zone (e.g. 2030-01-01T09:00:00Z)")
        return value


class CreatePostRequest(_PostFields):
    title: Title
    content: Content
    excerpt: Excerpt | None = None
    tag_names: Annotated[list[TagName], Field(max_length=10)] | None = None
    status: WriteStatus = "draft"
    publish_at: datetime | None = Field(default=None, description="A future time makes the post `scheduled`")
    cover_image_url: HttpsUrl | None = None


class UpdatePostRequest(_PostFields):
    """Partial: omitted fields stay; `tagNames` replaces the set; `excerpt: null` derives it
    from the content again; `publishAt: null` drops a schedule."""

    title: Title | None = None
    content: Content | None = None
    excerpt: Excerpt | None = None
    tag_names: Annotated[list[TagName], Field(max_length=10)] | None = None
    status: WriteStatus | None = None
    publish_at: datetime | None = None
    cover_image_url: HttpsUrl | None = None


class AuthorOut(ApiModel):
    id: str
    name: str
    avatar_url: str | None = None


class TagRef(ApiModel):
    name: str
    slug: str


class PostOut(ApiModel):
    id: str
    slug: str
    title: str
    content: str
    excerpt: str
    status: PostStatus
    published_at: str | None = None
    publish_at: str | None = None
    cover_image_url: str | None = None
    author: AuthorOut
    tags: list[TagRef]
    reading_time_minutes: int
    comment_count: int
    created_at: str
    updated_at: str


class TagOut(ApiModel):
    name: str
    slug: str
    post_count: int
    created_at: str


class ProfileOut(ApiModel):
    user_id: str
    name: str
    bio: str | None = None
    avatar_url: str | None = None
    location: str | None = None
    website: str | None = None
    post_count: int
    joined_at: str


class UpdateBlogProfileRequest(StrictInput):
    bio: Annotated[LongText, Field(max_length=2000)] | None = None
    avatar_url: HttpsUrl | None = None
    location: Annotated[Text, Field(max_length=100)] | None = None
    website: HttpsUrl | None = None


class CreateCommentRequest(StrictInput):
    content: Annotated[LongText, Field(min_length=1, max_length=5000)]


class CommentOut(ApiModel):
    id: str
    post_id: str
    author: AuthorOut
    content: str
    created_at: str
