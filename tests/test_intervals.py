"""Interval functions against independent references: statsmodels, hand calculation,
the binomial definition of the exact interval, and published textbook values."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint as sm_confint

from triennial.stats.intervals import METHODS, effective_sample_size, proportion_confint

# statsmodels' names for our methods
SM = {
    "wilson": "wilson",
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
}


def test_wilson_208_of_278_matches_statsmodels_and_hand_calculation():
    low, upp = proportion_confint(208, 278, 0.05, "wilson")
    assert (low, upp) == pytest.approx(sm_confint(208, 278, 0.05, "wilson"), abs=1e-10)
    # Hand calculation: centre and half-width of the score interval.
    z = 1.959963984540054
    p = 208 / 278
    centre = (208 + z**2 / 2) / (278 + z**2)
    half = z * math.sqrt(278) / (278 + z**2) * math.sqrt(p * (1 - p) + z**2 / (4 * 278))
    assert low == pytest.approx(centre - half, abs=1e-10)
    assert upp == pytest.approx(centre + half, abs=1e-10)
    assert (round(low, 4), round(upp, 4)) == (0.6940, 0.7956)


def test_clopper_pearson_208_of_278_matches_statsmodels_and_binomial_definition():
    low, upp = proportion_confint(208, 278, 0.05, "clopper_pearson")
    assert (low, upp) == pytest.approx(sm_confint(208, 278, 0.05, "beta"), abs=1e-10)
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


@pytest.mark.parametrize("method", METHODS)
def test_all_methods_agree_with_statsmodels_away_from_the_boundaries(method):
    x = np.array([1, 3, 26, 50, 99, 153, 277])
    n = np.array([17, 38, 107, 107, 278, 278, 278])
    low, upp = proportion_confint(x, n, 0.1, method)
    sm_low, sm_upp = sm_confint(x, n, 0.1, SM[method])
    np.testing.assert_allclose(low, sm_low, atol=1e-10)
    np.testing.assert_allclose(upp, sm_upp, atol=1e-10)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("x", "n"), [(0, 1), (0, 25), (25, 25), (1, 1), (3, 7)])
def test_intervals_contain_the_estimate_and_stay_in_unit_interval(method, x, n):
    low, upp = proportion_confint(x, n, 0.05, method)
    assert 0 <= low <= x / n <= upp <= 1


@pytest.mark.parametrize("method", ["clopper_pearson", "jeffreys"])
def test_boundary_rules(method):
    # Brown, Cai & DasGupta (2001): lower limit 0 at x = 0, upper limit 1 at x = n.
    assert proportion_confint(0, 30, 0.05, method)[0] == 0.0
    assert proportion_confint(30, 30, 0.05, method)[1] == 1.0


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
