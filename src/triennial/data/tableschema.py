"""Read CSV files described by a Frictionless data package, checking every cell.

The raw tables are described in `datapackage.json` (Frictionless Data Package v1,
with Table Schemas). This module implements the part of the Table Schema standard
the project uses, so that every failure is reported as a `Problem` naming file,
row, column and value:

- field types `string`, `integer`, `number`, `boolean`, `date` (YYYY-MM-DD, kept as text);
- constraints `required`, `enum`, `minimum`, `maximum`, `pattern`, `unique`;
- `primaryKey`; `missingValues` (default: the empty string).

Cells are read as text (nothing is guessed by pandas) and converted here. The
returned frame carries a `_line` column: the line number each row had in the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from triennial.data.errors import DataError, Problem, raise_if_any

LINE = "_line"
_TRUE = {"true", "True", "TRUE", "1"}
_FALSE = {"false", "False", "FALSE", "0"}
_INT64 = (-(2**63), 2**63 - 1)  # the range of the Int64 columns read_table returns


@dataclass(frozen=True)
class Resource:
    """One table of a data package: its name, CSV path and Table Schema."""

    name: str
    path: Path
    schema: dict

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]


def load_package(descriptor: Path) -> dict[str, Resource]:
    """Read `datapackage.json`; return its resources by name, schemas resolved."""
    descriptor = Path(descriptor)
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(Problem.of_file(str(descriptor), f"unreadable: {err}")) from err
    base = descriptor.parent
    resources = {}
    for res in package["resources"]:
        schema = res["schema"]
        if isinstance(schema, str):  # a path to a shared schema file, as the standard allows
            schema = json.loads((base / schema).read_text(encoding="utf-8"))
        resources[res["name"]] = Resource(res["name"], base / res["path"], schema)
    return resources


def read_table(resource: Resource, path: Path | None = None) -> pd.DataFrame:
    """Read one CSV and check it against its schema; raise DataError on any problem.

    `path` overrides the resource's own path (used when a user points the config
    at another copy of the table).
    """
    path = Path(path or resource.path)
    header, rows = _read_csv_text(path)
    problems = _check_header(path, header, resource.field_names)
    raise_if_any(problems)  # cell checks make no sense with the wrong columns

    schema = resource.schema
    missing = set(schema.get("missingValues", [""]))
    columns: dict[str, list] = {name: [] for name in resource.field_names}
    for line, row in rows:
        if len(row) != len(header):
            problems.append(
                Problem(
                    str(path),
                    line,
                    None,
                    ",".join(row),
                    f"{len(row)} cells, expected {len(header)} (one per column)",
                )
            )
            continue
        for field, text in zip(schema["fields"], row, strict=True):
            value, problem = _convert_cell(path, line, field, text, missing)
            columns[field["name"]].append(value)
            if problem:
                problems.append(problem)
    raise_if_any(problems)

    lines = [line for line, _ in rows]
    raise_if_any(_check_unique(path, columns, lines, schema))
    # Each column built at its type: astype on a frame of lists took most of the time.
    typed = {
        f["name"]: pd.array(columns[f["name"]], dtype=_dtype(f["type"])) for f in schema["fields"]
    }
    return pd.DataFrame(typed | {LINE: lines})


def _read_csv_text(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows of a UTF-8 CSV, each row with its line number."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as err:
        raise DataError(Problem.of_file(str(path), "file not found")) from err
    except UnicodeDecodeError as err:
        raise DataError(
            Problem(
                str(path),
                text_line_of_byte(path, err.start),
                None,
                repr(err.object[err.start : err.start + 4]),
                "not valid UTF-8 text; save the file as UTF-8 CSV",
            )
        ) from err
    if not text.strip():
        raise DataError(Problem.of_file(str(path), "file is empty; expected a header"))
    # Lines end only at \n, \r or \r\n, as the csv module expects (newline=""):
    # str.splitlines also split at U+2028, form feeds etc. and dropped the line
    # breaks inside quoted cells.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, start = [], 1
    try:
        for row in reader:  # a row's line is where it starts (a quoted cell may span lines)
            records.append((start, row))
            start = reader.line_num + 1
    except csv.Error as err:
        raise DataError(
            Problem(str(path), reader.line_num, None, None, f"malformed CSV: {err}")
        ) from err
    header = records[0][1]
    rows = [(line, row) for line, row in records[1:] if row]  # skip blank lines only
    return header, rows


def text_line_of_byte(path: Path, offset: int) -> int:
    """Line number (1-based) that a byte offset falls on."""
    return path.read_bytes()[:offset].count(b"\n") + 1


def _check_header(path: Path, header: list[str], expected: list[str]) -> list[Problem]:
    problems = []
    for name in expected:
        if name not in header:
            problems.append(Problem(str(path), 1, name, None, "required column is missing"))
    for name in header:
        if name not in expected:
            problems.append(
                Problem(str(path), 1, name, None, "unexpected column (not in the table's schema)")
            )
    if not problems and header != expected:
        problems.append(
            Problem(str(path), 1, None, ",".join(header), f"columns in order {expected}")
        )
    return problems


def _convert_cell(path: Path, line: int, field: dict, text: str, missing: set[str]):
    """Convert one cell to its field type; return (value, Problem or None)."""
    name, ftype = field["name"], field["type"]
    constraints = field.get("constraints", {})

    def problem(expected: str) -> tuple[None, Problem]:
        return None, Problem(str(path), line, name, text, expected)

    if text in missing:
        if constraints.get("required"):
            return problem("a value is required here")
        return None, None
    if text != text.strip():
        return problem("no leading or trailing spaces")
    if ftype == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", text):  # ASCII digits only: \d takes '٩٩' too
            return problem("a whole number (digits only, no separators)")
        value = int(text)
        if not _INT64[0] <= value <= _INT64[1]:  # beyond Int64, read_table's astype overflows
            return problem(f"a whole number from {_INT64[0]} to {_INT64[1]}")
    elif ftype == "number":
        try:
            value = float(text)
        except ValueError:
            return problem("a number")
        if value != value or value in (float("inf"), float("-inf")):
            return problem("a finite number")
    elif ftype == "boolean":
        if text not in _TRUE | _FALSE:
            return problem("true or false")
        value = text in _TRUE
    elif ftype == "date":  # unchecked dates crashed later checks (pd.to_datetime): check here
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) or not _is_date(text):
            return problem("a date as YYYY-MM-DD")
        value = text
    else:
        value = text
    if "enum" in constraints and value not in constraints["enum"]:
        return problem(f"one of {constraints['enum']}")
    if "minimum" in constraints and value < constraints["minimum"]:
        return problem(f"at least {constraints['minimum']}")
    if "maximum" in constraints and value > constraints["maximum"]:
        return problem(f"at most {constraints['maximum']}")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
        return problem(field.get("patternDescription", f"text matching {constraints['pattern']}"))
    return value, None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _dtype(ftype: str) -> str:
    return {"integer": "Int64", "number": "Float64", "boolean": "boolean"}.get(ftype, "string")


def _check_unique(
    path: Path, columns: dict[str, list], lines: list[int], schema: dict
) -> list[Problem]:
    """Each repeat of a primary key or of a unique column's value, at the row it repeats in
    (the converted values: missing ones are None, and two of them are a repeat)."""
    problems = []
    keys = schema.get("primaryKey", [])
    keys = [keys] if isinstance(keys, str) else keys
    unique = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    for cols in [keys] * bool(keys) + [[c] for c in unique]:
        seen = set()
        for line, key in zip(lines, zip(*(columns[c] for c in cols), strict=True), strict=True):
            if key in seen:
                value = ", ".join("<NA>" if v is None else str(v) for v in key)
                problems.append(
                    Problem(str(path), line, "+".join(cols), value, "a unique key; duplicate")
                )
            seen.add(key)
    return problems
