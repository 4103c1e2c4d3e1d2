"""Log redaction: no password, token, secret or cookie reaches a log line."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from shared.observability import REDACTED, DisabledTracer, RedactingFormatter, logger, redact

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMXVzZXIifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_secret_looking_keys_are_masked_at_any_depth() -> None:
    record = {
        "password": "hunter2",
        "newPassword": "hunter3",
        "refreshToken": "01u.01s.secret",
        "headers": {"Authorization": "Bearer abc", "Cookie": "access_token=x", "X-Api-Key": "k"},
        "items": [{"client_secret": "s"}, {"passwd": "p"}],
        "user": {"email": "ann@example.com", "name": "Ann"},
        "count": 3,
    }

    masked = redact(record)

    assert masked["password"] == masked["newPassword"] == masked["refreshToken"] == REDACTED
    assert masked["headers"] == {"Authorization": REDACTED, "Cookie": REDACTED, "X-Api-Key": REDACTED}
    assert masked["items"] == [{"client_secret": REDACTED}, {"passwd": REDACTED}]
    assert masked["user"] == {"email": "ann@example.com", "name": "Ann"}
    assert masked["count"] == 3


def test_bearer_tokens_and_jwts_are_cut_out_of_strings() -> None:
    assert redact("header was Bearer abc.def-ghi") == f"header was Bearer {REDACTED}"
    assert redact(f"token {JWT} seen") == f"token {REDACTED} seen"
    assert redact(["plain", f"x{JWT}"]) == ["plain", f"x{REDACTED}"]


def test_input_is_not_modified() -> None:
    record = {"password": "hunter2"}

    redact(record)

    assert record == {"password": "hunter2"}


secret_keys = st.sampled_from(
    [
        "password",
        "Password",
        "accessToken",
        "refresh_token",
        "secret",
        "authorization",
        "cookie",
        "apiKey",
        "api-key",
        "signature",
        "resetToken",
    ]
)


def nest(inner: Any, depth: int) -> Any:
    for n in range(depth):
        inner = {f"level{n}": [inner]} if n % 2 else {f"level{n}": inner}
    return inner


@given(key=secret_keys, value=st.text(max_size=30) | st.integers() | st.none(), depth=st.integers(0, 4))
def test_secret_values_never_survive(key: str, value: object, depth: int) -> None:
    record = nest({key: value, "kept": "visible"}, depth)

    assert redact(record) == nest({key: REDACTED, "kept": "visible"}, depth)


def test_models_passed_to_the_logger_are_masked() -> None:
    class Body(BaseModel):
        email: str
        password: str

    assert redact({"body": Body(email="a@b.co", password="hunter2")}) == {
        "body": {"email": "a@b.co", "password": REDACTED}
    }


def test_log_lines_are_masked() -> None:
    # Given the shared logger writing to a buffer
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        # When code logs a request body and headers carelessly
        logger.warning(
            "login attempt",
            extra={
                "body": {"email": "ann@example.com", "password": "hunter2-Secret"},
                "headers": {"authorization": f"Bearer {JWT}"},
                "refreshToken": "01u.01s.topsecret",
                "note": f"got {JWT}",
            },
        )
        logger.warning({"password": "hunter3-Secret", "msg": "dict message"})
    finally:
        logger.removeHandler(handler)

    # Then every line is JSON and no secret is in it
    output = buffer.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 2
    for secret in ("hunter2-Secret", "hunter3-Secret", "topsecret", JWT):
        assert secret not in output
    assert lines[0]["body"] == {"email": "ann@example.com", "password": REDACTED}
    assert lines[0]["headers"] == {"authorization": REDACTED}
    assert lines[0]["refreshToken"] == REDACTED
    assert lines[0]["note"] == f"got {REDACTED}"
    assert lines[1]["message"] == {"password": REDACTED, "msg": "dict message"}


def test_exceptions_in_log_lines_are_masked() -> None:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(RedactingFormatter())
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"bad token {JWT}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)

    line = json.loads(buffer.getvalue().splitlines()[0])
    assert JWT not in buffer.getvalue()
    assert REDACTED in line["exception"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ('{"email": "a@b.co", "password": "hun\\"ter2", "n": 1}', '{"email": "a@b.co", "password": "***", "n": 1}'),
        ("{'refreshToken': 'a.b.c', 'n': 1}", "{'refreshToken': '***', 'n': 1}"),
        (
            "https://app.test/reset-password?token=01u.s3c-_x&lang=en",
            "https://app.test/reset-password?token=***&lang=en",
        ),
        ("LoginRequest(email='a@b.co', password='hunter2')", "LoginRequest(email='a@b.co', password='***')"),
        ("a=1&client_secret=xyz", "a=1&client_secret=***"),
        (f"prefix{JWT}", f"prefix{REDACTED}"),
    ],
)
def test_secrets_inside_text_are_masked(text: str, masked: str) -> None:
    assert redact(text) == masked


@pytest.mark.parametrize(
    "text",
    ["the password is too short", "passwordless", '"note": "token"', "v1.2.3", "file.tar.gz", "email=a@b.co"],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_a_logged_api_gateway_event_is_masked() -> None:
    # An HTTP API event as Powertools logs it with log_event=True: the body is a JSON string
    event = {
        "headers": {"authorization": f"Bearer {JWT}", "content-type": "application/json"},
        "cookies": [f"access_token={JWT}"],
        "body": '{"email": "ann@example.com", "password": "hunter2-Secret", "name": "Ann"}',
        "rawQueryString": "token=01user.s3cret",
    }

    masked = json.dumps(redact({"message": event}))

    for secret in ("hunter2-Secret", JWT, "s3cret"):
        assert secret not in masked
    assert "ann@example.com" in masked


@pytest.mark.parametrize(
    "text",
    ["eyJ" * 30_000, "a." * 50_000, '"note":' * 20_000, "password" * 20_000, '"password": "' + "\\\\" * 50_000],
)
def test_hostile_text_without_secrets_passes_through(text: str) -> None:
    # These defeat backtracking patterns (a pattern that is not linear would hang here for
    # minutes; speed itself is measured by `make bench`, not asserted in tests).
    assert redact(text) == text


# ------------------------------------------------------------------------------------- tracing

TRACING_PROBE = """
import json, sys
from devstack.lambda_runtime import load_module
load_module(sys.argv[1])
from shared.observability import tracer
patched = []
if "aws_xray_sdk.core.patcher" in sys.modules:
    patched = sorted(sys.modules["aws_xray_sdk.core.patcher"]._PATCHED_MODULES)
print(json.dumps({"xray": "aws_xray_sdk" in sys.modules, "tracer": type(tracer).__name__, "patched": patched}))
"""


def _tracing_probe(function: str, **env: str) -> dict[str, Any]:
    from devstack.routes import function_code_dir

    result = subprocess.run(
        [sys.executable, "-c", TRACING_PROBE, function_code_dir(function)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def _function_names() -> list[str]:
    from devstack.routes import function_names

    return sorted(function_names())


@pytest.mark.parametrize("function", _function_names())
def test_no_xray_outside_lambda(function: str) -> None:
    # Given no Lambda environment, when the function is imported, then X-Ray is never imported
    found = _tracing_probe(function)

    assert found == {"xray": False, "tracer": "DisabledTracer", "patched": []}


@pytest.mark.parametrize("function", ["JobsCronFunction", "HealthFunction"])
def test_no_xray_in_lambda_with_tracing_disabled(function: str) -> None:
    found = _tracing_probe(function, LAMBDA_TASK_ROOT="/var/task", POWERTOOLS_TRACE_DISABLED="true")

    assert found == {"xray": False, "tracer": "DisabledTracer", "patched": []}


@pytest.mark.parametrize("function", ["OrdersFunction", "EmailWorkerFunction"])
def test_in_lambda_with_tracing_on_only_botocore_is_patched(function: str) -> None:
    # Given Lambda's environment with tracing on (as deployed: Tracing: Active)
    env = {"LAMBDA_TASK_ROOT": "/var/task", "AWS_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_NAME": function}

    # When the function is imported
    found = _tracing_probe(function, **env)

    # Then the real tracer runs and only botocore is patched (not requests, httplib, sqlite...)
    assert found == {"xray": True, "tracer": "Tracer", "patched": ["botocore"]}


LATE_BOTOCORE_PROBE = """
import json, sys
from devstack.lambda_runtime import load_module
load_module(sys.argv[1])
loaded_at_import = "botocore.client" in sys.modules
import boto3
boto3.client("dynamodb", region_name="us-east-1")
import botocore.client
from aws_xray_sdk.core.patcher import _PATCHED_MODULES
print(json.dumps({"botocore_at_import": loaded_at_import, "patched": sorted(_PATCHED_MODULES),
                  "wrapped": hasattr(botocore.client.BaseClient._make_api_call, "__wrapped__")}))
"""


def test_a_function_that_never_calls_aws_does_not_load_botocore_to_trace_it() -> None:
    from devstack.routes import function_code_dir

    # Given Lambda with tracing on, when /health's function is imported and botocore only later
    env = {"LAMBDA_TASK_ROOT": "/var/task", "AWS_REGION": "us-east-1", "PATH": os.environ["PATH"]}
    result = subprocess.run(
        [sys.executable, "-c", LATE_BOTOCORE_PROBE, function_code_dir("HealthFunction")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )

    # Then botocore was not imported for tracing, and is patched once something imports it
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"botocore_at_import": False, "patched": ["botocore"], "wrapped": True}


def test_the_disabled_tracer_decorators_return_the_function_itself() -> None:
    disabled = DisabledTracer()

    def handler(event: dict[str, Any], context: object) -> str:
        return "ran"

    assert disabled.capture_lambda_handler(handler) is handler
    assert disabled.capture_lambda_handler(capture_response=False)(handler) is handler
    assert disabled.capture_method(handler) is handler
    assert disabled.capture_method(capture_response=False)(handler) is handler
    disabled.put_annotation("k", "v")
    disabled.put_metadata("k", {"v": 1})
