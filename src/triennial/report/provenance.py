"""The data provenance appendix: every raw table, its sources, and every figure that is
derived or second-hand, with its quote."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from triennial.data import labels
from triennial.report.markdown import markdown_table

# count_status values that mean "not printed as such by the source"
NOT_PRINTED = {
    "derived_from_percent": "derived from a printed percentage",
    "derived_from_counts": "derived from other printed counts",
    "printed_elsewhere": "printed elsewhere in the source",
    "quoted_second_hand": "quoted second-hand",
    "percent_only": "percentage only, no count",
    "percent_words_only": "in words only, no count",
    "review_summary": "a review's summary range",
    "derived": "derived from other printed figures",
}
QUOTE_LENGTH = 160


def read_package(descriptor: Path) -> dict[str, pd.DataFrame]:
    """Every table of a data package, as text, by resource name (no checks: already done)."""
    descriptor = Path(descriptor)
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    return {
        r["name"]: pd.read_csv(descriptor.parent / r["path"], dtype=str, keep_default_na=False)
        for r in package["resources"]
    }


def tables_overview(packages: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """One row per raw table: its package, rows, sources, and rows not printed as such."""
    rows = []
    for tables in packages.values():
        for name, table in tables.items():
            status = table.get("count_status", pd.Series(dtype=str))
            verified = table.get("verified", pd.Series(dtype=str))
            rows.append(
                {
                    "Table": labels.table(name),
                    "Rows": len(table),
                    "Sources": ", ".join(sorted(set(table.get("source_file", [])))),
                    "Derived": int(status.str.startswith("derived").sum()),
                    "Second-hand": int((status == "quoted_second_hand").sum()),
                    "Not verified": int((verified == "false").sum()),
                }
            )
    return pd.DataFrame(rows)


def not_printed(packages: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """Every figure that is derived, second-hand or not verified, with its quote."""
    rows = []
    for tables in packages.values():
        for name, table in tables.items():
            if "count_status" not in table or "source_quote" not in table:
                continue
            flagged = table["count_status"].isin(NOT_PRINTED) | (
                table.get("verified", pd.Series("true", index=table.index)) == "false"
            )
            for _, r in table[flagged].iterrows():
                quote = r["source_quote"]
                if len(quote) > QUOTE_LENGTH:
                    quote = quote[: QUOTE_LENGTH - 1] + "…"
                status = NOT_PRINTED.get(r["count_status"], r["count_status"])
                if r.get("verified") == "false":
                    status += "; not verified"
                rows.append(
                    {
                        "Figure": labels.source_row(r.to_dict(), name),
                        "Status": status,
                        "Source": r["source_file"],
                        "Quote": quote,
                    }
                )
    return pd.DataFrame(rows)


def fragments(packages: dict[str, dict[str, pd.DataFrame]]) -> dict[str, str]:
    """The provenance appendix's two tables."""
    return {
        "tbl_provenance.md": markdown_table(
            tables_overview(packages),
            "Raw tables: rows, source documents (data/raw/sources/), and how many figures are "
            "derived, quoted second-hand, or not verified against their study.",
            "provenance",
            "lrlrrr",
            [4, 1, 5, 1, 1, 1],
        ),
        "tbl_not_printed.md": markdown_table(
            not_printed(packages),
            "Every figure not printed as such by its source, with the quote it rests on "
            "(quotes over 160 characters are cut; the full quote is in the raw table).",
            "not-printed",
            "llll",
            [3, 2, 2, 6],
        ),
    }
