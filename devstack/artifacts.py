"""The deployed code as the cold-start bench runs it: the functions and the layer laid out and
compiled as ``make build`` does, and the layer's dependencies as ``sam build`` installs them."""

from __future__ import annotations

import shutil
import sys
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
                _link_bytecode(site, into, top)
    return into


def _link_bytecode(site: Path, into: Path, top: str) -> None:
    """A single-file module (``typing_extensions.py``, ``six.py``) keeps its bytecode in the
    site's ``__pycache__``, beside the link only if linked too: without it every probe compiled
    it from source (tens of ms) where the built layer ships it compiled."""
    if not top.endswith(".py"):
        return
    name = f"{top[:-3]}.{sys.implementation.cache_tag}.pyc"
    compiled = site / "__pycache__" / name
    if compiled.exists():
        (into / "__pycache__").mkdir(exist_ok=True)
        (into / "__pycache__" / name).symlink_to(compiled)


def build_artifacts(into: Path, functions: dict[str, Path], root: Path = ROOT) -> Path:
    """Lay out the project's code the way ``sam build`` does and compile it as ``make build``
    does: ``<into>/SharedLayer/python/shared`` and ``<into>/<FunctionLogicalId>/``.

    ``root`` is the checkout to take the code from (another one, for an A/B comparison:
    ``functions`` are then this checkout's folders, taken at the same place under ``root``)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    layer = into / "SharedLayer" / "python"
    shutil.copytree(root / "layers" / "shared" / "shared", layer / "shared", ignore=ignore)
    for name, code_dir in functions.items():
        shutil.copytree(root / code_dir.resolve().relative_to(ROOT.resolve()), into / name, ignore=ignore)
    compile_tree(into)
    return layer


def write_trimmed_endpoints() -> Path:
    """Write the layer's trimmed copy of the installed botocore's ``endpoints.json``
    (:data:`shared.messaging.clients.ENDPOINTS_FILE`), tagged with botocore's version."""
    import json

    import botocore
    from botocore.loaders import create_loader
    from shared.messaging.clients import ENDPOINTS_FILE, trim_endpoints

    endpoints = create_loader().load_data("endpoints")
    shipped = {"botocore": botocore.__version__, "endpoints": trim_endpoints(endpoints)}
    ENDPOINTS_FILE.write_text(json.dumps(shipped, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    return ENDPOINTS_FILE


if __name__ == "__main__":
    print(write_trimmed_endpoints())
