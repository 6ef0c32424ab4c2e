"""Printed percentages and the counts they can stand for.

A source that prints "42 per cent" of 368 reviews says only that the count
satisfies 41.5 <= 100 count / 368 <= 42.5. Both ends are kept inclusive so that
round-half-up and round-half-to-even printers are both accepted.
"""

from __future__ import annotations

import math
from decimal import Decimal

# Float slack for comparisons at an exact rounding boundary (e.g. 100*1/8 = 12.5).
_EPS = 1e-9


def decimals(printed: str) -> int:
    """Number of decimal places in a printed percentage: '74.8' -> 1, '54' -> 0."""
    exponent = Decimal(printed).as_tuple().exponent
    return max(0, -int(exponent))


def half_unit(printed: str) -> float:
    """Half a unit in the last printed place: the rounding tolerance, in percent."""
    return 0.5 * 10 ** (-decimals(printed))


def percent_matches(count: int, nobs: int, printed: str) -> bool:
    """Does 100 * count / nobs round to the printed percentage?"""
    exact = 100 * count / nobs
    return abs(exact - float(printed)) <= half_unit(printed) + _EPS


def numerator_range(printed: str, nobs: int) -> tuple[int, int] | None:
    """Smallest and largest whole counts of `nobs` consistent with a printed percentage.

    Returns None when no whole number of `nobs` rounds to `printed` (the percentage
    cannot be of that denominator).
    """
    p, h = float(printed), half_unit(printed)
    low = math.ceil(nobs * (p - h) / 100 - _EPS)
    high = math.floor(nobs * (p + h) / 100 + _EPS)
    low, high = max(low, 0), min(high, nobs)
    return (low, high) if low <= high else None
