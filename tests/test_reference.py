"""The reference comparison: what counts as a difference, and that none slips through."""

import csv
import importlib.util
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from triennial.checks.reference import (
    compare_dirs,
    compare_table,
    format_differences,
    parse_float,
    update_reference,
)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "expected"

TABLE = """label,count,estimate,significant
all,368,0.7554347826086957,True
girls,170,0.25,False
boys,198,,False
"""


def write(path: Path, text: str) -> Path:
    """Write a CSV's text, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pair(tmp_path: Path, expected: str, actual: str, name: str = "t.csv") -> tuple[Path, Path]:
    """An expected and an actual file of the same name, in two directories."""
    return write(tmp_path / "expected" / name, expected), write(tmp_path / "actual" / name, actual)


def records(diff) -> list[tuple]:
    """Differences as plain tuples, empty cells as None, for exact comparison."""
    return [tuple(None if pd.isna(v) else v for v in row) for row in diff.itertuples(index=False)]


def test_identical_tables_have_no_differences(tmp_path):
    diff = compare_table(*pair(tmp_path, TABLE, TABLE))
    assert diff.empty
    assert list(diff.columns) == ["file", "row", "column", "expected", "actual"]


def test_count_changed_by_one_is_reported_exactly(tmp_path):
    diff = compare_table(*pair(tmp_path, TABLE, TABLE.replace("girls,170", "girls,171")))
    assert records(diff) == [("t.csv", 2, "count", "170", "171")]


def test_float_changed_by_a_millionth_is_reported(tmp_path):
    changed = repr(0.25 * (1 + 1e-6))
    diff = compare_table(*pair(tmp_path, TABLE, TABLE.replace("0.25", changed)))
    assert records(diff) == [("t.csv", 2, "estimate", "0.25", changed)]


def test_float_changed_by_1e_12_relative_is_equal(tmp_path):
    changed = repr(0.7554347826086957 * (1 + 1e-12))
    assert changed != "0.7554347826086957"
    assert compare_table(*pair(tmp_path, TABLE, TABLE.replace("0.7554347826086957", changed))).empty


def test_label_and_boolean_changes_are_reported(tmp_path):
    actual = TABLE.replace("boys,198,,False", "Boys,198,,True")
    diff = compare_table(*pair(tmp_path, TABLE, actual))
    assert records(diff) == [
        ("t.csv", 3, "label", "boys", "Boys"),
        ("t.csv", 3, "significant", "False", "True"),
    ]


def test_integer_column_is_compared_as_text(tmp_path):
    # No cell of `count` looks like a float, so "0170" and "170" are different text.
    diff = compare_table(*pair(tmp_path, TABLE, TABLE.replace("girls,170", "girls,0170")))
    assert records(diff) == [("t.csv", 2, "count", "170", "0170")]


def test_one_float_looking_cell_in_either_file_makes_a_float_column(tmp_path):
    # The rule looks at both files: "368.0" makes `count` a float column, so 368 == 368.0.
    assert compare_table(*pair(tmp_path, TABLE, TABLE.replace("all,368,", "all,368.0,"))).empty


def test_float_column_compares_values_not_spelling(tmp_path):
    expected = "x\n0.5\n1e-3\nnan\n\n0.0\n1e-310\n"
    actual = "x\n0.50\n0.001\nNaN\n\n-0.0\n0\n"
    assert compare_table(*pair(tmp_path, expected, actual)).empty


def test_nan_equals_nan_but_not_a_number_or_empty(tmp_path):
    expected = "x,y\nnan,1.5\nnan,2.5\n"
    actual = "x,y\nnan,1.5\n0.1,2.5\n"
    assert records(compare_table(*pair(tmp_path, expected, actual))) == [
        ("t.csv", 2, "x", "nan", "0.1")
    ]
    # pandas writes an empty cell of a one-column table as "".
    empty = compare_table(*pair(tmp_path, "x\n1.5\n2.5\n", 'x\n1.5\n""\n'))
    assert records(empty) == [("t.csv", 2, "x", "2.5", "")]


def test_small_value_is_not_equal_to_zero(tmp_path):
    # Absolute tolerance is 0: only values within 1e-300 of zero count as zero.
    diff = compare_table(*pair(tmp_path, "p\n0.0\n", "p\n1e-20\n"))
    assert records(diff) == [("t.csv", 1, "p", "0.0", "1e-20")]


def test_missing_column_is_one_whole_table_difference(tmp_path):
    actual = "\n".join(line.rsplit(",", 1)[0] for line in TABLE.splitlines()) + "\n"
    diff = compare_table(*pair(tmp_path, TABLE, actual))
    [(file, row, column, expected, found)] = records(diff)
    assert (file, row, column) == ("t.csv", None, None)
    assert "significant" in expected and "significant" not in found


def test_extra_row_is_one_whole_table_difference(tmp_path):
    diff = compare_table(*pair(tmp_path, TABLE, TABLE + "other,1,0.5,False\n"))
    assert records(diff) == [("t.csv", None, None, "3 rows", "4 rows")]


def test_missing_and_new_files_are_reported(tmp_path):
    write(tmp_path / "expected" / "same.csv", TABLE)
    write(tmp_path / "actual" / "same.csv", TABLE)
    write(tmp_path / "expected" / "gone.csv", TABLE)
    write(tmp_path / "actual" / "new.csv", TABLE)
    diff = compare_dirs(tmp_path / "expected", tmp_path / "actual")
    rows = {r[0]: r for r in records(diff)}
    assert set(rows) == {"gone.csv", "new.csv"}
    assert rows["gone.csv"][1:4] == (None, None, "file present")
    assert rows["gone.csv"][4] == "file missing"
    assert rows["new.csv"][3].startswith("file missing") and rows["new.csv"][4] == "file present"


def test_compare_dirs_refuses_a_missing_directory(tmp_path):
    (tmp_path / "expected").mkdir()
    with pytest.raises(FileNotFoundError):
        compare_dirs(tmp_path / "expected", tmp_path / "nowhere")


def test_format_differences_shows_each_field_and_the_rest(tmp_path):
    actual = TABLE.replace("girls,170", "girls,171").replace("boys,", "lads,")
    diff = compare_table(*pair(tmp_path, TABLE, actual, name="prevalence.csv"))
    text = format_differences(diff)
    header, first, second = text.splitlines()
    assert header.split() == ["file", "row", "column", "old", "new"]
    assert first.split() == ["prevalence.csv", "2", "count", "170", "171"]
    assert second.split() == ["prevalence.csv", "3", "label", "boys", "lads"]
    assert format_differences(diff, limit=1).endswith("... and 1 more")
    assert format_differences(diff.iloc[:0]) == "no differences"


def test_update_reference_copies_and_removes(tmp_path):
    results, reference = tmp_path / "results", tmp_path / "reference"
    write(results / "kept.csv", TABLE)
    write(results / "changed.csv", TABLE.replace("170", "171"))
    write(results / "added.csv", TABLE)
    write(reference / "kept.csv", TABLE)
    write(reference / "changed.csv", TABLE)
    write(reference / "removed.csv", TABLE)
    changes = update_reference(results, reference)
    assert changes == ["added added.csv", "changed changed.csv", "removed removed.csv"]
    assert sorted(p.name for p in reference.iterdir()) == ["added.csv", "changed.csv", "kept.csv"]
    assert compare_dirs(reference, results).empty
    assert update_reference(results, reference) == []


def test_update_reference_refuses_empty_results(tmp_path):
    write(tmp_path / "reference" / "t.csv", TABLE)
    (tmp_path / "results").mkdir()
    with pytest.raises(FileNotFoundError, match="run the pipeline first"):
        update_reference(tmp_path / "results", tmp_path / "reference")
    assert (tmp_path / "reference" / "t.csv").exists()


def test_update_reference_script_reports_and_reminds(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        "update_reference_script", ROOT / "tools" / "update_reference.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    write(tmp_path / "results" / "t.csv", TABLE)
    argv = ["--results", str(tmp_path / "results"), "--reference", str(tmp_path / "ref")]
    assert script.main(argv) == 0
    out = capsys.readouterr().out
    assert "added t.csv" in out and "git diff" in out
    assert script.main(["--results", str(tmp_path / "none"), "--reference", "x"]) == 1


# The key requirement: changing any single number of any reference table by 1e-6
# relative (or a count by 1) is a difference, reported at exactly that cell.

INTEGER = re.compile(r"[+-]?\d+")


def read_rows(path: Path) -> list[list[str]]:
    """A CSV's lines (header first) as lists of text cells."""
    with open(path, encoding="utf-8", newline="") as f:
        return [line for line in csv.reader(f) if line]


def numeric_cells(rows: list[list[str]]) -> list[tuple[int, int]]:
    """(row, column) of every finite non-zero number among the data rows, row by row."""
    cells = []
    for i, row in enumerate(rows[1:], start=1):
        for j, text in enumerate(row):
            value = parse_float(text)
            if value is not None and math.isfinite(value) and abs(value) > 1e-300:
                cells.append((i, j))
    return cells


def perturb(text: str) -> str:
    """An integer plus 1; any other number times 1 + 1e-6."""
    if INTEGER.fullmatch(text):
        return str(int(text) + 1)
    return repr(float(text) * (1 + 1e-6))


def reference_tables() -> list:
    """One test parameter per reference CSV, or a single skip saying why there are none."""
    tables = sorted(REFERENCE.glob("*.csv")) if REFERENCE.is_dir() else []
    if tables:
        return [pytest.param(path, id=path.name) for path in tables]
    reason = (
        "tests/expected has no reference CSVs yet: run `snakemake`, "
        "then `python tools/update_reference.py`, and review the diff"
    )
    return [pytest.param(None, id="no-reference", marks=pytest.mark.skip(reason=reason))]


@pytest.mark.parametrize("table", reference_tables())
def test_any_changed_number_in_a_reference_table_is_caught(table, tmp_path):
    rows = read_rows(table)
    cells = numeric_cells(rows)
    if not cells:
        pytest.skip(f"{table.name} has no non-zero numbers")
    # First, middle and last number: deterministic, and spread over the table.
    for k in sorted({0, len(cells) // 2, len(cells) - 1}):
        i, j = cells[k]
        changed = [list(row) for row in rows]
        changed[i][j] = perturb(rows[i][j])
        copy = tmp_path / str(k) / table.name
        copy.parent.mkdir()
        with open(copy, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(changed)
        diff = compare_table(table, copy)
        expected = [(table.name, i, rows[0][j], rows[i][j], changed[i][j])]
        assert records(diff) == expected, format_differences(diff)
