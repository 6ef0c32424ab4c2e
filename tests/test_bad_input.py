"""Corrupted raw tables and extracts end in the project's own error, never anything else.

Property-based (hypothesis): each example corrupts one raw file in a copy under tmp_path
(wrong types, out-of-range values, broken headers, other encodings, truncation, empty
files, duplicated keys; for the review extract also unknown codes, impossible ages and
dates outside the period) and reads it with the project's reader. The only outcomes
allowed:

- `DataError`, every problem naming the file, and (unless the problem is with the whole
  file: empty, unreadable, not UTF-8, no header) the row, the column and the value;
- for the review extract only, the corrupted rows in the quarantine, with a reason naming
  column and value, and rows in = clean + quarantined;
- valid data, only where the change is valid by construction (a BOM, CRLF line endings,
  free text, reordered extract columns: the result must then be the same) or cannot be
  told from valid (a file truncated at a row boundary, a header-only table).

Anything else (another exception, a problem without its row, column or value, an
accepted corruption) fails the test with the example that caused it. Each test function
copies the data once; each example overwrites one file and restores it afterwards.
Examples are derandomized, so every run tests the same cases; the last test prints how
many ran, with their outcomes (`pytest -s`), and checks there were at least 250, among
them every kind of corruption. The extract's examples are fewer: cleaning is the slowest
read (about 0.1 s each). Table 1 is read alone, not with the nine other published tables.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import PUBLISHED, ROOT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from triennial.data import published
from triennial.data.codebook import load_codebook, normalise
from triennial.data.errors import DataError
from triennial.data.extract import SOURCE_FILE, SOURCE_ROW, clean_extracts
from triennial.data.series import read_trends
from triennial.data.studies import read_bruising
from triennial.data.tableschema import load_package

EXTRACT = ROOT / "data/raw/extracts/synthetic_reconstruction_2014_17.csv"
CODEBOOK = load_codebook(ROOT / "data/raw/extracts/codebook.schema.json")
START, END = date(2014, 4, 1), date(2017, 3, 31)
EXTRACT_ROWS = 30  # the first 30 reviews keep each example fast

EXAMPLES = {"table1": 65, "studies": 70, "series": 70, "extract": 40}  # generated
MIN_CASES = 250
KIND_DRAWS = 400  # draws per target (no reading) that find every kind of corruption
SETTINGS = {
    "deadline": None,
    "derandomize": True,  # the same examples on every run of the same test files
    "database": None,  # no failures replayed from earlier runs (hypothesis still keeps a
    # self-gitignored cache in .hypothesis/)
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}

# What each example must end in.
ERROR = "DataError"  # the project's error, well formed
SAME = "valid, same result"  # a change that keeps the data valid: result as for the original
VALID = "valid"  # valid by construction (free text): no error
EITHER = "valid or DataError"  # validity cannot be excluded (truncation, header only)
QUARANTINE = "quarantine"  # extract: the rows named must be quarantined

OUTCOMES: Counter = Counter()  # (target, outcome) for every example run
KINDS: Counter = Counter()  # (target, kind of corruption)
RAN: set[str] = set()

# A problem without a row, or with no column and no value, must be about the whole file.
WHOLE_FILE = re.compile(
    r"empty|not valid UTF-8|not a readable|malformed CSV|no data rows|file not found"
)
RAGGED = re.compile(r"^\d+ cells, expected \d+ \(one per column\)$")
REASON = re.compile(r"^column '[^']+': value |^exact duplicate of row \d+ ")


# --- the files corrupted ------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One raw CSV: header, rows (as text) and its Table Schema fields by name."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    fields: dict[str, dict]
    key: str

    def cell(self, row: int, column: str) -> str:
        return self.rows[row][self.header.index(column)]


def load_target(name: str, path: Path, schema: dict | None, key: str, nrows=None) -> Target:
    with open(path, encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))
    rows = tuple(tuple(r) for r in records[1:][:nrows])
    fields = {f["name"]: f for f in schema["fields"]} if schema else {}
    return Target(name, tuple(records[0]), rows, fields, key)


def schema_of(descriptor: Path, resource: str) -> dict:
    return load_package(descriptor)[resource].schema


TABLE1 = load_target(
    "table1",
    PUBLISHED / "table1_parental.csv",
    schema_of(PUBLISHED / "datapackage.json", "table1_parental"),
    "row_id",
)
STUDIES = load_target(
    "studies",
    PUBLISHED / "bruising/studies.csv",
    schema_of(PUBLISHED / "bruising/datapackage.json", "studies"),
    "row_id",
)
SERIES = load_target(
    "series",
    PUBLISHED / "trends/series.csv",
    schema_of(PUBLISHED / "trends/datapackage.json", "series"),
    "row_id",
)
EXTRACT_TARGET = load_target("extract", EXTRACT, None, "review_id", EXTRACT_ROWS)


def serialise(header, rows) -> bytes:
    """CSV bytes as the raw files are written: UTF-8, LF, minimal quoting."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def original(t: Target) -> bytes:
    return serialise(t.header, t.rows)


@dataclass(frozen=True)
class Case:
    """One corrupted file and what reading it must end in."""

    kind: str
    what: str  # shown when an example fails
    data: bytes = field(repr=False)
    expect: str = ERROR
    # (line, column, value) a problem must name exactly (a schema check), or (line,) a
    # problem must be on (a consistency check).
    named: tuple = ()
    # extract: (line, (reason fragments, any of which will do)) that must be quarantined
    quarantined: tuple = ()
    readback: tuple = ()  # (key, column, value): the reader must return the value as written

    def _repr_pretty_(self, p, cycle) -> None:  # how hypothesis shows a failing example
        p.text(f"Case({self.kind!r}, {self.what!r}, expect={self.expect!r}, named={self.named}")
        p.text(f", quarantined={self.quarantined}, {len(self.data)} bytes)")


def edited(t: Target, edits: list[tuple[int, str, str]]) -> bytes:
    rows = [list(r) for r in t.rows]
    for row, column, value in edits:
        rows[row][t.header.index(column)] = value
    return serialise(t.header, rows)


def cell_case(t, kind, row, column, value, expect=ERROR, exact=True) -> Case:
    line = row + 2
    named = (line, column, value) if exact else (line,)
    return Case(
        kind, f"line {line}, {column}={value!r}", edited(t, [(row, column, value)]), expect, named
    )


# --- values that are wrong by construction ------------------------------------------

JUNK = st.text(string.ascii_letters + string.punctuation + " ", min_size=1, max_size=8)  # no digit
TRUTHS = {"true", "True", "TRUE", "1", "false", "False", "FALSE", "0"}
# Line breaks CSV allows in a quoted cell, and ones it does not know (str.splitlines
# does), quotes, separators, NUL, accents: mixed with any other character. Not \r alone:
# a line break in CSV, which csv.writer (lineterminator \n) would not quote.
TRICKY = "\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85\"',;\x00\t é–"
ANY_TEXT = st.text(
    st.one_of(
        st.sampled_from(TRICKY),
        st.characters(exclude_categories=("Cs",), exclude_characters="\r"),
    ),
    max_size=10,
)


def is_iso_date(text: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


NOT_INTEGER = st.one_of(
    st.sampled_from(["ninety", "1.5", "1,000", "1e3", "12abc", "--1", "0x1F", "1 000", "½"]),
    JUNK,
    st.floats().map(repr),  # always has '.', 'e', 'inf' or 'nan'
)
NOT_NUMBER = st.one_of(st.sampled_from(["ten", "1,5", "1.2.3", "--1", "nan", "inf", "½"]), JUNK)
NOT_BOOLEAN = st.one_of(JUNK, st.integers().map(str)).filter(lambda s: s not in TRUTHS)
NOT_DATE = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(1000, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),  # a real date, not as YYYY-MM-DD
    JUNK,
    st.integers().map(str),
).filter(lambda s: not is_iso_date(s))


def not_of_type(spec: dict) -> SearchStrategy[str] | None:
    """Text the field's type or constraints refuse; None for free text."""
    ftype, cons = spec["type"], spec.get("constraints", {})
    if ftype == "integer":
        return NOT_INTEGER
    if ftype == "number":
        return NOT_NUMBER
    if ftype == "boolean":
        return NOT_BOOLEAN
    if ftype == "date":
        return NOT_DATE
    if "enum" in cons:  # a number in an enum column, or a code not in it
        return st.one_of(st.integers().map(str), st.floats().map(repr), JUNK).filter(
            lambda s: s not in cons["enum"]
        )
    if "pattern" in cons:
        return st.one_of(JUNK, ANY_TEXT.filter(bool)).filter(
            lambda s: not re.fullmatch(cons["pattern"], s)
        )
    return None


def out_of_range(spec: dict) -> SearchStrategy[str] | None:
    """Numbers outside the field's minimum / maximum (and integers beyond Int64)."""
    ftype, cons = spec["type"], spec.get("constraints", {})
    low, high = cons.get("minimum"), cons.get("maximum")
    options = []
    if ftype == "integer":
        options.append(st.integers(min_value=2**63, max_value=10**30).map(str))
        options.append(st.integers(min_value=-(10**30), max_value=-(2**63) - 1).map(str))
        if low is not None:
            options.append(st.integers(max_value=low - 1).map(str))  # negative counts
        if high is not None:
            options.append(st.integers(min_value=high + 1).map(str))
    elif ftype == "number":
        finite = {"allow_nan": False, "allow_infinity": False}
        if low is not None:
            options.append(st.floats(max_value=low, **finite).filter(lambda x: x < low).map(repr))
        if high is not None:
            options.append(st.floats(min_value=high, **finite).filter(lambda x: x > high).map(repr))
    return st.one_of(options) if options else None


# --- strategies shared by every table -----------------------------------------------
# Each function returns one branch of a table's st.one_of. st.one_of flattens nested
# one_of's, so a branch with several members is wrapped (`branch`): each kind of
# corruption then gets about the same share of the examples.


def branch(*strategies: SearchStrategy[Case]) -> SearchStrategy[Case]:
    return st.one_of(*strategies).map(lambda case: case)


def type_family(spec: dict) -> str | None:
    cons = spec.get("constraints", {})
    if spec["type"] != "string":
        return spec["type"]
    return "enum" if "enum" in cons else "pattern" if "pattern" in cons else None


def wrong_types(t: Target) -> list[SearchStrategy[Case]]:
    """Text in an integer or number column, not a boolean, not a YYYY-MM-DD date, a number
    in an enum column, an id breaking its pattern: one branch per kind of column."""
    families: dict[str, list[str]] = {}
    for name, spec in t.fields.items():
        if type_family(spec):
            families.setdefault(type_family(spec), []).append(name)

    def family(family: str, columns: list[str]) -> SearchStrategy[Case]:
        @st.composite
        def build(draw):
            row, column = draw(st.integers(0, len(t.rows) - 1)), draw(st.sampled_from(columns))
            value = draw(not_of_type(t.fields[column]))
            return cell_case(t, f"wrong type ({family})", row, column, value)

        return build()

    return [family(f, columns) for f, columns in sorted(families.items())]


def missing_value(t: Target) -> SearchStrategy[Case]:
    """A required value left empty (refused), or an optional one (perhaps valid)."""
    required = [n for n, s in t.fields.items() if s.get("constraints", {}).get("required")]
    optional = [
        (row, name)
        for name in t.fields
        if name not in required
        for row in range(len(t.rows))
        if t.cell(row, name)
    ]
    return branch(
        st.tuples(st.integers(0, len(t.rows) - 1), st.sampled_from(required)).map(
            lambda rc: cell_case(t, "missing value (required)", rc[0], rc[1], "")
        ),
        st.sampled_from(optional).map(
            lambda rc: cell_case(t, "missing value (optional)", rc[0], rc[1], "", EITHER, False)
        ),
    )


def stray_spaces(t: Target) -> SearchStrategy[Case]:
    @st.composite
    def build(draw):
        row, column = draw(st.integers(0, len(t.rows) - 1)), draw(st.sampled_from(t.header))
        value = draw(st.sampled_from([" ", "\t", "\u00a0"])) + (t.cell(row, column) or "x")
        return cell_case(t, "stray spaces", row, column, value)

    return build()


def schema_range(t: Target) -> SearchStrategy[Case]:
    """Negative counts, n of 0, years outside 1900-2100, integers beyond Int64..."""
    ranged = [name for name, spec in t.fields.items() if out_of_range(spec) is not None]

    @st.composite
    def build(draw):
        row, column = draw(st.integers(0, len(t.rows) - 1)), draw(st.sampled_from(ranged))
        return cell_case(t, "out of range", row, column, draw(out_of_range(t.fields[column])))

    return build()


HEADER_CHANGES = ("missing", "extra", "renamed", "swapped", "same name")


def header_change(t: Target, how: str, reorder_ok: bool = False) -> SearchStrategy[Case]:
    """A column missing, an extra column, a column renamed, two columns swapped, two
    columns of the same name. Only the extract may have its columns in any order."""
    names = set(t.header) | set(t.fields) | (set(CODEBOOK.names) if t is EXTRACT_TARGET else set())
    new_name = st.one_of(JUNK, ANY_TEXT.filter(bool)).filter(lambda s: s.strip() not in names)

    @st.composite
    def build(draw):
        header, rows = list(t.header), [list(r) for r in t.rows]
        j = draw(st.integers(0, len(header) - 1))
        expect = ERROR
        if how == "missing":
            what = header.pop(j)
            for r in rows:
                r.pop(j)
        elif how == "extra":
            what = draw(new_name)
            at = draw(st.integers(0, len(header)))
            header.insert(at, what)
            fill = draw(st.sampled_from(["", "x", "1"]))
            for r in rows:
                r.insert(at, fill)
        elif how == "renamed":
            what = f"{header[j]} -> {(name := draw(new_name))}"
            header[j] = name
        elif how == "swapped":
            k = draw(st.integers(0, len(header) - 1).filter(lambda k: k != j))
            what = f"{header[j]} <-> {header[k]}"
            for r in [header, *rows]:
                r[j], r[k] = r[k], r[j]
            expect = SAME if reorder_ok else ERROR
        else:
            k = draw(st.integers(0, len(header) - 1).filter(lambda k: k != j))
            what = f"{header[j]} -> {header[k]}"
            header[j] = header[k]
        return Case(f"header ({how})", what, serialise(header, rows), expect)

    return build()


def bad_encoding(t: Target) -> SearchStrategy[Case]:
    """A Latin-1 byte anywhere, or the file saved as Windows-1252 (UTF-16: fixed_cases).

    The extract reader reads a file that is wholly Windows-1252 (with a warning, which
    run_case checks), so for the extract such a file may be valid, quarantined or refused.
    """
    data = original(t)
    free = [n for n, s in t.fields.items() if not_of_type(s) is None] or ["coder"]
    refused = ERROR if t.name != "extract" else EITHER

    def latin1_byte(pos_byte):
        pos, byte = pos_byte
        new = data[:pos] + bytes([byte]) + data[pos:]
        expect = refused if not_utf8(new) else EITHER  # a byte that happens to make UTF-8
        return Case("encoding (Latin-1 byte)", f"byte {byte:#x} at {pos}", new, expect)

    @st.composite
    def cp1252(draw):  # an accented word, then the whole file saved as Windows-1252
        row, column = draw(st.integers(0, len(t.rows) - 1)), draw(st.sampled_from(free))
        new = edited(t, [(row, column, "café")]).decode("utf-8").encode("cp1252", "replace")
        return Case("encoding (cp1252)", f"line {row + 2}, {column}", new, refused)

    return branch(
        st.tuples(st.integers(0, len(data)), st.integers(0x80, 0xFF)).map(latin1_byte),
        cp1252(),
    )


def as_text(data: bytes) -> str:
    """A file's text as the extract reader decodes it: UTF-8, else Windows-1252."""
    return data.decode("cp1252") if not_utf8(data) else data.decode("utf-8-sig")


def not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return True
    return False


def truncated(t: Target) -> SearchStrategy[Case]:
    """Cut at any byte: perhaps a ragged last row, perhaps a row boundary (valid)."""
    data = original(t)

    def cut(n: int) -> Case:
        piece, ragged = data[:n], ragged_last_line(data[:n])
        expect = ERROR if not piece.strip() or ragged else EITHER
        return Case("truncated", f"first {n} of {len(data)} bytes", piece, expect, ragged)

    return st.integers(0, len(data) - 1).map(cut)


def records_with_lines(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank CSV records of a text, each with the line it starts on."""
    reader, records, start = csv.reader(io.StringIO(text, newline=""), strict=True), [], 1
    for row in reader:
        if row:
            records.append((start, row))
        start = reader.line_num + 1
    return records


def ragged_last_line(data: bytes) -> tuple:
    """(line,) of a last row left with too few cells, which an error must then name;
    () if the cut left whole rows, or broke a character or a quoted cell."""
    try:
        records = records_with_lines(data.decode("utf-8"))
    except (UnicodeDecodeError, csv.Error):
        return ()
    if len(records) > 1 and len(records[-1][1]) != len(records[0][1]):
        return (records[-1][0],)
    return ()


def fixed_cases(t: Target, header_only: str = EITHER) -> list[Case]:
    """Corruptions without parameters: UTF-16; a BOM, CRLF (valid, read as the original);
    0 bytes, blank lines only, a header and no rows (a valid empty table, for the tables);
    each of TRICKY in a note (valid). Every test runs them all as explicit examples, and
    draws them again among the rest."""
    data, bom = original(t), b"\xef\xbb\xbf"
    text, crlf = data.decode("utf-8"), data.replace(b"\n", b"\r\n")
    return [
        Case("encoding (UTF-16)", "utf-16 with BOM", text.encode("utf-16")),
        Case("encoding (UTF-16)", "utf-16-le, no BOM", text.encode("utf-16-le")),
        Case("BOM (valid)", "UTF-8 BOM", bom + data, SAME),
        Case("CRLF (valid)", "CRLF", crlf, SAME),
        Case("BOM and CRLF (valid)", "BOM and CRLF", bom + crlf, SAME),
        Case("empty", "0 bytes", b""),
        *[Case("empty", f"only {b!r}", b) for b in (b"\n", b"\r\n\r\n", b"  \n")],
        Case("header only", "header only", data.split(b"\n", 1)[0] + b"\n", header_only),
        *[free_text_case(t, 0, "note", f"x{c}x") for c in TRICKY if "note" in t.fields],
    ]


def with_fixed_cases(t: Target, header_only: str = EITHER):
    """Decorator: each of `fixed_cases` as an explicit example (always run)."""

    def decorate(test):
        for case in fixed_cases(t, header_only):
            test = example(case=case)(test)
        return test

    return decorate


def duplicate_row(t: Target) -> SearchStrategy[Case]:
    """A row copied, anywhere: the later copy is refused."""

    @st.composite
    def build(draw):
        i, at = draw(st.integers(0, len(t.rows) - 1)), draw(st.integers(0, len(t.rows)))
        rows = [list(r) for r in t.rows]
        rows.insert(at, list(t.rows[i]))
        later = max(at, i + (at <= i)) + 2
        what = f"row {i + 2} copied to line {at + 2}"
        return Case("duplicate row", what, serialise(t.header, rows), ERROR, (later,))

    return build()


def duplicate_key(t: Target) -> SearchStrategy[Case]:
    """A key repeated on a row with other values: the later row is refused."""

    @st.composite
    def build(draw):
        i = draw(st.integers(0, len(t.rows) - 1))
        j = draw(st.integers(0, len(t.rows) - 1).filter(lambda j: j != i))
        key = t.cell(i, t.key)
        what = f"line {j + 2} takes {t.key} {key!r} of line {i + 2}"
        data = edited(t, [(j, t.key, key)])
        return Case("duplicate key", what, data, ERROR, (max(i, j) + 2,))

    return build()


def free_text(t: Target, columns: list[str]) -> SearchStrategy[Case]:
    """Any text in a free-text column is valid: here always with one of TRICKY inside
    (newlines, U+2028, NUL, quotes...), and no space around it (refused everywhere)."""
    text = st.builds("x{}{}{}x".format, ANY_TEXT, st.sampled_from(TRICKY), ANY_TEXT)

    @st.composite
    def build(draw):
        row, column = draw(st.integers(0, len(t.rows) - 1)), draw(st.sampled_from(columns))
        return free_text_case(t, row, column, draw(text))

    return build()


def free_text_case(t: Target, row: int, column: str, value: str) -> Case:
    what = f"line {row + 2}, {column}={value!r}"
    data = edited(t, [(row, column, value)])
    return Case(
        "free text (valid)", what, data, VALID, readback=(t.cell(row, t.key), column, value)
    )


def table_cases(t: Target, consistency: list, free: list[str]) -> SearchStrategy[Case]:
    return st.one_of(
        *wrong_types(t),
        missing_value(t),
        stray_spaces(t),
        schema_range(t),
        *consistency,
        *[header_change(t, how) for how in HEADER_CHANGES],
        bad_encoding(t),
        st.sampled_from(fixed_cases(t)),
        truncated(t),
        duplicate_row(t),
        duplicate_key(t),
        free_text(t, free),
    )


# --- consistency rules of each table ------------------------------------------------


def rows_with(t: Target, *columns: str) -> list[int]:
    return [i for i in range(len(t.rows)) if all(t.cell(i, c) for c in columns)]


def numerator_above(t: Target, num: str, den: str) -> SearchStrategy[Case]:
    """A numerator above its denominator."""

    @st.composite
    def build(draw):
        row = draw(st.sampled_from(rows_with(t, den)))
        value = str(int(t.cell(row, den)) + draw(st.integers(1, 10**6)))
        return cell_case(t, "numerator above denominator", row, num, value, exact=False)

    return build()


def percent_over_100(t: Target) -> SearchStrategy[Case]:
    """A printed percentage over 100 (the schema's pattern allows up to 999.x)."""
    pct = st.one_of(
        st.integers(101, 999).map(str),
        st.builds("{}.{}".format, st.integers(100, 999), st.integers(1, 99)),
    )

    @st.composite
    def build(draw):
        row = draw(st.integers(0, len(t.rows) - 1))
        expect = ERROR
        return cell_case(t, "percent over 100", row, "percent_printed", draw(pct), expect, False)

    return build()


def period_end_before_start() -> SearchStrategy[Case]:
    @st.composite
    def build(draw):
        row = draw(st.integers(0, len(SERIES.rows) - 1))
        start = date.fromisoformat(SERIES.cell(row, "period_start"))
        end = start - timedelta(days=draw(st.integers(0, 20000)))
        return cell_case(
            SERIES, "period ends before it starts", row, "period_end", end.isoformat(), exact=False
        )

    return build()


def value_low_above_high() -> SearchStrategy[Case]:
    @st.composite
    def build(draw):
        row = draw(st.sampled_from(rows_with(SERIES, "value_high")))
        value = repr(float(SERIES.cell(row, "value_high")) + draw(st.floats(0.5, 1e6)))
        return cell_case(SERIES, "value_low above value_high", row, "value_low", value, exact=False)

    return build()


def studies_range_inverted() -> SearchStrategy[Case]:
    @st.composite
    def build(draw):
        row = draw(st.sampled_from(rows_with(STUDIES, "range_high")))
        high = float(STUDIES.cell(row, "range_high"))
        value = repr(draw(st.floats(high, 100).filter(lambda x: x > high)))
        return cell_case(
            STUDIES, "range_low above range_high", row, "range_low", value, exact=False
        )

    return build()


def unchecked(t: Target) -> list[str]:
    """Free-text columns: no type, constraint or cross-row rule looks at them."""
    refs = {"part_of", "subset_of", "nobs_row_id", "known_discrepancy", "period_label"}
    return [n for n, s in t.fields.items() if not_of_type(s) is None and n not in refs]


TABLE1_CASES = table_cases(
    TABLE1,
    [
        numerator_above(TABLE1, "count", "nobs"),
        percent_over_100(TABLE1),
    ],
    unchecked(TABLE1),
)
STUDIES_CASES = table_cases(
    STUDIES,
    [
        numerator_above(STUDIES, "count", "nobs"),
        percent_over_100(STUDIES),
        studies_range_inverted(),
    ],
    unchecked(STUDIES),
)
SERIES_CASES = table_cases(
    SERIES, [period_end_before_start(), value_low_above_high()], unchecked(SERIES)
)


# --- the extract --------------------------------------------------------------------

CODED = [c for c in CODEBOOK.coded() if c in EXTRACT_TARGET.header]
CODE_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=10)


def quarantine_case(kind: str, row: int, column: str, value: str) -> Case:
    line = row + 2
    fragment = f"column '{column}': value {value!r}"
    data = edited(EXTRACT_TARGET, [(row, column, value)])
    return Case(
        kind,
        f"line {line}, {column}={value!r}",
        data,
        QUARANTINE,
        quarantined=((line, (fragment,)),),
    )


def unknown_codes() -> SearchStrategy[Case]:
    """A code not in the codebook (nor a synonym), a number in a coded column,
    a coding round other than 1 or 2."""

    @st.composite
    def build(draw):
        row = draw(st.integers(0, EXTRACT_ROWS - 1))
        column = draw(st.sampled_from([*CODED, "coding_round"]))
        allowed = {"1", "2"} if column == "coding_round" else set(CODEBOOK.synonyms(column))
        value = draw(
            st.one_of(
                CODE_TEXT,
                st.integers(-5, 10**6).map(str),
                st.sampled_from(["maybe", "yes?", "n/k", "2.0", "1.0"]),
            ).filter(lambda v: normalise(v) not in allowed)
        )
        return quarantine_case("unknown code", row, column, value)

    return build()


def bad_review_ids() -> SearchStrategy[Case]:
    pattern = CODEBOOK.field("review_id")["constraints"]["pattern"]
    value = CODE_TEXT.filter(lambda v: not re.fullmatch(pattern, v.strip()))
    rows = st.integers(0, EXTRACT_ROWS - 1)
    return st.builds(lambda r, v: quarantine_case("bad review id", r, "review_id", v), rows, value)


IMPOSSIBLE_AGE = st.one_of(
    st.integers(216, 10**9).map(str),
    st.integers(216, 10**6).map("{} months".format),
    st.integers(216, 10**6).map("{}m".format),
    st.integers(18, 10**4).map("{} yrs".format),
    st.integers(18, 10**4).map("{} years".format),
    st.integers(1, 10**6).map("-{}".format),
    st.sampled_from(["999 months", "18 weeks", "1.5 years", "two", "3 mnths", "?"]),
)
OUTSIDE = st.one_of(
    st.dates(date(1900, 1, 1), START - timedelta(days=1)),
    st.dates(END + timedelta(days=1), date(2100, 12, 31)),
)
BAD_DATE = st.one_of(
    st.builds(
        lambda d, fmt: d.strftime(fmt),
        OUTSIDE,
        st.sampled_from(CODEBOOK.field("notification_date")["rawFormats"]),
    ),
    st.sampled_from(["31/02/2015", "2015-13-01", "00/00/0000", "yesterday", "2015/04/01", ""]),
)


def impossible_ages() -> SearchStrategy[Case]:
    rows = st.integers(0, EXTRACT_ROWS - 1)
    return st.builds(
        lambda r, v: quarantine_case("impossible age", r, "age_months", v), rows, IMPOSSIBLE_AGE
    )


def dates_outside_period() -> SearchStrategy[Case]:
    rows = st.integers(0, EXTRACT_ROWS - 1)
    return st.builds(
        lambda r, v: quarantine_case("date outside period", r, "notification_date", v),
        rows,
        BAD_DATE,
    )


def extract_duplicate_row() -> SearchStrategy[Case]:
    """A row typed in twice: the later copy is quarantined, pointing to the row kept."""
    t = EXTRACT_TARGET

    @st.composite
    def build(draw):
        i, at = draw(st.integers(0, EXTRACT_ROWS - 1)), draw(st.integers(0, EXTRACT_ROWS))
        rows = [list(r) for r in t.rows]
        rows.insert(at, list(t.rows[i]))
        first, later = sorted([at + 2, i + (at <= i) + 2])
        fragment = f"exact duplicate of row {first} "
        what = f"row {i + 2} copied to line {at + 2}"
        data = serialise(t.header, rows)
        return Case("duplicate row", what, data, QUARANTINE, quarantined=((later, (fragment,)),))

    return build()


def extract_duplicate_review() -> SearchStrategy[Case]:
    """A review coded twice in round 1 with other values: both rows quarantined (or, if
    the two codings happen to agree, the later one as an exact duplicate)."""
    t = EXTRACT_TARGET

    @st.composite
    def build(draw):
        i = draw(st.integers(0, EXTRACT_ROWS - 1))
        j = draw(st.integers(0, EXTRACT_ROWS - 1).filter(lambda j: j != i))
        key = t.cell(i, "review_id")
        conflict = f"column 'review_id': value {key!r}: coded more than once"
        same = f"exact duplicate of row {min(i, j) + 2} "
        what = f"line {j + 2} takes {key} of line {i + 2}"
        data = edited(t, [(j, "review_id", key)])
        # check_quarantine also checks that every row a conflict names is quarantined
        later = ((max(i, j) + 2, (conflict, same)),)
        return Case("duplicate review id", what, data, QUARANTINE, quarantined=later)

    return build()


EXTRACT_CASES = st.one_of(
    unknown_codes(),
    bad_review_ids(),
    impossible_ages(),
    dates_outside_period(),
    extract_duplicate_review(),
    extract_duplicate_row(),
    *[header_change(EXTRACT_TARGET, how, reorder_ok=True) for how in HEADER_CHANGES],
    bad_encoding(EXTRACT_TARGET),
    st.sampled_from(fixed_cases(EXTRACT_TARGET, header_only=ERROR)),  # the extract needs rows
    truncated(EXTRACT_TARGET),
)


# --- checking an outcome ------------------------------------------------------------


def cell_in_file(path: str, line: int, column: str) -> str | None:
    """The text of one cell, found by the line its row starts on."""
    records = records_with_lines(as_text(Path(path).read_bytes()))
    header = records[0][1] if records else []
    for start, row in records[1:]:
        if start == line and column in header and len(row) == len(header):
            return row[header.index(column)]
    return None


def check_problems(err: DataError, case: Case, path: Path) -> None:
    """Every problem names the file and, unless it is with the whole file, row,
    column and value; the corrupted cell or row is among them."""
    assert err.problems, "a DataError without problems"
    for p in err.problems:
        assert isinstance(p.file, str) and Path(p.file).is_file(), p
        assert p.column is None or isinstance(p.column, str), p
        assert p.value is None or isinstance(p.value, str), p
        if WHOLE_FILE.search(p.expected) and p.column is None:
            continue  # empty, unreadable, not UTF-8, no header, no rows
        assert isinstance(p.row, int) and not isinstance(p.row, bool) and p.row >= 1, p
        if p.row == 1:  # the header: a column missing or unexpected, or the order
            assert (p.column is None) != (p.value is None), p
        elif p.column is None:  # a row with too few or too many cells: its text
            assert RAGGED.match(p.expected) and p.value is not None, p
        elif p.value is None:  # allowed only for a cell that is empty
            assert cell_in_file(p.file, p.row, p.column) == "", p
    if case.named:
        here = [p for p in err.problems if Path(p.file) == path and p.row == case.named[0]]
        if len(case.named) == 3:
            here = [p for p in here if (p.column, p.value) == case.named[1:]]
        assert here, f"no problem names {case.named}: {err.problems}"


def check_quarantine(result, case: Case, path: Path) -> None:
    """Rows in = clean + quarantined; every reason names column and value (or the row
    an exact copy duplicates); the rows the case names are there, for that reason."""
    result.check_balance()
    assert result.rows_in == len(records_with_lines(as_text(case.data))) - 1
    if not_utf8(case.data):  # read as Windows-1252: only with a warning
        assert any("Windows-1252" in w for w in result.warnings), result.warnings
    q = result.quarantine
    assert (q[SOURCE_FILE].astype(str) == str(path)).all()
    reasons = dict(zip(q[SOURCE_ROW], q["reason"], strict=True))
    for reason in reasons.values():
        assert REASON.search(reason), reason
        conflict = re.search(r"\(rows ([\d, ]+)\)", reason)  # all of them are quarantined
        if conflict:
            assert {int(r) for r in conflict.group(1).split(", ")} <= set(reasons), reason
    for line, fragments in case.quarantined:
        assert line in reasons, f"line {line} not quarantined: {reasons}"
        assert any(f in reasons[line] for f in fragments), (line, reasons[line], fragments)


def run_case(target: str, case: Case, path: Path, read, same) -> None:
    """Write the corrupted file, read it, check the outcome; restore the file."""
    RAN.add(target)
    KINDS[(target, case.kind)] += 1
    kept = path.read_bytes()
    path.write_bytes(case.data)
    try:
        try:
            result = read()
        except DataError as err:
            outcome = "DataError"
            assert case.expect in (ERROR, EITHER), f"{case.kind}: {err}"
            check_problems(err, case, path)
        else:
            outcome = "valid"
            if target == "extract":
                check_quarantine(result, case, path)
                outcome = "quarantine" if len(result.quarantine) else "valid"
                if case.expect == QUARANTINE:
                    assert outcome == "quarantine"
                else:
                    assert case.expect in (SAME, EITHER), f"{case.kind} accepted"
            else:
                assert case.expect in (SAME, VALID, EITHER), f"{case.kind} accepted"
            if case.expect == SAME:
                same(result)
            if case.readback and isinstance(result, tuple):  # studies, series: a frame
                key, column, value = case.readback
                frame = result[0]
                assert frame.loc[frame["row_id"] == key, column].tolist() == [value]
    finally:
        path.write_bytes(kept)
    OUTCOMES[(target, outcome)] += 1


# --- the tests ----------------------------------------------------------------------


TABLE1_ONLY = "table1.datapackage.json"


def describe_table1_alone(folder: Path) -> None:
    """Beside a copy's datapackage.json, a descriptor of Table 1 alone (with an empty
    corrections table, which validate needs).

    Table 1 names no row of another table and no correction names its rows (both checked
    here), so validate checks it as in the whole package, in an eighth of the time.
    """
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    corrections = pd.read_csv(folder / resources["corrections"]["path"], dtype=str)
    assert "table1_parental" not in set(corrections["table"])
    rows = range(len(TABLE1.rows))
    ids = {TABLE1.cell(i, "row_id") for i in rows}
    for column in ("part_of", "subset_of", "nobs_row_id"):
        assert {TABLE1.cell(i, column) for i in rows} <= ids | {""}
    corrections.head(0).to_csv(folder / "no_corrections.csv", index=False)
    resources["corrections"] = resources["corrections"] | {"path": "no_corrections.csv"}
    package["resources"] = [resources["table1_parental"], resources["corrections"]]
    (folder / TABLE1_ONLY).write_text(json.dumps(package, indent=2), encoding="utf-8")


def published_copy(folder: Path) -> Path:
    """A copy of the published data (with bruising/ and trends/) in `folder`; its folder."""
    shutil.copytree(PUBLISHED, folder / "published")
    describe_table1_alone(folder / "published")
    return folder / "published"


@pytest.fixture
def package(tmp_path) -> Path:
    """A copy of the published data in tmp_path; its folder."""
    return published_copy(tmp_path)


def frames_equal(baseline):
    def same(result):
        for got, expected in zip(result, baseline, strict=True):
            pd.testing.assert_frame_equal(got, expected)

    return same


def reading(target: str, folder: Path) -> tuple[Path, Callable, Callable]:
    """What a case of `target` corrupts and reads, in a fresh copy in `folder`: the file,
    how it is read, and the check that a result equals what the original gives."""
    folder.mkdir(parents=True, exist_ok=True)
    if target == "extract":  # the first 30 reviews: nothing quarantined
        path = folder / "extract.csv"
        path.write_bytes(original(EXTRACT_TARGET))

        def read():
            return clean_extracts([path], CODEBOOK, START, END)

        baseline = read()
        assert baseline.quarantine.empty

        def same(result):
            pd.testing.assert_frame_equal(result.clean, baseline.clean)
            pd.testing.assert_frame_equal(result.log, baseline.log)

        return path, read, same
    package = published_copy(folder)
    path, read = {
        "table1": (
            package / "table1_parental.csv",
            lambda: published.validate(package / TABLE1_ONLY),
        ),
        "studies": (
            package / "bruising" / "studies.csv",
            lambda: read_bruising(package / "bruising" / "datapackage.json"),
        ),
        "series": (
            package / "trends" / "series.csv",
            lambda: read_trends(package / "trends" / "datapackage.json"),
        ),
    }[target]
    baseline = read()
    if target == "table1":  # a summary of the package

        def same(summary):
            assert summary == baseline

        return path, read, same
    return path, read, frames_equal(baseline)


@pytest.fixture
def target(request, tmp_path) -> tuple[Path, Callable, Callable]:
    """`reading` for the test's target (its name's third word), set up once per test."""
    return reading(request.node.name.split("_")[2], tmp_path)


@settings(max_examples=EXAMPLES["table1"], **SETTINGS)
@given(case=TABLE1_CASES)
@with_fixed_cases(TABLE1)
def test_corrupted_table1_is_refused_by_name(target, case):
    run_case("table1", case, *target)


@settings(max_examples=EXAMPLES["studies"], **SETTINGS)
@given(case=STUDIES_CASES)
@with_fixed_cases(STUDIES)
def test_corrupted_studies_are_refused_by_name(target, case):
    run_case("studies", case, *target)


@settings(max_examples=EXAMPLES["series"], **SETTINGS)
@given(case=SERIES_CASES)
@with_fixed_cases(SERIES)
def test_corrupted_series_is_refused_by_name(target, case):
    run_case("series", case, *target)


@settings(max_examples=EXAMPLES["extract"], **SETTINGS)
@given(case=EXTRACT_CASES)
@with_fixed_cases(EXTRACT_TARGET, header_only=ERROR)
def test_corrupted_extract_is_refused_or_quarantined(target, case):
    run_case("extract", case, *target)


def test_percent_over_100_in_studies_is_refused(package):
    path = package / "bruising" / "studies.csv"
    row = STUDIES.rows.index(next(r for r in STUDIES.rows if r[0] == "sugar_cruisers"))
    path.write_bytes(edited(STUDIES, [(row, "percent_printed", "150")]))  # percent_only row
    with pytest.raises(DataError, match="at most 100"):
        read_bruising(package / "bruising" / "datapackage.json")


def test_non_ascii_digits_are_not_integers(package):
    path = package / "table1_parental.csv"
    path.write_bytes(edited(TABLE1, [(0, "count", "\u0669\u0669")]))  # Arabic-Indic 99
    with pytest.raises(DataError, match="whole number"):
        published.validate(package / "datapackage.json")


def one_of_each_kind(strategy: SearchStrategy[Case]) -> dict[str, Case]:
    """The first case of each kind of corruption a strategy draws, in many draws that read
    nothing."""
    cases: dict[str, Case] = {}

    @settings(max_examples=KIND_DRAWS, **SETTINGS)
    @given(case=strategy)
    def draw(case):
        cases.setdefault(case.kind, case)

    draw()
    return cases


STRATEGIES = {
    "table1": TABLE1_CASES,
    "studies": STUDIES_CASES,
    "series": SERIES_CASES,
    "extract": EXTRACT_CASES,
}


def test_cases_run_and_their_outcomes(tmp_path):
    """Runs last (file order): every kind of corruption was read for each file, and at
    least 250 cases in all; print what they were.

    Which examples hypothesis generates depends on more than its seed (it also draws
    constants from the project's modules loaded at the time): a kind the generated
    examples missed is read here, once, from a case of its own."""
    targets = set(EXAMPLES)
    if RAN != targets:
        pytest.skip(f"run the whole file to count the cases (ran: {sorted(RAN)})")
    topped_up = []
    for target, strategy in STRATEGIES.items():
        for kind, case in one_of_each_kind(strategy).items():
            if (target, kind) not in KINDS:
                run_case(target, case, *reading(target, tmp_path / f"{target}-{len(topped_up)}"))
                topped_up.append(f"{target}: {kind}")
    total = sum(OUTCOMES.values())
    lines = [f"\nbad-input cases run: {total}; read here, no example had their kind: {topped_up}"]
    for target in EXAMPLES:
        outcomes = {o: n for (t, o), n in sorted(OUTCOMES.items()) if t == target}
        kinds = {k: n for (t, k), n in sorted(KINDS.items()) if t == target}
        lines.append(f"  {target}: {sum(outcomes.values())} cases, outcomes {outcomes}")
        lines.append(f"    kinds {kinds}")
    print("\n".join(lines))
    assert total >= MIN_CASES
