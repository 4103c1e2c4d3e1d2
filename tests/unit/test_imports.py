"""Every function module imports in a fresh process with no settings, no AWS and no network,
and pulls in heavy libraries only where it uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from devstack.routes import function_code_dir, function_names

PROBE = """
import json, socket, sys
def refuse(*args, **kwargs):
    raise RuntimeError("network I/O at import time")
socket.socket.connect = refuse
socket.create_connection = refuse
from devstack.lambda_runtime import load_module
load_module(sys.argv[1])
print(json.dumps(sorted(m for m in ("jinja2", "stripe") if m in sys.modules)))
"""

JINJA_USERS = {"EmailWorkerFunction"}


@pytest.mark.parametrize("function", sorted(function_names()))
def test_function_imports_without_settings_or_network(function: str) -> None:
    # Given an environment with nothing but PATH (no TABLE_NAME, no AWS credentials or region)
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    # When the function's module is imported the way Lambda does
    result = subprocess.run(
        [sys.executable, "-c", PROBE, function_code_dir(function)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    # Then it imports, and loads Jinja2/Stripe only if it uses them
    assert result.returncode == 0, result.stderr
    heavy = json.loads(result.stdout.strip().splitlines()[-1])
    expected = ["jinja2"] if function in JINJA_USERS else []
    assert heavy == expected


WORKERS = (
    "JobsCronFunction",
    "JobsWorkerFunction",
    "EmailWorkerFunction",
    "StripeEventsFunction",
    "OutboxRelayFunction",
    "JobsExpiryFunction",
    "FileWorkerFunction",
    "RealtimeFanoutFunction",
    "AnalyticsStreamFunction",
    "LedgerFunction",
)
# What only an HTTP route needs: the resolver and its plumbing, authentication (identity's
# repository and auth, the token codec, PyJWT and cryptography), password hashing.
NOT_FOR_WORKERS = (
    "shared.http",
    "aws_lambda_powertools.event_handler",
    "shared.identity.repository",
    "shared.identity.auth",
    "shared.security.jwt_tokens",
    "jwt",
    "cryptography",
    "argon2",
)
# No function verifies or signs a token at import time.
NOT_AT_IMPORT = ("jwt", "cryptography", "aws_xray_sdk")

MODULES_PROBE = """
import json, sys
from devstack.lambda_runtime import load_module
load_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.argv[2].split(",") if m in sys.modules)))
"""


def _loaded(function: str, names: tuple[str, ...]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", MODULES_PROBE, function_code_dir(function), ",".join(names)],
        check=False,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("function", WORKERS)
def test_workers_import_no_http_layer_identity_or_jwt(function: str) -> None:
    # Given a schedule or queue worker, when it is imported in a fresh process,
    # then nothing only an HTTP route needs is loaded
    assert _loaded(function, NOT_FOR_WORKERS) == []


@pytest.mark.parametrize("function", ["OutboxRelayFunction", "EmailWorkerFunction"])
def test_relaying_and_sending_load_no_identity_or_security_code(function: str) -> None:
    # Given the workers that only move messages, then no identity or security module is loaded
    assert _loaded(function, ("shared.identity", "shared.security", "jwt")) == []


@pytest.mark.parametrize("function", sorted(function_names()))
def test_no_function_loads_jwt_or_xray_at_import(function: str) -> None:
    assert _loaded(function, NOT_AT_IMPORT) == []
