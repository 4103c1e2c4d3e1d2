"""Account deletion's request and response models."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.schemas import ApiModel, StrictInput


class DeleteAccountRequest(StrictInput):
    """The account's password: a stolen access token alone cannot delete an account."""

    password: str = Field(min_length=1, max_length=512)


class ErasureOut(ApiModel):
    """The account is deleted (no sign-in, no token works); the job erases the rest."""

    user_id: str
    job_id: str
    status: Literal["erasing", "completed"] = "erasing"
