"""The data provenance appendix: every raw table, the publications it cites, and every figure
that its source does not print as such, each with an author-year citation and its quote."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from triennial.data import labels
from triennial.report.markdown import markdown_table

# The `status` column of every raw table (see the table schemas).
STATUSES = ("printed", "derived", "assumed", "second-hand", "unchecked")
QUOTE_LENGTH = 160


def read_package(descriptor: Path) -> dict[str, pd.DataFrame]:
    """Every table of a data package, as text, by resource name (no checks: already done)."""
    descriptor = Path(descriptor)
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    return {
        r["name"]: pd.read_csv(descriptor.parent / r["path"], dtype=str, keep_default_na=False)
        for r in package["resources"]
    }


def cite(keys, locator: str = "") -> str:
    """Pandoc citation of registry keys: '[@a; @b]', or '[@a, Table 1]' with a locator."""
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return ""
    return (
        f"[@{keys[0]}, {locator}]"
        if locator and len(keys) == 1
        else ("[" + "; ".join(f"@{k}" for k in keys) + "]")
    )


def primary_unchecked(table: pd.DataFrame) -> pd.Series:
    """Rows that name a primary publication the figure was not checked against."""
    if "primary_checked" in table:
        return table["primary_checked"] == "false"
    # bruising studies: `verified` says whether a second-hand figure was checked
    return (table.get("primary_source", "") != "") & (table.get("verified", "true") == "false")


def not_checked(table: pd.DataFrame) -> pd.Series:
    """Rows not checked against a publication: the quote is the project's notes, not the
    source's words, or the primary publication named was not checked."""
    return (table["quote_from"] == "notes") | primary_unchecked(table)


def assumed(table: pd.DataFrame) -> pd.Series:
    """Rows whose figure, or whose denominator, is an assumption."""
    out = table["status"] == "assumed"
    if "nobs_status" in table:
        out |= table["nobs_status"] == "assumed"
    return out


def tables_overview(packages: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """One row per raw table: rows, the publications cited, and rows by status."""
    rows = []
    for tables in packages.values():
        for name, table in tables.items():
            keys = sorted(set(table["source"]) | set(table.get("primary_source", [])) - {""})
            rows.append(
                {
                    "Table": labels.table(name),
                    "Rows": len(table),
                    "Sources": cite(keys),
                    "Printed": int((table["status"] == "printed").sum()),
                    "Derived": int((table["status"] == "derived").sum()),
                    "Assumed": int(assumed(table).sum()),
                    "Second-hand": int((table["status"] == "second-hand").sum()),
                    "Unchecked": int((table["status"] == "unchecked").sum()),
                    "Not checked": int(not_checked(table).sum()),
                }
            )
    return pd.DataFrame(rows)


def not_printed(packages: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """Every figure its source does not print as such, with its citation and quote."""
    rows = []
    for tables in packages.values():
        for name, table in tables.items():
            flagged = (table["status"] != "printed") | assumed(table)
            for _, r in table[flagged].iterrows():
                quote = r["quote"]
                if len(quote) > QUOTE_LENGTH:
                    quote = quote[: QUOTE_LENGTH - 1] + "…"
                if r["quote_from"] == "notes":
                    quote = f"(the project's notes, not the source's words) {quote}"
                status = r["status"]
                if r.get("nobs_status") == "assumed":
                    status += ", denominator assumed"
                if r.get("primary_source"):
                    checked = (
                        "checked"
                        if "true" in (r.get("primary_checked"), r.get("verified"))
                        else "not checked"
                    )
                    status += f"; primary {cite([r['primary_source']])}, {checked}"
                rows.append(
                    {
                        "Figure": labels.source_row(r.to_dict(), name),
                        "Status": status,
                        "Source": cite([r["source"]], r["locator"]),
                        "Quote": quote,
                    }
                )
    return pd.DataFrame(rows)


def figure_id(r: pd.Series) -> str:
    """A row's id; a correction is named by the table and row it corrects."""
    return r["row_id"] if "table" not in r else f"{r['table']}/{r['row_id']}"


def fragments(packages: dict[str, dict[str, pd.DataFrame]]) -> dict[str, str]:
    """The provenance appendix's two tables."""
    return {
        "tbl_provenance.md": markdown_table(
            tables_overview(packages),
            "Raw tables: rows, the publications they cite, and how many figures are printed "
            "by their source, derived from printed figures, assumed (the figure or its "
            "denominator), second-hand, or unchecked (printed according to the project's "
            "notes), and how many were not checked against a publication: the quote is the "
            "project's notes rather than the source's words, or the primary publication named "
            "was not checked.",
            "provenance",
            "lrlrrrrrr",
            [4, 1, 5, 1, 1, 1, 1, 1, 1],
        ),
        "tbl_not_printed.md": markdown_table(
            not_printed(packages),
            "Every figure not printed as such by its source, with its citation, locator and "
            f"the quote it rests on (quotes over {QUOTE_LENGTH} characters are cut; the full "
            "quote is in the raw table).",
            "not-printed",
            "llll",
            [3, 3, 3, 5],
        ),
    }
