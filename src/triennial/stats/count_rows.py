"""The rows a count model can use: what each column of a series must hold.

Checked here, apart from the models (`triennial.stats.count_models`), so that the data
layer can name every bad value of a file (`triennial.data.series`) without importing
statsmodels: each pipeline job is a fresh Python, and that import costs seconds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

SYSTEMS = ("scr", "new")  # the step of a model with `step=True` is 1 under "new"
MODEL_COLUMNS = ("series", "midpoint", "years", "count", "system")


def _number(value) -> float | None:
    """A finite number, or None for a missing or non-numeric value."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _missing(value) -> bool:
    return np.ndim(value) == 0 and bool(pd.isna(value))


def _whole_count(value) -> bool:
    x = _number(value)
    return x is not None and x >= 0 and x == int(x)


def _positive(value) -> bool:
    x = _number(value)
    return x is not None and x > 0


# What each column of the input must hold: (test of one value, what is expected).
VALUE_RULES = {
    "series": (lambda v: not _missing(v) and bool(str(v).strip()), "a series name"),
    "count": (
        _whole_count,
        "a whole number of at least 0 (a missing year is left out, not blank)",
    ),
    "years": (_positive, "a positive number of years"),
    "midpoint": (lambda v: _number(v) is not None, "a decimal year"),
    "system": (lambda v: v in SYSTEMS, f"one of {', '.join(SYSTEMS)}"),
    # Blank when unknown: models use a population only where every period has one.
    "population": (
        lambda v: _missing(v) or _positive(v),
        "a positive number of children (or blank if unknown)",
    ),
}


def bad_values(df: pd.DataFrame) -> list[tuple]:
    """(row label, column, value, expected) for each value a count model cannot use.

    Only the columns of VALUE_RULES that `df` has are looked at, row by row.
    """
    rules = [(c, *VALUE_RULES[c]) for c in VALUE_RULES if c in df.columns]
    return [
        (label, column, r[column], expected)
        for label, r in df.iterrows()
        for column, ok, expected in rules
        if not ok(r[column])
    ]


def model_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of one series sorted by midpoint, numbers as floats; ValueError if unusable.

    The message names every bad value by the frame's row label, column and value.
    """
    missing = [c for c in MODEL_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"series data lack the column(s) {missing}")
    bad = bad_values(df)
    if bad:
        raise ValueError(
            "series data a count model cannot use:\n"
            + "\n".join(
                f"  - row {label}, column '{column}': {_shown(value)}: expected {expected}"
                for label, column, value, expected in bad
            )
        )
    names = df["series"].unique()
    if len(names) != 1:
        raise ValueError(f"fit one series at a time; got {len(names)}: {list(names)}")
    out = df.assign(
        count=pd.to_numeric(df["count"]).astype(float),
        years=pd.to_numeric(df["years"]).astype(float),
        midpoint=pd.to_numeric(df["midpoint"]).astype(float),
    )
    if "population" in out.columns:
        out["population"] = pd.to_numeric(out["population"]).astype(float)
    return out.sort_values("midpoint", kind="stable").reset_index(drop=True)


def _shown(value) -> str:
    return "no value" if _missing(value) else f"value {str(value)!r}"
