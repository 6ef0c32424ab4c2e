"""Interval functions against independent references: hand calculation of each formula,
the binomial definition of the exact interval, and published textbook values.

statsmodels computes the intervals (triennial.stats.intervals wraps it), so it is not
a reference here; it appears only to show the boundary rule the wrapper adds."""

import math

import numpy as np
import pytest
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint as sm_confint

from triennial.stats.intervals import METHODS, effective_sample_size, proportion_confint

Z90 = stats.norm.isf(0.05)


def test_wilson_208_of_278_by_hand():
    low, upp = proportion_confint(208, 278, 0.05, "wilson")
    # Hand calculation: centre and half-width of the score interval.
    z = 1.959963984540054
    p = 208 / 278
    centre = (208 + z**2 / 2) / (278 + z**2)
    half = z * math.sqrt(278) / (278 + z**2) * math.sqrt(p * (1 - p) + z**2 / (4 * 278))
    assert low == pytest.approx(centre - half, abs=1e-10)
    assert upp == pytest.approx(centre + half, abs=1e-10)
    assert (round(low, 4), round(upp, 4)) == (0.6940, 0.7956)


def test_clopper_pearson_208_of_278_is_the_binomial_definition():
    low, upp = proportion_confint(208, 278, 0.05, "clopper_pearson")
    # By definition the exact limits are where a binomial tail equals alpha/2.
    assert stats.binom.sf(207, 278, low) == pytest.approx(0.025, abs=1e-10)
    assert stats.binom.cdf(208, 278, upp) == pytest.approx(0.025, abs=1e-10)


@pytest.mark.parametrize(
    ("x", "n", "wilson", "exact"),
    [
        # Newcombe (1998) Statistics in Medicine 17:857-872, Table II (methods 3 and 5).
        (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
        (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
        (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
        (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
    ],
)
def test_textbook_values(x, n, wilson, exact):
    assert proportion_confint(x, n, 0.05, "wilson") == pytest.approx(wilson, abs=6e-5)
    assert proportion_confint(x, n, 0.05, "clopper_pearson") == pytest.approx(exact, abs=6e-5)


def by_hand(x: int, n: int, method: str) -> tuple[float, float]:
    """90% limits written out from each method's definition, one (x, n) at a time."""
    if method == "wilson":  # Wilson (1927): the p where |x/n - p| = z sqrt(p(1 - p)/n)
        roots = np.roots([1 + Z90**2 / n, -(2 * x / n + Z90**2 / n), (x / n) ** 2])
        return min(roots), max(roots)
    if method == "clopper_pearson":  # the p where a binomial tail equals alpha/2
        low = optimize.brentq(lambda p: stats.binom.sf(x - 1, n, p) - 0.05, 1e-12, 1 - 1e-12)
        upp = optimize.brentq(lambda p: stats.binom.cdf(x, n, p) - 0.05, 1e-12, 1 - 1e-12)
        return low, upp
    if method == "jeffreys":  # equal tails of the Beta(x + 1/2, n - x + 1/2) posterior
        return stats.beta.ppf([0.05, 0.95], x + 0.5, n - x + 0.5)
    # Agresti & Coull (1998): Wald's formula after adding z^2/2 successes and failures
    n_t = n + Z90**2
    p_t = (x + Z90**2 / 2) / n_t
    half = Z90 * math.sqrt(p_t * (1 - p_t) / n_t)
    return max(p_t - half, 0.0), min(p_t + half, 1.0)  # truncated to [0, 1], as they advise


@pytest.mark.parametrize("method", METHODS)
def test_every_method_is_its_formula_away_from_the_boundaries(method):
    x = np.array([1, 3, 26, 50, 99, 153, 277])
    n = np.array([17, 38, 107, 107, 278, 278, 278])
    low, upp = proportion_confint(x, n, 0.1, method)
    want = np.array([by_hand(a, b, method) for a, b in zip(x, n, strict=True)])
    np.testing.assert_allclose(low, want[:, 0], rtol=1e-9)
    np.testing.assert_allclose(upp, want[:, 1], rtol=1e-9)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("x", "n"), [(0, 1), (0, 25), (25, 25), (1, 1), (3, 7)])
def test_intervals_contain_the_estimate_and_stay_in_unit_interval(method, x, n):
    low, upp = proportion_confint(x, n, 0.05, method)
    assert 0 <= low <= x / n <= upp <= 1


@pytest.mark.parametrize("method", METHODS)
def test_boundary_rules(method):
    # Brown, Cai & DasGupta (2001): lower limit exactly 0 at x = 0, upper exactly 1 at x = n.
    assert proportion_confint(0, 30, 0.05, method)[0] == 0.0
    assert proportion_confint(30, 30, 0.05, method)[1] == 1.0
    low, upp = proportion_confint(np.array([0, 5, 30]), np.array([30, 30, 30]), 0.05, method)
    assert low[0] == 0.0 and upp[2] == 1.0


def test_jeffreys_boundary_is_what_statsmodels_lacks():
    """statsmodels' Jeffreys interval keeps the beta quantiles at x = 0 and x = n."""
    raw_low = stats.beta.ppf(0.025, 0.5, 10.5)  # 4.8e-05: the unmodified lower limit
    assert sm_confint(0, 10, 0.05, "jeffreys")[0] == pytest.approx(raw_low, rel=1e-12)
    assert sm_confint(10, 10, 0.05, "jeffreys")[1] < 1
    assert proportion_confint(0, 10, 0.05, "jeffreys") == (
        0.0,
        pytest.approx(stats.beta.ppf(0.975, 0.5, 10.5), rel=1e-12),
    )


def test_jeffreys_is_the_beta_posterior_interval():
    low, upp = proportion_confint(7, 40, 0.05, "jeffreys")
    assert low == pytest.approx(stats.beta.ppf(0.025, 7.5, 33.5), abs=1e-12)
    assert upp == pytest.approx(stats.beta.ppf(0.975, 7.5, 33.5), abs=1e-12)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown interval method 'wald'"):
        proportion_confint(1, 10, 0.05, "wald")
    with pytest.raises(ValueError, match="count <= nobs"):
        proportion_confint(11, 10)
    with pytest.raises(ValueError, match="alpha"):
        proportion_confint(1, 10, alpha=1.5)


def test_effective_sample_size_by_hand():
    # 278 of 368: factor (368 - 278) / (368 - 1) = 90 / 367.
    assert effective_sample_size(278, 368) == pytest.approx(278 * 367 / 90)
    with pytest.raises(ValueError):
        effective_sample_size(400, 368)


def test_finite_population_correction_narrows_the_interval():
    plain = proportion_confint(208, 278)
    n_eff = effective_sample_size(278, 368)
    corrected = proportion_confint(208 / 278 * n_eff, n_eff)
    assert plain[0] < corrected[0] < 208 / 278 < corrected[1] < plain[1]
