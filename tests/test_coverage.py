"""Exact coverage of the interval methods, checked against simulation and known facts."""

import numpy as np
import pytest

from triennial.stats.coverage import coverage, coverage_summary, coverage_table
from triennial.stats.intervals import proportion_confint


@pytest.mark.parametrize(("n", "p", "method"), [(30, 0.1, "wilson"), (10, 0.3, "jeffreys")])
def test_exact_coverage_agrees_with_a_simulation(n, p, method):
    rng = np.random.default_rng(7)
    x = rng.binomial(n, p, size=200_000)
    low, upp = proportion_confint(x, np.full(x.size, n), 0.05, method)
    simulated = np.mean((low <= p) & (p <= upp))
    exact = coverage(n, np.array([p]), method)[0]
    assert simulated == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / x.size))


def test_clopper_pearson_never_undercovers_and_wilson_is_close_to_nominal():
    ps = np.round(np.arange(1, 51) / 100, 2)
    table = coverage_table([10, 50, 400], ps)
    exact = table[table["method"] == "clopper_pearson"]["coverage"]
    assert exact.min() >= 0.95 - 1e-12  # Clopper-Pearson is conservative by construction
    summary = coverage_summary(table).set_index("method")
    assert abs(summary.loc["wilson", "mean_coverage"] - 0.95) < 0.01
    assert summary.loc["clopper_pearson", "mean_coverage"] > summary.loc["wilson", "mean_coverage"]


def test_coverage_by_hand_for_n_equal_1():
    # n = 1: x = 0 or 1. Wilson at 95% gives [0, 0.7935] for x = 0 and [0.2065, 1] for x = 1,
    # so p = 0.5 is covered whatever x is: coverage 1.
    assert coverage(1, np.array([0.5]), "wilson")[0] == pytest.approx(1.0)
    low0, upp0 = proportion_confint(0, 1, 0.05, "wilson")
    assert (low0, round(upp0, 4)) == (0.0, 0.7935)
