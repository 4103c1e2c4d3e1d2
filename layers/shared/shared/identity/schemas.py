"""Identity request/response models (the API contract and the domain's inputs)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from shared.schemas import ApiModel, LongText, StrictInput, Text

Role = Literal["customer", "seller", "admin"]
Status = Literal["pending", "approved", "rejected", "suspended"]

# Applied with fullmatch: an anchored ``^...$`` would let a trailing newline through.
_EMAIL_RE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_USERNAME_RE = re.compile(r"[A-Za-z0-9_]{3,30}")
_URL_RE = re.compile(r"https?://[^\s/$.?#]\S*", re.IGNORECASE)


def normalize_email(value: str) -> str:
    email = value.strip().lower()
    if not 5 <= len(email) <= 255:
        raise ValueError("Email must be between 5 and 255 characters")
    if not _EMAIL_RE.fullmatch(email):
        raise ValueError("Please provide a valid email address")
    return email


def check_password(value: str) -> str:
    if not 8 <= len(value) <= 128:
        raise ValueError("Password must be between 8 and 128 characters long")
    if not re.search(r"[A-Za-z]", value) or not re.search(r"\d", value):
        raise ValueError("Password must contain at least one letter and one number")
    return value


def check_name(value: str) -> str:
    name = " ".join(value.split())
    if not 2 <= len(name) <= 100:
        raise ValueError("Name must be between 2 and 100 characters")
    return name


def check_username(value: str) -> str:
    if not _USERNAME_RE.fullmatch(value):
        raise ValueError("Username must be 3-30 letters, digits or underscores")
    return value


def check_url(value: str) -> str:
    if len(value) > 2048 or not _URL_RE.fullmatch(value):
        raise ValueError("Must be a valid http(s) URL")
    return value


Email = Annotated[Text, AfterValidator(normalize_email)]
Password = Annotated[str, AfterValidator(check_password)]
Name = Annotated[Text, AfterValidator(check_name)]
Username = Annotated[Text, AfterValidator(check_username)]
Url = Annotated[Text, AfterValidator(check_url)]
Secret = Annotated[str, Field(min_length=1, max_length=512)]


class RegisterRequest(StrictInput):
    email: Email
    password: Password
    name: Name
    username: Username | None = None
    role: Literal["customer", "seller"] = "customer"

    @field_validator("role", mode="before")
    @classmethod
    def _role_is_public(cls, value: object) -> object:
        if value not in ("customer", "seller"):
            raise ValueError("Role must be customer or seller")
        return value


class LoginRequest(StrictInput):
    email: Email
    password: Secret


class RefreshRequest(StrictInput):
    refresh_token: Secret


class ForgotPasswordRequest(StrictInput):
    email: Email


class ResetPasswordRequest(StrictInput):
    token: Secret
    password: Password


class VerifyEmailRequest(StrictInput):
    token: Secret


class ChangePasswordRequest(StrictInput):
    current_password: Secret
    new_password: Password


class UpdateProfileRequest(StrictInput):
    name: Name | None = None
    username: Username | None = None
    avatar_url: Url | None = None


class AdminUpdateUserRequest(StrictInput):
    role: Role | None = None
    status: Status | None = None
    reason: Annotated[LongText, Field(max_length=500)] | None = None


class AdminCreateUserRequest(StrictInput):
    """An admin creates an account directly (any role; approved unless told otherwise)."""

    email: Email
    password: Password
    name: Name
    username: Username | None = None
    role: Role = "customer"
    status: Status = "approved"


class AdminPutUserRequest(StrictInput):
    """``PUT /users/{id}``: partial, like PATCH; the name too."""

    name: Name | None = None
    role: Role | None = None
    status: Status | None = None
    reason: Annotated[LongText, Field(max_length=500)] | None = None


class UserOut(ApiModel):
    id: str
    email: str
    name: str
    username: str | None = None
    role: Role
    status: Status
    avatar_url: str | None = None
    email_verified: bool
    last_login_at: str | None = None
    created_at: str
    updated_at: str


class UserStatsOut(ApiModel):
    total: int
    by_role: dict[str, int]
    by_status: dict[str, int]
    new_last_7_days: int
    new_last_30_days: int


class AuthResult(ApiModel):
    user: UserOut
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class TokenPair(ApiModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class SessionOut(ApiModel):
    id: str
    created_at: str
    last_used_at: str
    expires_at: str
    user_agent: str | None = None
    ip_address: str | None = None
    current: bool


class TokenCheck(ApiModel):
    valid: bool
    user: UserOut
    session_id: str
    expires_at: str
