"""The deployed code as the cold-start bench runs it: the functions and the layer laid out and
compiled as ``make build`` does, and the layer's dependencies as ``sam build`` installs them."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

from devstack.bytecode import compile_tree
from devstack.template import ROOT

# What Lambda's python3.13 runtime adds to the layer (``/var/runtime``).
RUNTIME_PACKAGES = ("boto3",)


def _closure(requirements: list[str]) -> set[str]:
    """The installed distributions ``requirements`` pull in (extras and markers honoured)."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: set[str] = set()
    pending = [(Requirement(line), "") for line in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in found:
            continue
        found.add(key)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for line in requires:
            nested = Requirement(line)
            for wanted in ("", *requirement.extras):
                pending.append((nested, wanted))
    return {key.split("[", 1)[0] for key in found}


def layer_dependencies(into: Path) -> Path:
    """The layer's dependencies as ``sam build`` would install them, from this venv: links to the
    top-level modules of ``layers/shared/requirements.txt``'s closure (plus what Lambda's runtime
    provides), so the probes load nothing the deployed function would not have (cryptography,
    say, which PyJWT loads when it is installed)."""
    from importlib.metadata import distribution

    lines = (ROOT / "layers" / "shared" / "requirements.txt").read_text().splitlines()
    wanted = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    into.mkdir(parents=True)
    site = Path(sysconfig.get_paths()["purelib"])
    for name in sorted(_closure([*wanted, *RUNTIME_PACKAGES])):
        for file in distribution(name).files or []:
            top = file.parts[0]
            if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__") or top.startswith("_distutils"):
                continue
            link = into / top
            if not link.exists() and (site / top).exists():
                link.symlink_to(site / top)
    return into


def build_artifacts(into: Path, functions: dict[str, Path]) -> Path:
    """Lay out the project's code the way ``sam build`` does and compile it as ``make build``
    does: ``<into>/SharedLayer/python/shared`` and ``<into>/<FunctionLogicalId>/``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    layer = into / "SharedLayer" / "python"
    shutil.copytree(ROOT / "layers" / "shared" / "shared", layer / "shared", ignore=ignore)
    for name, code_dir in functions.items():
        shutil.copytree(code_dir, into / name, ignore=ignore)
    compile_tree(into)
    return layer
