"""The corpus of crafted extracts (tests/fixtures/extracts/): each through the function the
clean_extract rule runs, with the outcome written down when the file was built.

Only two outcomes are allowed: the files written (the right clean rows, the right rows
quarantined, numbered as Excel or an editor shows them) or the project's DataError with
the right message. Anything else (a traceback) fails.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import ROOT

from triennial.data.errors import DataError
from triennial.pipeline.extract import clean_extract

CORPUS = ROOT / "tests/fixtures/extracts"
CODEBOOK = ROOT / "data/raw/extracts/codebook.schema.json"
START, END = "2014-04-01", "2017-03-31"
OUTPUTS = ("clean", "reviews", "quarantine", "cleaning_log", "summary")


def cases() -> list[dict]:
    with open(CORPUS / "expected.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def run(case: dict, tmp_path: Path) -> SimpleNamespace:
    """clean_extract on one file; the outputs' paths."""
    out = SimpleNamespace(**{k: tmp_path / f"{k}.csv" for k in OUTPUTS})
    clean_extract(
        [str(CORPUS / case["file"])], str(CODEBOOK), START, END, out, sheet=case["sheet"] or None
    )
    return out


def where(row: pd.Series) -> str:
    """A quarantined row as expected.csv writes it: 'row', or 'sheet!row' in a workbook."""
    source = str(row["source_file"])
    return (
        f"{source.split('!', 1)[1]}!{row['source_row']}"
        if "!" in source
        else str(row["source_row"])
    )


def test_the_corpus_is_what_make_corpus_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(
        p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "make_corpus.py"
    )  # not __pycache__, where Python keeps make_corpus compiled
    assert made == [n for n in committed if n != "README.md"]
    for name in made:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name


def test_the_corpus_covers_what_the_issue_lists():
    names = {c["file"] for c in cases()}
    assert len(names) >= 25
    assert {c["outcome"] for c in cases()} == {"clean", "error"}
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".csv") for n in names)


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c['file']}[{c['sheet']}]")
def test_each_file_gives_its_expected_outcome(case, tmp_path, capsys):
    fragments = [f for f in case["message_contains"].split("|") if f]
    if case["outcome"] == "error":
        with pytest.raises(DataError) as err:
            run(case, tmp_path)
        message = err.value.message()
        for fragment in fragments:
            assert fragment in message, message
        for problem in err.value.problems:  # every problem names the file
            assert problem.file.startswith(str(CORPUS / case["file"])), problem
        return
    out = run(case, tmp_path)
    clean = pd.read_csv(out.clean, dtype=str, keep_default_na=False)
    quarantine = pd.read_csv(out.quarantine, dtype=str, keep_default_na=False)
    assert len(clean) == int(case["clean_count"])
    expected = [r for r in case["quarantine_rows"].split(";") if r]
    got = sorted(quarantine.apply(where, axis=1)) if len(quarantine) else []
    assert got == sorted(expected), quarantine["reason"].tolist()
    assert (quarantine["reason"].str.len() > 0).all()
    warned = capsys.readouterr().err
    for fragment in fragments:
        assert "WARNING: " in warned and fragment in warned, warned
    if not fragments:
        assert "WARNING" not in warned, warned


def test_excel_date_and_number_cells_become_the_codebooks_text(tmp_path):
    """xlsx_typed_cells: review i notified on 2014-04-01 + i days, as a date cell (a day
    number in a 'General' cell for i = 3), aged 24 months as a number (24.0 for i = 2)."""
    out = run({"file": "xlsx_typed_cells.xlsx", "sheet": ""}, tmp_path)
    clean = pd.read_csv(out.clean, dtype=str, keep_default_na=False)
    assert clean["notification_date"].tolist() == [f"2014-04-0{1 + i}" for i in range(1, 6)]
    assert clean["age_months"].tolist() == ["24"] * 5
    assert clean["coding_round"].tolist() == ["1"] * 5
    log = pd.read_csv(out.cleaning_log, dtype=str, keep_default_na=False)
    dates = log[log["column"] == "notification_date"]
    # 2014-04-04 is day 41733 counted from Excel's day zero, 1899-12-30
    assert dates[["row", "old_value", "new_value"]].values.tolist() == [
        ["4", "41733", "2014-04-04"]
    ]
