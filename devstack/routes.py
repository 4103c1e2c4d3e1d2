"""The template's functions and their HttpApi routes, and matching a request to a route."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from devstack.template import ROOT, load_template, resources_of_type


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


def route_roles() -> dict[str, tuple[str, ...] | None]:
    """``route key -> roles`` as each function's resolver declares them with ``@requires``
    (``()`` = any signed-in caller, ``None`` = public). Imports the function modules (no I/O)."""
    from shared.http.auth import required_roles

    from devstack.lambda_runtime import load_module

    found: dict[str, tuple[str, ...] | None] = {}
    for function in sorted({route.function for route in http_routes()}):
        app = load_module(function_code_dir(function)).app
        for route in app._static_routes + app._dynamic_routes:
            path = re.sub(r"<(\w+)>", r"{\1}", route.path)
            found[f"{route.method} {path}"] = required_roles(route.func)
    return found


def function_code_dir(logical_id: str) -> str:
    resource = load_template()["Resources"][logical_id]
    return str(ROOT / resource["Properties"]["CodeUri"])


def function_names() -> list[str]:
    return list(resources_of_type("AWS::Serverless::Function"))


def function_events(logical_id: str) -> dict[str, Any]:
    return dict(load_template()["Resources"][logical_id]["Properties"].get("Events") or {})
