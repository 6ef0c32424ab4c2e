"""The annual series: provenance, checks, model input."""

import pytest
from conftest import ROOT, copy_package, edit_cell

from triennial.data.errors import DataError
from triennial.data.series import model_input, read_trends

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
