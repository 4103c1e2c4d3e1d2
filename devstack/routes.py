"""The template's functions and their HttpApi routes, and matching a request to a route."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from devstack.template import ROOT, load_template, resources_of_type

if TYPE_CHECKING:
    from shared.http.auth import Access


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    path: str
    regex: re.Pattern[str] = field(compare=False, repr=False)

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def specificity(self) -> tuple[int, int]:
        """API Gateway prefers literal segments over parameters, and longer paths."""
        segments = self.path.strip("/").split("/")
        return (sum(1 for s in segments if not s.startswith("{")), len(segments))


def _compile(path: str) -> re.Pattern[str]:
    pattern = ""
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            pattern += rf"/(?P<{segment[1:-2]}>.+)"
        elif segment.startswith("{"):
            pattern += rf"/(?P<{segment[1:-1]}>[^/]+)"
        else:
            pattern += "/" + re.escape(segment)
    return re.compile(f"^{pattern or '/'}$")


@lru_cache(maxsize=1)
def http_routes() -> tuple[Route, ...]:
    routes: list[Route] = []
    for name, resource in resources_of_type("AWS::Serverless::Function").items():
        for event in (resource["Properties"].get("Events") or {}).values():
            if event.get("Type") == "HttpApi":
                props = event["Properties"]
                method = str(props.get("Method", "ANY")).upper()
                routes.append(Route(name, method, props["Path"], _compile(props["Path"])))
    return tuple(sorted(routes, key=lambda r: r.specificity, reverse=True))


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route API Gateway would pick for ``method path``, with its path parameters."""
    method = method.upper()
    for route in http_routes():
        found = route.regex.match(path)
        if found and route.method in (method, "ANY"):
            return route, dict(found.groupdict())
    return None


@lru_cache(maxsize=1)
def route_functions() -> dict[str, Callable[..., Any]]:
    """``route key -> the route's Python function``, as each function's resolver registers it.
    Imports the function modules (no I/O)."""
    from devstack.lambda_runtime import load_module

    found: dict[str, Callable[..., Any]] = {}
    for function in sorted({route.function for route in http_routes()}):
        app = load_module(function_code_dir(function)).app
        for route in app._static_routes + app._dynamic_routes:
            path = re.sub(r"<(\w+)>", r"{\1}", route.path)
            found[f"{route.method} {path}"] = route.func
    return found


def route_marks() -> dict[str, Access | None]:
    """``route key -> what its @requires mark asks of the caller`` (None = public)."""
    from shared.http.auth import route_access

    return {key: route_access(func) for key, func in route_functions().items()}


def route_roles() -> dict[str, tuple[str, ...] | None]:
    """``route key -> roles`` as each function's resolver declares them with ``@requires``
    (``()`` = any signed-in caller, ``None`` = public)."""
    return {key: (access.roles if access is not None else None) for key, access in route_marks().items()}


def function_code_dir(logical_id: str) -> str:
    resource = load_template()["Resources"][logical_id]
    return str(ROOT / resource["Properties"]["CodeUri"])


def function_names() -> list[str]:
    return list(resources_of_type("AWS::Serverless::Function"))


def function_events(logical_id: str) -> dict[str, Any]:
    return dict(load_template()["Resources"][logical_id]["Properties"].get("Events") or {})
