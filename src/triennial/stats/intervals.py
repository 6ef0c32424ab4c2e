"""Confidence intervals for a binomial proportion.

Written out from the formulas (Brown, Cai & DasGupta 2001, Statistical Science
16:101-133) rather than wrapped, so the tests can check them against statsmodels
and against hand calculations as independent references. Naming follows
statsmodels: `proportion_confint(count, nobs, alpha, method)` returns
`(ci_low, ci_upp)`; inputs may be scalars or arrays.

Methods:
- wilson: score interval; the default (good coverage for small n and p near 0).
- clopper_pearson: exact, from beta quantiles; conservative.
- jeffreys: equal-tailed Beta(x + 1/2, n - x + 1/2) interval, with the boundary
  modification of Brown, Cai & DasGupta (lower = 0 at x = 0, upper = 1 at x = n).
- agresti_coull: add z^2/2 successes and failures, then the Wald formula.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

METHODS = ("wilson", "clopper_pearson", "jeffreys", "agresti_coull")


def proportion_confint(count, nobs, alpha: float = 0.05, method: str = "wilson"):
    """Two-sided 100(1 - alpha)% interval for count / nobs; returns (ci_low, ci_upp).

    count and nobs may be non-integer (an effective sample size after a finite
    population correction); all methods here are defined for real arguments.
    """
    if method not in METHODS:
        raise ValueError(f"unknown interval method {method!r}; expected one of {METHODS}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha!r}")
    x = np.asarray(count, dtype=float)
    n = np.asarray(nobs, dtype=float)
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= count <= nobs and nobs > 0")
    low, upp = _INTERVALS[method](x, n, alpha)
    low, upp = np.clip(low, 0.0, 1.0), np.clip(upp, 0.0, 1.0)
    if low.ndim == 0:
        return float(low), float(upp)
    return low, upp


def _wilson(x, n, alpha):
    z = stats.norm.isf(alpha / 2)
    p = x / n
    centre = (x + z**2 / 2) / (n + z**2)
    half = z * np.sqrt(n) / (n + z**2) * np.sqrt(p * (1 - p) + z**2 / (4 * n))
    # At x = 0 (x = n) the limit is exactly 0 (1); rounding can leave 1e-17 instead.
    return np.where(x > 0, centre - half, 0.0), np.where(x < n, centre + half, 1.0)


def _clopper_pearson(x, n, alpha):
    with np.errstate(invalid="ignore"):  # beta(0, .) is undefined; set by the boundary rule
        low = np.where(x > 0, stats.beta.ppf(alpha / 2, x, n - x + 1), 0.0)
        upp = np.where(x < n, stats.beta.isf(alpha / 2, x + 1, n - x), 1.0)
    return low, upp


def _jeffreys(x, n, alpha):
    low = np.where(x > 0, stats.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5), 0.0)
    upp = np.where(x < n, stats.beta.isf(alpha / 2, x + 0.5, n - x + 0.5), 1.0)
    return low, upp


def _agresti_coull(x, n, alpha):
    z = stats.norm.isf(alpha / 2)
    n_tilde = n + z**2
    p_tilde = (x + z**2 / 2) / n_tilde
    half = z * np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    return p_tilde - half, p_tilde + half


_INTERVALS = {
    "wilson": _wilson,
    "clopper_pearson": _clopper_pearson,
    "jeffreys": _jeffreys,
    "agresti_coull": _agresti_coull,
}


def effective_sample_size(nobs, population: float):
    """Sample size that carries a finite population correction into any interval.

    Sampling n of N units without replacement multiplies the variance of a
    proportion by (N - n) / (N - 1) (Cochran 1977, Sampling Techniques, eq. 3.4).
    Dividing n by that factor gives the effective sample size, which is then used
    in place of n with the count scaled to keep the same estimate (the
    effective-sample-size approach of Korn & Graubard 1998, Survey Methodology
    24:193-201). When n = N nothing is left to estimate: returns infinity.
    """
    n = np.asarray(nobs, dtype=float)
    if np.any(n > population):
        raise ValueError("sample larger than its population")
    with np.errstate(divide="ignore"):
        return n * (population - 1) / (population - n)
