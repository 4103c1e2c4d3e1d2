"""The README's copy-pasteable walkthrough, as the tests run it."""

from __future__ import annotations

import re

from devstack.template import ROOT

README = ROOT / "README.md"
MARKER = "<!-- walkthrough:"


def walkthrough_block() -> str:
    """The ```bash block right after the walkthrough marker in README.md, verbatim."""
    text = README.read_text()
    start = text.index(MARKER)
    found = re.compile(r"```bash\n(.*?)\n```", re.S).search(text, start)
    assert found is not None, "the walkthrough marker is not followed by a ```bash block"
    return found.group(1) + "\n"
