"""The annual series of serious incidents and reviews: read, check, prepare for models.

Read against the Table Schemas of data/raw/published/trends/, then checked: a period
ends after it starts; `years` agrees with the dates; the period's label names the year
its dates start in; no series has two rows for the same period; a count row has a
count. Each problem names file, row, column and value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from triennial.data.errors import DataError, Problem, raise_if_any
from triennial.data.tableschema import LINE, load_package, read_table

DAYS_PER_YEAR = 365.25
YEARS_TOLERANCE = 0.1  # a financial year is 365 or 366 days: 1 year within 0.1


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


def check_series(series: pd.DataFrame, path: str) -> list[Problem]:
    """Consistency of each row, and of each series' periods."""
    out = []
    start = pd.to_datetime(series["period_start"])
    end = pd.to_datetime(series["period_end"])
    span = ((end - start).dt.days + 1) / DAYS_PER_YEAR
    for i, r in series.iterrows():

        def bad(column: str, expected: str, r=r) -> Problem:
            value = r[column]
            return Problem(path, r[LINE], column, None if pd.isna(value) else str(value), expected)

        if end[i] <= start[i]:
            out.append(bad("period_end", f"a date after period_start ({r['period_start']})"))
            continue
        if abs(span[i] - r["years"]) > YEARS_TOLERANCE:
            out.append(bad("years", f"{span[i]:.2f}, the length of the period's dates"))
        label_year = re.search(r"\d{4}", r["period_label"])
        if label_year and int(label_year.group()) != start[i].year:
            out.append(
                bad("period_start", f"a date in {label_year.group()}, the year the label names")
            )
        if r["kind"] == "count" and pd.isna(r["count"]):
            out.append(bad("count", "a count, for kind 'count'"))
        if r["kind"] == "rate_per_year":
            if pd.isna(r["value_low"]) or pd.isna(r["value_high"]):
                out.append(bad("value_low", "value_low and value_high, for kind 'rate_per_year'"))
            elif r["value_low"] > r["value_high"]:
                out.append(bad("value_low", f"at most value_high ({r['value_high']})"))
    dup = series.duplicated(["series", "period_start"], keep="first")
    for _, r in series[dup].iterrows():
        out.append(
            Problem(
                path,
                r[LINE],
                "period_start",
                str(r["period_start"]),
                f"one row per period in series {r['series']}; this period is already there",
            )
        )
    return out


def decimal_year(dates: pd.Series) -> pd.Series:
    """A date as a decimal year: 2014-10-01 -> about 2014.75."""
    d = pd.to_datetime(dates)
    return d.dt.year + (d.dt.day_of_year - 1) / DAYS_PER_YEAR


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
