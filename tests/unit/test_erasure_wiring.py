"""The erasure job runs what the lifecycle registry lists, and identity's steps sit in their ranges."""

from __future__ import annotations

from shared.jobs import registry as job_types
from shared.lifecycle import registry
from shared.lifecycle.jobs import ERASE, ErasePayload


def test_the_erasure_job_is_registered_and_runnable_by_an_admin() -> None:
    kind = job_types.job_type(ERASE)

    assert kind is not None
    assert kind.manual
    assert kind.payload is ErasePayload
    assert "shared.lifecycle.jobs" in job_types.CATALOG


def test_identity_steps_are_in_the_catalog_and_in_their_order_ranges() -> None:
    assert "shared.identity.lifecycle" in registry.CATALOG
    orders = {step.name: step.order for step in registry.steps() if step.name.startswith("identity.")}

    assert set(orders) == {"identity.sessions", "identity.jobs", "identity.api-keys", "identity.account"}
    assert all(10 <= order <= 19 for name, order in orders.items() if name != "identity.account")
    assert orders["identity.account"] >= 90
    # the final check runs after every other system's step
    assert registry.steps()[-1].name == "identity.account"


def test_the_coverage_test_sees_a_step_registered_anywhere() -> None:
    before = dict(registry._REGISTRY.steps)
    try:
        registry.erasure_step("probe.step", entities=["PROBE_TYPE"], order=60)(lambda ctx: True)
        assert registry.coverage()["PROBE_TYPE"] == "probe.step"
        assert "probe.step" in [step.name for step in registry.steps()]
    finally:
        registry._REGISTRY.steps.clear()
        registry._REGISTRY.steps.update(before)
    assert "PROBE_TYPE" not in registry.coverage()
