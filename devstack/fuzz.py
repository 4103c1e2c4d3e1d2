"""``make fuzz``: schemathesis against the local stack, unauthenticated and as a customer.

Each run generates requests from ``/openapi.json`` (examples, coverage and fuzzing phases) and
checks every response: no 5xx (``not_a_server_error``), every status documented for its operation
(``status_code_conformance``) and every body matching its documented schema
(``response_schema_conformance``). ``--max-time`` is the whole budget, split between the two
callers. Without ``--base-url`` a fresh stack is started (and stopped) for the run.

    python -m devstack.fuzz                          # a fresh stack, about 5 minutes
    python -m devstack.fuzz --base-url http://127.0.0.1:3000 --max-time 60
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.httpclient import Client
from devstack.process import running_stack

CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")
PHASES = ("examples", "coverage", "fuzzing")
PASSWORD = "Fuzz-customer-1"


def register_customer(client: Client) -> str:
    """A new customer's access token (the customer the second run acts as)."""
    email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "password": PASSWORD, "name": "Fuzz Customer"}
    res = client("POST", "/api/v1/auth/register", body)
    if res.status != 201:
        raise SystemExit(f"could not register the fuzzing customer: {res.status} {res.body[:300]!r}")
    return str(res.data["accessToken"])


def schemathesis_command(base_url: str, max_time: int, *, token: str | None, seed: int | None) -> list[str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{base_url}/openapi.json",
        "--url",
        base_url,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        ",".join(PHASES),
        "--max-time",
        str(max_time),
        "--workers",
        "2",
        "--continue-on-failure",
        "--request-timeout",
        "30",
        "--warnings",
        "off",
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    if seed is not None:
        command += ["--seed", str(seed)]
    return command


def fuzz(base_url: str, max_time: int, *, seed: int | None = None) -> int:
    """Run both callers; 0 when neither found anything."""
    client = Client(base_url)
    half = max(1, max_time // 2)
    failed = 0
    for caller in ("anonymous", "customer"):
        token = register_customer(client) if caller == "customer" else None
        print(f"== schemathesis as {caller} against {base_url} ({half} s)", flush=True)
        command = schemathesis_command(base_url, half, token=token, seed=seed)
        result = subprocess.run(command, check=False)  # noqa: S603 - our own argv, no shell
        failed |= result.returncode
    return 1 if failed else 0


@contextmanager
def stack_url(base_url: str | None) -> Iterator[str]:
    if base_url:
        yield base_url.rstrip("/")
        return
    with running_stack(LOCAL_SCHEDULES="off") as stack:
        yield stack.api.base_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running stack (default: start a fresh one)")
    parser.add_argument("--max-time", type=int, default=300, help="seconds for both runs together")
    parser.add_argument("--seed", type=int, help="reproduce a run")
    args = parser.parse_args(argv)
    with stack_url(args.base_url) as url:
        return fuzz(url, args.max_time, seed=args.seed)


if __name__ == "__main__":
    raise SystemExit(main())
