"""How numbers are written in the report: percentages, intervals, counts, dates."""

from __future__ import annotations

from datetime import date

import pandas as pd

SUPPRESSED = "suppressed"
# A sentence's count that disclosure control hides (small, or one that would give a small one away).
WITHHELD = "not shown (suppressed to protect small numbers)"


def pct(x: float, digits: int = 1) -> str:
    """A proportion as a percentage: 0.7482 -> '74.8' (one decimal unless `digits` says)."""
    return f"{100 * x:.{digits}f}"


def long_date(iso: str) -> str:
    """'2014-04-01' -> '1 April 2014' (British style, as the source writes dates)."""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def ci(low: float, upp: float, digits: int = 1) -> str:
    """An interval in per cent: '69.4–79.6'."""
    return f"{pct(low, digits)}–{pct(upp, digits)}"


def count(x) -> str:
    """A count with thousands separators; empty for missing."""
    return "" if x is None or pd.isna(x) else f"{int(x):,}"


SMALL = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def in_words(n: int) -> str:
    """A small count as prose writes it: 3 -> 'three'; from eleven on, digits."""
    return SMALL[n] if 0 <= n < len(SMALL) else f"{n:,}"
