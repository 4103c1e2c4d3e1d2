"""The build's bytecode step (``make build`` → ``devstack.bytecode``): every source of a SAM-shaped
artifact tree gets a cpython-313 ``.pyc`` that Lambda loads as it is, without its source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.bytecode import RUNTIME_CACHE_TAG, compile_tree

pytestmark = pytest.mark.skipif(
    sys.implementation.cache_tag != RUNTIME_CACHE_TAG, reason="the build compiles with Python 3.13"
)

# PEP 552 flags word: bit 0 = hash-based, bit 1 = check the source.
UNCHECKED_HASH = 0b01


def sam_build_tree(root: Path) -> Path:
    """A small ``.aws-sam/build``: the layer as ``SharedLayer/python/...`` (a package and a
    dependency), and a function folder with its ``app.py``."""
    layer = root / "SharedLayer" / "python"
    (layer / "shared" / "data").mkdir(parents=True)
    (layer / "shared" / "__init__.py").write_text("")
    (layer / "shared" / "data" / "__init__.py").write_text("")
    (layer / "shared" / "data" / "table.py").write_text("ORIGIN = 'compiled'\n")
    (layer / "somedep").mkdir()
    (layer / "somedep" / "__init__.py").write_text("from somedep.core import VALUE\n")
    (layer / "somedep" / "core.py").write_text("VALUE = 1\n")
    function = root / "HealthFunction"
    function.mkdir()
    (function / "app.py").write_text(
        "from shared.data.table import ORIGIN\nimport somedep\n\n"
        "def lambda_handler(event, context):\n    return {'origin': ORIGIN, 'value': somedep.VALUE}\n"
    )
    return root


def test_every_source_gets_an_unchecked_hash_pyc_for_python_313(tmp_path: Path) -> None:
    # Given a build tree as SAM lays it out
    build = sam_build_tree(tmp_path / "build")

    # When the build's bytecode step runs over it
    count = compile_tree(build)

    # Then each .py has a cpython-313 .pyc flagged hash-based and not checked against its source
    sources = sorted(build.rglob("*.py"))
    assert count == len(sources) == 6
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.{RUNTIME_CACHE_TAG}.pyc"
        assert pyc.is_file(), f"no bytecode for {source}"
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        assert flags == UNCHECKED_HASH, f"{pyc} has flags {flags:#b}"


def test_importing_the_built_artifacts_compiles_nothing_and_never_reads_a_source(tmp_path: Path) -> None:
    # Given a compiled build tree
    build = sam_build_tree(tmp_path / "build")
    compile_tree(build)
    before = {path: path.stat().st_mtime_ns for path in build.rglob("*")}
    # ...whose sources then change (as a later copy would change their times): a .pyc that
    # Python validated against its source would be recompiled, so the import would see these
    for source in build.rglob("*.py"):
        source.write_text(source.read_text().replace("'compiled'", "'source'").replace("VALUE = 1", "VALUE = 2"))
        os.utime(source, ns=(before[source] + 10**9, before[source] + 10**9))

    # When the function is imported the way Lambda does (read-only: no bytecode written)
    probe = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(build / 'HealthFunction')!r}, {str(build / 'SharedLayer' / 'python')!r}]\n"
        "import app\n"
        "print(json.dumps(app.lambda_handler({}, None)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": os.environ["PATH"]},
    )

    # Then the code that ran is the compiled one, and no file was added or rewritten
    assert result.stdout.strip() == '{"origin": "compiled", "value": 1}'
    after = set(build.rglob("*"))
    assert after == set(before)
    assert all(path.stat().st_mtime_ns == before[path] for path in after if path.suffix == ".pyc")


def test_another_python_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.implementation, "cache_tag", "cpython-312")

    with pytest.raises(RuntimeError, match=r"Python 3\.13"):
        compile_tree(sam_build_tree(tmp_path / "build"))
