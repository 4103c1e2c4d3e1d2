"""Settings, read once from the environment into a pydantic model.

Importing this module reads nothing; the first call to :func:`get_settings` does.
Secrets are never settings values outside local/test mode: the JWT signing key is
resolved at run time from Secrets Manager (see :mod:`shared.security.secrets`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

AppEnv = Literal["local", "test", "dev", "prod"]


class RateLimit(BaseModel):
    """`limit` attempts per `window_seconds`; written in the environment as ``"limit/window"``."""

    limit: int = Field(ge=1)
    window_seconds: int = Field(ge=1)

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        limit, _, window = text.partition("/")
        return cls(limit=int(limit), window_seconds=int(window))


class Settings(BaseModel):
    app_env: AppEnv = "prod"
    service_name: str = "platform"
    table_name: str = "platform"
    aws_region: str = "us-east-1"
    email_queue_url: str = ""
    uploads_bucket: str = ""
    uploads_public_base_url: str = ""
    # Private bucket of the experience layer's files (presigned POST in, presigned GET out).
    files_bucket: str = ""
    # Private bucket of account exports (shared.lifecycle.export): one JSON file per export.
    exports_bucket: str = ""

    jwt_secret_id: str = ""
    jwt_secret: str = Field(default="", repr=False)
    jwt_issuer: str = "platform-api"
    jwt_audience: str = "platform-clients"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, ge=3600)
    auth_cookie_name: str = "access_token"

    password_reset_ttl_seconds: int = 600
    email_verification_ttl_seconds: int = 48 * 3600
    argon2_memory_kib: int = Field(default=19_456, ge=19_456)
    argon2_time_cost: int = Field(default=2, ge=2)
    argon2_parallelism: int = Field(default=1, ge=1)

    rate_login_ip: RateLimit = RateLimit(limit=300, window_seconds=900)
    rate_login_email: RateLimit = RateLimit(limit=10, window_seconds=900)
    rate_register_ip: RateLimit = RateLimit(limit=200, window_seconds=3600)
    rate_register_email: RateLimit = RateLimit(limit=5, window_seconds=3600)
    rate_forgot_ip: RateLimit = RateLimit(limit=100, window_seconds=3600)
    rate_forgot_email: RateLimit = RateLimit(limit=5, window_seconds=3600)
    # Requests per API key (an integration), counted on every request it authenticates.
    rate_api_key: RateLimit = RateLimit(limit=600, window_seconds=60)

    cors_allow_origins: list[str] = Field(default_factory=lambda: ["*"])
    max_body_bytes: int = 1_048_576
    frontend_url: str = "http://localhost:3000"
    email_from: str = "no-reply@example.com"
    company_name: str = "Platform"
    support_email: str = "support@example.com"

    # Commerce checkout. Money is integer cents; the tax rate is in basis points (825 = 8.25%).
    cart_ttl_days: int = Field(default=30, ge=1, le=365)
    cart_max_lines: int = Field(default=30, ge=1, le=30)
    tax_rate_bps: int = Field(default=800, ge=0, le=5_000)
    flat_shipping_cents: int = Field(default=599, ge=0)
    free_shipping_threshold_cents: int = Field(default=5_000, ge=0)
    unpaid_order_timeout_minutes: int = Field(default=60, ge=1)
    order_idempotency_ttl_hours: int = Field(default=24, ge=1)

    # Stripe. Deployed: the API key and the webhook signing secret come from Secrets Manager
    # (STRIPE_SECRET_ID, STRIPE_WEBHOOK_SECRET_ID); the plain values are accepted only locally.
    stripe_secret_id: str = ""
    stripe_webhook_secret_id: str = ""
    stripe_secret_key: str = Field(default="", repr=False)
    stripe_webhook_secret: str = Field(default="", repr=False)
    stripe_api_base: str = ""
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3_600)
    stripe_events_queue_url: str = ""

    # Marketplace money: the platform's commission on each seller's gross (basis points, rounded
    # down per seller), how long a delivered order's payouts are held, and where Stripe's
    # Connect onboarding sends the seller back (FRONTEND_URL + the path).
    platform_commission_bps: int = Field(default=1_000, ge=0, le=10_000)
    payout_hold_days: int = Field(default=7, ge=0, le=365)
    payout_onboarding_return_path: str = "/seller/payouts"

    # Experience layer: email domains allowed on its routes (comma list; empty = every domain).
    experience_allowed_domains: list[str] = Field(default_factory=list)
    # Background jobs (shared.jobs). Queues by priority, each with a DLQ; run_at beyond 900 s goes
    # through an EventBridge Scheduler one-time schedule sending to the queue as JOBS_SCHEDULER_ROLE_ARN.
    jobs_queue_url: str = ""
    jobs_high_queue_url: str = ""
    jobs_dlq_url: str = ""
    jobs_high_dlq_url: str = ""
    jobs_queue_arn: str = ""
    jobs_high_queue_arn: str = ""
    jobs_scheduler_role_arn: str = ""
    jobs_schedule_group: str = "default"
    job_retention_completed_days: int = Field(default=7, ge=1, le=3_650)
    job_retention_failed_days: int = Field(default=30, ge=1, le=3_650)
    job_lease_seconds: int = Field(default=90, ge=1, le=43_200)
    onboarding_email_delay_seconds: int = Field(default=86_400, ge=0, le=365 * 86_400)

    # Real-time (shared.realtime): the WebSocket API's wss URL handed out with tickets, and the
    # https endpoint of its management API (PostToConnection); the local stack overrides both.
    websocket_url: str = ""
    websocket_management_endpoint: str = ""
    realtime_ticket_ttl_seconds: int = Field(default=60, ge=5, le=600)
    # API Gateway closes a WebSocket connection after 2 h; its items outlive it by a margin.
    websocket_connection_ttl_seconds: int = Field(default=7_500, ge=60, le=86_400)

    blackjack_dealer_hits_soft_17: bool = False
    leaderboard_min_games: int = Field(default=5, ge=1)

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("experience_allowed_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            return [domain.strip().lower().lstrip("@") for domain in value.split(",") if domain.strip()]
        return value

    @field_validator(
        "rate_login_ip",
        "rate_login_email",
        "rate_register_ip",
        "rate_register_email",
        "rate_forgot_ip",
        "rate_forgot_email",
        "rate_api_key",
        mode="before",
    )
    @classmethod
    def _parse_rate(cls, value: object) -> object:
        return RateLimit.parse(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _no_default_secret_outside_local(self) -> Settings:
        if self.jwt_secret and not self.is_local:
            raise ValueError("JWT_SECRET may only be set in local or test mode; use JWT_SECRET_ID")
        if (self.stripe_secret_key or self.stripe_webhook_secret) and not self.is_local:
            raise ValueError(
                "STRIPE_SECRET_KEY/STRIPE_WEBHOOK_SECRET may only be set in local or test mode; "
                "use STRIPE_SECRET_ID/STRIPE_WEBHOOK_SECRET_ID"
            )
        return self

    @property
    def is_local(self) -> bool:
        return self.app_env in ("local", "test")

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, str] = {}
        for name in cls.model_fields:
            key = name.upper()
            if key in env and env[key] != "":
                values[name] = env[key]
        if "AWS_REGION" not in env and env.get("AWS_DEFAULT_REGION"):
            values["aws_region"] = env["AWS_DEFAULT_REGION"]
        if env.get("POWERTOOLS_SERVICE_NAME") and "SERVICE_NAME" not in env:
            values["service_name"] = env["POWERTOOLS_SERVICE_NAME"]
        return cls.model_validate(values)


class ConfigurationError(RuntimeError):
    """The deployment is misconfigured (a missing setting or secret); never the caller's fault."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings.from_environ()
    except ValidationError as exc:
        # Name the settings at fault (never their values, which may be secrets).
        problems = [".".join(str(p) for p in e["loc"]).upper() or str(e["msg"]) for e in exc.errors()]
        raise ConfigurationError(f"invalid settings: {', '.join(problems)}") from exc


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
