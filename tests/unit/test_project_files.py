"""The deployable pieces agree with each other: template, layer requirements, OpenAPI, events."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from devstack.openapi import function_schema, merged_openapi
from devstack.routes import function_code_dir, function_events, function_names, http_routes
from devstack.template import ROOT, load_template, resources_of_type


def test_layer_requirements_match_pyproject_runtime_dependencies() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = set(pyproject["project"]["dependencies"])
    lines = (ROOT / "layers/shared/requirements.txt").read_text().splitlines()
    layer = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert layer == declared
    assert all("==" in requirement for requirement in layer), "runtime dependencies are pinned"


def test_globals_fix_runtime_architecture_and_tracing() -> None:
    function_globals = load_template()["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Tracing"] == "Active"


def test_no_secret_has_a_default() -> None:
    for name, parameter in load_template()["Parameters"].items():
        if re.search(r"secret|password|key", name, re.I):
            assert "Default" not in parameter, f"{name} must not have a default"


def test_every_function_has_a_log_group_with_retention() -> None:
    groups = resources_of_type("AWS::Logs::LogGroup")
    named = {json.dumps(group["Properties"].get("LogGroupName")) for group in groups.values()}
    for function in function_names():
        assert any(function in text for text in named), f"{function} has no log group"
    assert all("RetentionInDays" in group["Properties"] for group in groups.values())


def test_every_consumed_queue_has_a_dead_letter_queue() -> None:
    queues = resources_of_type("AWS::SQS::Queue")
    for function in function_names():
        for event in function_events(function).values():
            if event["Type"] == "SQS":
                queue = queues[event["Properties"]["Queue"]["Fn::GetAtt"][0]]
                assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] >= 1
                assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_each_function_serves_exactly_its_template_routes() -> None:
    for function in sorted({route.function for route in http_routes()}):
        declared = {(route.method.lower(), route.path) for route in http_routes() if route.function == function}
        served = {
            (method, path) for path, operations in function_schema(function)["paths"].items() for method in operations
        }
        assert served == declared, function


def test_every_operation_declares_its_models() -> None:
    for path, operations in merged_openapi()["paths"].items():
        for method, operation in operations.items():
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, f"{method} {path} declares no success response"
            for code in success:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert "$ref" in schema, f"{method} {path} {code} has no response model"
            assert "422" not in operation["responses"], "validation errors are 400 here"
            if method in ("post", "put", "patch") and _takes_body(path, method):
                assert "requestBody" in operation, f"{method} {path} declares no request model"


# Action routes whose only input is the path and the caller (any body is ignored).
BODYLESS_ACTIONS = (
    "/logout",
    "/resend-verification",
    "/approve",
    "/hit",
    "/stand",
    "/double",
    "/deliver",
    "/process",
    "/jobs/{jobId}/retry",
    "/jobs/{jobId}/cancel",
    "/realtime/ticket",
    "/payouts/{payoutId}/release",
    "/payouts/{payoutId}/retry",
    "/sellers/me/payout-account",
    "/jobs/dlq/redrive",
)


def _takes_body(path: str, method: str) -> bool:
    return not path.endswith(BODYLESS_ACTIONS)


def test_committed_openapi_is_current() -> None:
    committed = json.loads((ROOT / "openapi.json").read_text())
    assert committed == merged_openapi(), "run `make openapi`"


def test_there_is_a_sample_event_for_every_route_and_queue() -> None:
    for route in http_routes():
        folder = Path(function_code_dir(route.function)).name
        samples = [json.loads(path.read_text()) for path in (ROOT / "events" / folder).glob("*.json")]
        assert any(sample.get("routeKey") == route.route_key for sample in samples), route.route_key
    for function in function_names():
        for event in function_events(function).values():
            if event["Type"] == "SQS":
                folder = ROOT / "events" / Path(function_code_dir(function)).name
                assert list(folder.glob("sqs_*.json")), function


def test_every_email_template_name_has_a_subject_and_both_bodies() -> None:
    from typing import get_args

    from shared.email.render import SUBJECTS
    from shared.messaging.email import Template

    folder = ROOT / "layers/shared/shared/email/templates"
    names = set(get_args(Template))
    assert names == set(SUBJECTS)
    for name in names:
        assert (folder / f"{name}.html.j2").exists(), name
        assert (folder / f"{name}.txt.j2").exists(), name
