"""What a newcomer types works: ``make help``'s and the README's examples name what exists, the
walkthrough uses ``make run``'s defaults, and the tools find the running stack (or say in one line
that none answers)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.local_aws import DEFAULT_STACK_NAME
from devstack.localstripe_server import DEFAULT_PORT as DEFAULT_STRIPE_PORT
from devstack.process import DEFAULT_URL, clear_state, free_port, read_state, stack_url, write_state
from devstack.routes import function_events, function_names
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from devstack.template import ROOT
from tests.support.readme import README, walkthrough_block

MAKEFILE = ROOT / "Makefile"


def _schedule_names() -> set[str]:
    """What ``make invoke-schedule NAME=`` accepts: event keys and (local) schedule names."""
    names: set[str] = set()
    for function in function_names():
        for key, event in function_events(function).items():
            if event.get("Type") in ("Schedule", "ScheduleV2"):
                name = (event.get("Properties") or {}).get("Name") or key
                name = name.get("Fn::Sub", name) if isinstance(name, dict) else name
                names |= {key, str(name).replace("${AWS::StackName}", DEFAULT_STACK_NAME)}
    return names


@pytest.mark.parametrize("source", [MAKEFILE, README], ids=["make help", "README"])
def test_examples_name_files_functions_and_schedules_that_exist(source: Path) -> None:
    text = source.read_text()
    paths = set(re.findall(r"\bevents/[\w/.-]+\.json\b", text))
    assert paths, f"{source.name} shows no event file"
    assert {path for path in paths if not (ROOT / path).is_file()} == set()
    assert set(re.findall(r"\bFN=(\w+)", text)) <= set(function_names())
    assert set(re.findall(r"\bNAME=([\w-]+)", text)) <= _schedule_names()


def test_the_walkthrough_uses_make_runs_defaults_and_no_jq() -> None:
    block = walkthrough_block()
    assert block.startswith("API=${API:-http://127.0.0.1:3000}")
    assert f"STRIPE=${{STRIPE:-http://127.0.0.1:{DEFAULT_STRIPE_PORT}}}" in block
    assert DEFAULT_ADMIN_EMAIL in block
    assert DEFAULT_ADMIN_PASSWORD in block
    assert not re.search(r"\bjq\b", block)


# ------------------------------------------------------------------------------ the state file


@pytest.fixture
def state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "stack.json"
    monkeypatch.setenv("LOCAL_STATE_FILE", str(path))
    for key in ("LOCAL_API_URL", "PORT"):
        monkeypatch.delenv(key, raising=False)
    return path


def test_the_url_comes_from_the_flag_the_environment_the_state_file_then_the_default(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert stack_url() == DEFAULT_URL
    written = write_state({"apiUrl": "http://127.0.0.1:3105", "stripeUrl": None})
    assert written == state_file
    assert stack_url() == "http://127.0.0.1:3105"
    monkeypatch.setenv("PORT", "4000")
    assert stack_url() == "http://127.0.0.1:4000"
    monkeypatch.setenv("LOCAL_API_URL", "http://localhost:5000/")
    assert stack_url() == "http://localhost:5000"
    assert stack_url("http://127.0.0.1:6000") == "http://127.0.0.1:6000"


def test_a_stack_removes_only_its_own_state_file(state_file: Path) -> None:
    written = write_state({"apiUrl": "http://127.0.0.1:3105"})
    assert read_state() == {"apiUrl": "http://127.0.0.1:3105", "pid": os.getpid()}
    state_file.write_text(json.dumps({"apiUrl": "http://127.0.0.1:3106", "pid": os.getpid() + 1}))
    clear_state(written)
    assert state_file.exists(), "another stack's file stays"
    write_state({"apiUrl": "http://127.0.0.1:3105"})
    clear_state(written)
    assert not state_file.exists()


def test_no_state_file_when_it_is_off(state_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_STATE_FILE", "off")
    assert write_state({"apiUrl": "http://127.0.0.1:3105"}) is None
    assert stack_url() == DEFAULT_URL


def test_a_damaged_state_file_is_ignored(state_file: Path) -> None:
    state_file.write_text("{not json")
    assert read_state() is None
    assert stack_url() == DEFAULT_URL


@pytest.mark.parametrize(
    "tool", [("devstack.seed",), ("devstack.invoke", "--schedule", "ExpireUnpaidOrders")], ids=["seed", "schedule"]
)
def test_no_stack_is_one_line_naming_the_url(tool: tuple[str, ...]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "LOCAL_API_URL": url}
    command = [sys.executable, "-m", *tool]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert url in done.stderr
    assert "Traceback" not in done.stderr
