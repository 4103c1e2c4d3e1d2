"""Artifact exports: JSON (the artifact as served), CSV (table-shaped content only) and Markdown.

Table-shaped content is ``{"columns": [...], "rows": [[...], ...]}``: column names and cells are
scalars (text, numbers, booleans, null) and every row has one cell per column. In CSV, text that
a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) gets a leading ``'`` (OWASP's CSV injection advice); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from shared.errors import Conflict
from shared.experience.artifacts_schemas import ArtifactOut

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8"}
_SCALARS = (str, int, float, bool, type(None))


def not_tabular() -> Conflict:
    return Conflict(
        'Only table-shaped content ({"columns": [...], "rows": [[...]]}) exports as CSV', code="NOT_TABULAR"
    )


def table_of(content: dict[str, Any]) -> tuple[list[Any], list[list[Any]]] | None:
    """``(columns, rows)`` when the content is table-shaped, else None."""
    columns, rows = content.get("columns"), content.get("rows")
    if not isinstance(columns, list) or not columns or not isinstance(rows, list):
        return None
    if not all(isinstance(c, _SCALARS) for c in columns):
        return None
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns) or not all(isinstance(c, _SCALARS) for c in row):
            return None
    return columns, rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value)


def csv_cell(value: Any) -> str:
    """A cell as text, neutralised when it is text a spreadsheet would evaluate."""
    text = _text(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(artifact: ArtifactOut) -> str:
    """Raises :class:`Conflict` ``NOT_TABULAR``."""
    table = table_of(artifact.content)
    if table is None:
        raise not_tabular()
    columns, rows = table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in columns])
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue()


def to_json(artifact: ArtifactOut) -> str:
    return artifact.model_dump_json(by_alias=True, indent=2) + "\n"


def _md_cell(value: Any) -> str:
    return _text(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def to_markdown(artifact: ArtifactOut) -> str:
    """Title, summary, then the content: a table when table-shaped, else its JSON."""
    parts = [f"# {' '.join(artifact.title.split())}"]
    if artifact.summary:
        parts.append(artifact.summary.strip())
    table = table_of(artifact.content)
    if table is not None:
        columns, rows = table
        lines = ["| " + " | ".join(_md_cell(c) for c in columns) + " |", "|" + " --- |" * len(columns)]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        parts.append("\n".join(lines))
    else:
        body = json.dumps(artifact.content, indent=2, ensure_ascii=False)
        fence = _fence(body)
        parts.append(f"{fence}json\n{body}\n{fence}")
    parts.append(f"_{artifact.type}, version {artifact.version}, updated {artifact.updated_at}_")
    return "\n\n".join(parts) + "\n"


def render(artifact: ArtifactOut, export_format: str) -> str:
    """Raises :class:`Conflict` ``NOT_TABULAR`` (CSV of content that is not a table)."""
    if export_format == "csv":
        return to_csv(artifact)
    if export_format == "md":
        return to_markdown(artifact)
    return to_json(artifact)


def filename(artifact: ArtifactOut, export_format: str) -> str:
    """A safe file name from the title (ASCII letters, digits, dashes), else the id."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", artifact.title).strip("-")[:80].lower() or artifact.id
    return f"{stem}.{export_format}"
