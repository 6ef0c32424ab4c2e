"""Subgroup tests against independent references: scipy's chi-square and Fisher tests,
exact enumeration, hand calculations, Agresti's textbook trend example, and the
definitions of the Holm and Benjamini-Hochberg adjustments written out as loops
(statsmodels computes them in the module, so it is no reference here)."""

import math
from itertools import product

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from triennial.stats import association
from triennial.stats.association import (
    N_RESAMPLES,
    adjust_pvalues,
    cochran_armitage,
    compare_groups,
    freeman_halton_exact,
)


def counts(n, big_n, groups=None):
    groups = groups or [f"g{i}" for i in range(len(n))]
    return pd.DataFrame({"group": groups, "count": n, "nobs": big_n})


# Agresti, Categorical Data Analysis, 3rd ed., section 5.3.5: infant malformation
# by mother's alcohol consumption (drinks per day: 0, <1, 1-2, 3-5, >=6).
ALCOHOL = counts(
    [48, 38, 5, 1, 1],
    [17066 + 48, 14464 + 38, 788 + 5, 126 + 1, 37 + 1],
    ["0", "<1", "1-2", "3-5", ">=6"],
)
ALCOHOL_SCORES = [0, 0.5, 1.5, 4.0, 7.0]


# --- compare_groups -------------------------------------------------------------------


def test_chi_square_two_by_two_by_hand():
    # 30 of 100 against 45 of 100: every expected count is at least 37.5.
    result = compare_groups(counts([30, 45], [100, 100]))
    a, b, c, d = 30, 45, 70, 55  # with: group 1, group 2; without: group 1, group 2
    x2 = 200 * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    assert result["test"] == "chi_square"
    assert result["dof"] == 1
    assert result["statistic"] == pytest.approx(x2, abs=1e-10)
    assert result["p_value"] == pytest.approx(math.erfc(math.sqrt(x2 / 2)), abs=1e-12)
    assert result["min_expected"] == pytest.approx(37.5)
    assert result["note"] == ""


@pytest.mark.parametrize(
    ("n", "big_n"),
    [([30, 45], [100, 100]), ([12, 20, 31, 9], [60, 70, 80, 40]), ([50, 60, 75], [200, 180, 150])],
)
def test_chi_square_matches_scipy_without_continuity_correction(n, big_n):
    result = compare_groups(counts(n, big_n))
    table = np.array([n, np.subtract(big_n, n)])
    ref = stats.chi2_contingency(table, correction=False)
    assert result["test"] == "chi_square"
    assert result["statistic"] == pytest.approx(ref.statistic, rel=1e-12)
    assert result["dof"] == ref.dof == len(n) - 1
    assert result["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert result["min_expected"] == pytest.approx(ref.expected_freq.min())


def test_expected_count_of_exactly_five_still_uses_chi_square():
    assert compare_groups(counts([5, 5], [10, 10]))["test"] == "chi_square"


def test_fisher_when_an_expected_count_is_below_five():
    # 1 of 10 against 6 of 10: expected counts 3.5 with the characteristic.
    result = compare_groups(counts([1, 6], [10, 10]))
    assert result["test"] == "fisher_exact"
    assert result["dof"] is None
    assert result["min_expected"] == pytest.approx(3.5)
    assert result["p_value"] == pytest.approx(stats.fisher_exact([[1, 6], [9, 4]]).pvalue)
    # By hand: x = count with the characteristic in group 1 is hypergeometric given the
    # margins; the two-sided p sums the tables no more probable than the observed x = 1.
    prob = [math.comb(10, x) * math.comb(10, 7 - x) / math.comb(20, 7) for x in range(8)]
    assert result["statistic"] == pytest.approx(prob[1], rel=1e-12)
    p_hand = sum(q for q in prob if q <= prob[1] * (1 + 1e-9))
    assert result["p_value"] == pytest.approx(p_hand, rel=1e-10)


def exact_freeman_halton(n, big_n):
    """Exact p-value by listing every 2 x k table with the observed margins."""
    total, m = sum(big_n), sum(n)

    def prob(x):
        ways = math.prod(math.comb(size, k) for size, k in zip(big_n, x, strict=True))
        return ways / math.comb(total, m)

    # Every way of splitting the m with the characteristic among the groups.
    probs = [prob(x) for x in product(*(range(size + 1) for size in big_n)) if sum(x) == m]
    observed = prob(n)
    return observed, sum(q for q in probs if q <= observed * (1 + 1e-9))


@pytest.mark.parametrize(
    ("n", "big_n"),
    [
        ([1, 2, 6], [10, 10, 10]),
        ([0, 3, 1, 4], [6, 8, 5, 7]),
        ([2, 0, 5], [9, 4, 8]),
        ([1, 0, 0, 1], [1, 1, 1, 1]),  # one review per group: scipy returned arrays (issue 11)
        ([1, 0, 0, 1], [1, 1, 1, 2]),
    ],
)
def test_freeman_halton_for_more_than_two_groups_agrees_with_exact_enumeration(n, big_n):
    result = compare_groups(counts(n, big_n))
    observed, p_exact = exact_freeman_halton(n, big_n)
    assert result["test"] == "freeman_halton_exact"
    assert result["min_expected"] < 5
    assert result["statistic"] == pytest.approx(observed, rel=1e-10)
    assert result["p_value"] == pytest.approx(p_exact, rel=1e-10)


FH_R = pd.read_csv(ROOT / "tests/reference_r/freeman_halton.csv")


@pytest.mark.parametrize("row", range(len(FH_R)))
def test_freeman_halton_matches_r_fisher_test(row):
    # R's exact fisher.test (tests/reference_r/association.R) on the project's small
    # subgroup tables and a few made up.
    ref = FH_R.iloc[row]
    n = [int(x) for x in ref["n"].split()]
    big_n = [int(x) for x in ref["N"].split()]
    table = np.vstack([n, np.subtract(big_n, n)])
    assert freeman_halton_exact(table)["p_value"] == pytest.approx(ref["p_value"], abs=1e-8)


def test_freeman_halton_beyond_the_exact_limit_is_monte_carlo_with_its_error(monkeypatch):
    monkeypatch.setattr(association, "MAX_EXACT_TABLES", 10)
    data = counts([1, 2, 6], [10, 10, 10])
    result = compare_groups(data)
    assert result["test"] == "freeman_halton_monte_carlo"
    assert "Monte Carlo standard error" in result["note"] and "seed" in result["note"]
    _, p_exact = exact_freeman_halton([1, 2, 6], [10, 10, 10])
    se = math.sqrt(p_exact * (1 - p_exact) / N_RESAMPLES)
    assert abs(result["p_value"] - p_exact) < 4 * se + 1 / N_RESAMPLES
    assert compare_groups(data) == compare_groups(data)
    assert compare_groups(data, seed=1)["p_value"] != compare_groups(data, seed=2)["p_value"]


def test_no_one_with_the_characteristic_gives_p_one():
    result = compare_groups(counts([0, 0, 0], [5, 7, 3]))
    assert result["p_value"] == 1.0
    assert "every group" in result["note"]


def test_groups_of_size_zero_are_dropped_with_a_note():
    with_empty = compare_groups(counts([30, 45, 0], [100, 100, 0], ["a", "b", "empty"]))
    without = compare_groups(counts([30, 45], [100, 100], ["a", "b"]))
    assert with_empty["statistic"] == without["statistic"]
    assert with_empty["dof"] == 1
    assert "dropped 1 group(s) with N = 0: empty" in with_empty["note"]


@pytest.mark.parametrize(
    ("n", "big_n", "message"),
    [
        ([3], [10], "two groups"),
        ([3, 0], [10, 0], "two groups"),
        ([11, 2], [10, 5], "n <= N"),
        ([-1, 2], [10, 5], "n <= N"),
        ([1.5, 2], [10, 5], "whole numbers"),
    ],
)
def test_bad_counts_are_refused(n, big_n, message):
    with pytest.raises(ValueError, match=message):
        compare_groups(counts(n, big_n))


# --- cochran_armitage -----------------------------------------------------------------


def test_cochran_armitage_agresti_alcohol_example():
    result = cochran_armitage(ALCOHOL, ALCOHOL_SCORES)
    # Hand calculation from the formula, written out term by term.
    x = [48, 38, 5, 1, 1]
    big_n = [17114, 14502, 793, 127, 38]
    t = ALCOHOL_SCORES
    total = sum(big_n)  # 32574
    p_bar = sum(x) / total  # 93 / 32574
    stat_t = sum(ti * (xi - ni * p_bar) for ti, xi, ni in zip(t, x, big_n, strict=True))
    s1 = sum(ni * ti for ti, ni in zip(t, big_n, strict=True))
    s2 = sum(ni * ti**2 for ti, ni in zip(t, big_n, strict=True))
    z = stat_t / math.sqrt(p_bar * (1 - p_bar) * (s2 - s1**2 / total))
    assert result["statistic"] == pytest.approx(z, rel=1e-12)
    # Agresti reports z^2 = 6.57 (z = 2.56), P = 0.01.
    assert round(result["statistic"] ** 2, 2) == 6.57
    assert round(result["statistic"], 2) == 2.56
    assert round(result["p_value"], 2) == 0.01
    assert result["p_value"] == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)
    assert result["scores"] == ALCOHOL_SCORES
    assert result["test"] == "cochran_armitage"


def test_cochran_armitage_relates_to_statsmodels_linear_by_linear_test():
    # Mantel's M^2 = (N - 1) r^2 differs from the Cochran-Armitage z^2 only by the
    # variance divisor (N rather than N - 1): z^2 = M^2 * N / (N - 1).
    table = Table(np.column_stack([ALCOHOL["count"], ALCOHOL["nobs"] - ALCOHOL["count"]]))
    ref = table.test_ordinal_association(
        row_scores=np.array(ALCOHOL_SCORES), col_scores=np.array([1.0, 0.0])
    )
    total = ALCOHOL["nobs"].sum()
    z = cochran_armitage(ALCOHOL, ALCOHOL_SCORES)["statistic"]
    assert z**2 == pytest.approx(ref.zscore**2 * total / (total - 1), rel=1e-9)
    assert np.sign(z) == np.sign(ref.zscore)


def test_cochran_armitage_with_two_groups_is_pearson_chi_square():
    result = cochran_armitage(counts([30, 45], [100, 100]))
    ref = stats.chi2_contingency([[30, 45], [70, 55]], correction=False)
    assert result["statistic"] ** 2 == pytest.approx(ref.statistic, rel=1e-12)
    assert result["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)


def test_cochran_armitage_default_scores_and_direction():
    rising = counts([2, 5, 9, 14], [20, 20, 20, 20])
    result = cochran_armitage(rising)
    assert result["scores"] == [0.0, 1.0, 2.0, 3.0]
    assert result["statistic"] > 0
    falling = cochran_armitage(rising.iloc[::-1].reset_index(drop=True))
    assert falling["statistic"] == pytest.approx(-result["statistic"])
    # Linear rescaling of the scores changes nothing.
    assert cochran_armitage(rising, [10, 12, 14, 16])["statistic"] == pytest.approx(
        result["statistic"]
    )


def test_cochran_armitage_without_variation_is_nan_with_a_note():
    result = cochran_armitage(counts([0, 0, 0], [10, 12, 8]))
    assert math.isnan(result["statistic"]) and math.isnan(result["p_value"])
    assert result["note"]


def test_cochran_armitage_needs_one_score_per_group():
    with pytest.raises(ValueError, match="one score per group"):
        cochran_armitage(counts([1, 2, 3], [10, 10, 10]), [0, 1])


# --- adjust_pvalues -------------------------------------------------------------------


def test_adjustments_by_hand():
    p = [0.01, 0.04, 0.03, 0.005]
    # Holm: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04;
    # running maximum 0.02, 0.03, 0.06, 0.06.
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.03, 0.06, 0.06, 0.02], atol=1e-15)
    # BH: sorted times 4/1, 4/2, 4/3, 4/4 = 0.02, 0.02, 0.04, 0.04; running minimum from
    # the top leaves them unchanged.
    np.testing.assert_allclose(adjust_pvalues(p, "fdr_bh"), [0.02, 0.04, 0.04, 0.02], atol=1e-15)
    # Capped at 1.
    np.testing.assert_array_equal(adjust_pvalues([0.6, 0.7], "holm"), [1.0, 1.0])


def by_definition(p, method: str) -> list[float]:
    """Holm: the largest of min(1, (m - j + 1) p_(j)) over ranks j up to the p-value's own.
    Benjamini-Hochberg: the smallest of min(1, m p_(j) / j) over ranks j from its own up."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    for rank, i in enumerate(order):
        if method == "holm":
            out[i] = max(min(1.0, (m - j) * p[order[j]]) for j in range(rank + 1))
        else:
            out[i] = min(min(1.0, m * p[order[j]] / (j + 1)) for j in range(rank, m))
    return out


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
@pytest.mark.parametrize("size", [1, 2, 7, 50, 500])
def test_adjustments_match_their_definitions(method, size):
    rng = np.random.default_rng(20190901 + size)
    # A mixture of small and uniform p-values, with ties from rounding.
    p = np.where(rng.random(size) < 0.3, rng.random(size) * 0.01, rng.random(size))
    p = np.round(p, 3)
    want = by_definition(list(p), method)
    np.testing.assert_allclose(adjust_pvalues(p, method), want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_nan_p_values_pass_through_and_do_not_count(method):
    p = [0.01, np.nan, 0.04, 0.03, np.nan, 0.005]
    adjusted = adjust_pvalues(p, method)
    assert np.isnan(adjusted[[1, 4]]).all()
    clean = adjust_pvalues([0.01, 0.04, 0.03, 0.005], method)
    np.testing.assert_allclose(adjusted[[0, 2, 3, 5]], clean, atol=1e-15)
    assert np.isnan(adjust_pvalues([np.nan], method)).all()
    assert adjust_pvalues([], method).size == 0


def test_adjust_refuses_unknown_method_and_bad_values():
    with pytest.raises(ValueError, match="unknown adjustment"):
        adjust_pvalues([0.1], "bonferroni")
    with pytest.raises(ValueError, match="between 0 and 1"):
        adjust_pvalues([0.1, 1.2], "holm")
