"""Reading each target of the synthetic extract from the published figures, by row_id.

`figures` is the clean published table indexed by row_id (`published.clean`). A
figure is a printed count (`count`) or a range of counts (`count_min`,
`count_max`: e.g. a percentage printed without its count). A choice within a
range takes its midpoint, rounded down (`range_midpoint`): the one rule for it.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from triennial.stats.rounding import numerator_range


def exact_count(fig: pd.DataFrame, row_id: str) -> int:
    """The printed (or derived) count of a figure; an error if only a range exists."""
    value = fig.at[row_id, "count"]
    if pd.isna(value):
        raise ValueError(f"{row_id}: no exact count is published")
    return int(value)


def count_bounds(fig: pd.DataFrame, row_id: str) -> tuple[int, int]:
    """Smallest and largest count a figure allows (equal when the count is printed)."""
    value = fig.at[row_id, "count"]
    if pd.notna(value):
        return int(value), int(value)
    return int(fig.at[row_id, "count_min"]), int(fig.at[row_id, "count_max"])


def range_midpoint(fig: pd.DataFrame, row_id: str) -> int:
    """The one rule for a choice within a published range: its midpoint, rounded down."""
    low, high = count_bounds(fig, row_id)
    return (low + high) // 2


def percent_range_bounds(fig: pd.DataFrame, row_id: str, total: int) -> tuple[int, int]:
    """Counts of `total` inside a printed 'a to b per cent', each end read as printed.

    Like every printed percentage in the project, 'a' stands for a - 0.5 and 'b'
    for b + 0.5 (see `rounding.numerator_range`).
    """
    low = numerator_range(f"{fig.at[row_id, 'value_low']:g}", total)[0]
    high = numerator_range(f"{fig.at[row_id, 'value_high']:g}", total)[1]
    return low, high


def printed_percent(fig: pd.DataFrame, row_id: str) -> Fraction:
    return Fraction(str(fig.at[row_id, "percent_printed"]))
