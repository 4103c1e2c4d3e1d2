"""``make seed`` and ``make invoke-schedule`` find the running stack from the state file ``make run``
writes (when no stack answers: tests/unit/test_newcomer_path.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devstack.template import ROOT
from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_running_stack_records_its_urls(stack: LocalStack) -> None:
    assert stack.state_path is not None
    state = json.loads(stack.state_path.read_text())
    assert state["apiUrl"] == stack.api.base_url
    assert state["stripeUrl"] == stack.info["stripeUrl"]
    assert state["pid"] == stack.process.pid


def test_the_tools_find_the_stack_without_port(stack: LocalStack) -> None:
    # Given no PORT and no URL, only the state file the stack wrote
    env = {key: value for key, value in stack.env.items() if key not in ("PORT", "LOCAL_API_URL")}
    env["LOCAL_STATE_FILE"] = str(stack.state_path)
    # When the schedules are listed (make invoke-schedule without NAME)
    done = _run(env, "devstack.invoke", "--schedule", "")
    # Then they are the stack's
    assert done.returncode == 0, done.stderr
    assert "ExpireUnpaidOrders" in done.stdout
