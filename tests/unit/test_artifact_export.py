"""Artifact exports: which content is a table, CSV cells a spreadsheet will not evaluate, and
Markdown that survives the text it carries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from shared.errors import Conflict
from shared.experience import artifacts_export
from shared.experience.artifacts_schemas import ArtifactOut
from shared.experience.schemas import UserRef


def artifact(
    content: dict[str, Any], title: str = "Q3: revenue / costs", summary: str | None = "By region"
) -> ArtifactOut:
    who = UserRef(id="u1", name="Alice")
    return ArtifactOut(
        id="01jd0000000000000000000000",
        thread_id="t1",
        type="report",
        title=title,
        summary=summary,
        files=[],
        version=3,
        created_by=who,
        updated_by=who,
        created_at="2026-11-27T12:00:00Z",
        updated_at="2026-11-27T13:00:00Z",
        content=content,
    )


@pytest.mark.parametrize(
    "content",
    [
        {"text": "prose"},
        {"columns": [], "rows": []},
        {"columns": ["a"], "rows": "not rows"},
        {"columns": ["a", "b"], "rows": [["only one"]]},
        {"columns": ["a"], "rows": [[{"nested": 1}]]},
        {"columns": [["a"]], "rows": []},
    ],
)
def test_content_that_is_not_a_table(content: dict[str, Any]) -> None:
    assert artifacts_export.table_of(content) is None
    with pytest.raises(Conflict) as raised:
        artifacts_export.to_csv(artifact(content))
    assert raised.value.code == "NOT_TABULAR"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tpadded", "'\tpadded"),
        ("\rcarriage", "'\rcarriage"),
        ("plain", "plain"),
        (" =not first", " =not first"),
        (-5, "-5"),
        (2.5, "2.5"),
        (True, "true"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(cell: Any, written: str) -> None:
    assert artifacts_export.csv_cell(cell) == written


def test_csv_has_a_header_row_and_quotes_what_needs_it() -> None:
    content = {"columns": ["name", "=cmd"], "rows": [["a, b", 'say "hi"'], ["line\nbreak", 1]]}
    text = artifacts_export.to_csv(artifact(content))
    assert list(csv.reader(io.StringIO(text))) == [["name", "'=cmd"], ["a, b", 'say "hi"'], ["line\nbreak", "1"]]


def test_markdown_renders_a_table_with_its_pipes_escaped() -> None:
    content = {"columns": ["a|b", "c"], "rows": [["x\ny", None]]}
    text = artifacts_export.to_markdown(artifact(content))
    assert text.startswith("# Q3: revenue / costs\n\nBy region\n\n| a\\|b | c |\n| --- | --- |\n| x<br>y |  |\n")
    assert "version 3" in text


def test_markdown_fences_json_content_longer_than_any_backticks_in_it() -> None:
    text = artifacts_export.to_markdown(artifact({"code": "```python```"}, summary=None))
    assert text.startswith("# Q3: revenue / costs\n\n````json\n{")
    assert "\n````\n" in text


def test_file_names_are_safe() -> None:
    assert artifacts_export.filename(artifact({}), "csv") == "q3-revenue-costs.csv"
    assert artifacts_export.filename(artifact({}, title="../../€€"), "md") == "01jd0000000000000000000000.md"
