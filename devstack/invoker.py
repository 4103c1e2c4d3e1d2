"""Running the functions' handlers in this process, each in its own environment
(``make invoke`` and the in-process tests; ``make run`` uses :mod:`devstack.workers`), and what
any runner of the functions offers (:class:`FunctionInvoker`).

Nothing here imports the shared layer at module level: Powertools reads some settings when its
modules are first imported, so they are imported only after the function environment is set.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from devstack.lambda_runtime import LambdaContext, load_handler
from devstack.specs import LOCAL_UNSET, FunctionSpec

T = TypeVar("T")


def reset_shared_caches(table_name: str | None) -> None:
    """Make the shared layer re-read its environment (settings, clients, table name)."""
    from shared.data.table import configure_table
    from shared.email.delivery import reset_delivery
    from shared.messaging.clients import reset_clients
    from shared.security.passwords import reset_hasher
    from shared.settings import reset_settings

    reset_settings()
    reset_clients()
    reset_delivery()
    reset_hasher()
    configure_table(table_name)


class Invoker:
    """Runs handlers in this process, one invocation at a time (``make invoke`` and the in-process
    tests; ``make run`` invokes functions in worker processes, :mod:`devstack.workers`).

    One lock serialises every invocation: ``os.environ`` is process-wide, and each invocation sets
    its function's environment and ``AWS_LAMBDA_FUNCTION_NAME`` (the email worker's idempotency
    keys use it). The local stack also runs its own work outside any function here
    (:meth:`run` with ``None``: the common environment).
    """

    def __init__(self, specs: dict[str, FunctionSpec]) -> None:
        self.specs = specs
        self.lock = threading.Lock()
        self._managed = {key for spec in specs.values() for key in spec.environment}
        self._applied: dict[str, str] | None = None

    def _apply(self, spec: FunctionSpec | None) -> None:
        env = dict(spec.environment) if spec else self._common_environment()
        for key in (self._managed - env.keys()) | set(LOCAL_UNSET):
            os.environ.pop(key, None)
        os.environ.update(env)
        if spec is not None:
            os.environ["AWS_LAMBDA_FUNCTION_NAME"] = spec.name
            os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(spec.memory)
            os.environ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
            os.environ["AWS_LAMBDA_LOG_GROUP_NAME"] = f"/aws/lambda/{spec.name}"
        if env != self._applied:
            self._applied = env
            reset_shared_caches(env.get("TABLE_NAME"))

    def _common_environment(self) -> dict[str, str]:
        """Variables every function has with the same value (for work outside any function)."""
        envs = [spec.environment for spec in self.specs.values()]
        if not envs:
            return {}
        return {key: value for key, value in envs[0].items() if all(env.get(key) == value for env in envs)}

    def run(self, function: str | None, work: Callable[[], T]) -> T:
        """Run ``work`` under the lock with ``function``'s environment (or the common one)."""
        with self.lock:
            self._apply(self.specs[function] if function else None)
            return work()

    def invoke(self, function: str, event: Any) -> Any:
        """Call the handler with ``event`` and a Lambda context; exceptions propagate."""
        spec = self.specs[function]

        def call() -> Any:
            handler = load_handler(spec.code_dir, spec.handler)
            context = LambdaContext(
                function_name=spec.name, memory_limit_in_mb=spec.memory, timeout_seconds=spec.timeout
            )
            started = time.monotonic()
            try:
                return handler(event, context)
            finally:
                elapsed = time.monotonic() - started
                if elapsed > spec.timeout:
                    print(
                        f"warning: {function} ran {elapsed:.1f}s, over its {spec.timeout}s timeout "
                        "(Lambda would have stopped it)",
                        file=sys.stderr,
                        flush=True,
                    )

        return self.run(function, call)


class FunctionInvoker(Protocol):
    """What runs the functions: :class:`Invoker` in this process, or the server's worker pools
    (:class:`devstack.workers.PooledInvoker`)."""

    def invoke(self, function: str, event: Any) -> Any: ...

    def run(self, function: str | None, work: Callable[[], T]) -> T: ...
