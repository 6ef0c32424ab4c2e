"""Per-study bruising base rates and the procedures audit, with confidence intervals."""

from __future__ import annotations

import pandas as pd

from triennial.data.studies import count_bounds
from triennial.stats.intervals import proportion_confint

EXACT = "clopper_pearson"  # shown beside the configured interval: studies are small


def base_rates(studies: pd.DataFrame, method: str = "wilson", alpha: float = 0.05) -> pd.DataFrame:
    """Every row with a count: estimate and intervals, in tidy long form.

    Two intervals per row: `method` (the configured prevalence.method) and the exact
    Clopper-Pearson interval beside it (one row per method; once if they coincide).

    A count derived from a printed percentage is a range; its estimate is the printed
    percentage and its interval runs from the lower limit at the smallest count to the
    upper limit at the largest.
    """
    low, high = count_bounds(studies)
    has = low.notna() & studies["n"].notna()
    rows = studies[has]
    lo, hi, n = low[has].astype(float), high[has].astype(float), rows["n"].astype(float)
    out = []
    for shown in dict.fromkeys((method, EXACT)):
        ci_low, _ = proportion_confint(lo.to_numpy(), n.to_numpy(), alpha, shown)
        _, ci_upp = proportion_confint(hi.to_numpy(), n.to_numpy(), alpha, shown)
        printed = pd.to_numeric(rows["percent_printed"]).astype(float) / 100
        exact = rows["events"].notna().to_numpy()
        estimate = (lo / n).where(exact, printed).to_numpy()
        out.append(
            pd.DataFrame(
                {
                    "row_id": rows["row_id"].to_numpy(),
                    "study": rows["study"].to_numpy(),
                    "subgroup": rows["subgroup"].to_numpy(),
                    "unit": rows["unit"].to_numpy(),
                    "setting": rows["setting"].to_numpy(),
                    "mobility": rows["mobility"].to_numpy(),
                    "n": rows["events"].to_numpy(),
                    "N": rows["n"].to_numpy(),
                    "n_min": lo.to_numpy(),
                    "n_max": hi.to_numpy(),
                    "estimate": estimate,
                    "ci_low": ci_low,
                    "ci_upp": ci_upp,
                    "method": shown,
                    "alpha": alpha,
                    "count_status": rows["count_status"].to_numpy(),
                    "verified": rows["verified"].to_numpy(),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def audit_rates(audit: pd.DataFrame, method: str = "wilson", alpha: float = 0.05):
    """The share of procedures saying each thing, with its interval, both sources kept."""
    rows = audit[audit["numerator"].notna()]
    ci_low, ci_upp = proportion_confint(
        rows["numerator"].astype(float).to_numpy(), rows["denominator"].astype(float).to_numpy(),
        alpha, method,
    )  # fmt: skip
    return pd.DataFrame(
        {
            "row_id": rows["row_id"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "measure": rows["measure"].to_numpy(),
            "n": rows["numerator"].to_numpy(),
            "N": rows["denominator"].to_numpy(),
            "estimate": (rows["numerator"] / rows["denominator"]).astype(float).to_numpy(),
            "ci_low": ci_low,
            "ci_upp": ci_upp,
            "method": method,
        }
    )


def audit_disagreements(audit: pd.DataFrame) -> pd.DataFrame:
    """Measures both sources report, side by side, with the difference in counts."""
    both = audit[audit["numerator"].notna()]
    shared = both.groupby("measure").filter(lambda g: g["source"].nunique() > 1)
    wide = shared.pivot_table(
        index="measure", columns="source", values="numerator", aggfunc="first"
    )
    return wide.reset_index()
