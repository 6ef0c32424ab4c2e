"""Interval for the difference of two independent proportions, p2 - p1.

statsmodels computes Newcombe's hybrid score interval ("method 10" of Newcombe 1998,
Statistics in Medicine 17:873-890), built from the two Wilson intervals:
`confint_proportions_2indep(count2, nobs2, count1, nobs1, method="newcomb",
compare="diff")`. What statsmodels lacks is the case this project meets: figures
printed as rounded percentages of an ambiguous base, so each count is known only as a
range and each base as one of a few readings. `difference_range_confint` covers every
combination the printed figures allow.
"""

from __future__ import annotations

from itertools import product

from statsmodels.stats.proportion import confint_proportions_2indep


def difference_confint(count1, nobs1, count2, nobs2, alpha: float = 0.05):
    """Newcombe's hybrid score interval for count2/nobs2 - count1/nobs1 (later minus
    earlier); returns (ci_low, ci_upp)."""
    low, upp = confint_proportions_2indep(
        count2, nobs2, count1, nobs1, method="newcomb", compare="diff", alpha=alpha
    )
    return float(low), float(upp)


def difference_range_confint(readings1, readings2, alpha: float = 0.05):
    """Interval covering every reading of two rounded figures.

    Each `readings` is a list of (count_min, count_max, nobs): one entry per base the
    figure may be a share of, with the whole counts its printed percentage allows of that
    base. Returns the smallest lower and the largest upper limit of Newcombe's interval
    over every count in each range and every pair of bases (an exhaustive search: the
    ranges hold a handful of counts each).
    """
    lows, upps = [], []
    for (lo1, hi1, n1), (lo2, hi2, n2) in product(readings1, readings2):
        for x1, x2 in product(range(lo1, hi1 + 1), range(lo2, hi2 + 1)):
            low, upp = difference_confint(x1, n1, x2, n2, alpha)
            lows.append(low)
            upps.append(upp)
    return min(lows), max(upps)
