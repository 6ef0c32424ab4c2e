"""The national panel's 2023-24 figures, the 2009–11 early help figures and the
then-and-now pairs: read and check.

The tables live in data/raw/published/panel/ (a Frictionless data package). Each is
read against its Table Schema (file, row, column and value named on any problem), then
checked for what a schema cannot say: a percent row has a percentage of at most 100, a
count row a count; every base (`nobs_row_id`, `alternative_nobs_row_id`) names a count
(a count row here, or a row of the trends series); a count is no larger than its base.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from triennial.data.errors import DataError, Problem, raise_if_any
from triennial.data.tableschema import LINE, load_package, read_table
from triennial.stats.rounding import half_unit, numerator_range

TABLES = ("figures", "comparisons", "not_used")


@dataclass(frozen=True)
class Panel:
    figures: pd.DataFrame
    comparisons: pd.DataFrame
    not_used: pd.DataFrame
    bases: dict[str, int]  # row id -> count, for every row a figure may name as its base


def read_panel(descriptor: Path, series: pd.DataFrame) -> Panel:
    """The three tables, checked; `series` (trends/series.csv, read) supplies the bases
    printed there (rapid reviews, children, the 2009–11 reviews)."""
    resources = load_package(descriptor)
    problems, frames = [], {}
    for name in TABLES:
        try:
            frames[name] = read_table(resources[name])
        except DataError as err:  # gather every file's problems
            problems += err.problems
    raise_if_any(problems)
    figures = frames["figures"]
    bases = dict(zip(series["row_id"], series["count"], strict=True))
    counts = figures[figures["kind"] == "count"]
    bases |= dict(zip(counts["row_id"], counts["count"], strict=True))
    raise_if_any(check_figures(figures, bases, str(resources["figures"].path)))
    return Panel(figures, frames["comparisons"], frames["not_used"], bases)


def check_figures(figures: pd.DataFrame, bases: dict, path: str) -> list[Problem]:
    """Consistency of each figure (see the module docstring)."""
    out = []
    for _, r in figures.iterrows():

        def bad(column: str, expected: str, r=r) -> None:
            value = r[column]
            shown = None if pd.isna(value) else str(value)
            out.append(Problem(path, r[LINE], column, shown, expected))

        if r["kind"] == "percent" and pd.isna(r["percent_printed"]):
            bad("percent_printed", "a percentage, since kind is percent")
        if pd.notna(r["percent_printed"]) and float(r["percent_printed"]) > 100:
            bad("percent_printed", "a percentage, at most 100")
        if r["kind"] == "count" and pd.isna(r["count"]):
            bad("count", "a count, since kind is count")
        for column in ("nobs_row_id", "alternative_nobs_row_id"):
            key = r[column]
            if pd.notna(key) and (key not in bases or pd.isna(bases[key])):
                bad(column, "the row id of a count in panel/figures.csv or trends/series.csv")
        if r["kind"] == "percent" and not is_minimum(r) and not problems_with_bases(r, bases):
            for column in ("nobs_row_id", "alternative_nobs_row_id"):
                key = r[column]
                if pd.notna(key) and numerator_range(r["percent_printed"], int(bases[key])) is None:
                    bad(column, f"a base of which {r['percent_printed']}% is a whole count")
        if r["kind"] == "count" and pd.notna(r["count"]) and r["nobs_row_id"] in bases:
            if r["count"] > bases[r["nobs_row_id"]]:
                bad("count", f"at most its base, {r['nobs_row_id']} ({bases[r['nobs_row_id']]})")
    return out


def is_minimum(r: pd.Series) -> bool:
    """Is the row's base only a lower bound (`nobs_is_minimum`, empty meaning no)?"""
    return bool(pd.notna(r["nobs_is_minimum"]) and r["nobs_is_minimum"])


def problems_with_bases(r: pd.Series, bases: dict) -> bool:
    """Does a base of this row name no count?"""
    keys = [r[c] for c in ("nobs_row_id", "alternative_nobs_row_id") if pd.notna(r[c])]
    return any(k not in bases or pd.isna(bases[k]) for k in keys) or pd.isna(r["percent_printed"])


def readings(figure: pd.Series, bases: dict[str, int]) -> list[tuple]:
    """(count_min, count_max, nobs) for each base a percent figure may be a share of:
    the whole counts its printed percentage allows. Empty where no base is printed.

    Where the base is only a lower bound (`nobs_is_minimum`), the counts are the real
    numbers the rounding allows of that smallest base: an interval from them is at least
    as wide as one from the true, larger base.
    """
    out = []
    for column in ("nobs_row_id", "alternative_nobs_row_id"):
        key = figure[column]
        if pd.isna(key):
            continue
        nobs, printed = int(bases[key]), figure["percent_printed"]
        if is_minimum(figure):
            p, h = float(printed), half_unit(printed)
            out.append(((p - h) / 100 * nobs, (p + h) / 100 * nobs, nobs))
        else:
            out.append((*numerator_range(printed, nobs), nobs))
    return out
