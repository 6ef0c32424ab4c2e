"""Readers of the pipeline's own result tables, typed as they were written.

Counts come back as whole numbers (not floats with NaN for the empty ones). These readers
live in the data layer so that a job which only reads a table (the figures, the path
comparison) does not import the statistics that wrote it.
"""

from __future__ import annotations

import pandas as pd

COUNTS = ("count", "nobs", "count_min", "count_max")


def _read(path, types: dict[str, str]) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    return frame.astype({c: "Int64" for c in COUNTS} | types)


def read_prevalence(path) -> pd.DataFrame:
    """A prevalence table (results/<analysis>/tables/prevalence*.csv)."""
    return _read(path, {"caveat": "string"})


def read_comparison(path) -> pd.DataFrame:
    """The printed percentages checked against their counts (comparison table)."""
    return _read(path, {"match": "boolean", "explanation": "string"})
