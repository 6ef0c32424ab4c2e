"""Confidence intervals for a binomial proportion, from statsmodels.

`proportion_confint(count, nobs, alpha, method)` returns `(ci_low, ci_upp)`, as
statsmodels' function of the same name does; inputs may be scalars or arrays.
statsmodels computes every interval (`statsmodels.stats.proportion.proportion_confint`);
this module adds one rule it lacks: the lower limit is exactly 0 at count = 0 and the
upper limit exactly 1 at count = nobs.

Methods (this package's name, statsmodels' in brackets):
- wilson ("wilson"): score interval; the default (good coverage for small n and p
  near 0). statsmodels leaves rounding residue such as 3e-17 at the boundaries.
- clopper_pearson ("beta"): exact, from beta quantiles; conservative.
- jeffreys ("jeffreys"): equal-tailed Beta(x + 1/2, n - x + 1/2) interval, with the
  boundary modification of Brown, Cai & DasGupta (2001, Statistical Science
  16:101-133): lower = 0 at x = 0, upper = 1 at x = n. statsmodels 0.15 returns the
  unmodified beta quantiles there (e.g. 4.8e-05 for the lower limit of 0 of 10).
- agresti_coull ("agresti_coull"): add z^2/2 successes and failures, then the Wald
  formula.
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats import proportion

METHODS = ("wilson", "clopper_pearson", "jeffreys", "agresti_coull")
STATSMODELS_NAMES = {
    "wilson": "wilson",
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
}


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
    with np.errstate(invalid="ignore"):  # beta(0, .) is undefined; set by the boundary rule
        low, upp = proportion.proportion_confint(x, n, alpha, method=STATSMODELS_NAMES[method])
    low = np.clip(np.where(x > 0, low, 0.0), 0.0, 1.0)
    upp = np.clip(np.where(x < n, upp, 1.0), 0.0, 1.0)
    if low.ndim == 0:
        return float(low), float(upp)
    return low, upp


def count_range_confint(count_min, count_max, nobs, alpha: float = 0.05, method="wilson"):
    """Interval for a count known only as a range (e.g. from a rounded percentage).

    From the lower limit at the smallest count to the upper limit at the largest, so
    it covers every count the range allows; returns (ci_low, ci_upp).
    """
    ci_low, _ = proportion_confint(count_min, nobs, alpha, method)
    _, ci_upp = proportion_confint(count_max, nobs, alpha, method)
    return ci_low, ci_upp


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
