"""Bruising studies and the procedures audit: provenance, checks, per-study intervals."""

import pytest
from conftest import ROOT, copy_package, edit_cell
from statsmodels.stats.proportion import proportion_confint as sm_confint

from triennial.analysis.bruising_rates import audit_disagreements, audit_rates, base_rates
from triennial.data.errors import DataError
from triennial.data.studies import read_bruising

BRUISING = ROOT / "data/raw/published/bruising"
DESCRIPTOR = BRUISING / "datapackage.json"


@pytest.fixture
def package(tmp_path):
    return copy_package(BRUISING, tmp_path)


def test_studies_read_and_second_hand_figures_are_flagged():
    studies, audit = read_bruising(DESCRIPTOR)
    by_id = studies.set_index("row_id")
    assert not by_id.loc["carpenter_under_6m_seed", "verified"]
    assert by_id.loc["kemp_premobile_obs", "unit"] == "observation"
    assert by_id.loc["sugar_under_6m", "known_discrepancy"].startswith("2/366 = 0.55%")
    assert len(audit) == 11


@pytest.mark.parametrize("method", ["wilson", "jeffreys", "agresti_coull", "clopper_pearson"])
def test_per_study_intervals_follow_the_configured_method(method):
    """prevalence.method reaches the bruising intervals; the exact one is always beside it."""
    studies, _ = read_bruising(DESCRIPTOR)
    table = base_rates(studies, method)
    assert list(dict.fromkeys(table["method"])) == list(dict.fromkeys([method, "clopper_pearson"]))
    rates = table.query("method == @method").set_index("row_id")
    sm = {"clopper_pearson": "beta"}.get(method, method)
    row = rates.loc["pierce_5m_or_less"]
    assert (row["ci_low"], row["ci_upp"]) == pytest.approx(
        sm_confint(18, 1395, 0.05, sm), abs=1e-12
    )
    assert (rates["ci_low"] <= rates["estimate"]).all() and (
        rates["estimate"] <= rates["ci_upp"]
    ).all()
    assert rates["ci_low"].between(0, 1).all() and rates["ci_upp"].between(0, 1).all()


def test_derived_counts_keep_the_printed_percentage():
    studies, _ = read_bruising(DESCRIPTOR)
    kemp = (
        base_rates(studies)
        .query("method == 'wilson'")
        .set_index("row_id")
        .loc["kemp_premobile_obs"]
    )
    assert kemp["estimate"] == pytest.approx(0.067)
    assert (kemp["count_min"], kemp["count_max"]) == (68, 68)


def test_audit_keeps_both_sources_and_shows_where_they_differ():
    _, audit = read_bruising(DESCRIPTOR)
    rates = audit_rates(audit)
    assert set(rates["source"]) == {"bilsontalk", "bilson2022"}  # registry keys
    differ = audit_disagreements(audit).set_index("measure")
    assert differ.loc["immediate_section_47"].tolist() == [7, 8]
    assert differ.loc["strategy_meeting_every_case"].tolist() == [28, 27]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("count", "500", "at most nobs (366)"),
        ("count", "-2", "at least 0"),
        ("unit", "infant-week", "one of ['child', 'observation']"),
        ("percent_printed", "9.9", "2/366"),
    ],
)
def test_a_bad_study_row_is_named(package, column, value, expected):
    if column == "percent_printed":
        edit_cell(package.parent / "studies.csv", "sugar_under_6m", "known_discrepancy", "")
    line = edit_cell(package.parent / "studies.csv", "sugar_under_6m", column, value)
    with pytest.raises(DataError) as info:
        read_bruising(package)
    problems = [str(p) for p in info.value.problems]
    where = f"studies.csv, row {line}, column '{column}': value '{value}'"
    if column == "percent_printed":
        where = f"studies.csv, row {line}, column 'percent_printed'"
    assert any(where in p and expected in p for p in problems), problems
