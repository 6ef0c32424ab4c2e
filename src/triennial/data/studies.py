"""Bruising base-rate studies and the procedures audit: read, check, estimate.

The tables live in data/raw/published/bruising/ (a Frictionless data package). Each is
read against its Table Schema (file, row, column and value named on any problem), then
checked for consistency: events no more than n, printed percentages that agree with
their counts (unless `known_discrepancy` explains why not), derived count ranges that
are exactly what the printed percentage allows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from triennial.data.errors import Problem, raise_if_any
from triennial.data.tableschema import LINE, load_package, read_table
from triennial.stats.intervals import proportion_confint
from triennial.stats.rounding import numerator_range, percent_matches

WITH_COUNTS = ("printed", "derived_from_counts")  # quoted_second_hand may be a percent only
INTERVALS = ("wilson", "clopper_pearson")


def read_bruising(descriptor: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The studies and the procedures audit, checked; raise DataError on any problem."""
    resources = load_package(descriptor)
    problems = []
    frames = {}
    for name in ("studies", "procedures_audit"):
        try:
            frames[name] = read_table(resources[name])
        except Exception as err:  # DataError: gather both files' problems
            problems += getattr(err, "problems", [])
            if not hasattr(err, "problems"):
                raise
    raise_if_any(problems)
    studies, audit = frames["studies"], frames["procedures_audit"]
    raise_if_any(
        check_studies(studies, str(resources["studies"].path))
        + check_audit(audit, str(resources["procedures_audit"].path))
    )
    return studies, audit


def check_studies(studies: pd.DataFrame, path: str) -> list[Problem]:
    """Consistency of each study row (see the module docstring)."""
    out = []
    for _, r in studies.iterrows():

        def bad(column: str, expected: str, r=r) -> Problem:
            value = r[column]
            return Problem(path, r[LINE], column, None if pd.isna(value) else str(value), expected)

        events, n, pct, status = r["events"], r["n"], r["percent_printed"], r["count_status"]
        if pd.notna(pct) and float(pct) > 100:
            out.append(bad("percent_printed", "a percentage, at most 100"))
        if status in WITH_COUNTS and (pd.isna(events) or pd.isna(n)):
            out.append(bad("events", f"events and n, since count_status is {status}"))
        if pd.notna(events) and pd.notna(n):
            if events > n:
                out.append(bad("events", f"at most n ({n})"))
            elif pd.notna(pct) and not percent_matches(events, n, pct):
                if pd.isna(r["known_discrepancy"]):
                    out.append(bad("percent_printed", f"{events}/{n} = {100 * events / n:.2f}%"))
        if status == "derived_from_percent":
            expected = numerator_range(pct, int(n)) if pd.notna(pct) and pd.notna(n) else None
            # an empty events_min/max is <NA>, which `!=` cannot compare: treat it as None
            got = tuple(None if pd.isna(v) else v for v in (r["events_min"], r["events_max"]))
            if expected is None or got != expected:
                out.append(bad("events_min", f"{expected}, from {pct}% of {n}"))
        low, high = r["range_low"], r["range_high"]
        if pd.isna(low) != pd.isna(high):  # half a range; comparing with <NA> crashed
            out.append(
                bad("range_high" if pd.isna(high) else "range_low", "both ends of the range")
            )
        elif pd.notna(low) and low > high:
            out.append(bad("range_low", f"at most range_high ({high})"))
    return out


def check_audit(audit: pd.DataFrame, path: str) -> list[Problem]:
    """Numerators no larger than the procedures reviewed."""
    over = audit[audit["numerator"].notna() & (audit["numerator"] > audit["denominator"])]
    return [
        Problem(path, r[LINE], "numerator", str(r["numerator"]), f"at most {r['denominator']}")
        for _, r in over.iterrows()
    ]


def count_bounds(studies: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Smallest and largest count each row allows (a range where derived from a percent)."""
    low = studies["events"].fillna(studies["events_min"])
    high = studies["events"].fillna(studies["events_max"])
    return low, high


def base_rates(studies: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every row with a count: estimate and both intervals, in tidy long form.

    A count derived from a printed percentage is a range; its estimate is the printed
    percentage and its interval runs from the lower limit at the smallest count to the
    upper limit at the largest.
    """
    low, high = count_bounds(studies)
    has = low.notna() & studies["n"].notna()
    rows = studies[has]
    lo, hi, n = low[has].astype(float), high[has].astype(float), rows["n"].astype(float)
    out = []
    for method in INTERVALS:
        ci_low, _ = proportion_confint(lo.to_numpy(), n.to_numpy(), alpha, method)
        _, ci_upp = proportion_confint(hi.to_numpy(), n.to_numpy(), alpha, method)
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
                    "method": method,
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


def pooled_result(pooled: pd.DataFrame, scale: str, method: str, pool: str = "main") -> pd.Series:
    """One row of the pooled-results table: a pool on one scale with one tau2 method."""
    pick = (pooled["pool"] == pool) & (pooled["scale"] == scale) & (pooled["method"] == method)
    return pooled[pick].iloc[0]
