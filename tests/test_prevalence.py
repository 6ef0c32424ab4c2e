"""Prevalence and published-vs-reproduced tables built from the published figures."""

import pandas as pd
import pytest
from conftest import DESCRIPTOR
from statsmodels.stats.proportion import proportion_confint as sm_confint

from triennial.analysis.comparison import published_vs_reproduced
from triennial.analysis.prevalence import COLUMNS, FinitePopulation, prevalence_table, proportions
from triennial.data import published


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return published.clean(DESCRIPTOR)[0]


def row(table: pd.DataFrame, row_id: str) -> pd.Series:
    return table.set_index("row_id").loc[row_id]


def test_tidy_columns_come_first(clean):
    prev = prevalence_table(clean)
    assert list(prev.columns) == COLUMNS
    assert COLUMNS[:8] == [
        "measure",
        "group",
        "count",
        "nobs",
        "estimate",
        "ci_low",
        "ci_upp",
        "method",
    ]


@pytest.mark.parametrize(
    ("method", "sm_method"), [("wilson", "wilson"), ("clopper_pearson", "beta")]
)
def test_printed_counts_get_the_interval_of_their_count(clean, method, sm_method):
    prev = prevalence_table(clean, method=method, alpha=0.05)
    neglect = row(prev, "neg_feature")
    assert (neglect["count"], neglect["nobs"]) == (208, 278)
    assert neglect["estimate"] == pytest.approx(208 / 278)
    expected = sm_confint(208, 278, 0.05, sm_method)
    assert (neglect["ci_low"], neglect["ci_upp"]) == pytest.approx(expected, abs=1e-10)


def test_derived_counts_span_every_count_the_rounding_allows(clean):
    prev = prevalence_table(clean)
    boys = row(prev, "key_boys")  # 54% of 368: counts 197 to 200
    assert pd.isna(boys["count"]) and (boys["count_min"], boys["count_max"]) == (197, 200)
    assert boys["estimate"] == pytest.approx(0.54)
    assert boys["ci_low"] == pytest.approx(sm_confint(197, 368, 0.05, "wilson")[0], abs=1e-12)
    assert boys["ci_upp"] == pytest.approx(sm_confint(200, 368, 0.05, "wilson")[1], abs=1e-12)
    assert "count not printed" in boys["caveat"]


def test_minimum_rates_say_so(clean):
    prev = prevalence_table(clean)
    assert row(prev, "t1_mental_health")["minimum_rate"]
    assert "minimum" in row(prev, "t4_poverty")["caveat"]
    assert not row(prev, "t2_poverty")["minimum_rate"]


def test_finite_population_correction_only_where_the_reports_stand_for_reviews(clean):
    plain = prevalence_table(clean)
    fpc = prevalence_table(clean, fpc=FinitePopulation(368, 278))
    assert list(fpc.loc[fpc["fpc_applied"], "nobs"].unique()) == [278]
    assert not row(fpc, "flow_qualitative_sample")["fpc_applied"]
    assert not row(fpc, "t3_behaviour_total")["fpc_applied"]  # N = 165, population unknown
    narrow = row(fpc, "t1_mental_health")
    wide = row(plain, "t1_mental_health")
    assert (
        wide["ci_low"] < narrow["ci_low"] < narrow["estimate"] < narrow["ci_upp"] < wide["ci_upp"]
    )
    with pytest.raises(ValueError, match="sample 400 of population 368"):
        FinitePopulation(368, 400)


def test_nothing_is_dropped_silently(clean):
    kept, left_out = proportions(clean)
    assert len(kept) + len(left_out) == len(clean)
    reasons = left_out.set_index("row_id")["reason"]
    assert reasons["t3_cse_under_1"] == "cell printed as '-'"
    assert reasons["flow_notified"] == "not a proportion (kind: count)"


def test_every_printed_percentage_is_reproduced_or_explained(clean):
    comparison = published_vs_reproduced(clean)
    assert not (comparison["match"] == False).any()  # noqa: E712
    unexplained = comparison["match"].isna() & (comparison["explanation"] == "")
    assert not unexplained.any()
    neglect = row(comparison, "key_neglect")
    assert neglect["reproduced"] == pytest.approx(100 * 208 / 278)
    assert neglect["reproduced_rounded"] == "74.8"
    assert row(comparison, "key_nonfatal_per_year_2014_17")["reproduced"] == pytest.approx(54)


def test_a_wrong_percentage_would_show_as_a_mismatch(clean):
    wrong = clean.copy()
    wrong.loc[wrong["row_id"] == "t1_drug_misuse", "percent_printed"] = "40"
    comparison = published_vs_reproduced(wrong)
    assert row(comparison, "t1_drug_misuse")["match"] == False  # noqa: E712
