"""Small-number suppression for tables made from confidential review extracts.

A count from 1 to threshold - 1 could identify a child, so it is never published. A row
is suppressed when its count `n`, its base `N`, or the rest `N - n` is in that range
(the rest too, since N and the rest would give n back). In a suppressed row every
count and every number computed from them (estimate, interval) is blanked, and
`suppressed` says so. Zero is not disclosive and is kept.
"""

from __future__ import annotations

import pandas as pd

COUNTS = ("n", "N", "n_min", "n_max")
DERIVED = ("estimate", "ci_low", "ci_upp")


def is_small(value: float, threshold: int) -> bool:
    """True for a count from 1 to threshold - 1: the counts never published."""
    return 1 <= value < threshold


def small(values: pd.Series, threshold: int) -> pd.Series:
    """`is_small` of each count (False where not a number)."""
    values = pd.to_numeric(values, errors="coerce")
    return (values >= 1) & (values < threshold)


def suppress(
    table: pd.DataFrame, threshold: int, count: str = "n", base: str | None = "N"
) -> pd.DataFrame:
    """Blank rows whose count, base or rest is small; add a `suppressed` column.

    `base` None: the table has counts but no base (e.g. agreement: n pairs).
    `threshold` 0 means no suppression (the public demonstration): the table is returned
    unchanged, without the `suppressed` column.
    """
    if threshold == 0:
        return table
    out = table.copy()
    hide = small(out[count], threshold)
    if base is not None:
        hide |= small(out[base], threshold)
        hide |= small(pd.to_numeric(out[base]) - pd.to_numeric(out[count]), threshold)
    hide = hide.fillna(False).astype(bool)
    blanked = (*COUNTS, *DERIVED, "kappa", "se", "agreement", count)
    for column in [c for c in blanked if c in out.columns]:
        out[column] = out[column].astype(object).where(~hide, None)
    out["suppressed"] = hide
    return out


def check_no_small_counts(table: pd.DataFrame, columns: list[str], threshold: int) -> list[str]:
    """Columns of `table` that still hold a count from 1 to threshold - 1."""
    return [c for c in columns if c in table.columns and small(table[c], threshold).any()]
