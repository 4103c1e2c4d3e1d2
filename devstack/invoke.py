"""``make invoke`` / ``make invoke-schedule``: run one function with an event, without Docker.

``python -m devstack.invoke FunctionLogicalId events/auth/post_auth_login.json`` plays
``sam local invoke``:
the template's table, queues and buckets are created in an in-process moto (``mock_aws``, empty),
the function runs with its template environment (local overrides applied, see
:mod:`devstack.specs`), its logs go to stderr and its result is printed to stdout as JSON. The
event may be ``-`` (stdin) or omitted (``{}``). Exit status 1 when the function raised.

``python -m devstack.invoke --schedule NAME`` fires a schedule of the *running* local stack and
prints the function's result (``--schedule ""``: lists that stack's schedules). The stack is found
by ``--url``, ``LOCAL_API_URL``, ``PORT``, else the URL ``make run`` recorded
(:func:`devstack.process.stack_url`); when none answers it says so in one line and exits 1.
``--list`` lists the template's functions and schedules.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from devstack.local_aws import use_local_aws
from devstack.process import StackNotRunning, require_stack, stack_url
from devstack.stack import build_stack
from devstack.template import load_template


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send everything written to fd 1 (the function's logs) to stderr, as ``sam local invoke`` does."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def read_event(source: str | None) -> Any:
    if source is None:
        return {}
    text = sys.stdin.read() if source == "-" else Path(source).read_text()
    return json.loads(text) if text.strip() else {}


def invoke_local(function: str, event: Any) -> tuple[Any, BaseException | None]:
    """Run ``function`` with ``event`` against a fresh in-process moto; returns (result, error)."""
    from moto import mock_aws

    caller_env = dict(os.environ)
    use_local_aws(None)
    with mock_aws():
        stack = build_stack(load_template(), port=int(os.environ.get("PORT") or 3000), caller_env=caller_env)
        if function not in stack.functions:
            known = ", ".join(sorted(stack.functions))
            raise SystemExit(f"no function {function!r} in template.yaml (known: {known})")
        started = time.monotonic()
        with _stdout_to_stderr():
            try:
                result, error = stack.invoker.invoke(function, event), None
            except Exception as exc:
                result, error = None, exc
            ms = (time.monotonic() - started) * 1000
            spec = stack.functions[function]
            print(f"REPORT {function} Duration: {ms:.1f} ms Memory Size: {spec.memory} MB", file=sys.stderr)
    return result, error


def fire_schedule(name: str, base_url: str) -> int:
    """Fire ``name`` on the stack at ``base_url`` (no name: list its schedules); 1 on failure."""
    try:
        api = require_stack(base_url)
        if not name:
            for item in api("GET", "/_local/schedules").data["items"]:
                print(f"{item['name']:<40} {item['event']:<24} {item['function']:<24} {item['expression']}")
            return 0
        res = api("POST", f"/_local/schedules/{quote(name, safe='')}")
    except (StackNotRunning, OSError) as exc:
        print(f"invoke-schedule: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(res.json(), indent=2))
    return 0 if 200 <= res.status < 300 else 1


def list_template() -> int:
    from devstack.routes import function_events, function_names

    for function in function_names():
        kinds = sorted({str(event.get("Type")) for event in function_events(function).values()})
        print(f"{function:<28} {', '.join(kinds)}")
        for key, event in function_events(function).items():
            if event.get("Type") in ("Schedule", "ScheduleV2"):
                props = event.get("Properties") or {}
                expression = props.get("Schedule") or props.get("ScheduleExpression")
                print(f"  schedule {props.get('Name') or key}: {expression}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.invoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("function", nargs="?", help="logical id of the function, e.g. AuthFunction")
    parser.add_argument("event", nargs="?", help="event JSON file ('-' for stdin; default {})")
    parser.add_argument("--schedule", metavar="NAME", help='fire a schedule of the running local stack ("": list them)')
    parser.add_argument("--url", default=None, help="base URL of the running local stack")
    parser.add_argument("--list", action="store_true", help="list functions and schedules")
    args = parser.parse_args(argv)
    if args.list:
        return list_template()
    if args.schedule is not None:
        return fire_schedule(args.schedule.strip(), stack_url(args.url))
    if not args.function:
        parser.error("give a function (and an event file), --schedule NAME or --list")
    result, error = invoke_local(args.function, read_event(args.event))
    if error is not None:
        failure = {
            "errorType": type(error).__name__,
            "errorMessage": str(error),
            "stackTrace": traceback.format_exception(error),
        }
        print(json.dumps(failure, indent=2))
        return 1
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
