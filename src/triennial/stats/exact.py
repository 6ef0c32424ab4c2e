"""A partnership's small count against a national figure printed as a rounded percentage.

The national figure is known only as a range of whole counts for each base it may be a
share of (`readings`: (count_min, count_max, nobs) per base). Each test or interval is
computed at every reading and the extremes reported, so that the result holds whatever
the unrounded figure and its base were:

- `fisher_range_pvalues`: Fisher's exact test (two-sided, as R's `fisher.test`: the
  tables no more probable than the one observed) of x of n against each national count
  c of m, as the 2 x 2 table [[x, n - x], [c, m - c]]; the smallest and the largest
  p-value. The largest is the conservative one to report: no reading gives less
  evidence of a difference.
- `readings_confint`: the union of the intervals of every reading.
"""

from __future__ import annotations

import math

from scipy.stats import fisher_exact

from triennial.stats.intervals import count_range_confint


def _counts(count_min, count_max) -> range:
    """The whole counts of a reading (a base that is a lower bound gives real ends)."""
    return range(math.ceil(count_min), math.floor(count_max) + 1)


def fisher_range_pvalues(x: int, n: int, readings) -> tuple[float, float]:
    """Smallest and largest two-sided Fisher p-value of x/n against every reading."""
    ps = [
        float(fisher_exact([[x, n - x], [c, m - c]]).pvalue)
        for low, high, m in readings
        for c in _counts(low, high)
    ]
    return min(ps), max(ps)


def readings_confint(readings, alpha: float = 0.05, method: str = "wilson"):
    """(ci_low, ci_upp) covering the interval of every count of every reading."""
    ends = [count_range_confint(low, high, m, alpha, method) for low, high, m in readings]
    return float(min(lo for lo, _ in ends)), float(max(up for _, up in ends))
