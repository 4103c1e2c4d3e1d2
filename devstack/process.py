"""Start the local stack (``python -m devstack.server``) as a subprocess and stop it cleanly.

Used by the e2e tests and by ``make bench``.
"""

from __future__ import annotations

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
from typing import Any

from devstack.httpclient import Client
from devstack.template import ROOT

STARTUP_SECONDS = 45


class StackFailed(RuntimeError):
    pass


@dataclass
class RunningStack:
    api: Client
    info: dict[str, Any]
    env: dict[str, str]
    log_path: str
    process: subprocess.Popen[bytes]

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
    # LOCAL_STRIPE_PORT=0: the stack binds a free port itself, so parallel stacks never collide.
    env = stack_env(port, drop, **{"LOCAL_STRIPE_PORT": "0", **overrides})
    log = tempfile.NamedTemporaryFile(prefix="devstack-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.server"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    stack = RunningStack(Client(f"http://127.0.0.1:{port}"), {}, env, log.name, process)
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
        raise StackFailed(f"the local stack did not stop cleanly:\n{stack.log()[-5000:]}")
    os.unlink(log.name)
