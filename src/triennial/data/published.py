"""The published tables: read, correct, and check that the figures hold together.

Order of work (each step only sees what the previous one accepted):

1. every table is read against its Table Schema (`tableschema.read_table`);
2. corrections are checked (each must match the value as transcribed) and applied;
3. denominators named by `nobs_row_id` are filled in;
4. the consistency rules in `check_consistency` run over all tables together.

`validate` runs 1-4 and reports; `clean` runs 1-4 and returns the tidy table with
a cleaning log of every value changed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from triennial.data.errors import LOG_COLUMNS, DataError, Problem, raise_if_any
from triennial.data.tableschema import LINE, load_package, read_table
from triennial.stats.rounding import numerator_range, percent_matches

CORRECTIONS = "corrections"
FILE = "_file"
TABLE = "table"
DENOMINATOR_FILL = "denominator taken from the numerator of"
# Counts known exactly; derived_from_percent carries a range; not_applicable none.
_EXACT = {"printed", "printed_elsewhere", "derived_from_counts"}


def read_tables(descriptor: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All published tables stacked into one frame, and the corrections table.

    Raises DataError listing every schema problem in every file.
    """
    resources = load_package(descriptor)
    frames, problems, corrections = [], [], None
    for name, resource in resources.items():
        try:
            frame = read_table(resource)
        except DataError as err:
            problems += err.problems
            continue
        frame[FILE] = str(resource.path)
        if name == CORRECTIONS:
            corrections = frame
        else:
            frames.append(frame.assign(**{TABLE: name}))
    raise_if_any(problems)
    tables = pd.concat(frames, ignore_index=True)
    problems += _check_unique_row_ids(tables)
    raise_if_any(problems)
    return tables, corrections


def _check_unique_row_ids(tables: pd.DataFrame) -> list[Problem]:
    dup = tables[tables.duplicated("row_id", keep="first")]
    return [
        Problem(r[FILE], r[LINE], "row_id", r["row_id"], "unique across all published tables")
        for _, r in dup.iterrows()
    ]


def apply_corrections(
    tables: pd.DataFrame, corrections: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply corrections.csv; each must name an existing cell holding original_value.

    Returns the corrected tables and a log row per value changed.
    """
    tables = tables.copy()
    by_id = {rid: i for i, rid in tables["row_id"].items()}
    problems, log = [], []
    for _, c in corrections.iterrows():
        where = (c[FILE], c[LINE])
        i = by_id.get(c["row_id"])
        if i is None or tables.at[i, TABLE] != c["table"]:
            problems.append(Problem(*where, "row_id", c["row_id"], f"a row_id of {c['table']}"))
            continue
        current = tables.at[i, c["column"]]
        if pd.isna(current) or str(current) != c["original_value"]:
            problems.append(
                Problem(
                    *where,
                    "original_value",
                    c["original_value"],
                    f"the raw value of {c['row_id']}.{c['column']}, which is {current!s}",
                )
            )
            continue
        new = c["corrected_value"]
        tables.at[i, c["column"]] = new if c["column"] == "percent_printed" else int(new)
        log.append(
            [
                tables.at[i, FILE],
                int(tables.at[i, LINE]),
                c["column"],
                str(current),
                new,
                c["reason"],
            ]
        )
    raise_if_any(problems)
    return tables, pd.DataFrame(log, columns=LOG_COLUMNS)


def resolve_denominators(tables: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill empty denominators from the numerator of `nobs_row_id`.

    A denominator that is present must equal the referenced numerator.
    """
    tables = tables.copy()
    numerators = dict(zip(tables["row_id"], tables["count"], strict=True))
    problems, log = [], []
    for i, r in tables[tables["nobs_row_id"].notna()].iterrows():
        ref = r["nobs_row_id"]
        if ref not in numerators:
            problems.append(Problem(r[FILE], r[LINE], "nobs_row_id", ref, "an existing row_id"))
            continue
        value = numerators[ref]
        if pd.isna(r["nobs"]):
            tables.at[i, "nobs"] = value
            rule = f"{DENOMINATOR_FILL} {ref}"
            log.append([r[FILE], int(r[LINE]), "nobs", "", str(value), rule])
        elif r["nobs"] != value:
            problems.append(
                Problem(
                    r[FILE],
                    r[LINE],
                    "nobs",
                    str(r["nobs"]),
                    f"the numerator of {ref} ({value})",
                )
            )
    raise_if_any(problems)
    return tables, pd.DataFrame(log, columns=LOG_COLUMNS)


def check_consistency(tables: pd.DataFrame) -> list[Problem]:
    """Rules that need more than one cell: see datapackage.json's description."""
    problems = []
    for _, r in tables.iterrows():
        problems += _check_row(r)
    problems += _check_references(tables)
    problems += _check_subsets(tables)
    problems += _check_parts(tables)
    return problems


def _check_row(r: pd.Series) -> list[Problem]:
    def bad(column: str, expected: str) -> Problem:
        value = r[column] if column in r.index else None
        return Problem(r[FILE], r[LINE], column, None if pd.isna(value) else str(value), expected)

    num, den, pct = r["count"], r["nobs"], r["percent_printed"]
    status, kind = r["count_status"], r["kind"]
    out = []
    if kind == "proportion":
        if pd.isna(den):
            out.append(bad("nobs", "a denominator (or nobs_row_id) for a proportion"))
        if status in _EXACT and pd.isna(num):
            out.append(bad("count", f"a numerator, since count_status is {status}"))
    elif kind == "count":
        if pd.isna(num):
            out.append(bad("count", "the count, for kind 'count'"))
        if pd.notna(pct):
            out.append(bad("percent_printed", "empty for kind 'count'"))
    else:  # rate_per_year, percent_range
        for col in ("value_low", "value_high"):
            if pd.isna(r[col]):
                out.append(bad(col, f"a value, for kind '{kind}'"))
        if pd.notna(r["value_low"]) and pd.notna(r["value_high"]):
            if r["value_low"] > r["value_high"]:
                out.append(bad("value_low", f"at most value_high ({r['value_high']})"))
        if kind == "percent_range" and pd.notna(r["value_high"]) and r["value_high"] > 100:
            out.append(bad("value_high", "a percentage, at most 100"))
    if status == "derived_from_percent":
        out += _check_derived(r, bad)
    elif status == "not_applicable" and (pd.notna(num) or pd.notna(pct)):
        out.append(bad("count", "empty for a not_applicable cell"))
    elif pd.notna(r["count_min"]) or pd.notna(r["count_max"]):
        out.append(bad("count_min", "empty unless count_status is derived_from_percent"))
    if kind == "proportion" and pd.notna(num) and pd.notna(den):
        if num > den:
            out.append(bad("count", f"at most the denominator ({den})"))
        elif pd.notna(pct) and not percent_matches(num, den, pct):
            exact = 100 * num / den
            out.append(
                bad("percent_printed", f"{num}/{den} = {exact:.3f}%, which rounds otherwise")
            )
    if kind == "rate_per_year" and pd.notna(num) and pd.notna(r["exposure_years"]):
        rate = num / r["exposure_years"]
        if not r["value_low"] - 0.5 <= rate <= r["value_high"] + 0.5:
            out.append(bad("value_low", f"{num}/{r['exposure_years']} = {rate:.2f} a year"))
    if pd.notna(r["part_of"]) and pd.isna(r["partition"]):
        out.append(bad("partition", "the name of the breakdown, since part_of is set"))
    return out


def _check_derived(r: pd.Series, bad) -> list[Problem]:
    out = []
    if pd.notna(r["count"]):
        out.append(bad("count", "empty: derived_from_percent rows carry count_min/max"))
    if pd.isna(r["percent_printed"]) or pd.isna(r["nobs"]):
        return out + [bad("percent_printed", "a printed percentage and a denominator")]
    expected = numerator_range(r["percent_printed"], int(r["nobs"]))
    if expected is None:
        return out + [bad("percent_printed", f"a percentage some count of {r['nobs']} gives")]
    for col, value in zip(("count_min", "count_max"), expected, strict=True):
        if pd.isna(r[col]) or r[col] != value:
            out.append(bad(col, f"{value}, from {r['percent_printed']}% of {r['nobs']}"))
    return out


def _check_references(tables: pd.DataFrame) -> list[Problem]:
    ids = set(tables["row_id"])
    out = []
    for col in ("part_of", "subset_of", "nobs_row_id"):
        for _, r in tables[tables[col].notna() & ~tables[col].isin(ids)].iterrows():
            out.append(Problem(r[FILE], r[LINE], col, r[col], "the row_id of an existing row"))
    return out


def _bounds(r: pd.Series) -> tuple[float, float]:
    """Smallest and largest numerator a row allows (a range for derived rows)."""
    if pd.notna(r["count"]):
        return r["count"], r["count"]
    if pd.notna(r["count_min"]):
        return r["count_min"], r["count_max"]
    return float("nan"), float("nan")


def _check_subsets(tables: pd.DataFrame) -> list[Problem]:
    rows = tables.set_index("row_id", drop=False)
    out = []
    for _, r in tables[tables["subset_of"].notna()].iterrows():
        if r["subset_of"] not in rows.index:
            continue  # reported by _check_references
        low, _ = _bounds(r)
        _, parent_high = _bounds(rows.loc[r["subset_of"]])
        if low > parent_high:
            out.append(
                Problem(
                    r[FILE],
                    r[LINE],
                    "count",
                    str(low),
                    f"at most the numerator of {r['subset_of']} ({parent_high}), its parent",
                )
            )
    return out


def _check_parts(tables: pd.DataFrame) -> list[Problem]:
    rows = tables.set_index("row_id", drop=False)
    parts = tables[tables["part_of"].notna() & (tables["count_status"] != "not_applicable")]
    out = []
    for (total_id, partition), group in parts.groupby(["part_of", "partition"], sort=True):
        if total_id not in rows.index:
            continue  # reported by _check_references
        total = rows.loc[total_id]
        bounds = [_bounds(r) for _, r in group.iterrows()]
        low, high = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
        members = ", ".join(group["row_id"])
        if not low <= total["count"] <= high:
            sums = f"{low:g}" if low == high else f"{low:g} to {high:g}"
            out.append(
                Problem(
                    total[FILE],
                    total[LINE],
                    "count",
                    str(total["count"]),
                    f"the sum of its {partition} parts ({members}): {sums}",
                )
            )
        # Stratified totals (Table 3): parts take their base from other rows, so
        # those bases must add up to the total's base.
        stratified = group["nobs_row_id"].ne(total_id).all()
        if stratified and pd.notna(total["nobs"]):
            base = group["nobs"].sum()
            if base != total["nobs"]:
                out.append(
                    Problem(
                        total[FILE],
                        total[LINE],
                        "nobs",
                        str(total["nobs"]),
                        f"the sum of its {partition} parts' denominators ({members}): {base}",
                    )
                )
    return out


def validate(descriptor: Path) -> dict:
    """Run every check on the published tables; raise DataError or return a summary."""
    tables, _, _ = _corrected(descriptor)
    counts = tables.groupby(TABLE, sort=False).size()
    return {
        "descriptor": str(descriptor),
        "tables": {name: int(n) for name, n in counts.items()},
        "rows": int(len(tables)),
        "status": "valid",
    }


def clean(descriptor: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validated, corrected tables as one tidy frame, and the cleaning log."""
    tables, log, corrected_ids = _corrected(descriptor)
    tables["corrected"] = tables["row_id"].isin(corrected_ids)
    tables["source_line"] = tables[LINE]
    tables = tables.drop(columns=[LINE, FILE])
    front = [TABLE, "row_id"]
    return tables[front + [c for c in tables.columns if c not in front]], log


def _corrected(descriptor: Path) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    tables, corrections = read_tables(descriptor)
    tables, log_corr = apply_corrections(tables, corrections)
    tables, log_den = resolve_denominators(tables)
    raise_if_any(check_consistency(tables))
    log = pd.concat([log_corr, log_den], ignore_index=True)
    return tables, log, set(corrections["row_id"])


# Types of the clean table's columns, as in published_table.schema.json
# (tests/test_published.py checks the two agree), plus the columns clean() adds.
CLEAN_DTYPES = {
    "count": "Int64",
    "nobs": "Int64",
    "count_min": "Int64",
    "count_max": "Int64",
    "value_low": "Float64",
    "value_high": "Float64",
    "exposure_years": "Float64",
    "minimum_rate": "boolean",
    "primary_checked": "boolean",
    "corrected": "boolean",
    "source_line": "Int64",
}


def read_clean(path: Path) -> pd.DataFrame:
    """Read the clean table written by `clean`, with its column types."""
    frame = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
    for column, dtype in CLEAN_DTYPES.items():
        if dtype == "boolean":  # pandas writes True/False; map them back explicitly
            frame[column] = frame[column].map({"True": True, "False": False}).astype(dtype)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame
