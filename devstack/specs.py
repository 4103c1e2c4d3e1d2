"""The template's functions as the local stack runs them: each function's properties with
``Globals.Function`` applied, and its environment resolved and adjusted for local mode."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.intrinsics import Intrinsics, UnresolvableError, text_value
from devstack.template import ROOT, resources_of_type

LOCAL_JWT_SECRET = "local-development-jwt-signing-key-never-used-in-aws"

# Set in every function's environment by the local stack, whatever the template says.
LOCAL_UNSET = ("JWT_SECRET_ID", "STRIPE_SECRET_ID", "STRIPE_WEBHOOK_SECRET_ID")
# Variables a developer may set in the shell to override the template's value locally.
CALLER_OVERRIDES = (
    "FRONTEND_URL",
    "CORS_ALLOW_ORIGINS",
    "EMAIL_FROM",
    "STRIPE_API_BASE",
    "TAX_RATE_BPS",
    "FLAT_SHIPPING_CENTS",
    "FREE_SHIPPING_THRESHOLD_CENTS",
    "UNPAID_ORDER_TIMEOUT_MINUTES",
    "CART_TTL_DAYS",
    "EXPERIENCE_ALLOWED_DOMAINS",
    "ONBOARDING_EMAIL_DELAY_SECONDS",
    "JOB_RETENTION_COMPLETED_DAYS",
    "JOB_RETENTION_FAILED_DAYS",
)


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]

    @property
    def name(self) -> str:
        """The local function name (``AWS_LAMBDA_FUNCTION_NAME``, context.function_name)."""
        return self.logical_id


def function_properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The function's properties with ``Globals.Function`` applied (environments merged)."""
    defaults = dict((template.get("Globals") or {}).get("Function") or {})
    own = dict(template["Resources"][logical_id].get("Properties") or {})
    merged = {**defaults, **own}
    variables = {
        **((defaults.get("Environment") or {}).get("Variables") or {}),
        **((own.get("Environment") or {}).get("Variables") or {}),
    }
    merged["Environment"] = {"Variables": variables}
    return merged


def local_overrides(environment: dict[str, str], *, port: int, caller_env: Mapping[str, str]) -> dict[str, str]:
    """The template's environment adjusted for local mode (see DESIGN.md "Local stack").

    Stripe: the plain ``STRIPE_SECRET_KEY``/``STRIPE_WEBHOOK_SECRET`` replace the deployed secret
    ids; ``STRIPE_API_BASE`` is the local Stripe the server started (or the caller's).
    """
    from shared.security.secrets import LOCAL_STRIPE_SECRET_KEY, LOCAL_STRIPE_WEBHOOK_SECRET

    env = dict(environment)
    env["APP_ENV"] = "local"
    env["JWT_SECRET"] = caller_env.get("JWT_SECRET") or LOCAL_JWT_SECRET
    env["STRIPE_SECRET_KEY"] = caller_env.get("STRIPE_SECRET_KEY") or LOCAL_STRIPE_SECRET_KEY
    env["STRIPE_WEBHOOK_SECRET"] = caller_env.get("STRIPE_WEBHOOK_SECRET") or LOCAL_STRIPE_WEBHOOK_SECRET
    for key in LOCAL_UNSET:
        env.pop(key, None)
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    env["FRONTEND_URL"] = f"http://127.0.0.1:{port}"
    for key in CALLER_OVERRIDES:
        if caller_env.get(key):
            env[key] = caller_env[key]
    for key, value in caller_env.items():
        if key.startswith("POWERTOOLS_") and key != "POWERTOOLS_TRACE_DISABLED":
            env[key] = value
    return env


def function_specs(
    template: dict[str, Any],
    intrinsics: Intrinsics,
    *,
    port: int,
    caller_env: Mapping[str, str],
) -> dict[str, FunctionSpec]:
    specs: dict[str, FunctionSpec] = {}
    for logical_id in resources_of_type("AWS::Serverless::Function", template):
        props = function_properties(template, logical_id)
        variables = intrinsics.resolve(props["Environment"]["Variables"]) or {}
        environment = {key: text_value(value) for key, value in variables.items() if value is not None}
        code_uri = props.get("CodeUri")
        if not isinstance(code_uri, str):
            raise UnresolvableError(f"{logical_id}: CodeUri must be a local path")
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            code_dir=(ROOT / code_uri).resolve(),
            handler=str(props.get("Handler", "app.lambda_handler")),
            timeout=int(props.get("Timeout", 3)),
            memory=int(props.get("MemorySize", 128)),
            environment=local_overrides(environment, port=port, caller_env=caller_env),
            events=dict(props.get("Events") or {}),
        )
    return specs
