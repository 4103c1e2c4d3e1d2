"""The README's first purchase with curl, run as written (bash -e) against the session stack:
only ``API`` and ``STRIPE`` differ from a newcomer's run, through the variables the block reads."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from devstack.template import ROOT
from tests.e2e.conftest import LocalStack
from tests.support.readme import walkthrough_block

pytestmark = pytest.mark.e2e


def test_the_readme_walkthrough_runs_as_written(stack: LocalStack) -> None:
    # Given the block exactly as README.md shows it, and the session stack's URLs
    env = {**os.environ, "API": stack.api.base_url, "STRIPE": str(stack.info["stripeUrl"])}
    # When it runs with every failing command stopping it
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", walkthrough_block()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    # Then each step printed what the README says it prints
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["seller: approved", "product: active", "cart subtotal: 3700"], done.stdout
    found = re.fullmatch(r"order (ORD-[\w-]+): pending, total 4595", lines[3])
    assert found, done.stdout
    order_number = found.group(1)
    assert lines[4:] == ["payment: succeeded", "order confirmed", f"email: Order Confirmation - {order_number}"]
