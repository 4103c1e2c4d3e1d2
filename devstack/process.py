"""Start the local stack (``python -m devstack.server``) as a subprocess and stop it cleanly, and
find a running one.

``make run`` records its URLs in a state file (``.local/stack.json``, or ``LOCAL_STATE_FILE``;
``off``: none) while it serves and removes it on a clean exit, so ``make seed`` and
``make invoke-schedule`` find it without repeating ``PORT`` (:func:`stack_url`). Stacks started
here (e2e tests, ``make bench``) record theirs in a temporary file, never in the developer's.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.httpclient import Client
from devstack.template import ROOT

STARTUP_SECONDS = 45
STATE_FILE = ROOT / ".local" / "stack.json"
DEFAULT_URL = "http://127.0.0.1:3000"


class StackFailed(RuntimeError):
    pass


class StackNotRunning(RuntimeError):
    """No local stack answers at the URL tried; the message is one line naming it."""


# ------------------------------------------------------------------------------ the state file


def state_file() -> Path | None:
    """Where the running stack records its URLs: ``LOCAL_STATE_FILE`` (``off``: nowhere)."""
    setting = os.environ.get("LOCAL_STATE_FILE", "").strip()
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    return Path(setting) if setting else STATE_FILE


def write_state(urls: dict[str, str | None]) -> Path | None:
    """Record this process's URLs (atomically); returns the file, to be given to :func:`clear_state`."""
    path = state_file()
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps({**urls, "pid": os.getpid()}, indent=2) + "\n")
    partial.replace(path)
    return path


def read_state(path: Path | None = None) -> dict[str, Any] | None:
    """The recorded URLs, or ``None`` when there is no (readable) state file."""
    path = path or state_file()
    if path is None:
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("apiUrl"), str) else None


def clear_state(path: Path | None) -> None:
    """Remove the state file if this process wrote it (another stack may have replaced it)."""
    if path is not None and (read_state(path) or {}).get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def stack_url(explicit: str | None = None) -> str:
    """The running stack's base URL: ``explicit``, ``LOCAL_API_URL``, ``PORT``, the state file,
    then ``http://127.0.0.1:3000``, in that order."""
    if explicit:
        return explicit.rstrip("/")
    if os.environ.get("LOCAL_API_URL"):
        return os.environ["LOCAL_API_URL"].rstrip("/")
    if os.environ.get("PORT"):
        return f"http://127.0.0.1:{os.environ['PORT']}"
    state = read_state()
    return str(state["apiUrl"]).rstrip("/") if state else DEFAULT_URL


def require_stack(url: str) -> Client:
    """A client for the stack at ``url``; raises :class:`StackNotRunning` when ``/health`` does not
    answer 200 there."""
    api = Client(url)
    try:
        status = api("GET", "/health", timeout=5).status
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise StackNotRunning(
            f"no local stack answers at {url} ({reason}): start it with `make run`, or set PORT or LOCAL_API_URL"
        ) from None
    if status != 200:
        raise StackNotRunning(f"{url}/health answered {status}: is that the local stack (`make run`)?")
    return api


# ------------------------------------------------------------------------- a stack for the tests


@dataclass
class RunningStack:
    api: Client
    info: dict[str, Any]
    env: dict[str, str]
    log_path: str
    process: subprocess.Popen[bytes]
    state_path: Path | None = None

    def client(self, service: str) -> Any:
        """A boto3 client for the stack's in-process moto."""
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.info["awsEndpointUrl"],
            region_name=self.info["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_env(port: int, drop: set[str] | None = None, **overrides: str) -> dict[str, str]:
    """This environment without AWS/Powertools/local settings (the stack sets its own)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in (drop or set()) and not key.startswith(("AWS_", "POWERTOOLS_", "LOCAL_"))
    }
    env.update(PORT=str(port), POWERTOOLS_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", **overrides)
    return env


@contextmanager
def running_stack(drop: set[str] | None = None, **overrides: str) -> Iterator[RunningStack]:
    """Yield a started stack (``/health`` answered); on exit SIGTERM it and require exit code 0.

    Raises :class:`StackFailed` with the stack's log when it does not start or stop cleanly.
    """
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="devstack-", suffix=".log", delete=False)  # noqa: SIM115
    state = Path(f"{log.name}.state.json")
    # Port 0: the stack binds a free port itself, so parallel stacks never collide.
    defaults = {"LOCAL_STRIPE_PORT": "0", "LOCAL_WS_PORT": "0", "LOCAL_STATE_FILE": str(state)}
    env = stack_env(port, drop, **{**defaults, **overrides})
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.server"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    stack = RunningStack(Client(f"http://127.0.0.1:{port}"), {}, env, log.name, process, state)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise StackFailed(f"the local stack exited with {process.returncode}:\n{stack.log()}")
            try:
                if stack.api("GET", "/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise StackFailed(f"the local stack did not answer /health in {STARTUP_SECONDS}s:\n{stack.log()}")
            time.sleep(0.2)
        stack.info = stack.api("GET", "/_local/info").data
        yield stack
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
    if process.returncode != 0:
        raise StackFailed(f"the local stack did not stop cleanly (exit {process.returncode}):\n{stack.log()[-5000:]}")
    if state.exists():
        state.unlink()
        raise StackFailed(f"the local stack left its state file {state} behind")
    os.unlink(log.name)
