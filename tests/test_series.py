"""The annual series: provenance, checks, decimal years, model input."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, copy_package, edit_cell

from triennial.data.errors import DataError
from triennial.data.series import (
    DAYS_PER_YEAR,
    YEARS_TOLERANCE,
    check_series,
    decimal_year,
    model_input,
    read_trends,
)

TRENDS = ROOT / "data/raw/published/trends"


@pytest.fixture
def package(tmp_path):
    return copy_package(TRENDS, tmp_path)


def test_series_keep_definitions_apart_and_gaps_as_gaps():
    series, denominators = read_trends(TRENDS / "datapackage.json")
    total = series[series["series"] == "notifications_total"]
    assert "2017-18" not in set(total["period_label"])  # not found: left out, not zero
    # Ofsted and DfE counts share a definition; the panel's own counts are another series.
    assert set(series.loc[series["series"] == "panel_notifications", "counted_by"]) == {
        "Child Safeguarding Practice Review Panel"
    }
    both = total.set_index("period_label").loc["2019-20"]
    assert (both["count"], both["alternative_count"]) == (449, 448)
    rows = model_input(series, denominators)
    assert rows["count"].min() >= 0 and (rows["years"] > 0).all()


def test_periods_of_unequal_length_carry_their_exposure():
    series, denominators = read_trends(TRENDS / "datapackage.json")
    scr = model_input(series, denominators).query("series == 'scr_national_analyses'")
    assert list(scr["years"]) == [2, 2, 3, 3, 2.5]


@pytest.mark.parametrize(
    ("row_id", "column", "value", "named", "expected"),
    [
        ("notifications_total_2015_16", "count", "-5", "value '-5'", "at least 0"),
        (
            "notifications_total_2015_16",
            "period_start",
            "2014-04-01",
            "value '2014-04-01'",
            "one row per period",
        ),
        ("notifications_total_2015_16", "period_label", "2019-20", "value '2015-04-01'", "2019"),
        ("scr_2014_17", "years", "5", "value '5.0'", "the length of the period"),
    ],
)
def test_a_bad_series_row_is_named(package, row_id, column, value, named, expected):
    line = edit_cell(package.parent / "series.csv", row_id, column, value)
    if column == "period_start":  # a duplicated year: the row also no longer matches its label
        edit_cell(package.parent / "series.csv", row_id, "period_label", "2014-15")
        edit_cell(package.parent / "series.csv", row_id, "period_end", "2015-03-31")
    with pytest.raises(DataError) as info:
        read_trends(package)
    problems = [str(p) for p in info.value.problems]
    assert any(f"series.csv, row {line}" in p and named in p and expected in p for p in problems), (
        problems
    )


# --- check_series on model input (no `_line`: rows are numbered as CSV lines) ---------


@pytest.fixture
def counts():
    """The model input of one series: 2013-14 to 2023-24 (no 2017-18), row i on line i + 2."""
    rows = model_input(*read_trends(TRENDS / "datapackage.json"))
    return rows[rows["series"] == "notifications_total"].reset_index(drop=True)


def test_model_input_passes_the_checks(counts):
    assert check_series(counts, "trends.csv") == []
    # April 2013 to March 2014: halfway between 1 April 2013 and 1 April 2014, which
    # are both 90 days into their year.
    assert counts["midpoint"].iloc[0] == pytest.approx(2013.5 + 90 / DAYS_PER_YEAR, abs=1e-12)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("count", -3, "at least 0"),
        ("count", 2.5, "whole number"),
        ("years", 2.0, "the length of the period's dates, 1.002 years"),  # 2015-16: 366 days
        ("years", 1.2, "the length of the period's dates"),
        ("midpoint", 2030.1, "inside the period"),
        ("period_end", "2007-01-01", "after period_start"),
        ("period_start", "2015-13-01", "an ISO date"),
        ("system", "old", "one of scr, new"),
        ("population", -5, "a positive number of children"),
    ],
)
def test_a_bad_value_names_row_column_value(counts, column, value, expected):
    bad = counts.copy()
    bad[column] = bad[column].astype(object)
    bad.loc[2, column] = value  # data row 2 is line 4 of the CSV
    problems = check_series(bad, "trends.csv")
    assert len(problems) >= 1
    first = problems[0]
    assert (first.file, first.row, first.column) == ("trends.csv", 4, column)
    assert first.value == str(value)
    assert expected in first.expected


def test_years_within_the_tolerance_pass(counts):
    """Dates assumed to the nearest month pass; a length a month and a half off does not."""
    assert 1 / 12 < YEARS_TOLERANCE < 1 / 8
    near = counts.assign(years=counts["years"] + YEARS_TOLERANCE * 0.9)
    assert check_series(near, "trends.csv") == []
    far = counts.assign(years=counts["years"] + 1 / 8)
    assert len(check_series(far, "trends.csv")) == len(counts)


def test_duplicated_period(counts):
    bad = counts.copy()
    bad.loc[2] = bad.loc[1]  # the same financial year twice, on lines 3 and 4
    problems = check_series(bad, "trends.csv")
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "period_start", "2014-04-01")]
    assert "one row per period" in problems[0].expected and "line 3" in problems[0].expected


def test_overlap_and_line_column(counts):
    bad = counts.copy()
    # Line 5 (2016-17) moved to calendar 2016: it overlaps line 4 (2015-16).
    bad.loc[3, ["period_start", "period_end", "midpoint"]] = ["2016-01-01", "2016-12-31", 2016.5]
    bad["_line"] = range(10, 10 + len(bad))  # as read by triennial.data.tableschema
    problems = check_series(bad, "trends.csv")
    assert [(p.row, p.column) for p in problems] == [(13, "period_start")]
    assert "previous period's end (2016-03-31, line 12)" in problems[0].expected


def test_missing_column_and_two_series(counts):
    problems = check_series(counts.drop(columns="years"), "trends.csv")
    assert [(p.row, p.column) for p in problems] == [(1, "years")]
    # The same periods in another series are no clash.
    both = pd.concat([counts, counts.assign(series="rapid_reviews")], ignore_index=True)
    assert check_series(both, "trends.csv") == []


def test_decimal_year_of_one_date_and_of_a_series():
    assert decimal_year(date(2019, 1, 1)) == 2019.0
    assert decimal_year("2014-10-01") == pytest.approx(2014 + 273 / DAYS_PER_YEAR, abs=1e-12)
    many = decimal_year(pd.Series(["2019-01-01", "2020-12-31"]))
    np.testing.assert_allclose(many, [2019.0, 2020 + 365 / DAYS_PER_YEAR])
