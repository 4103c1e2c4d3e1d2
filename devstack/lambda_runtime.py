"""Load a function's handler module the way Lambda does, and a Lambda context for it."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from devstack.template import ROOT

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 10
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline_ms: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline_ms = time.time() * 1000 + self.timeout_seconds * 1000
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))


_IMPORT_LOCK = threading.RLock()


def load_handler(code_dir: str | Path, handler: str = "app.lambda_handler") -> Handler:
    """Import the handler's module from ``code_dir`` (once) and return the handler."""
    module_name, _, attr = handler.rpartition(".")
    handler_fn: Handler = getattr(load_module(code_dir, module_name), attr)
    return handler_fn


def load_module(code_dir: str | Path, module_name: str = "app") -> ModuleType:
    """Import ``<code_dir>/<module>.py`` under a name unique to its folder (every function has an app.py)."""
    path = Path(code_dir) / f"{module_name.replace('.', '/')}.py"
    unique = f"lambda_{Path(code_dir).resolve().relative_to(ROOT).as_posix().replace('/', '_')}_{module_name}"
    with _IMPORT_LOCK:  # another thread must not see the module half-imported
        return _load(unique, path)


def _load(unique: str, path: Path) -> ModuleType:
    module = sys.modules.get(unique)
    if module is None:
        spec = importlib.util.spec_from_file_location(unique, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        spec.loader.exec_module(module)
    return module
