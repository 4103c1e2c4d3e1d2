"""``make bench``: what each function costs.

1. Cold-start proxy: the import time of each function's module in a fresh Python process
   (no settings, no AWS), median of several runs, with the heavy libraries it pulled in. The
   cold start as deployed (bytecode, template environment, tracing, first and warm invocation,
   against an eager reference) is ``devstack/bench_coldstart.py``'s section (``--json`` there).
2. DynamoDB calls and consumed capacity per request of the identity endpoints, measured through
   the local stack over HTTP (its ``x-local-dynamodb-*`` response headers). moto reports no
   capacity for transactions, so their units show as 0 there; the call counts are exact.
3. One section per system from ``devstack/bench_<system>.py`` (``section()`` returns tables).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from typing import Any

from devstack.routes import function_code_dir, function_names

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
HEAVY = ("boto3", "botocore", "jinja2", "stripe", "aws_xray_sdk", "pynamodb", "argon2", "jwt", "pydantic")

_PROBE = """
import json, sys, time
start = time.perf_counter()
from devstack.lambda_runtime import load_module
load_module(sys.argv[1])
elapsed = (time.perf_counter() - start) * 1000
heavy = [name for name in sys.argv[2].split(",") if name in sys.modules]
print(json.dumps({"ms": elapsed, "modules": len(sys.modules), "heavy": heavy}))
"""


def _clean_env() -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
    return {key: value for key, value in os.environ.items() if key in keep}


def import_time(function: str) -> dict[str, object]:
    samples: list[float] = []
    last: dict[str, object] = {}
    for _ in range(RUNS):
        out = subprocess.run(  # noqa: S603 - our own interpreter and probe
            [sys.executable, "-c", _PROBE, function_code_dir(function), ",".join(HEAVY)],
            capture_output=True,
            text=True,
            check=True,
            env=_clean_env(),
        )
        last = json.loads(out.stdout.strip().splitlines()[-1])
        samples.append(float(str(last["ms"])))
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "modules": last["modules"],
        "heavy": last["heavy"],
    }


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=False)))


def identity_costs() -> list[list[str]]:
    """Walk the identity endpoints once on a fresh local stack and read each request's cost."""
    from devstack.process import running_stack
    from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD

    rows: list[list[str]] = []
    with running_stack(LOCAL_SCHEDULES="off") as stack:
        api = stack.api

        def measure(label: str, method: str, path: str, body: object = None, token: str | None = None) -> Any:
            res = api(method, path, body, token=token)
            rows.append(
                [
                    label,
                    str(res.status),
                    res.headers.get("x-local-dynamodb-calls", "?"),
                    res.headers.get("x-local-dynamodb-rcu", "?"),
                    res.headers.get("x-local-dynamodb-wcu", "?"),
                    res.headers.get("x-local-dynamodb-ops", ""),
                ]
            )
            return res

        email, password = "bench.user@example.com", "Bench-passw0rd"
        body = {"email": email, "password": password, "name": "Bench"}
        measure("POST /auth/register", "POST", "/api/v1/auth/register", body)
        login = measure("POST /auth/login", "POST", "/api/v1/auth/login", {"email": email, "password": password}).data
        token = login["accessToken"]
        measure("POST /auth/login (wrong password)", "POST", "/api/v1/auth/login", {"email": email, "password": "x1"})
        measure("GET /auth/me", "GET", "/api/v1/auth/me", token=token)
        measure("GET /auth/verify", "GET", "/api/v1/auth/verify", token=token)
        measure("GET /auth/sessions", "GET", "/api/v1/auth/sessions", token=token)
        refreshed = measure(
            "POST /auth/refresh", "POST", "/api/v1/auth/refresh", {"refreshToken": login["refreshToken"]}
        )
        token = refreshed.data["accessToken"]
        measure("PATCH /users/me", "PATCH", "/api/v1/users/me", {"name": "Bench User"}, token=token)
        measure("POST /auth/forgot-password", "POST", "/api/v1/auth/forgot-password", {"email": email})
        measure("POST /auth/logout", "POST", "/api/v1/auth/logout", token=token)
        admin = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
        measure("GET /users?limit=20 (admin)", "GET", "/api/v1/users?limit=20", token=admin.data["accessToken"])
    return rows


def main() -> int:
    rows = []
    for function in sorted(function_names()):
        result = import_time(function)
        rows.append(
            [
                function,
                f"{result['median']:.0f}",
                f"{result['min']:.0f}",
                f"{result['max']:.0f}",
                str(result["modules"]),
                ",".join(result["heavy"]) if isinstance(result["heavy"], list) else "",  # type: ignore[arg-type]
            ]
        )
    print_table(
        f"Cold-start proxy: import time of each function module, fresh process, {RUNS} runs",
        ["function", "median ms", "min ms", "max ms", "modules", "heavy libraries loaded"],
        rows,
    )
    print_table(
        "DynamoDB per request, identity endpoints (local stack over HTTP)",
        ["request", "status", "calls", "RCU", "WCU", "operations"],
        identity_costs(),
    )
    for module in _section_modules():
        for title, header, table_rows in module.section():
            print_table(title, header, table_rows)
    return 0


def _section_modules() -> list[Any]:
    """Each system adds ``devstack/bench_<system>.py`` with ``section() -> [(title, header, rows)]``."""
    import importlib
    import pkgutil

    import devstack

    names = sorted(info.name for info in pkgutil.iter_modules(devstack.__path__) if info.name.startswith("bench_"))
    return [importlib.import_module(f"devstack.{name}") for name in names]


if __name__ == "__main__":
    raise SystemExit(main())
