"""The national panel's 2023-24 figures, the 2009–11 early help figures, and then-and-now.

Checked against Newcombe's published values, against a hand calculation of Newcombe's
interval from the Wilson formula at both ends of each rounding range, and against the
list of figures the sources print.
"""

from __future__ import annotations

import math
import re
import shutil

import pandas as pd
import pytest
from conftest import PUBLISHED, ROOT, edit_cell

from triennial.data.errors import DataError
from triennial.data.panel import read_panel, readings
from triennial.data.series import read_trends
from triennial.stats.difference import difference_confint, difference_range_confint

PANEL = PUBLISHED / "panel" / "datapackage.json"
TRENDS = PUBLISHED / "trends" / "datapackage.json"
EXPECTED = ROOT / "tests" / "expected"
Z = 1.959963984540054  # the 97.5% normal quantile


@pytest.fixture(scope="module")
def panel():
    series, _ = read_trends(TRENDS)
    return read_panel(PANEL, series)


# Newcombe (1998) Statistics in Medicine 17:873-890, Table II, method 10, for p1 - p2.
@pytest.mark.parametrize(
    "x1, n1, x2, n2, low, upp",
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
    ],
)
def test_newcombe_matches_his_published_examples(x1, n1, x2, n2, low, upp):
    # difference_confint(earlier..., later...) is later - earlier: p1 is the later one here
    got = difference_confint(x2, n2, x1, n1)
    assert got == pytest.approx((low, upp), abs=5e-5)


def wilson(x: float, n: int) -> tuple[float, float]:
    """Wilson's score interval by its formula (Newcombe 1998, method 3)."""
    centre, half = 2 * x + Z**2, Z * math.sqrt(Z**2 + 4 * x * (1 - x / n))
    return (centre - half) / (2 * (n + Z**2)), (centre + half) / (2 * (n + Z**2))


def newcombe_by_hand(x1, n1, x2, n2) -> tuple[float, float]:
    """p2 - p1 with Newcombe's hybrid score interval, from the two Wilson intervals."""
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    d = p2 - p1
    return d - math.hypot(p2 - l2, u1 - p1), d + math.hypot(u2 - p2, p1 - l1)


def ends(readings_: list[tuple]) -> list[tuple[int, int]]:
    """(count, nobs) at both ends of each reading's range."""
    return [(x, n) for low, high, n in readings_ for x in (low, high)]


@pytest.mark.parametrize(
    "comparison, earlier, later",
    [
        # a parent's mental health: 153 of 278 reports; 53% of 330 reviews or 485 children
        ("parental_mental_health", [(153, 153, 278)], [(174, 176, 330), (255, 259, 485)]),
        # previously known: 22% of 368 reviews; 38% of 330 reviews or 485 children
        (
            "social_care_previous_then_now",
            [(80, 82, 368)],
            [(124, 127, 330), (182, 186, 485)],
        ),
    ],
)
def test_then_and_now_intervals_agree_with_a_hand_calculation(comparison, earlier, later):
    table = pd.read_csv(EXPECTED / "then_and_now.csv").set_index("comparison_id")
    row = table.loc[comparison]
    hand = [newcombe_by_hand(x1, n1, x2, n2) for x1, n1 in ends(earlier) for x2, n2 in ends(later)]
    assert row["ci_low"] == pytest.approx(min(low for low, _ in hand), abs=1e-12)
    assert row["ci_upp"] == pytest.approx(max(upp for _, upp in hand), abs=1e-12)
    # and the search over every count in the ranges finds the same ends
    assert difference_range_confint(earlier, later) == pytest.approx(
        (row["ci_low"], row["ci_upp"]), abs=1e-12
    )


def test_counts_follow_the_printed_rounding_for_both_bases(panel):
    figure = panel.figures.set_index("row_id").loc["ar_parental_mental_health"]
    # 53% of 330: 52.5% to 53.5% is 173.25 to 176.55; of 485: 254.6 to 259.5
    assert readings(figure, panel.bases) == [(174, 176, 330), (255, 259, 485)]


def test_a_minimum_base_reads_the_percentage_as_a_real_count(panel):
    figure = panel.figures.set_index("row_id").loc["efh_missing"]
    # 57% is no whole share of the 78 reviews: the children outnumber them
    ((low, high, nobs),) = readings(figure, panel.bases)
    assert (low, high, nobs) == (pytest.approx(0.565 * 78), pytest.approx(0.575 * 78), 78)


# Every percentage the issue lists from the panel's 2023-24 findings, its extrafamilial
# harm analysis and the 2009–11 early help figures: (measure, group, printed).
PRINTED = [
    ("known_to_social_care", "all", "87"),
    ("social_care_open_case", "all", "49"),
    ("social_care_previous_case", "all", "38"),
    ("neglect", "all", "49"),
    ("physical_abuse", "all", "48"),
    ("emotional_abuse", "all", "20"),
    ("sexual_abuse_or_exploitation", "all", "18"),
    ("child_mental_health", "all", "22"),
    ("parental_mental_health", "all", "53"),
    ("parental_alcohol_or_drug_misuse", "all", "43"),
    ("domestic_abuse", "all", "47"),
    ("lack_of_coordination", "all", "81"),
    ("lack_of_professional_curiosity", "all", "66"),
    ("weak_risk_assessment", "all", "62"),
    ("youth_or_gang_violence", "extrafamilial_harm", "56"),
    ("criminal_exploitation", "extrafamilial_harm", "55"),
    ("sexual_abuse_or_exploitation", "extrafamilial_harm", "40"),
    ("black_children", "extrafamilial_harm", "24"),
    ("black_children", "comparison_sample", "8"),
    ("not_in_education", "extrafamilial_harm", "26"),
    ("poor_school_attendance", "extrafamilial_harm", "59"),
    ("child_in_need", "extrafamilial_harm", "67"),
    ("child_protection_plan_ever", "extrafamilial_harm", "38"),
    ("known_to_youth_offending_team", "extrafamilial_harm", "49"),
    ("repeatedly_missing", "extrafamilial_harm", "57"),
]
EARLY_HELP = [("social_care_open_case", "42"), ("social_care_previous_case", "23")]
EARLY_HELP += [("referral_not_accepted", "14")]
NOT_USED = ["52", "37", "15", "48", "26", "22"]  # the readers' poll


def registry_keys() -> set[str]:
    text = (ROOT / "report" / "references.bib").read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{(\w+),", text, re.M))


def assert_cited(r, keys: set[str]) -> None:
    """A listed figure names its source (a registry key), where in it, and its words."""
    where = (r.row_id, r.percent_printed)
    assert isinstance(r.source, str) and r.source in keys, (*where, r.source)
    for column in ("locator", "quote"):
        value = getattr(r, column)
        assert isinstance(value, str) and value.strip(), (*where, column)
    assert str(r.percent_printed) in r.quote, (*where, "the quote does not print the figure")


def test_every_listed_figure_is_transcribed_second_hand_with_its_primary(panel):
    figures, keys = panel.figures, registry_keys()
    for measure, group, printed in PRINTED:
        rows = figures[
            (figures["measure"] == measure)
            & (figures["group"] == group)
            & (figures["percent_printed"] == printed)
            & (figures["period_label"] == "2023-24")
        ]
        assert len(rows) == 1, (measure, group, printed)
        (r,) = rows.itertuples()
        assert_cited(r, keys)
        assert (r.status, r.primary_source, r.primary_checked) == (
            "second-hand",
            "csprp2024annual",
            False,
        )
    early = figures[figures["analysis"] == "early_help"]
    shown = zip(early["measure"], early["percent_printed"], strict=True)
    assert sorted(shown) == sorted(EARLY_HELP)
    # the report Ofsted's footnote cites (its text names the 2009–11 analysis)
    assert set(early["primary_source"]) == {"brandon2010"}
    for r in early.itertuples():
        assert_cited(r, keys)
    efh = figures.set_index("row_id").loc["efh_reviews"]
    assert (efh["count"], panel.bases[efh["nobs_row_id"]]) == (78, 330)
    poll = panel.not_used[panel.not_used["source"] == "communitycare2024poll"]
    assert sorted(poll["percent_printed"]) == sorted(NOT_USED)
    for r in panel.not_used.itertuples():
        assert_cited(r, keys)


def test_not_comparable_pairs_carry_a_reason_and_no_number():
    table = pd.read_csv(EXPECTED / "then_and_now.csv")
    apart = table[~table["comparable"]]
    assert len(apart) >= 3 and apart["why"].str.len().gt(20).all()
    assert apart[["difference", "ci_low", "ci_upp"]].isna().all().all()
    shown = table[table["comparable"]]
    assert shown[["difference", "ci_low", "ci_upp"]].notna().all().all()
    assert (shown["ci_low"] <= shown["difference"]).all()
    assert (shown["difference"] <= shown["ci_upp"]).all()


@pytest.fixture
def panel_copy(tmp_path):
    shutil.copytree(PUBLISHED / "panel", tmp_path / "panel")
    return tmp_path / "panel"


@pytest.mark.parametrize(
    "row_id, column, value, named, expected",
    [
        ("ar_neglect", "nobs_row_id", "no_such_row", None, "the row id of a count"),
        ("ar_neglect", "percent_printed", "149", None, "at most 100"),
        ("ar_neglect", "nobs_is_minimum", "false", None, None),  # valid: 49% of 485 is whole
        # 57% is no whole share of 78: only a minimum base can hold it
        (
            "efh_missing",
            "nobs_is_minimum",
            "",
            ("nobs_row_id", "efh_reviews"),
            "57% is a whole count",
        ),
        ("efh_reviews", "count", "331", None, "at most its base"),
    ],
)
def test_a_bad_figure_is_named_by_file_row_column_and_value(
    panel_copy, row_id, column, value, named, expected
):
    line = edit_cell(panel_copy / "figures.csv", row_id, column, value)
    column, value = named or (column, value)
    series, _ = read_trends(TRENDS)
    if expected is None:
        read_panel(panel_copy / "datapackage.json", series)
        return
    with pytest.raises(DataError) as err:
        read_panel(panel_copy / "datapackage.json", series)
    message = str(err.value)
    assert f"figures.csv, row {line}, column '{column}': value '{value}'" in message
    assert expected in message
