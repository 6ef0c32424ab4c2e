"""The annual series of serious incidents and reviews: read, check, prepare for models.

Read against the Table Schemas of data/raw/published/trends/, then checked by
`check_series`: the values a count model needs (`count_rows.VALUE_RULES`); ISO
dates, a period ending after it starts; `years` agreeing with the dates; a midpoint
inside its period; the period's label naming the year its dates start in; a count row
having a count and a rate row its range; no series with two rows for one period or
with overlapping periods. Each problem names file, row, column and value.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from triennial.data.errors import DataError, Problem, raise_if_any
from triennial.data.tableschema import LINE, load_package, read_table
from triennial.stats.count_rows import bad_values

REQUIRED = ("series", "period_start", "period_end", "years", "count", "system")
# One year in decimal years and in `years`: a period of `years` years spans `years`.
DAYS_PER_YEAR = 365.25
# `years` is the length the source states; the dates are sometimes assumed ("the
# source gives years only", see the rows' notes), so they may be a few weeks off as
# well as a leap day. 0.1 year (about five weeks) allows dates assumed to the nearest
# month and still catches a wrong number of years or a mistyped date. The series
# table's schema description states the same tolerance.
YEARS_TOLERANCE = 0.1


def read_trends(descriptor: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The series and the denominators, checked; raise DataError on any problem."""
    resources = load_package(descriptor)
    problems, frames = [], {}
    for name in ("series", "denominators"):
        try:
            frames[name] = read_table(resources[name])
        except DataError as err:
            problems += err.problems
    raise_if_any(problems)
    series = frames["series"]
    raise_if_any(check_series(series, str(resources["series"].path)))
    return series, frames["denominators"]


def decimal_year(dates):
    """Dates (one, or a Series) as decimal years: 2014-10-01 -> 2014 + 273/365.25.

    Days count from 1 January in years of DAYS_PER_YEAR days, the unit of `years`.
    """
    d = pd.to_datetime(dates)
    parts = d.dt if isinstance(d, pd.Series) else d
    return parts.year + (parts.day_of_year - 1) / DAYS_PER_YEAR


def _as_date(value) -> date | None:
    """An ISO date (YYYY-MM-DD) or a date-like object as a date; None if neither."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _shown(value) -> str | None:
    """A cell's value as a Problem shows it: None when missing."""
    return None if (pd.api.types.is_scalar(value) and pd.isna(value)) else str(value)


def _lines(df: pd.DataFrame) -> list[int]:
    """Each row's CSV line: the `_line` column if read by tableschema, else position + 2."""
    if LINE in df.columns:
        return [int(v) for v in df[LINE]]
    return list(range(2, len(df) + 2))


def check_series(df: pd.DataFrame, path: str) -> list[Problem]:
    """Every problem in a trend-series table, each naming file, row, column and value.

    Works on the raw table (with `kind`, `period_label`, `value_low`, `value_high`)
    and on model input (with `midpoint`, `population`); each check runs where its
    columns are present, and without `kind` every row is a count. Rows are numbered
    as the CSV's lines (header = line 1), or taken from a `_line` column when
    present. Problems come in row order.
    """
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        return [Problem(path, 1, c, None, "required column is missing") for c in missing]
    lines = _lines(df)
    line_of = dict(zip(df.index, lines, strict=True))
    counts = df["kind"] == "count" if "kind" in df.columns else pd.Series(True, index=df.index)
    # A rate row may leave `count` blank; the other values follow the models' rules.
    bad = bad_values(df.drop(columns="count")) + bad_values(df.loc[counts, ["count"]])
    out = [Problem(path, line_of[i], c, _shown(v), expected) for i, c, v, expected in bad]
    spans = []  # (series, start, end, line) of rows with valid dates
    for line, (_, r) in zip(lines, df.iterrows(), strict=True):
        found, span = _check_row(r, path, line)
        out += found
        if span is not None:
            spans.append((str(r["series"]), *span, line))
    return sorted(out + _check_overlaps(spans, path), key=lambda p: p.row)


def _check_row(r: pd.Series, path: str, line: int) -> tuple[list[Problem], tuple | None]:
    """Problems of one row's dates, label and kind; its (start, end) when both are valid."""
    out = []

    def bad(column: str, expected: str) -> None:
        out.append(Problem(path, line, column, _shown(r[column]), expected))

    start, end = _as_date(r["period_start"]), _as_date(r["period_end"])
    if start is None:
        bad("period_start", "an ISO date (YYYY-MM-DD)")
    if end is None:
        bad("period_end", "an ISO date (YYYY-MM-DD)")
    if start is not None and end is not None and end <= start:
        bad("period_end", f"a date after period_start ({start})")
        start = end = None
    if r.get("kind") == "rate_per_year":
        if pd.isna(r["value_low"]) or pd.isna(r["value_high"]):
            bad("value_low", "value_low and value_high, for kind 'rate_per_year'")
        elif r["value_low"] > r["value_high"]:
            bad("value_low", f"at most value_high ({r['value_high']})")
    if start is None:
        return out, None
    span = ((end - start).days + 1) / DAYS_PER_YEAR  # the end date is inclusive
    years = pd.to_numeric(r["years"], errors="coerce")
    if years > 0 and abs(years - span) > YEARS_TOLERANCE:  # else a rule of bad_values
        bad("years", f"the length of the period's dates, {span:.3f} years from {start} to {end}")
    if "midpoint" in r.index:
        midpoint = pd.to_numeric(r["midpoint"], errors="coerce")
        first, last = decimal_year(start), decimal_year(end + timedelta(days=1))
        if pd.notna(midpoint) and not first <= midpoint <= last:
            bad("midpoint", f"a decimal year inside the period ({first:.3f} to {last:.3f})")
    label_year = re.search(r"\d{4}", str(r.get("period_label", "")))
    if label_year and int(label_year.group()) != start.year:
        bad("period_start", f"a date in {label_year.group()}, the year the label names")
    return out, (start, end)


def _check_overlaps(spans: list[tuple], path: str) -> list[Problem]:
    """Periods starting twice, or overlapping an earlier one, within a series.

    The later row (by start) is named, with the line of the period it clashes with:
    of the series' earlier periods, the one ending last.
    """
    out = []
    last = {}  # series -> (start, end, line) of its period ending last so far
    for name, start, end, line in sorted(spans, key=lambda s: (s[0], s[1], s[3])):
        if name in last:
            start0, end0, line0 = last[name]
            if start == start0:
                expected = f"one row per period in series '{name}'; this period is on line {line0}"
                out.append(Problem(path, line, "period_start", str(start), expected))
            elif start <= end0:
                expected = f"a start after the previous period's end ({end0}, line {line0})"
                out.append(Problem(path, line, "period_start", str(start), expected))
        if name not in last or end > last[name][1]:
            last[name] = (start, end, line)
    return out


def period_ends(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each period's first day and the day after its last, as decimal years."""
    after = pd.to_datetime(rows["period_end"]) + pd.Timedelta(days=1)
    return decimal_year(rows["period_start"]).to_numpy(), decimal_year(after).to_numpy()


def model_input(series: pd.DataFrame, denominators: pd.DataFrame) -> pd.DataFrame:
    """Count rows ready for the models: midpoint, exposure in years, child population.

    The population is the children-aged-0-17 figure nearest the period's midpoint,
    within a year; empty otherwise (models use it only where every period has one).
    """
    counts = series[series["kind"] == "count"].copy()
    start, end = decimal_year(counts["period_start"]), decimal_year(counts["period_end"])
    counts["midpoint"] = (start + end + 1 / DAYS_PER_YEAR) / 2
    children = denominators[denominators["measure"] == "children_aged_0_17"]
    when = decimal_year(children["reference_date"]).to_numpy()
    population = []
    for mid in counts["midpoint"]:
        gaps = abs(when - mid)
        population.append(children["value"].iloc[gaps.argmin()] if gaps.min() <= 1 else pd.NA)
    counts["population"] = pd.array(population, dtype="Int64")
    keep = ["series", "measure", "counted_by", "period_label", "period_start", "period_end"]
    keep += ["years", "midpoint", "count", "population", "system", "alternative_count"]
    return counts[keep].reset_index(drop=True)
