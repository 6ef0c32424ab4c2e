"""An extract file read as the analyst wrote it: every cell as text, with its file (and
sheet) and the row number the analyst sees in Excel or a text editor.

CSV: UTF-8 with or without a BOM, or Windows-1252 (read, with a warning); comma,
semicolon or tab (sniffed from the header line); LF or CRLF line ends. Arrow reads it,
dictionary-encoding the coded columns as it reads. Row numbers count blank lines, and a
record whose quoted cell spans lines has the number of the line it starts on.

XLSX: every sheet whose row 1 holds the codebook's columns (or the one sheet named),
stacked; other sheets (notes, definitions) are skipped. openpyxl reads the saved cell
values: a date cell becomes ISO text, a whole number an integer. A formula with no saved
value stops the run, naming each cell. A sheet is named in the file column as
"file.xlsx!sheet".

Either way, column names that are not on row 1 stop the run with the row they seem to be
on; blank rows are not records, but keep their number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pyarrow import csv as pacsv

from triennial.data.codebook import normalise
from triennial.data.errors import DataError, Problem

SOURCE_FILE, SOURCE_ROW = "source_file", "source_row"
ID_COLUMN = "review_id"  # present in every header row; unique per row, so not dictionary-encoded
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH = 30  # rows searched for column names that are not on row 1
HEAD_BYTES = 1 << 16  # enough of a CSV to find its header and delimiter
BOM = b"\xef\xbb\xbf"
_BLANK = re.compile(rb"(?:\s|" + re.escape(BOM) + rb")*")  # no copy of the file, unlike strip()
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
_ARROW = {"utf-8": "utf8"}  # Arrow reads UTF-8 itself (fast), any other through Python
NAME_IT = "or name the one sheet to read in the config (extracts.sheet)"
SAVE_AS_UTF8 = "in Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'"


def read_spreadsheet(
    path: Path, columns: list[str], sheet: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The cells of a CSV or XLSX extract as text, with SOURCE_FILE and SOURCE_ROW; and
    warnings (to log and print). `columns`: the codebook's required columns, which
    identify a header row; `sheet`: the only XLSX sheet to read (None: all review sheets)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem.of_file(str(path), "file not found"))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, columns, sheet)
    return _read_csv(path, columns)


def looks_like_header(cells, columns: list[str]) -> bool:
    """A row of column names: the review id and at least half the codebook's columns."""
    names = {normalise(str(c)) for c in cells if c is not None}
    return ID_COLUMN in names and len(names & set(columns)) >= len(columns) / 2


def header_elsewhere(where: str, row: int) -> Problem:
    return Problem(
        where,
        row,
        None,
        None,
        f"row 1 should hold the column names, but they seem to be on row {row}: delete "
        f"the {row - 1} row(s) above them (titles, notes, blank rows)",
    )


def _as_frame(frame: pd.DataFrame, sources: list[str], rows: list[np.ndarray]) -> pd.DataFrame:
    """Coded columns as categoricals (few distinct values, stored once), then where each
    row came from: the file (or file!sheet) and the row number the analyst sees."""
    coded = {c: "category" for c in frame.columns if c != ID_COLUMN}
    frame = frame.astype(coded)
    frame.columns = [str(c).strip() for c in frame.columns]
    counts = [len(r) for r in rows]
    frame[SOURCE_FILE] = pd.Categorical.from_codes(
        np.repeat(np.arange(len(sources)), counts), sources
    )
    frame[SOURCE_ROW] = np.concatenate(rows).astype(int) if rows else np.zeros(0, int)
    return frame


# --- CSV -----------------------------------------------------------------------------


def _read_csv(path: Path, columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    data = path.read_bytes()
    if _BLANK.fullmatch(data):
        raise DataError(Problem.of_file(str(path), "file is empty"))
    body = pa.py_buffer(data)[len(BOM) :] if data.startswith(BOM) else pa.py_buffer(data)
    head = data[:HEAD_BYTES]
    delimiter, header_line = _sniff(head.decode("utf-8", "replace"), columns)
    if header_line not in (None, 1):
        raise DataError(header_elsewhere(str(path), header_line))
    # found before Arrow reads: Arrow's messages about rows expect UTF-8
    encoding = "utf-8" if _is_utf8(body) else _not_utf8(path, data)
    warnings = [
        f"{path}: not UTF-8; read as Windows-1252 (check accented letters, or save it "
        f"{SAVE_AS_UTF8})"
    ] * (encoding == "cp1252")
    table = _arrow_csv(path, body, delimiter, encoding, head, quoted=b'"' in data)
    frame = table.unify_dictionaries().to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get
    )
    rows = _row_lines(path, data, len(frame), delimiter, encoding)
    return _as_frame(frame, [str(path)], [rows]), warnings


def _sniff(head: str, columns: list[str]) -> tuple[str, int | None]:
    """The delimiter and the line of the header row (None if no row looks like one)."""
    head = head[: head.rfind("\n") + 1] or head  # whole lines only
    for delimiter in DELIMITERS:
        for line, cells in _records(head, delimiter)[:HEADER_SEARCH]:
            if looks_like_header(cells, columns):
                return delimiter, line
    first = next((line for line in head.lstrip("\ufeff").splitlines() if line.strip()), "")
    return max(DELIMITERS, key=first.count), None


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The non-blank records of a CSV text, each with the line it starts on (as an
    editor numbers lines: a quoted cell spanning lines belongs to the line it starts on)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    records, start = [], 1
    try:
        for row in reader:
            if row:
                records.append((start, row))
            start = reader.line_num + 1
    except csv.Error:  # a quote left open: Arrow's read says where
        pass
    return records


def _arrow_csv(
    path: Path, body: pa.Buffer, delimiter: str, encoding: str, head: bytes, quoted: bool
) -> pa.Table:
    """Read with Arrow, every column as text; a row with too few or too many cells stops
    the run, naming its line. `quoted`: the file has a quote character (only a quoted
    cell can span lines; without one, Arrow splits records at line ends, faster)."""
    records = _records(head.decode(encoding, "replace"), delimiter)
    header = records[0][1] if records else []
    as_text = {name: pa.string() if name == ID_COLUMN else _DICTIONARY for name in header}
    convert = pacsv.ConvertOptions(
        column_types=as_text, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    ragged = []

    def skip(row) -> str:  # a row with too few or too many cells: note it, keep reading
        ragged.append(row)
        return "skip"

    parse = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=quoted, invalid_row_handler=skip
    )
    read = pacsv.ReadOptions(encoding=_ARROW.get(encoding, encoding))
    table = pacsv.read_csv(pa.BufferReader(body), read, parse, convert)
    if not ragged:
        return table
    ragged.clear()  # Arrow numbers rows only in a serial read: read again, serially
    read = pacsv.ReadOptions(encoding=_ARROW.get(encoding, encoding), use_threads=False)
    pacsv.read_csv(pa.BufferReader(body), read, parse, convert)
    records = _records(body.to_pybytes().decode(encoding), delimiter)
    lines = [line for line, _ in records]  # Arrow numbers records, not lines
    raise DataError(
        [
            Problem(
                str(path),
                lines[r.number - 1] if r.number and r.number <= len(lines) else r.number,
                None,
                r.text,
                f"{r.actual_columns} cells, expected {r.expected_columns} (one per column)",
            )
            for r in ragged
        ]
    )


def _is_utf8(body: pa.Buffer) -> bool:
    """Arrow's (fast) check of the whole file, viewed as one binary value, without a copy."""
    offsets = pa.py_buffer(np.array([0, body.size], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, body]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _not_utf8(path: Path, data: bytes) -> str:
    """The encoding of a file that is not UTF-8: Windows-1252 if it is that cleanly (not a
    mix with UTF-8); otherwise stop, naming the line of the first byte that is neither."""
    try:
        data.decode("utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError as err:
        bad = err
    mixed = re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data)  # UTF-8 letters beside the bad byte
    try:
        if mixed is None:
            data.decode("cp1252")
            return "cp1252"
    except UnicodeDecodeError as err:
        bad = err
    line = data.count(b"\n", 0, bad.start) + 1
    raise DataError(
        Problem.of_file(
            str(path),
            f"not valid UTF-8 (line {line}, byte {data[bad.start]:#x}), nor wholly "
            f"Windows-1252: save it {SAVE_AS_UTF8}",
        )
    )


def _row_lines(path: Path, data: bytes, n: int, delimiter: str, encoding: str) -> np.ndarray:
    """Each record's line number. Without blank lines or cells spanning lines (counted
    fast), record i is on line i + 2; otherwise the records are found line by line."""
    if data.count(b"\n") + (not data.endswith(b"\n")) == n + 1:
        return np.arange(2, n + 2)
    starts = [line for line, _ in _records(data.decode(encoding), delimiter)]
    if len(starts) != n + 1:
        raise DataError(Problem.of_file(str(path), "malformed CSV: a quote is not closed"))
    return np.array(starts[1:])


# --- XLSX ----------------------------------------------------------------------------


def _read_xlsx(path: Path, columns: list[str], sheet: str | None) -> tuple[pd.DataFrame, list[str]]:
    values, epoch_1904 = _sheets(path, data_only=True)
    names = list(values) if sheet is None else [sheet]
    if sheet is not None and sheet not in values:
        raise DataError(
            Problem(
                str(path),
                None,
                None,
                sheet,
                f"no such sheet (extracts.sheet); the workbook's sheets are {list(values)}",
            )
        )
    chosen = _review_sheets(path, {n: values[n] for n in names}, columns, sheet is not None)
    _check_formulas(path, {n: values[n] for n in chosen})
    frames, sources, rows = [], [], []
    for name in chosen:
        frame, numbers = _sheet_frame(f"{path}!{name}", values[name])
        frames.append(frame)
        sources.append(f"{path}!{name}")
        rows.append(numbers)
    warnings = []
    if epoch_1904:
        warnings.append(
            f"{path}: the workbook counts dates from 1904 (old Mac Excel); a date typed as a "
            "number rather than a date cell is read as from 1900: format such cells as dates"
        )
    return _as_frame(pd.concat(frames, ignore_index=True), sources, rows), warnings


def _sheets(path: Path, data_only: bool) -> tuple[dict[str, list[tuple]], bool]:
    """Every sheet's rows as tuples of cell values (row 1 first; blank rows kept), and
    whether the workbook counts dates from 1904."""
    try:
        book = load_workbook(path, read_only=True, data_only=data_only)
    except Exception as err:  # not a workbook, or a damaged one
        raise DataError(
            Problem.of_file(str(path), f"not a readable CSV/XLSX table ({err})")
        ) from err
    try:
        sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
        return sheets, book.epoch.year == 1904
    finally:
        book.close()


def _review_sheets(path: Path, sheets: dict, columns: list[str], named: bool) -> list[str]:
    """The sheets that hold reviews: row 1 holds the codebook's columns. Stop if column
    names sit lower down, if none does, or if review sheets disagree on their columns."""
    found = {}
    for name, rows in sheets.items():
        line = next(
            (i for i, r in enumerate(rows[:HEADER_SEARCH], 1) if looks_like_header(r, columns)),
            None,
        )
        if line not in (None, 1):
            problem = header_elsewhere(f"{path}!{name}", line)
            other = "" if named else f", {NAME_IT} if it is not a sheet of reviews"
            raise DataError(replace(problem, expected=problem.expected + other))
        if line == 1 or named:
            found[name] = frozenset(_header(rows))
    if not found:
        raise DataError(
            Problem.of_file(
                str(path),
                "no sheet holds reviews: expected a sheet "
                f"whose row 1 holds the codebook's column names ({ID_COLUMN}, ...); the "
                f"sheets are {list(sheets)}",
            )
        )
    if len(set(found.values())) > 1:
        first = next(iter(found))
        detail = "; ".join(
            f"{n!r} has {sorted(found[n] - found[first])}, lacks {sorted(found[first] - found[n])}"
            for n in found
            if found[n] != found[first]
        )
        raise DataError(
            Problem(
                str(path),
                1,
                None,
                None,
                f"sheets {list(found)} all hold reviews but "
                f"with different columns (compared with {first!r}: {detail}): make their "
                f"columns the same, {NAME_IT}",
            )
        )
    return list(found)


def _header(rows: list[tuple]) -> list[str]:
    """Row 1's column names; an unnamed column at the right end is no column."""
    names = ["" if c is None else str(c).strip() for c in (rows[0] if rows else ())]
    while names and not names[-1]:
        names.pop()
    return [n or f"(unnamed column {get_column_letter(i)})" for i, n in enumerate(names, 1)]


def _sheet_frame(where: str, rows: list[tuple]) -> tuple[pd.DataFrame, np.ndarray]:
    """The sheet's records as text, and their row numbers; blank rows are not records,
    cells right of the last column name stop the run."""
    header = _header(rows)
    width, records, numbers, problems = len(header), [], [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = [cell_text(v) for v in row]
        extra = [i for i, c in enumerate(cells[width:], width + 1) if c.strip()]
        problems += [
            Problem(
                where,
                number,
                f"(unnamed column {get_column_letter(i)})",
                cells[i - 1],
                "a cell with no column name above it in row 1",
            )
            for i in extra
        ]
        cells = (cells + [""] * width)[:width]
        if any(c.strip() for c in cells):
            records.append(cells)
            numbers.append(number)
    if problems:
        raise DataError(problems)
    return pd.DataFrame(records, columns=header, dtype=object), np.array(numbers, dtype=int)


def cell_text(value) -> str:
    """A cell's value as the codebook's text: dates as ISO, whole numbers as integers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):  # a date cell (the time of day is not coded)
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_formulas(path: Path, values: dict) -> None:
    """A formula whose value was never saved (a file written by a program, not Excel)
    reads as a blank cell: stop, naming every such cell."""
    formulas, _ = _sheets(path, data_only=False)
    problems = []
    for name, rows in values.items():
        header = _header(rows)
        for r, (saved, typed) in enumerate(zip(rows, formulas[name], strict=False), start=1):
            for c, (value, formula) in enumerate(zip(saved, typed, strict=False), start=1):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    column = header[c - 1] if c <= len(header) else get_column_letter(c)
                    problems.append(
                        Problem(
                            f"{path}!{name}",
                            r,
                            column,
                            formula,
                            f"cell {get_column_letter(c)}{r}: formula with no saved value: "
                            "open the file in Excel and save it",
                        )
                    )
    if problems:
        raise DataError(problems)
