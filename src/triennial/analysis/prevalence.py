"""Prevalence with confidence intervals for every proportion in the published tables.

One row per proportion, in the tidy form `measure, group, n, N, estimate, ci_low,
ci_upp, method`, followed by what a reader needs to weigh it: the row's table and
id, whether the count is derived from a printed percentage (then `count` is empty,
`count_min`/`count_max` bound it, and the interval runs from the lower limit at `count_min` to
the upper limit at `count_max`), whether the source calls the rate a minimum, and
whether a finite population correction was applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from triennial.stats.intervals import count_range_confint, effective_sample_size

# A proportion with its interval, as every prevalence table gives it.
ESTIMATE_COLUMNS = ["count", "nobs", "estimate", "ci_low", "ci_upp", "method"]
COLUMNS = [
    "measure",
    "group",
    *ESTIMATE_COLUMNS,
    "alpha",
    "table",
    "row_id",
    "count_status",
    "count_min",
    "count_max",
    "minimum_rate",
    "fpc_applied",
    "caveat",
]
# Columns of the published rows kept in the output, and the counts' names here.
FROM_ROWS = ["measure", "group", "count", "nobs", "table", "row_id"]
FROM_ROWS += ["count_status", "count_min", "count_max", "minimum_rate"]
MINIMUM = "minimum: a factor not noted in a report may still have been present"
DERIVED = "count not printed: the interval covers every count consistent with the printed rounding"


@dataclass(frozen=True)
class FinitePopulation:
    """Apply a finite population correction to estimates from `sample` of `population`.

    Used for the 278 reports out of 368 reviews: only rows whose denominator equals
    `sample` are corrected (subgroups of the reports have unknown population sizes),
    and not the review-flow rows, which count the reports themselves.
    The correction assumes the reports are like a random sample of the reviews.
    """

    population: int
    sample: int

    def __post_init__(self):
        if not 0 < self.sample < self.population:
            raise ValueError(
                f"finite population correction needs 0 < sample < population, "
                f"got sample {self.sample} of population {self.population}"
            )


def proportions(clean: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows that are proportions with a count or a count range; and the rows left out.

    The second frame lists every row not estimated, with the reason, so nothing is
    dropped silently.
    """
    is_prop = clean["kind"] == "proportion"
    not_app = clean["count_status"] == "not_applicable"
    empty = clean["nobs"].fillna(0) == 0  # e.g. no reviews in an age band locally
    keep = is_prop & ~not_app & ~empty
    reasons = np.select(
        [~is_prop, not_app, empty],
        [
            "not a proportion (kind: " + clean["kind"].astype(str) + ")",
            "cell printed as '-'",
            "no reviews in the population (denominator 0)",
        ],
        default="",
    )
    left_out = clean.loc[~keep, ["table", "row_id", "measure", "group"]].assign(
        reason=reasons[~keep.to_numpy()]
    )
    return clean[keep], left_out.reset_index(drop=True)


def prevalence_table(
    clean: pd.DataFrame,
    method: str = "wilson",
    alpha: float = 0.05,
    fpc: FinitePopulation | None = None,
) -> pd.DataFrame:
    """Estimate and interval for every proportion; see the module docstring."""
    rows, _ = proportions(clean)
    exact = rows["count"].notna()
    count_min = rows["count"].where(exact, rows["count_min"]).astype(float).to_numpy()
    count_max = rows["count"].where(exact, rows["count_max"]).astype(float).to_numpy()
    big_n = rows["nobs"].astype(float).to_numpy()
    printed = pd.to_numeric(rows["percent_printed"]).astype(float).to_numpy() / 100
    estimate = np.where(exact, count_min / big_n, printed)

    fpc_applied = np.zeros(len(rows), dtype=bool)
    nobs = big_n.copy()
    if fpc is not None:
        # The flow table describes the reports themselves, not reviews they stand for.
        fpc_applied = (big_n == fpc.sample) & (rows["table"] != "review_flow").to_numpy()
        nobs = np.where(fpc_applied, effective_sample_size(big_n, fpc.population), big_n)
    # Scale counts to the effective sample size so each end keeps its own proportion.
    ci_low, ci_upp = count_range_confint(
        count_min / big_n * nobs, count_max / big_n * nobs, nobs, alpha, method
    )

    caveats = [
        "; ".join(c for c in (DERIVED if not e else "", MINIMUM if m else "") if c)
        for e, m in zip(exact, rows["minimum_rate"], strict=True)
    ]
    copied = {c: rows[c].to_numpy() for c in FROM_ROWS}
    out = pd.DataFrame(copied).assign(
        estimate=estimate,
        ci_low=ci_low,
        ci_upp=ci_upp,
        method=method,
        alpha=alpha,
        fpc_applied=fpc_applied,
        caveat=caveats,
    )
    return out[COLUMNS]
