"""Compare the results tables with a committed reference, cell by cell.

Reproduction is a checked property: the pipeline's CSV tables (results/national/tables) are
compared with reviewed copies (tests/expected) and every difference is reported as
one row ``file, row, column, expected, actual``.

Both files are read as text (never through a dtype guess), then each column is
compared in one of two ways:

* **float** if every non-empty cell of the column, in both files, parses as a float
  *and* at least one of those cells looks like a float, i.e. contains ``.``, ``e``,
  ``E``, ``nan`` or ``inf``. Two cells are equal if both are empty, both are NaN,
  both are within 1e-300 of zero, or they agree to relative tolerance ``rtol``
  (absolute tolerance 0: a small number is not equal to zero).
* **text** otherwise, cell by cell exactly: counts (``12``), labels, booleans,
  versions, checksums. A count that changes by 1 is always a difference.

Rows are compared by position (row 1 is the first data row). A problem with a whole
table (a missing or new file, different columns, a different number of rows, a row
with the wrong number of fields) is one row with ``row`` and ``column`` empty; the
cells of that table are then not compared, since positions no longer correspond.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pandas as pd

COLUMNS = ["file", "row", "column", "expected", "actual"]
DTYPES = {"file": "str", "row": "Int64", "column": "str", "expected": "str", "actual": "str"}
TINY = 1e-300  # below this both values are zero: denormals differ across platforms
FLOAT_MARKERS = (".", "e", "nan", "inf")  # searched in the lower-cased cell
MISSING = "file missing"
PRESENT = "file present"
NEW = "file missing (a new table nobody reviewed)"


def read_text_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and data rows of a CSV, every cell as the text in the file.

    Blank lines are dropped; an empty file has no header and no rows.
    """
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in csv.reader(f) if line]
    return (lines[0], lines[1:]) if lines else ([], [])


def parse_float(text: str) -> float | None:
    """The float a cell spells, or None; stricter than float() about spaces and '_'."""
    if text != text.strip() or "_" in text:  # float() accepts " 1" and "1_0"
        return None
    try:
        return float(text)
    except ValueError:
        return None


def is_float_column(values: list[str]) -> bool:
    """Whether a column (cells of both files) is compared as floats; see the module doc."""
    cells = [v for v in values if v != ""]
    return (
        bool(cells)
        and all(parse_float(v) is not None for v in cells)
        and any(marker in v.lower() for v in cells for marker in FLOAT_MARKERS)
    )


def floats_equal(a: float, b: float, rtol: float) -> bool:
    """Equal to relative tolerance, with NaN equal to NaN and tiny values equal to zero."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if abs(a) <= TINY and abs(b) <= TINY:
        return True
    return math.isclose(a, b, rel_tol=rtol, abs_tol=0.0)


def cells_equal(a: str, b: str, as_float: bool, rtol: float) -> bool:
    """Whether two cells agree under the column's rule (empty equals only empty)."""
    if a == b:
        return True
    if not as_float or a == "" or b == "":
        return False
    return floats_equal(parse_float(a), parse_float(b), rtol)


def describe_columns(header: list[str], other: list[str]) -> str:
    """A table's columns, naming those the other table lacks."""
    text = f"{len(header)} columns: {', '.join(header)}"
    only = [c for c in header if c not in other]
    if only:
        return f"{text} (not in the other: {', '.join(only)})"
    if sorted(header) == sorted(other):
        return f"{text} (same columns, different order)"
    return text


def malformed(header: list[str], rows: list[list[str]]) -> str | None:
    """A description of the first row whose field count differs from the header's."""
    for i, row in enumerate(rows, start=1):
        if len(row) != len(header):
            return f"row {i} has {len(row)} fields, header has {len(header)}"
    return None


def table_records(expected: Path, actual: Path, rtol: float) -> list[tuple]:
    """The differences between two CSVs as (file, row, column, expected, actual) tuples."""
    name = expected.name
    if not (expected.is_file() and actual.is_file()):
        if expected.is_file():
            return [(name, None, None, PRESENT, MISSING)]
        if actual.is_file():
            return [(name, None, None, NEW, PRESENT)]
        return [(name, None, None, MISSING, MISSING)]
    head_e, rows_e = read_text_table(expected)
    head_a, rows_a = read_text_table(actual)
    if head_e != head_a:
        return [
            (name, None, None, describe_columns(head_e, head_a), describe_columns(head_a, head_e))
        ]
    if len(rows_e) != len(rows_a):
        return [(name, None, None, f"{len(rows_e)} rows", f"{len(rows_a)} rows")]
    bad_e, bad_a = malformed(head_e, rows_e), malformed(head_a, rows_a)
    if bad_e or bad_a:
        return [(name, None, None, bad_e or "well formed", bad_a or "well formed")]
    records = []
    for j, column in enumerate(head_e):
        values_e = [row[j] for row in rows_e]
        values_a = [row[j] for row in rows_a]
        as_float = is_float_column(values_e + values_a)
        for i, (a, b) in enumerate(zip(values_e, values_a, strict=True), start=1):
            if not cells_equal(a, b, as_float, rtol):
                records.append((name, i, column, a, b, j))
    # Read like the table: row by row, left to right; drop the sort key.
    return [r[:5] for r in sorted(records, key=lambda r: (r[1], r[5]))]


def as_frame(records: list[tuple]) -> pd.DataFrame:
    """Difference records as a frame with fixed columns and types (row may be empty)."""
    return pd.DataFrame(records, columns=COLUMNS).astype(DTYPES)


def compare_table(expected: Path, actual: Path, rtol: float = 1e-9) -> pd.DataFrame:
    """Differences between a reference CSV and a results CSV; empty if they agree.

    Columns ``file, row, column, expected, actual``; ``file`` is the expected file's
    name and ``row`` the 1-based data row. See the module docstring for the rule.
    """
    return as_frame(table_records(Path(expected), Path(actual), rtol))


# Tables describing the machine, not the analysis: a Python patch release elsewhere would
# differ without any result changing.
NOT_RESULTS = frozenset({"software_versions.csv"})


def csv_names(directory: Path) -> set[str]:
    """Names of the results CSV files directly inside a directory (see NOT_RESULTS)."""
    return {p.name for p in Path(directory).glob("*.csv") if p.is_file()} - NOT_RESULTS


def compare_dirs(expected_dir: Path, actual_dir: Path, rtol: float = 1e-9) -> pd.DataFrame:
    """Differences between every CSV in either directory and its namesake in the other.

    A table only in ``expected_dir`` is missing from the results; one only in
    ``actual_dir`` is new and has not been reviewed. Both directories must exist,
    so that a wrong path cannot compare nothing with nothing and pass.
    """
    expected_dir, actual_dir = Path(expected_dir), Path(actual_dir)
    for directory in (expected_dir, actual_dir):
        if not directory.is_dir():
            raise FileNotFoundError(f"no such directory: {directory}")
    records = []
    for name in sorted(csv_names(expected_dir) | csv_names(actual_dir)):
        records += table_records(expected_dir / name, actual_dir / name, rtol)
    return as_frame(records)


def shorten(text: str, width: int = 60) -> str:
    """A cell cut to `width` characters so one long note cannot hide the table."""
    return text if len(text) <= width else text[: width - 3] + "..."


def format_differences(diff: pd.DataFrame, limit: int = 20) -> str:
    """The first `limit` differences as an aligned text table, for failure messages."""
    if diff.empty:
        return "no differences"
    header = ["file", "row", "column", "old", "new"]
    lines = [header]
    for rec in diff.head(limit).itertuples(index=False):
        cells = [rec.file, rec.row, rec.column, rec.expected, rec.actual]
        lines.append(["" if pd.isna(c) else shorten(str(c)) for c in cells])
    widths = [max(len(line[k]) for line in lines) for k in range(len(header))]
    text = "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )
    if len(diff) > limit:
        text += f"\n... and {len(diff) - limit} more"
    return text


def update_reference(actual_dir: Path, expected_dir: Path) -> list[str]:
    """Make `expected_dir` a copy of the CSVs in `actual_dir`; return what changed.

    Deliberate, never automatic: run it by hand, then review ``git diff``. CSVs in
    `expected_dir` without a counterpart in `actual_dir` are removed. Refuses an
    `actual_dir` with no CSVs, which would otherwise wipe the reference.
    """
    actual_dir, expected_dir = Path(actual_dir), Path(expected_dir)
    sources = sorted(csv_names(actual_dir)) if actual_dir.is_dir() else []
    if not sources:
        raise FileNotFoundError(f"no CSV tables in {actual_dir}: run the pipeline first")
    expected_dir.mkdir(parents=True, exist_ok=True)
    changes = []
    for name in sources:
        source, target = actual_dir / name, expected_dir / name
        if not target.exists():
            changes.append(f"added {name}")
        elif target.read_bytes() != source.read_bytes():
            changes.append(f"changed {name}")
        else:
            continue
        shutil.copyfile(source, target)
    for name in sorted(csv_names(expected_dir) - set(sources)):
        (expected_dir / name).unlink()
        changes.append(f"removed {name}")
    return changes
