"""``make bench``: the whole cold start of every function, as deployed, against an eager reference.

For every function of ``template.yaml``, in a fresh Python process per sample:

- the code as the build ships it: the function folder and the layer (``python/shared``) copied
  and compiled to unchecked-hash bytecode by :mod:`devstack.bytecode`, imported without writing
  bytecode, the dependencies from this venv;
- the function's template environment (resolved against a running local stack: its moto, its
  queues, its local Stripe), ``LAMBDA_TASK_ROOT`` set and tracing as the template deploys it
  (``Tracing: Active``: the real tracer, with a trace header; segments go to a daemon address
  nobody listens on, as UDP);
- **import** ms of ``app``, **first** invocation ms of a representative event from ``events/``
  (an admin's token in its ``authorization``), then a **warm** invocation of the same event.

Interleaved with the functions, in the same run, the **eager reference**: a process importing
boto3, pydantic, jwt, pynamodb, stripe, argon2, Powertools' ``APIGatewayHttpResolver`` and
idempotency, then one DynamoDB GetItem through boto3 against the same moto; and the **stack
floor**: the least a function of this stack can import (Powertools' validating resolver with one
pydantic route, its Logger, a PynamoDB model) and one GetItem through PynamoDB. Medians of
``BENCH_RUNS`` (≥ 5) samples. ``python -m devstack.bench_coldstart --json`` prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from devstack.coldstart_probes import FLOOR_PROBE, FUNCTION_PROBE, REFERENCE_PROBE, run_probe
from devstack.coldstart_targets import targets

RUNS = max(5, int(os.environ.get("BENCH_RUNS", "5")))
HEADER = ["function", "import ms", "x ref", "first ms", "warm ms", "first-warm", "import+first", "x ref+get", "status"]
GOAL_IMPORT = 0.45
GOAL_TOTAL = 0.80
GOAL_FIRST_OVER_WARM_MS = 100.0


def measure(runs: int = RUNS, only: set[str] | None = None, baseline: Path | None = None) -> dict[str, Any]:
    """Interleaved samples of every function (or of ``only``) and of the reference; medians.
    With ``baseline``, each function is measured beside its build from that checkout."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-coldstart-") as tmp,
        targets(Path(tmp), baseline) as (every, ref_env, table),
    ):
        found = [target for target in every if not only or target.function.split("@")[0] in only]
        samples: dict[str, list[dict[str, Any]]] = {target.function: [] for target in found}
        reference: list[dict[str, Any]] = []
        floor: list[dict[str, Any]] = []
        for serial in range(runs):
            reference.append(run_probe(["-c", REFERENCE_PROBE, table], ref_env))
            floor.append(run_probe(["-c", FLOOR_PROBE, table], ref_env))
            for target in found:
                args = ["-c", FUNCTION_PROBE, str(target.task_root), target.env["BENCH_LAYER"]]
                events = str(target.write_events(serial))
                samples[target.function].append(run_probe([*args, events, target.function], target.env))
    ref_import = statistics.median(s["import"] for s in reference)
    ref_total = statistics.median(s["import"] + s["getitem"] for s in reference)
    floor_import = statistics.median(s["import"] for s in floor)
    floor_total = statistics.median(s["import"] + s["getitem"] for s in floor)
    functions: dict[str, Any] = {}
    for name, runs_of in samples.items():
        imported = statistics.median(s["import"] for s in runs_of)
        first = statistics.median(s["first"] for s in runs_of)
        warm = statistics.median(s["warm"] for s in runs_of)
        total = statistics.median(s["import"] + s["first"] for s in runs_of)
        functions[name] = {
            "import_ms": round(imported, 1),
            "first_ms": round(first, 1),
            "warm_ms": round(warm, 1),
            "import_plus_first_ms": round(total, 1),
            "import_ratio": round(imported / ref_import, 3),
            "total_ratio": round(total / ref_total, 3),
            "first_minus_warm_ms": round(first - warm, 1),
            "status": runs_of[-1].get("status"),
        }
    current = {name: f for name, f in functions.items() if "@" not in name}
    api = {name: f for name, f in current.items() if f["status"] is not None}
    worst_api = max(api, key=lambda name: api[name]["import_plus_first_ms"]) if api else None
    return {
        "runs": runs,
        "reference": {"import_ms": round(ref_import, 1), "import_plus_getitem_ms": round(ref_total, 1)},
        "floor": {
            "import_ms": round(floor_import, 1),
            "import_plus_getitem_ms": round(floor_total, 1),
            "import_ratio": round(floor_import / ref_import, 3),
            "total_ratio": round(floor_total / ref_total, 3),
        },
        "functions": functions,
        "goals": {
            "max_import_ratio": max(f["import_ratio"] for f in current.values()),
            "import_ratio_goal": GOAL_IMPORT,
            "worst_api_function": worst_api,
            "worst_api_total_ratio": api[worst_api]["total_ratio"] if worst_api else None,
            "total_ratio_goal": GOAL_TOTAL,
            "max_first_minus_warm_ms": max(f["first_minus_warm_ms"] for f in current.values()),
            "first_minus_warm_goal_ms": GOAL_FIRST_OVER_WARM_MS,
        },
    }


def tables(result: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    ref = result["reference"]
    rows = [
        [
            name,
            f"{f['import_ms']:.0f}",
            f"{f['import_ratio']:.2f}",
            f"{f['first_ms']:.0f}",
            f"{f['warm_ms']:.0f}",
            f"{f['first_minus_warm_ms']:+.0f}",
            f"{f['import_plus_first_ms']:.0f}",
            f"{f['total_ratio']:.2f}",
            str(f["status"] if f["status"] is not None else "-"),
        ]
        for name, f in sorted(result["functions"].items())
    ]
    reference = [f"{ref['import_ms']:.0f}", "1.00", "", "", "", f"{ref['import_plus_getitem_ms']:.0f}", "1.00", ""]
    rows.append(["eager reference", *reference])
    floor = result["floor"]
    floor_row = [f"{floor['import_ms']:.0f}", f"{floor['import_ratio']:.2f}", "", "", ""]
    rows.append(
        ["stack floor", *floor_row, f"{floor['import_plus_getitem_ms']:.0f}", f"{floor['total_ratio']:.2f}", ""]
    )
    goals = result["goals"]
    summary = [
        [
            "every import <= 0.45 x reference import",
            f"worst {goals['max_import_ratio']:.2f} x",
            f"{floor['import_ratio']:.2f} x",
        ],
        [
            "worst API function import + first <= 0.80 x reference + GetItem",
            f"{goals['worst_api_function']}: {goals['worst_api_total_ratio']:.2f} x",
            f"{floor['total_ratio']:.2f} x",
        ],
        ["first invocation <= warm + 100 ms", f"worst {goals['max_first_minus_warm_ms']:+.0f} ms", ""],
    ]
    return [
        (
            f"Cold start as deployed (compiled layer, template environment, tracing as deployed, moto), "
            f"median of {result['runs']} fresh processes",
            HEADER,
            rows,
        ),
        (
            "Cold-start goals (ratios to the eager reference, same run; the floor is the fixed stack alone)",
            ["goal", "measured", "stack floor"],
            summary,
        ),
    ]


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    return tables(measure())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold start of every function against an eager reference")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    parser.add_argument("--functions", default="", help="comma-separated logical ids (default: every function)")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout: measure its build of each function too, interleaved (A/B)"
    )
    args = parser.parse_args(argv)
    result = measure(only={name for name in args.functions.split(",") if name}, baseline=args.baseline)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    from devstack.bench import print_table

    for title, header, rows in tables(result):
        print_table(title, header, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
