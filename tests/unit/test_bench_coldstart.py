"""The cold-start bench runs functions as deployed: what it loads and what it sends (its timings are
printed by ``make bench``, never asserted)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from shared.commerce.payments.signatures import verify_event

from devstack.artifacts import build_artifacts, layer_dependencies
from devstack.coldstart_targets import EVENTS, REPRESENTATIVE, personalised
from devstack.routes import function_code_dir, function_names
from devstack.template import ROOT

SECRET = "whsec_bench"


def test_the_probes_see_only_the_layer_dependencies(tmp_path: Path) -> None:
    # Given the layer's requirements, when the bench lays out its dependencies
    deps = {path.name for path in layer_dependencies(tmp_path / "deps").iterdir()}

    # Then what the layer ships (and Lambda's boto3) is there, and the venv's tools are not:
    # with cryptography installed, PyJWT would load it, which the deployed layer never does
    assert {"jwt", "pydantic", "pynamodb", "aws_lambda_powertools", "aws_xray_sdk", "stripe", "boto3"} <= deps
    assert not deps & {"cryptography", "moto", "pytest", "yaml", "shared"}


def test_the_artifacts_are_laid_out_and_compiled_as_built(tmp_path: Path) -> None:
    layer = build_artifacts(tmp_path / "build", {"HealthFunction": Path(function_code_dir("HealthFunction"))})

    assert (layer / "shared" / "__pycache__" / "observability.cpython-313.pyc").is_file()
    assert (tmp_path / "build" / "HealthFunction" / "__pycache__" / "app.cpython-313.pyc").is_file()


def test_every_representative_event_exists_and_belongs_to_a_function() -> None:
    assert set(REPRESENTATIVE) <= set(function_names())
    for sample in REPRESENTATIVE.values():
        assert (EVENTS / sample).is_file(), sample


def test_events_carry_the_token_a_fresh_signature_and_unique_message_ids() -> None:
    api = json.loads((EVENTS / "orders/get_orders.json").read_text())
    webhook = json.loads((EVENTS / REPRESENTATIVE["StripeWebhookFunction"]).read_text())
    queue = json.loads((EVENTS / REPRESENTATIVE["EmailWorkerFunction"]).read_text())

    assert personalised(api, "tok", 0, None)["headers"]["authorization"] == "Bearer tok"
    signed = personalised(webhook, "tok", 0, SECRET)
    header = signed["headers"]["stripe-signature"]
    assert verify_event(signed["body"].encode(), header, SECRET, tolerance=300, now=int(time.time()))["id"]
    first, warm = (personalised(queue, "tok", n, None)["Records"][0] for n in (0, 1))
    assert first["messageId"] != warm["messageId"]
    assert json.loads(first["body"])["id"] != json.loads(warm["body"])["id"]


def test_single_file_dependencies_come_with_their_bytecode(tmp_path: Path) -> None:
    # Given the layer's dependencies laid out as links into the venv
    deps = layer_dependencies(tmp_path / "deps")

    # Then a single-file module (typing_extensions) finds its compiled form beside the link, as
    # in the built layer: a probe never compiles it from source
    assert (deps / "typing_extensions.py").exists()
    assert (deps / "__pycache__" / "typing_extensions.cpython-313.pyc").is_file()


def test_a_baseline_checkout_is_built_the_same_way(tmp_path: Path) -> None:
    # Given another checkout holding a different layer
    other = tmp_path / "other"
    health = Path(function_code_dir("HealthFunction"))
    (other / "layers" / "shared" / "shared").mkdir(parents=True)
    (other / "layers" / "shared" / "shared" / "marker.py").write_text("BASELINE = True\n")
    code = other / health.resolve().relative_to(ROOT.resolve())
    code.mkdir(parents=True)
    (code / "app.py").write_text("VERSION = 'baseline'\n")

    # When the artifacts are built from it
    layer = build_artifacts(tmp_path / "baseline", {"HealthFunction": health}, root=other)

    # Then its layer and its function's code are the ones laid out and compiled
    assert (layer / "shared" / "__pycache__" / "marker.cpython-313.pyc").is_file()
    assert "baseline" in (tmp_path / "baseline" / "HealthFunction" / "app.py").read_text()
