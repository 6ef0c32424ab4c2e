"""Coded review extracts: the committed demonstration data, cleaning, quarantine, paths."""

import importlib.util
from datetime import date

import pandas as pd
import pytest
from conftest import DESCRIPTOR, ROOT

from triennial.analysis.comparison import compare_paths
from triennial.analysis.measures import compute
from triennial.data import published
from triennial.data.codebook import load_codebook
from triennial.data.errors import DataError
from triennial.data.extract import SOURCE_ROW, clean_extracts
from triennial.synthetic.reconstruct import reconstruct

EXTRACT = ROOT / "data/raw/extracts/synthetic_reconstruction_2014_17.csv"
CODEBOOK = load_codebook(ROOT / "data/raw/extracts/codebook.schema.json")
START, END = date(2014, 4, 1), date(2017, 3, 31)


def make_extracts():
    spec = importlib.util.spec_from_file_location("make_extracts", ROOT / "tools/make_extracts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cleaned():
    return clean_extracts([EXTRACT], CODEBOOK, START, END)


def raw_rows() -> pd.DataFrame:
    return pd.read_csv(EXTRACT, dtype=str, keep_default_na=False)


def test_committed_extract_regenerates_byte_for_byte(tmp_path):
    module = make_extracts()
    out = tmp_path / "extract.csv"
    module.write_csv(module.demonstration_extract(), out)
    assert out.read_bytes() == EXTRACT.read_bytes()


def test_codebook_page_is_up_to_date():
    from triennial.data.codebook import markdown

    page = ROOT / "data/raw/extracts/README.md"
    assert page.read_text(encoding="utf-8") == markdown(CODEBOOK)


def test_every_review_id_says_synthetic():
    assert raw_rows()["review_id"].str.startswith("SYN-").all()


def test_rows_in_equal_clean_plus_quarantined(cleaned):
    assert cleaned.rows_in == len(raw_rows())
    assert cleaned.rows_in == len(cleaned.clean) + len(cleaned.quarantine)
    # the one row typed in twice by mistake is quarantined, pointing to the row kept
    assert list(cleaned.quarantine["reason"].str.startswith("exact duplicate of row")) == [True]


def test_every_changed_value_is_logged(cleaned):
    raw = raw_rows()
    raw[SOURCE_ROW] = range(2, len(raw) + 2)
    logged = {(r, c) for r, c in zip(cleaned.log["row"], cleaned.log["column"], strict=True)}
    clean = cleaned.clean.set_index(SOURCE_ROW)
    for column in [c for c in CODEBOOK.required_columns if c != "age_months"]:
        typed = raw.set_index(SOURCE_ROW).loc[clean.index, column]
        changed = typed != clean[column].astype(str)
        missing = [row for row in changed[changed].index if (row, column) not in logged]
        assert missing == [], (column, missing[:5])


def test_cleaning_recovers_the_reconstruction_exactly(cleaned):
    figures, _ = published.clean(DESCRIPTOR)
    truth = reconstruct(figures)
    truth["review_id"] = "SYN-" + truth["review_id"]
    reviews = cleaned.reviews()[truth.columns]
    pd.testing.assert_frame_equal(
        reviews.astype(str).reset_index(drop=True), truth.astype(str).reset_index(drop=True)
    )


def test_double_coding_pairs(cleaned):
    first, second = cleaned.double_coded()
    assert len(first) == len(second) == 37
    assert (first["review_id"] == second["review_id"]).all()
    assert (first["coder"] != second["coder"]).all()


def test_extract_path_agrees_with_published_path(cleaned):
    figures, _ = published.clean(DESCRIPTOR)
    paths = compare_paths(figures, compute(cleaned.reviews(), CODEBOOK))
    assert len(paths) == 102
    assert paths["agree"].all(), paths[~paths["agree"]]


def small_extract(tmp_path, edits=(), drop=None, name="extract.csv"):
    """The first ten reviews of the demonstration extract, edited."""
    frame = raw_rows().head(10)
    for row, column, value in edits:
        frame.loc[row, column] = value
    if drop:
        frame = frame.drop(columns=drop)
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def quarantined(path) -> pd.DataFrame:
    result = clean_extracts([path], CODEBOOK, START, END)
    assert result.rows_in == len(result.clean) + len(result.quarantine)
    return result.quarantine


def test_unknown_code_is_quarantined_with_its_reason(tmp_path):
    q = quarantined(small_extract(tmp_path, [(3, "poverty", "maybe")]))
    assert list(q["source_row"]) == [5]
    assert "column 'poverty': value 'maybe': expected one of" in q["reason"].iloc[0]


def test_impossible_age_is_quarantined(tmp_path):
    q = quarantined(small_extract(tmp_path, [(0, "age_months", "250 months")]))
    assert "column 'age_months': value '250 months'" in q["reason"].iloc[0]


def test_date_outside_the_period_is_quarantined(tmp_path):
    q = quarantined(small_extract(tmp_path, [(1, "notification_date", "01/01/2019")]))
    assert "column 'notification_date': value '01/01/2019'" in q["reason"].iloc[0]


def test_conflicting_duplicate_review_is_quarantined_both_times(tmp_path):
    path = small_extract(tmp_path, [(4, "review_id", "SYN-R003")])
    q = quarantined(path)
    assert len(q) == 2
    assert q["reason"].str.contains("coded more than once in round 1 with conflicting").all()


def test_characteristic_coded_without_report_is_quarantined(tmp_path):
    frame = raw_rows().head(10)
    no_report = frame.index[frame["report_status"].str.strip().str.lower() != "available"]
    if len(no_report) == 0:
        frame.loc[0, "report_status"] = "not completed"
        row = 0
    else:
        row = no_report[0]
    frame.loc[row, "poverty"] = "Y"
    frame.to_csv(tmp_path / "e.csv", index=False)
    q = quarantined(tmp_path / "e.csv")
    assert "there is no final report" in " ".join(q["reason"])


def test_missing_column_stops_with_file_row_and_column(tmp_path):
    path = small_extract(tmp_path, drop=["outcome"])
    with pytest.raises(DataError) as info:
        clean_extracts([path], CODEBOOK, START, END)
    assert f"{path}, row 1, column 'outcome'" in str(info.value)


def test_extra_column_and_empty_file_stop(tmp_path):
    frame = raw_rows().head(3).assign(notes="free text")
    frame.to_csv(tmp_path / "extra.csv", index=False)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataError, match="column 'notes'"):
        clean_extracts([tmp_path / "extra.csv"], CODEBOOK, START, END)
    with pytest.raises(DataError, match="empty"):
        clean_extracts([tmp_path / "empty.csv"], CODEBOOK, START, END)


def test_xlsx_extracts_are_read(tmp_path):
    raw_rows().head(10).to_excel(tmp_path / "extract.xlsx", index=False)
    result = clean_extracts([tmp_path / "extract.xlsx"], CODEBOOK, START, END)
    assert len(result.clean) == 10 and result.quarantine.empty


@pytest.mark.parametrize(
    ("typed", "months"),
    [("3 months", 3), ("18m", 18), ("2 yrs", 24), ("2 years", 24), ("36", 36), ("1 year", 12)],
)
def test_ages_as_typed(tmp_path, typed, months):
    path = small_extract(tmp_path, [(0, "age_months", typed)])
    result = clean_extracts([path], CODEBOOK, START, END)
    assert result.quarantine.empty
    row = result.clean[result.clean[SOURCE_ROW] == 2].iloc[0]
    assert row["age_months"] == months
