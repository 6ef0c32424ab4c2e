"""How often each interval method covers the true proportion.

Coverage is computed exactly, not simulated: for n trials and true proportion p, the
interval method covers p with probability sum over x of P(X = x) [low(x) <= p <= upp(x)],
X ~ Binomial(n, p). No random error, so no seed is needed and reruns are identical.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from triennial.stats.intervals import METHODS, proportion_confint

# The grid the report's coverage comparison is computed over (sizes and true proportions).
GRID_SIZES = (10, 20, 30, 50, 75, 100, 150, 200, 300, 400)
GRID_PROPORTIONS = tuple(np.round(np.arange(1, 51) / 100, 2))


def coverage(nobs: int, p: np.ndarray, method: str, alpha: float = 0.05) -> np.ndarray:
    """Exact coverage probability of `method` at each true proportion in `p`, nobs trials."""
    x = np.arange(nobs + 1)
    low, upp = proportion_confint(x, np.full(nobs + 1, nobs), alpha, method)
    p = np.asarray(p, dtype=float)
    prob = stats.binom.pmf(x[None, :], nobs, p[:, None])  # rows: p, columns: x
    covers = (low[None, :] <= p[:, None]) & (p[:, None] <= upp[None, :])
    return (prob * covers).sum(axis=1)


def coverage_table(nobs, ps, alpha: float = 0.05, methods=METHODS) -> pd.DataFrame:
    """Coverage for every method, number of trials in `nobs` and p in `ps`: columns
    method, n, p, coverage."""
    rows = [
        pd.DataFrame({"method": m, "nobs": n, "p": ps, "coverage": coverage(n, ps, m, alpha)})
        for m in methods
        for n in nobs
    ]
    return pd.concat(rows, ignore_index=True)


def coverage_summary(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per method: mean and minimum coverage, and the share of (n, p) below nominal."""
    nominal = 1 - alpha
    grouped = table.groupby("method", sort=False)["coverage"]
    return pd.DataFrame(
        {
            "mean_coverage": grouped.mean(),
            "min_coverage": grouped.min(),
            "share_below_nominal": grouped.apply(lambda c: float((c < nominal - 0.01).mean())),
        }
    ).reset_index()
