"""Category API models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from shared.commerce.slugs import check_slug
from shared.identity.schemas import check_name
from shared.schemas import ApiModel, LongText, StrictInput, Text

Slug = Annotated[Text, AfterValidator(check_slug)]
CategoryName = Annotated[Text, AfterValidator(check_name)]
Description = Annotated[LongText, Field(max_length=2000)]
ParentId = Annotated[Text, Field(min_length=1, max_length=64)]


class CreateCategoryRequest(StrictInput):
    name: CategoryName
    slug: Slug | None = None
    description: Description | None = None
    parent_id: ParentId | None = None


class UpdateCategoryRequest(StrictInput):
    name: CategoryName | None = None
    slug: Slug | None = None
    description: Description | None = None
    parent_id: ParentId | None = None


class CategoryOut(ApiModel):
    id: str
    name: str
    slug: str
    description: str | None = None
    parent_id: str | None = None
    created_at: str
    updated_at: str
