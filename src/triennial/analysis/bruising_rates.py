"""Per-study bruising base rates and the procedures audit, with confidence intervals."""

from __future__ import annotations

import pandas as pd

from triennial.analysis.bruising_terms import EXACT
from triennial.data.studies import count_bounds
from triennial.stats.intervals import count_range_confint, proportion_confint

RATE_COLUMNS = [  # the columns of base_rates, in order
    "row_id",
    "study",
    "subgroup",
    "unit",
    "setting",
    "mobility",
    "count",
    "nobs",
    "count_min",
    "count_max",
    "estimate",
    "ci_low",
    "ci_upp",
    "method",
    "alpha",
    "count_status",
    "verified",
]


def base_rates(studies: pd.DataFrame, method: str = "wilson", alpha: float = 0.05) -> pd.DataFrame:
    """Every row with a count: estimate and intervals, in tidy long form.

    Two intervals per row: `method` (the configured prevalence.method) and the exact
    Clopper-Pearson interval beside it (one row per method; once if they coincide).

    A count derived from a printed percentage is a range; its estimate is the printed
    percentage and its interval runs from the lower limit at the smallest count to the
    upper limit at the largest.
    """
    low, high = count_bounds(studies)
    has = low.notna() & studies["nobs"].notna()
    rows = studies[has]
    lo, hi, n = low[has].astype(float), high[has].astype(float), rows["nobs"].astype(float)
    printed = pd.to_numeric(rows["percent_printed"]).astype(float) / 100
    kept = ["row_id", "study", "subgroup", "unit", "setting", "mobility", "count", "nobs"]
    kept += ["count_status", "verified"]
    base = pd.DataFrame({c: rows[c].to_numpy() for c in kept})
    base["count_min"], base["count_max"] = lo.to_numpy(), hi.to_numpy()
    base["estimate"] = (lo / n).where(rows["count"].notna(), printed).to_numpy()
    out = []
    for shown in dict.fromkeys((method, EXACT)):
        ci_low, ci_upp = count_range_confint(
            lo.to_numpy(), hi.to_numpy(), n.to_numpy(), alpha, shown
        )
        rates = base.assign(ci_low=ci_low, ci_upp=ci_upp, method=shown, alpha=alpha)
        out.append(rates[RATE_COLUMNS])
    return pd.concat(out, ignore_index=True)


def audit_rates(audit: pd.DataFrame, method: str = "wilson", alpha: float = 0.05):
    """The share of procedures saying each thing, with its interval, both sources kept."""
    rows = audit[audit["count"].notna()]
    ci_low, ci_upp = proportion_confint(
        rows["count"].astype(float).to_numpy(), rows["nobs"].astype(float).to_numpy(),
        alpha, method,
    )  # fmt: skip
    return pd.DataFrame(
        {
            "row_id": rows["row_id"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "measure": rows["measure"].to_numpy(),
            "count": rows["count"].to_numpy(),
            "nobs": rows["nobs"].to_numpy(),
            "estimate": (rows["count"] / rows["nobs"]).astype(float).to_numpy(),
            "ci_low": ci_low,
            "ci_upp": ci_upp,
            "method": method,
        }
    )


def audit_disagreements(audit: pd.DataFrame) -> pd.DataFrame:
    """Measures both sources report, side by side, with the difference in counts."""
    both = audit[audit["count"].notna()]
    shared = both.groupby("measure").filter(lambda g: g["source"].nunique() > 1)
    wide = shared.pivot_table(index="measure", columns="source", values="count", aggfunc="first")
    return wide.reset_index()
