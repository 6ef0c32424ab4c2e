"""Bring your own data: a partnership's extract gives the local report, suppressed.

The run (`local_run`, in conftest.py) is shared by these read-only tests.
"""

import json
import re

import pandas as pd
import pytest
from attack import Attack, published_counts
from folders import LOCAL, LOCAL_PROCESSED
from reader import CHROMIUM, body_text, snake_case, table_rows_missing
from reader import pdf_text as reader_pdf_text

from triennial.analysis.measures import with_derived
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract

pytestmark = pytest.mark.pipeline
THRESHOLD = 5
COUNT_COLUMNS = ["count", "nobs", "count_min", "count_max", "extract_count", "extract_nobs"]


@pytest.fixture(scope="module")
def html(local_run) -> str:
    return (local_run / LOCAL / "report/local-report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(local_run) -> str:
    """The PDF's text, every run of white space one space (a count and its noun may sit on
    two lines)."""
    return re.sub(r"\s+", " ", reader_pdf_text(local_run / LOCAL / "report/local-report.pdf"))


def test_local_report_is_rendered_with_the_partnership_name(local_run, html):
    assert "Example Partnership (synthetic test data)" in html
    assert "Disclosure control" in html and "secondary suppression" in html
    assert not (local_run / LOCAL / "report/triennial-report.html").exists()


def test_no_small_count_in_any_results_table(local_run):
    for path in sorted((local_run / LOCAL / "tables").glob("*.csv")):
        table = pd.read_csv(path)
        for column in [c for c in COUNT_COLUMNS if c in table.columns]:
            values = pd.to_numeric(table[column], errors="coerce")
            small = values[(values >= 1) & (values < THRESHOLD)]
            assert small.empty, (path.name, column, small.tolist())


def cells(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    ]


def test_no_small_count_in_the_report_tables(html):
    found = [c for c in cells(html) if re.fullmatch(r"[1-4](/\d+)?|\d+/[1-4]", c)]
    assert found == []
    assert "suppressed" in cells(html)


def test_no_small_count_in_the_report_text(pdf_text):
    # counts in the prose come as "N of M reviews", "N rows", "N quarantined", "N reviews"
    small = re.findall(r"\b([1-4]) (?:of|rows|reviews|clean|quarantined)\b", pdf_text)
    assert small == []


def test_row_level_data_stays_out_of_results_and_the_report(local_run, html, pdf_text):
    """Clean extract, quarantine and cleaning log live in data/processed only."""
    published = [p.name for p in (local_run / LOCAL).rglob("*") if p.is_file()]
    for name in ("clean.csv", "reviews.csv", "quarantine.csv", "cleaning_log.csv"):
        assert name not in published
    ids = pd.read_excel(local_run / ".test/data/partnership_extract.xlsx")["review_id"]
    for review_id in ids:
        assert review_id not in html and review_id not in pdf_text


def test_local_report_has_nothing_unresolved(html, pdf_text):
    for marker in ("{{<", "?var:", "@fig-", "@tbl-", "@sec-", "??"):
        assert marker not in html and marker not in pdf_text, marker


def test_local_report_shows_no_code_names(local_run, html):
    assert snake_case(body_text(html)) == []
    assert snake_case(reader_pdf_text(local_run / LOCAL / "report/local-report.pdf")) == []


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_local_report_fits_a_phone_screen(phone_layouts):
    layout = phone_layouts["local"]
    assert layout["wide"] == [] and layout["captions"] == [] and layout["broken"] == []


def test_every_table_row_of_the_local_report_is_in_its_pdf(local_run):
    tables = sorted((local_run / LOCAL / "report_inputs").glob("tbl_*.md"))
    pdf = reader_pdf_text(local_run / LOCAL / "report/local-report.pdf")
    assert tables and table_rows_missing(pdf, tables) == []


@pytest.fixture(scope="module")
def attacker(local_run) -> Attack:
    return Attack(load_codebook(local_run / "data/raw/extracts/codebook.schema.json"), 6000)


@pytest.fixture(scope="module")
def shown(local_run) -> dict[str, float]:
    tables = local_run / LOCAL / "tables"
    return published_counts(
        pd.read_csv(tables / "extract_prevalence.csv"),
        pd.read_csv(tables / "subgroup_prevalence.csv"),
    )


def test_the_attack_recovers_no_suppressed_count_from_the_published_tables(
    local_run, attacker, shown
):
    """The independent integer-programming attack (tests/attack.py) on the run's own tables."""
    summary = json.loads((local_run / LOCAL_PROCESSED / "extract/summary.json").read_text())
    ranges = attacker.ranges(shown, summary["reviews"], enough=THRESHOLD)
    assert len(ranges) > 50
    assert {k: r for k, r in ranges.items() if r[1] - r[0] < THRESHOLD} == {}


def test_the_attack_works_out_no_small_unprinted_cell(local_run, attacker, shown):
    """Nor a small cell no table prints, by difference or sum. (While the audit checked
    only the cells it hid, it worked out 8 here: 17 reports noting domestic abuse less
    the 15 noting it and neglect, 23 deaths less the 21 with a report, 40 reviews less
    each social-care code's count, ...)"""
    data = with_derived(read_clean_extract(local_run / LOCAL_PROCESSED / "extract/reviews.csv"))
    assert len(attacker.cells_to_try.names) > 500
    assert attacker.cells(shown, data, THRESHOLD) == {}


def test_no_test_statistic_from_a_table_with_a_suppressed_count(local_run):
    tables = local_run / LOCAL / "tables"
    groups = pd.read_csv(tables / "subgroup_prevalence.csv")
    tests = pd.read_csv(tables / "subgroup_tests.csv")
    withheld = 0
    for _, t in tests.iterrows():
        rows = groups[(groups["measure"] == t["measure"]) & (groups["by"] == t["by"])]
        if rows[["count", "nobs"]].isna().any().any():
            assert pd.isna(t["statistic"]) and pd.isna(t["p_value"]) and pd.isna(t["p_holm"])
            withheld += 1
    assert withheld > 0
