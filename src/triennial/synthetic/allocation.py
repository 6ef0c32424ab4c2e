"""Apportioning counts and spreading them over rows, deterministically.

"Pick k of these rows by <fields>" (`pick`) always means: share k over the groups of
those fields in proportion to group size (largest remainder, ties to the group that
sorts first: `apportion`), then take rows evenly spaced in review-id order within
each group (`evenly`). So whatever is not published is spread as if unrelated to the
grouping fields, and evenly over time. `assign` gives several codes their counts in
turn; `realise` builds a 0/1 matrix with given row and column sums (Gale-Ryser);
`split_union` places two items whose union is fixed. All arithmetic that decides a
tie is exact (fractions), so the same figures always give the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pandas as pd


def apportion(total: int, weights: Sequence) -> list[int]:
    """Split `total` in proportion to `weights` by largest remainder.

    Exact arithmetic (fractions), so ties are real ties; they go to the earlier weight.
    """
    weights = [Fraction(w) for w in weights]
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError(f"cannot split {total} over zero weights")
        return [0] * len(weights)
    quotas = [total * w / whole for w in weights]
    shares = [q.numerator // q.denominator for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (shares[i] - quotas[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def evenly(size: int, count: int) -> np.ndarray:
    """`count` of `size` positions as evenly spaced as possible: floor((j + 1/2) size / count)."""
    if not 0 <= count <= size:
        raise ValueError(f"cannot pick {count} of {size}")
    picked = np.zeros(size, dtype=bool)
    if count:
        picked[(2 * np.arange(count) + 1) * size // (2 * count)] = True
    return picked


def even_split(total: int, n: int) -> np.ndarray:
    """`n` whole numbers summing to `total` that differ by at most one; the larger spread evenly."""
    base, extra = divmod(total, n)
    return base + evenly(n, extra).astype(int)


def _spread(frame: pd.DataFrame, eligible: pd.Series, count: int, by: Sequence[str]) -> pd.Series:
    """`count` eligible rows, shared over the groups of `by` and evenly within each."""
    pool = frame[eligible]
    if count > len(pool):
        raise ValueError(f"cannot pick {count} of {len(pool)} rows")
    groups = [g.index for _, g in pool.groupby(list(by), sort=True)] if by else [pool.index]
    picked = pd.Series(False, index=frame.index)
    for rows, k in zip(groups, apportion(count, [len(g) for g in groups]), strict=True):
        picked[rows[evenly(len(rows), k)]] = True
    return picked


def pick(
    frame: pd.DataFrame,
    eligible: pd.Series,
    count: int,
    by: Sequence[str] = (),
    first: pd.Series | None = None,
) -> pd.Series:
    """Mark `count` of the `eligible` rows: see the module docstring.

    `first`: rows taken before any others (all of them if `count` allows), which
    both forces rows in and expresses a preference.
    """
    if first is None:
        return _spread(frame, eligible, count, by)
    head = eligible & first
    if count <= head.sum():
        return _spread(frame, head, count, by)
    return head | _spread(frame, eligible & ~head, count - int(head.sum()), by)


def assign(
    frame: pd.DataFrame,
    eligible: pd.Series,
    counts: dict[str, int],
    by: Sequence[str] = (),
    first: dict[str, pd.Series] | None = None,
    otherwise: str | None = None,
) -> pd.Series:
    """Give each code its count of the eligible rows, code by code in the given order.

    Every eligible row must get a code; rows not eligible get `otherwise`.
    """
    first = first or {}
    codes = pd.Series(otherwise, index=frame.index, dtype=object)
    left = eligible.copy()
    for code, count in counts.items():
        chosen = pick(frame, left, count, by, first.get(code))
        codes[chosen] = code
        left &= ~chosen
    if left.any():
        raise ValueError(f"{int(left.sum())} rows left without a code after {list(counts)}")
    return codes


def realise(row_sums: pd.Series, col_sums: dict[str, int]) -> pd.DataFrame:
    """A 0/1 matrix with the given row and column sums, by the Gale-Ryser greedy.

    Columns are filled in decreasing order of their sums (ties in the given order),
    each into the rows with the largest remaining row sums, ties to the earlier
    row. This succeeds whenever any such matrix exists (Ryser); raises otherwise.
    """
    left = row_sums.to_numpy().copy()
    position = np.arange(len(left))
    cells = {}
    for column in sorted(col_sums, key=lambda c: -col_sums[c]):
        rows = np.lexsort((position, -left))[: col_sums[column]]
        if col_sums[column] > len(left) or (left[rows] <= 0).any():
            raise ValueError(f"no 0/1 matrix has these sums (column {column})")
        cells[column] = np.isin(position, rows)
        left[rows] -= 1
    if left.any():
        raise ValueError("no 0/1 matrix has these sums (row sums left over)")
    return pd.DataFrame(cells, index=row_sums.index)[list(col_sums)]


def split_union(rows: pd.Index, first: int, second: int) -> tuple[pd.Index, pd.Index]:
    """Two items on `first` and `second` of `rows`, which must be exactly their union.

    The forced overlap first + second - len(rows) is spread evenly; the rows with
    one item are shared out evenly between the two.
    """
    n = len(rows)
    if not max(first, second) <= n <= first + second:
        raise ValueError(f"{first} and {second} cannot have a union of {n}")
    both = evenly(n, first + second - n)
    single = np.flatnonzero(~both)
    has_first = both.copy()
    has_first[single[evenly(len(single), first - (first + second - n))]] = True
    return rows[has_first], rows[both | ~has_first]


def van_der_corput(j: int) -> Fraction:
    """Term j of the base-2 van der Corput sequence (0, 1/2, 1/4, 3/4, 1/8, ...).

    j's binary digits mirrored after the point: every prefix fills [0, 1) evenly.
    """
    value, scale = Fraction(0), Fraction(1, 2)
    while j:
        value += scale * (j & 1)
        j, scale = j >> 1, scale / 2
    return value
