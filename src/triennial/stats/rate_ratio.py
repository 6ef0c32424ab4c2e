"""The ratio of two periods' rates of events, with Wald and exact intervals.

`rate_ratio` gives the incidence rate ratio of two periods with two intervals: the
log-Wald one from statsmodels (`confint_poisson_2indep(..., method="wald-log")`) and
the exact conditional one, which statsmodels 0.15 does not have (its "exact-cond" is
marked "NOT YET"): Clopper-Pearson on the binomial split of the total.
`rate_ratio_range` carries published ranges (30 to 32 a year) through at both ends.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from statsmodels.stats.rates import confint_poisson_2indep

from triennial.stats.intervals import proportion_confint


def rate_ratio(count_a, exposure_a, count_b, exposure_b, alpha: float = 0.05) -> pd.DataFrame:
    """IRR = (count_a / exposure_a) / (count_b / exposure_b) with two intervals.

    wald: exp(log IRR +- z sqrt(1/a + 1/b)) (statsmodels' "wald-log"); missing when
    a count is 0.
    exact_conditional: given the total a + b, a is binomial with
    p = IRR e_a / (IRR e_a + e_b), so the Clopper-Pearson interval for p maps to
    IRR = p / (1 - p) x e_b / e_a (Breslow & Day 1987, Statistical Methods in
    Cancer Research II, section 2.3). Counts may be non-integer (a published rate
    times years); the beta quantiles are defined for them.
    Returns rows (method wald, exact_conditional): count_a, exposure_a, count_b,
    exposure_b, estimate, ci_low, ci_upp, method.
    """
    a, b = float(count_a), float(count_b)
    ea, eb = float(exposure_a), float(exposure_b)
    if a < 0 or b < 0 or a + b == 0:
        raise ValueError(f"counts must be >= 0 and not both 0; got {count_a}, {count_b}")
    if ea <= 0 or eb <= 0:
        raise ValueError(f"exposures must be positive; got {exposure_a}, {exposure_b}")
    irr = (a / ea) / (b / eb) if b > 0 else math.inf
    if a > 0 and b > 0:
        low, upp = confint_poisson_2indep(a, ea, b, eb, method="wald-log", alpha=alpha)
        wald = (float(low), float(upp))
    else:
        wald = (math.nan, math.nan)
    p_low, p_upp = proportion_confint(a, a + b, alpha, "clopper_pearson")
    exact = (_odds(p_low) * eb / ea, _odds(p_upp) * eb / ea)
    base = {"count_a": a, "exposure_a": ea, "count_b": b, "exposure_b": eb, "estimate": irr}
    return pd.DataFrame(
        [
            {**base, "ci_low": wald[0], "ci_upp": wald[1], "method": "wald"},
            {**base, "ci_low": exact[0], "ci_upp": exact[1], "method": "exact_conditional"},
        ]
    )


def _odds(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)


def _ends(value) -> tuple[float, float]:
    """(low, high) of a published range, or (value, value) for a single number."""
    if np.ndim(value) == 0:
        return float(value), float(value)
    low, high = (float(v) for v in value)
    if low > high:
        raise ValueError(f"a range is (low, high); got {value}")
    return low, high


def rate_ratio_range(count_a, exposure_a, count_b, exposure_b, alpha: float = 0.05):
    """rate_ratio at both ends when inputs are published ranges, e.g. count_a=(150, 160).

    Any argument may be a number or a (low, high) pair. The "low" end combines the
    values giving the smallest IRR (smallest count_a and exposure_b, largest
    exposure_a and count_b), "high" the largest. Returns rate_ratio's rows with an
    `end` column first.
    """
    a, ea, b, eb = _ends(count_a), _ends(exposure_a), _ends(count_b), _ends(exposure_b)
    low = rate_ratio(a[0], ea[1], b[1], eb[0], alpha)
    high = rate_ratio(a[1], ea[0], b[0], eb[1], alpha)
    out = pd.concat([low.assign(end="low"), high.assign(end="high")], ignore_index=True)
    return out[["end", *low.columns]]
