"""Lambda's concurrency model for the local stack: execution environments as worker processes.

Each function is served by a pool of up to ``LOCAL_CONCURRENCY`` (default
:data:`DEFAULT_CONCURRENCY`) worker processes. A worker is one execution environment: it holds one
function's environment (``os.environ`` set once, ``AWS_LAMBDA_FUNCTION_NAME``...), imports the
handler on its first event (the cold start) and handles one event at a time. An invocation takes
the most recently used idle worker of its function, starts a new one while the pool is below its
size, or waits for one (Lambda would throttle). So invocations of different functions, and up to
the pool size of one function, run at the same time, and a function may call back into the stack
(the local API over HTTP, the WebSocket management API) without waiting for itself.

Workers are forked from a ``multiprocessing`` fork server that imported the libraries every
function uses (boto3, PynamoDB, Powertools, pydantic, the shared layer's base modules) once, under
the environment the functions have in common; each worker then applies its function's environment
and resets the shared layer's cached settings (as the in-process :class:`devstack.invoker.Invoker`
does when it switches functions). Workers reach AWS over HTTP: the stack runs moto in server mode
and ``AWS_ENDPOINT_URL`` points there. They write to the stack's stdout/stderr.

A worker returns the handler's result, or the error as Lambda reports it (``errorType``,
``errorMessage``, ``stackTrace``), raised here as :class:`FunctionError`; DynamoDB calls it made
are added to the caller's :func:`devstack.metering.metered` block. A worker that dies (the handler
called ``os._exit``, a crash) fails its invocation and is replaced on demand.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from devstack import metering
from devstack.invoker import Invoker
from devstack.specs import LOCAL_UNSET, FunctionSpec

T = TypeVar("T")

DEFAULT_CONCURRENCY = 3
# Imported once by the fork server, so that a worker's cold start imports only its own code.
PRELOAD = [
    "boto3",
    "botocore.session",
    "pydantic",
    "pynamodb.models",
    "aws_lambda_powertools",
    "aws_lambda_powertools.event_handler",
    "jwt",
    "jinja2",
    "shared.settings",
    "shared.data.table",
    "shared.http",
    "devstack.lambda_runtime",
]


class FunctionError(Exception):
    """The handler raised (or its worker died): Lambda's error fields, the worker's traceback as a note."""

    def __init__(self, function: str, error_type: str, message: str, stack_trace: list[str]) -> None:
        super().__init__(message)
        self.function = function
        self.error_type = error_type
        self.error_message = message
        self.stack_trace = stack_trace
        if stack_trace:
            self.add_note(f"in {function}'s worker:\n{''.join(stack_trace).rstrip()}")

    def __str__(self) -> str:
        return f"{self.error_type}: {self.error_message}"


def concurrency_setting(environ: Mapping[str, str] = os.environ) -> int:
    """``LOCAL_CONCURRENCY``: workers per function (at least 1)."""
    value = environ.get("LOCAL_CONCURRENCY", "").strip()
    return max(1, int(value)) if value else DEFAULT_CONCURRENCY


# ------------------------------------------------------------------------------ in the worker


def _serve(spec: FunctionSpec, base_env: dict[str, str], managed: list[str], conn: Connection) -> None:
    """A worker's main loop: apply the function's environment, then answer invocations until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the stack, which stops its workers
    for key in set(managed) | set(LOCAL_UNSET):
        os.environ.pop(key, None)
    os.environ.update(base_env)
    os.environ.update(spec.environment)
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = spec.name
    os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(spec.memory)
    os.environ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
    os.environ["AWS_LAMBDA_LOG_GROUP_NAME"] = f"/aws/lambda/{spec.name}"
    from devstack.invoker import reset_shared_caches

    reset_shared_caches(spec.environment.get("TABLE_NAME"))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        outcome = _invoke(spec, message)
        try:
            try:
                conn.send(outcome)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                error = f"the result cannot be returned: {exc}"
                conn.send(("error", "Runtime.MarshalError", error, [], outcome[-1]))
        except OSError:
            return  # the stack is gone
        sys.stdout.flush()
        sys.stderr.flush()


def _invoke(spec: FunctionSpec, event: Any) -> tuple[Any, ...]:
    from devstack.lambda_runtime import LambdaContext, load_handler

    with metering.metered() as meter:
        started = time.monotonic()
        try:
            handler = load_handler(spec.code_dir, spec.handler)
            context = LambdaContext(
                function_name=spec.name, memory_limit_in_mb=spec.memory, timeout_seconds=spec.timeout
            )
            result = handler(event, context)
        except BaseException as exc:  # SystemExit too: Lambda reports it as the function's error
            outcome: tuple[Any, ...] = ("error", type(exc).__name__, str(exc), traceback.format_exception(exc))
        else:
            outcome = ("ok", result)
        elapsed = time.monotonic() - started
    if elapsed > spec.timeout:
        print(
            f"warning: {spec.name} ran {elapsed:.1f}s, over its {spec.timeout}s timeout (Lambda would have stopped it)",
            file=sys.stderr,
            flush=True,
        )
    return (*outcome, (dict(meter.calls), meter.read_units, meter.write_units))


# ------------------------------------------------------------------------------ in the stack


class _Worker:
    def __init__(self, context: Any, spec: FunctionSpec, base_env: dict[str, str], managed: list[str]) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(spec, base_env, managed, child), name=f"lambda-{spec.name}", daemon=True
        )
        self.process.start()
        # The pool owns its workers' lifecycle: multiprocessing would otherwise join every worker
        # when the stack exits, and that join (through the fork server) could hang the exit.
        getattr(multiprocessing.process, "_children", set()).discard(self.process)
        child.close()

    def invoke(self, function: str, event: Any) -> Any:
        try:
            self.conn.send(event)
            reply = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.process.join(timeout=1)
            raise FunctionError(
                function, "Runtime.ExitError", f"the worker exited (code {self.process.exitcode})", []
            ) from exc
        status, *rest = reply
        calls, read, write = rest[-1]
        metering.add(calls, read, write)
        if status == "ok":
            return rest[0]
        error_type, message, stack_trace = rest[:3]
        raise FunctionError(function, error_type, message, stack_trace)

    @property
    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)

    def stop(self, deadline: float | None = None) -> None:
        """Stop after its current event (by ``deadline``, a ``time.monotonic()``; else 2 s), or kill it."""
        self.ask_to_stop()
        self.process.join(timeout=max(0.0, (deadline or time.monotonic() + 2) - time.monotonic()))
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=2)
        self.conn.close()


class _Pool:
    """One function's workers: at most ``size``, started on demand, the most recently used reused first."""

    def __init__(self, start: Callable[[], _Worker], size: int) -> None:
        self.start = start
        self.size = size
        self.started: set[_Worker] = set()
        self.idle: list[_Worker] = []
        self.count = 0
        self.closed = False
        self.cond = threading.Condition()

    def acquire(self) -> _Worker:
        with self.cond:
            while not self.idle and self.count >= self.size and not self.closed:
                self.cond.wait()
            if self.closed:
                raise RuntimeError("the local stack is stopping")
            if self.idle:
                return self.idle.pop()
            self.count += 1
        try:
            worker = self.start()
        except BaseException:
            with self.cond:
                self.count -= 1
                self.cond.notify()
            raise
        with self.cond:
            self.started.add(worker)
        return worker

    def release(self, worker: _Worker) -> None:
        with self.cond:
            if worker.alive and not self.closed:
                self.idle.append(worker)
                self.cond.notify()
                return
            self.count -= 1
            self.started.discard(worker)
            self.cond.notify()
        worker.stop()

    def close(self) -> tuple[list[_Worker], list[_Worker]]:
        """Refuse new invocations; returns the idle workers and the busy ones."""
        with self.cond:
            self.closed = True
            idle, self.idle = self.idle, []
            busy = [worker for worker in self.started if worker not in idle]
            self.started.clear()
            self.cond.notify_all()
        return idle, busy


class PooledInvoker:
    """Invokes each function in its own worker processes (see the module docstring).

    ``run(None, work)`` (the stack's own work outside any function, e.g. creating the admin) still
    runs in this process through the in-process :class:`~devstack.invoker.Invoker`.
    """

    def __init__(self, local: Invoker, size: int | None = None) -> None:
        self.local = local
        self.specs = local.specs
        self.size = size or concurrency_setting()
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.base_env = {key: value for key, value in os.environ.items() if key.startswith("AWS_")}
        self.managed = sorted({key for spec in self.specs.values() for key in spec.environment})
        self.pools = {name: _Pool(self._starter(spec), self.size) for name, spec in self.specs.items()}

    def _starter(self, spec: FunctionSpec) -> Callable[[], _Worker]:
        return lambda: _Worker(self.context, spec, self.base_env, self.managed)

    def warm_up(self) -> None:
        """Start the fork server now (under the functions' common environment), not at the first event."""
        from multiprocessing import forkserver

        self.local.run(None, forkserver.ensure_running)

    def run(self, function: str | None, work: Callable[[], T]) -> T:
        return self.local.run(function, work)

    def invoke(self, function: str, event: Any) -> Any:
        """Call the handler with ``event`` in a worker; a handler error raises :class:`FunctionError`."""
        pool = self.pools[function]
        worker = pool.acquire()
        try:
            return worker.invoke(function, event)
        finally:
            pool.release(worker)

    def workers(self) -> dict[str, int]:
        """Started workers per function (for ``/_local/info``)."""
        return {name: pool.count for name, pool in self.pools.items() if pool.count}

    def close(self, seconds: float = 2.0) -> None:
        """Stop every idle worker (all at once, within ``seconds``) and kill the busy ones."""
        closed = [pool.close() for pool in self.pools.values()]
        idle = [worker for found, _ in closed for worker in found]
        for worker in idle:
            worker.ask_to_stop()
        for _, busy in closed:
            for worker in busy:
                worker.process.terminate()
        deadline = time.monotonic() + seconds
        for worker in idle:
            worker.stop(deadline)
