"""What the bruising analyses and the report must agree on, kept apart from the analyses.

The names of rows in the bruising result tables, the interval shown beside the configured
one, the Monte Carlo interval's quantiles, when a prediction interval is informative, and
which pooled result is the main one. The analyses that write the tables import scipy; the
report and the config check read these without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the config check imports this module on every Snakemake start
    import pandas as pd

EXACT = "clopper_pearson"  # shown beside the configured interval: studies are small
MC_QUANTILES = (0.025, 0.975)  # the Monte Carlo interval: the q025 and q975 columns
POOLED = "pooled estimate"  # the scenario of the pooled base rate
GLMM = "GLMM"  # the method name of the binomial-normal model in the pooled-results table
# Below this many studies a prediction interval rests on a t distribution with at most
# two degrees of freedom and says nothing useful: the report says so instead.
MIN_PREDICTION_STUDIES = 5
PI_NOTE = f"prediction interval not informative (k < {MIN_PREDICTION_STUDIES})"


def pooled_result(pooled: pd.DataFrame, main: dict, pool: str = "main") -> pd.Series:
    """One row of the pooled-results table: `pool` on the `main` choice's scale and method."""
    pick = (
        (pooled["pool"] == pool)
        & (pooled["scale"] == main["scale"])
        & (pooled["method"] == main["method"])
    )
    return pooled[pick].iloc[0]
