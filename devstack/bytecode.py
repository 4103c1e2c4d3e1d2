"""Compile a build's Python sources to bytecode Lambda uses as it is (``make build`` runs this).

``python -m devstack.bytecode .aws-sam/build`` compiles every ``.py`` under the folder (the layer
with its dependencies, every function) for the interpreter running it, which must be the
functions' runtime (python3.13: ``__pycache__/*.cpython-313.pyc``).

Why unchecked hashes: Lambda's file system is read-only, so a module without a usable ``.pyc`` is
compiled again on every cold start, and a timestamp-checked ``.pyc`` is useless once SAM's copy
and the zip have changed the sources' times. An unchecked-hash ``.pyc`` is loaded without even
reading its source. The price: a ``.pyc`` is trusted as it is, so this runs last, on the final
artifacts (``force``: whatever an earlier step left is recompiled).

Standard library only: the Makefile runs it with the bare Python 3.13, before any venv exists.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import sys
from pathlib import Path

RUNTIME_CACHE_TAG = "cpython-313"


def compile_tree(root: Path) -> int:
    """Compile every ``.py`` under ``root``; returns how many sources there are.

    Raises RuntimeError when this interpreter is not the runtime's or a source does not compile.
    """
    if sys.implementation.cache_tag != RUNTIME_CACHE_TAG:
        raise RuntimeError(f"run this with Python 3.13 ({RUNTIME_CACHE_TAG}), not {sys.implementation.cache_tag}")
    if not root.is_dir():
        raise RuntimeError(f"{root} is not a folder (run sam build first)")
    ok = compileall.compile_dir(
        root,
        quiet=1,
        force=True,
        workers=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not ok:
        raise RuntimeError(f"some sources under {root} do not compile")
    return sum(1 for _ in root.rglob("*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("build_dir", nargs="?", default=".aws-sam/build", type=Path)
    args = parser.parse_args(argv)
    try:
        count = compile_tree(args.build_dir)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"compiled {count} sources under {args.build_dir} ({RUNTIME_CACHE_TAG}, unchecked-hash)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
