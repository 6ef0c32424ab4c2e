"""Cohen's kappa against independent references: scikit-learn for kappa, statsmodels
for the Fleiss-Cohen-Everitt standard error (the module does not use it), and hand
calculations."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa
from statsmodels.stats.proportion import proportion_confint

from triennial.stats.agreement import (
    COLUMNS,
    agreement_table,
    cohens_kappa,
    crosstab,
    kappa_from_table,
)

EXAMPLES = [
    (list("aabbc"), list("abbbc")),
    (["yes", "no", "no", "yes", "no", "no"], ["yes", "no", "yes", "yes", "no", "no"]),
    # Categories one coder never used still count in the union.
    (list("aaabbbccd"), list("aabbbcccc")),
    (["x"] * 7 + ["y"] * 3, ["x"] * 5 + ["y"] * 2 + ["x"] * 3),
]


def expand(table):
    """Pairs of codes (row category, column category) reproducing a table of counts."""
    a, b = [], []
    for i, row in enumerate(np.asarray(table)):
        for j, count in enumerate(row):
            a += [f"c{i}"] * int(count)
            b += [f"c{j}"] * int(count)
    return a, b


@pytest.mark.parametrize(("a", "b"), EXAMPLES)
def test_kappa_matches_sklearn(a, b):
    metrics = pytest.importorskip("sklearn.metrics")
    assert cohens_kappa(a, b)["kappa"] == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-12)


def test_two_by_two_by_hand():
    # 20 reviews: both yes 8, a yes / b no 2, a no / b yes 3, both no 7.
    a = ["yes"] * 10 + ["no"] * 10
    b = ["yes"] * 8 + ["no"] * 2 + ["yes"] * 3 + ["no"] * 7
    result = cohens_kappa(a, b)
    observed = (8 + 7) / 20  # 0.75
    expected = (10 / 20) * (11 / 20) + (10 / 20) * (9 / 20)  # 0.275 + 0.225 = 0.5
    kappa = (observed - expected) / (1 - expected)  # 0.5
    assert result["nobs"] == 20
    assert result["agreement"] == pytest.approx(0.75, abs=1e-12)
    assert result["expected"] == pytest.approx(0.5, abs=1e-12)
    assert result["kappa"] == pytest.approx(kappa, abs=1e-12)
    assert kappa == pytest.approx(0.5)


def test_standard_error_of_a_two_by_two_by_hand():
    """Fleiss, Cohen & Everitt (1969) eq. 13 for the table [[8, 2], [3, 7]], in exact steps.

    p = [[.4, .1], [.15, .35]]; row totals .5, .5; column totals .55, .45; kappa 0.5.
    A = .4 (1 - 1.05 x .5)^2 + .35 (1 - .95 x .5)^2 = .18671875
    B = .5^2 [.1 (.55 + .5)^2 + .15 (.45 + .5)^2] = .06140625
    C = (.5 - .5 x .5)^2 = .0625; var = (A + B - C) / (20 x .5^2) = .037125.
    """
    result = kappa_from_table([[8, 2], [3, 7]])
    assert result["kappa"] == pytest.approx(0.5, abs=1e-12)
    assert result["se"] == pytest.approx(math.sqrt(0.037125), abs=1e-12)


def test_perfect_agreement_where_statsmodels_gives_no_se():
    """The module docstring's reason for its own formula: cp_plan_category's table."""
    table = np.diag([1.0, 1, 5, 27, 1, 1, 1])
    with np.errstate(invalid="ignore"):
        ref = sm_kappa(table)
    assert ref.var_kappa < 0 and math.isnan(ref.std_kappa)
    ours = kappa_from_table(table)
    assert ours["kappa"] == pytest.approx(1.0, abs=1e-12)
    assert 0 <= ours["se"] < 1e-8 and ours["ci_upp"] == 1.0


@pytest.mark.parametrize(
    "table",
    [
        # Made-up tables with unequal margins: 3 x 3, 2 x 2 and 4 x 4.
        [[106, 10, 4], [22, 28, 10], [2, 12, 6]],
        [[8, 2], [3, 7]],
        [[20, 5, 1, 0], [4, 15, 3, 1], [0, 2, 18, 6], [1, 0, 4, 9]],
    ],
)
def test_se_and_interval_match_statsmodels(table):
    ours = kappa_from_table(table, alpha=0.05)
    ref = sm_kappa(np.asarray(table, dtype=float))  # statsmodels: 95% interval
    assert ours["kappa"] == pytest.approx(ref.kappa, abs=1e-12)
    assert ours["se"] == pytest.approx(ref.std_kappa, abs=1e-12)
    # Not the null-hypothesis se, which differs whenever kappa is not 0.
    assert ours["se"] != pytest.approx(ref.std_kappa0, abs=1e-6)
    # The interval: Clopper-Pearson for the agreement (statsmodels' "beta"), mapped
    # through kappa = (p_o - p_e) / (1 - p_e) with p_e as observed.
    t = np.asarray(table, dtype=float)
    low, upp = proportion_confint(np.trace(t), t.sum(), alpha=0.05, method="beta")
    pe = ours["expected"]
    assert ours["ci_low"] == pytest.approx(max((low - pe) / (1 - pe), -1), abs=1e-12)
    assert ours["ci_upp"] == pytest.approx(min((upp - pe) / (1 - pe), 1), abs=1e-12)
    # The same numbers from the codes themselves.
    assert cohens_kappa(*expand(table)) == pytest.approx(ours, nan_ok=True)


def test_interval_has_the_requested_level():
    a, b = EXAMPLES[2]
    narrow, wide = cohens_kappa(a, b, alpha=0.1), cohens_kappa(a, b, alpha=0.01)
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    low, upp = proportion_confint(agree, len(a), alpha=0.1, method="beta")
    pe = narrow["expected"]
    assert narrow["ci_low"] == pytest.approx(max((low - pe) / (1 - pe), -1), abs=1e-12)
    assert wide["ci_low"] < narrow["ci_low"] <= narrow["kappa"]


@pytest.mark.parametrize(("prevalence", "kappa"), [(0.5, 0.4), (0.2, 0.7), (0.5, 0.9)])
def test_interval_covers_the_true_kappa_at_the_agreement_tables_size(prevalence, kappa):
    """The interval holds p_e at its observed value, so its coverage is not exact by
    construction: simulated here. Two coders of a yes/no code on 37 reviews (the double-
    coded subsample's size), with the given prevalence and true kappa (symmetric
    disagreement); 600 tables each. Coverage must reach the nominal 95% less three Monte
    Carlo standard errors (about 2.7 points); measured 96-99% over a wider grid."""
    pe = prevalence**2 + (1 - prevalence) ** 2
    d = (1 - (kappa * (1 - pe) + pe)) / 2  # each off-diagonal cell's probability
    cells = [1 - prevalence - d, d, d, prevalence - d]
    rng = np.random.default_rng(20190901)
    covered, defined, reps = 0, 0, 600
    for _ in range(reps):
        result = kappa_from_table(rng.multinomial(37, cells).reshape(2, 2))
        if np.isnan(result["kappa"]):
            continue
        defined += 1
        covered += result["ci_low"] <= kappa <= result["ci_upp"]
    assert defined > 0.95 * reps
    share = covered / defined
    assert share >= 0.95 - 3 * np.sqrt(0.95 * 0.05 / defined)


def test_interval_is_within_minus_one_one():
    result = cohens_kappa(list("aabbc"), list("abbbc"))
    assert -1 <= result["ci_low"] <= result["kappa"] <= result["ci_upp"] <= 1


def test_perfect_agreement_gives_an_interval_that_does_not_collapse():
    codes = list("abcabcaab")
    result = cohens_kappa(codes, codes)
    assert result["kappa"] == pytest.approx(1.0, abs=1e-12)
    assert result["se"] == pytest.approx(0.0, abs=1e-12)
    # All 9 agree: the exact lower limit of the agreement is 0.025^(1/9), by hand.
    pe = result["expected"]
    assert result["ci_low"] == pytest.approx((0.025 ** (1 / 9) - pe) / (1 - pe), abs=1e-12)
    assert result["ci_low"] < 1 and result["ci_upp"] == 1.0
    assert result["note"] == ""


def test_single_shared_category_leaves_kappa_undefined():
    result = cohens_kappa(["no"] * 6, ["no"] * 6)
    assert result["agreement"] == 1.0
    assert result["expected"] == 1.0
    for key in ("kappa", "se", "ci_low", "ci_upp"):
        assert math.isnan(result[key])
    assert "undefined" in result["note"] and "'no'" in result["note"]


def test_complete_disagreement_with_balanced_margins_gives_kappa_minus_one():
    result = cohens_kappa(list("abab"), list("baba"))
    assert result["kappa"] == pytest.approx(-1.0)


def test_crosstab_uses_the_union_of_categories():
    table = crosstab(list("aab"), list("abc"))
    np.testing.assert_array_equal(table, [[1, 1, 0], [0, 0, 1], [0, 0, 0]])


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (list("ab"), list("abc"), "different numbers"),
        ([], [], "no items"),
        (["a", None], ["a", "b"], "missing"),
    ],
)
def test_bad_input_is_refused(a, b, message):
    with pytest.raises(ValueError, match=message):
        cohens_kappa(a, b)


def test_agreement_table_one_row_per_variable():
    first = pd.DataFrame(
        {
            "neglect": ["yes", "no", "no", "yes", "no", "no"],
            "housing": ["poor", "ok", "ok", "ok", "poor", None],
            "police": ["no"] * 6,
        }
    )
    second = pd.DataFrame(
        {
            "neglect": ["yes", "no", "yes", "yes", "no", "no"],
            "housing": ["poor", "ok", "poor", "ok", np.nan, "ok"],
            "police": ["no"] * 6,
        }
    )
    table = agreement_table(first, second, ["neglect", "housing", "police"])
    assert list(table.columns) == COLUMNS
    assert list(table["variable"]) == ["neglect", "housing", "police"]
    neglect = cohens_kappa(first["neglect"], second["neglect"])
    assert table.loc[0, "kappa"] == pytest.approx(neglect["kappa"])
    assert table.loc[0, "note"] == ""
    # Rows 4 and 5 each lack one coder's code: kappa from the other four pairs.
    housing = cohens_kappa(["poor", "ok", "ok", "ok"], ["poor", "ok", "poor", "ok"])
    assert table.loc[1, "nobs"] == 4
    assert table.loc[1, "kappa"] == pytest.approx(housing["kappa"])
    assert "2 pair(s)" in table.loc[1, "note"]
    assert math.isnan(table.loc[2, "kappa"])
    assert "undefined" in table.loc[2, "note"]
    assert (table["method"] == "clopper_pearson_agreement").all()


def test_agreement_table_refuses_misaligned_tables():
    with pytest.raises(ValueError, match="length"):
        agreement_table(pd.DataFrame({"v": ["a"]}), pd.DataFrame({"v": ["a", "b"]}), ["v"])
    with pytest.raises(KeyError, match="w"):
        agreement_table(pd.DataFrame({"v": ["a"]}), pd.DataFrame({"v": ["a"]}), ["w"])
