"""Domain errors. They carry a stable machine code and a human message, never an HTTP status:
:mod:`shared.http.errors` is the one place that maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    code = "ERROR"
    message = "The request could not be completed"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.errors = errors or {}
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "VALIDATION_ERROR"
    message = "Validation failed"


class Unauthenticated(DomainError):
    code = "AUTHENTICATION_REQUIRED"
    message = "Authentication required"


class Forbidden(DomainError):
    code = "INSUFFICIENT_PERMISSIONS"
    message = "Insufficient permissions to access this resource"


class NotFound(DomainError):
    code = "NOT_FOUND"
    message = "Resource not found"


class Conflict(DomainError):
    code = "CONFLICT"
    message = "The resource changed or already exists"


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    message = "Too many requests; try again later"

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = max(1, retry_after_seconds)


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    message = "The request body is too large"


class UpstreamFailed(DomainError):
    """A provider we depend on (Stripe) failed or could not be reached; nothing was changed."""

    code = "PAYMENT_PROVIDER_ERROR"
    message = "The payment provider could not complete the request; nothing was changed, try again"
