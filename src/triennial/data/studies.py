"""Bruising base-rate studies and the procedures audit: read and check.

The tables live in data/raw/published/bruising/ (a Frictionless data package). Each is
read against its Table Schema (file, row, column and value named on any problem), then
checked for consistency: count no more than nobs, printed percentages that agree with
their counts (unless `known_discrepancy` explains why not), derived count ranges that
are exactly what the printed percentage allows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from triennial.data.errors import Problem, raise_if_any
from triennial.data.tableschema import LINE, load_package, read_table
from triennial.stats.rounding import numerator_range, percent_matches

WITH_COUNTS = ("printed", "derived_from_counts")  # quoted_second_hand may be a percent only


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

        events, n, pct, status = r["count"], r["nobs"], r["percent_printed"], r["count_status"]
        if pd.notna(pct) and float(pct) > 100:
            out.append(bad("percent_printed", "a percentage, at most 100"))
        if status in WITH_COUNTS and (pd.isna(events) or pd.isna(n)):
            out.append(bad("count", f"count and nobs, since count_status is {status}"))
        if pd.notna(events) and pd.notna(n):
            if events > n:
                out.append(bad("count", f"at most nobs ({n})"))
            elif pd.notna(pct) and not percent_matches(events, n, pct):
                if pd.isna(r["known_discrepancy"]):
                    out.append(bad("percent_printed", f"{events}/{n} = {100 * events / n:.2f}%"))
        if status == "derived_from_percent":
            expected = numerator_range(pct, int(n)) if pd.notna(pct) and pd.notna(n) else None
            # an empty count_min/max is <NA>, which `!=` cannot compare: treat it as None
            got = tuple(None if pd.isna(v) else v for v in (r["count_min"], r["count_max"]))
            if expected is None or got != expected:
                out.append(bad("count_min", f"{expected}, from {pct}% of {n}"))
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
    over = audit[audit["count"].notna() & (audit["count"] > audit["nobs"])]
    return [
        Problem(path, r[LINE], "count", str(r["count"]), f"at most {r['nobs']}")
        for _, r in over.iterrows()
    ]


def count_bounds(studies: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Smallest and largest count each row allows (a range where derived from a percent)."""
    low = studies["count"].fillna(studies["count_min"])
    high = studies["count"].fillna(studies["count_max"])
    return low, high
