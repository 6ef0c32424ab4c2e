"""The inputs of the bruising implication analysis: published figures from the raw data,
assumptions from the configuration.

The configuration (`bruising.period`, `bruising.implications`) gives each input either as
`row: <row_id>`, a published figure of the bruising data package (a row of
implication_figures.csv, or a base rate of studies.csv), or as `value:` with `assumed_by`
and `why`, an assumption. `low` and `high`, the ends the sensitivity analyses use, are
always assumptions and need `assumed_by` and `why` too. No published figure is typed
into the configuration, so none is defined twice.

`resolve` returns each input as `{value, low, high, provenance}` (low and high only where
given): `provenance` is the raw row (source, locator, quote, status, ...) or the
assumption (status `assumed`, who assumes it and why), and `ends` says who assumes the
ends. Plain settings (`max_observations`) pass through unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from triennial.data.errors import DataError, Problem
from triennial.data.studies import read_bruising
from triennial.data.tableschema import load_package, read_table

FIGURES = "implication_figures"
PROVENANCE_COLUMNS = (
    "source", "locator", "quote", "quote_from", "status", "primary_source", "primary_checked",
)  # fmt: skip
CONFIG = "the configuration (config/config.yaml)"


def read_figures(descriptor: Path) -> pd.DataFrame:
    """implication_figures.csv, read against its schema (DataError naming file, row, column)."""
    return read_table(load_package(descriptor)[FIGURES])


def figure_rows(studies: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Every figure the configuration may name, by row_id: value, low, high, provenance.

    A study's printed percentage is a share (6.7 -> 0.067); a review's printed range gives
    low and high, with the value at its low end. A study row whose count is derived still
    prints its percentage, so that figure is shown as printed.
    """
    s = studies.copy()
    printed = pd.to_numeric(s["percent_printed"])  # kept as printed text in the table
    low, high = pd.to_numeric(s["range_low"]), pd.to_numeric(s["range_high"])
    s["value"], s["low"], s["high"] = printed.fillna(low) / 100, low / 100, high / 100
    s["primary_checked"] = s["verified"].where(s["primary_source"].notna())
    s.loc[s["percent_printed"].notna() & (s["status"] == "derived"), "status"] = "printed"
    f = figures.assign(low=float("nan"), high=float("nan"))
    columns = ["row_id", "value", "low", "high", *PROVENANCE_COLUMNS]
    both = pd.concat([f[columns], s[columns]], ignore_index=True)
    if both["row_id"].duplicated().any():
        twice = sorted(set(both.loc[both["row_id"].duplicated(), "row_id"]))
        raise DataError(Problem.of_file(FIGURES, f"row ids not shared with studies.csv: {twice}"))
    return both.set_index("row_id")


def _provenance(row: pd.Series) -> dict:
    out = {c: row[c] for c in PROVENANCE_COLUMNS if pd.notna(row[c]) and row[c] != ""}
    if "primary_checked" in out:
        out["primary_checked"] = bool(out["primary_checked"])
    return out


def resolve_input(key: str, spec: dict, rows: pd.DataFrame) -> dict:
    """One input (see the module docstring); `key` is its dotted config key, for errors."""
    if "row" in spec:
        if spec["row"] not in rows.index:
            raise DataError(
                Problem(
                    CONFIG,
                    None,
                    f"{key}.row",
                    spec["row"],
                    "a row_id of implication_figures.csv or studies.csv",
                )  # fmt: skip
            )
        row = rows.loc[spec["row"]]
        if pd.isna(row["value"]):
            raise DataError(Problem(CONFIG, None, f"{key}.row", spec["row"], "a row with a value"))
        out = {"value": float(row["value"]), "provenance": _provenance(row) | {"row": row.name}}
        if pd.notna(row["low"]):
            out |= {"low": float(row["low"]), "high": float(row["high"])}
    else:
        assumption = {"status": "assumed", "assumed_by": spec["assumed_by"], "why": spec["why"]}
        out = {"value": float(spec["value"]), "provenance": assumption}
    if "low" in spec:
        out |= {"low": float(spec["low"]), "high": float(spec["high"])}
        out["ends"] = {"assumed_by": spec["assumed_by"], "why": spec["why"]}
    return out


def resolve(section: dict, rows: pd.DataFrame, name: str) -> dict:
    """Every input of one configuration section (`bruising.<name>`), resolved."""
    return {
        item: resolve_input(f"bruising.{name}.{item}", spec, rows)
        if isinstance(spec, dict)
        else spec
        for item, spec in section.items()
    }


def read_inputs(descriptor: Path, bruising: dict) -> dict:
    """The `bruising` configuration with its `period` and `implications` resolved."""
    studies, _ = read_bruising(Path(descriptor))
    rows = figure_rows(studies, read_figures(Path(descriptor)))
    resolved = {name: resolve(bruising[name], rows, name) for name in ("period", "implications")}
    return dict(bruising) | resolved
