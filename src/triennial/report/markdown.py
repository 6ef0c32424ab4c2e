"""Markdown pipe tables with Quarto captions, for the report."""

from __future__ import annotations

import math

import pandas as pd


def markdown_table(
    frame: pd.DataFrame,
    caption: str,
    label: str,
    align: str = "",
    widths: list[int] | None = None,
) -> str:
    """A pipe table with a Quarto caption line: '{#tbl-label}' makes it numbered.

    `align` gives one of l/r/c per column (default: first left, rest right).
    `widths` gives relative column widths; Pandoc and Quarto read them from the
    number of dashes in the separator line (default: first column wider).
    """
    ncol = len(frame.columns)
    align = align or "l" + "r" * (ncol - 1)
    widths = widths or [3] + [1] * (ncol - 1)
    rule = {"l": ":{}", "r": "{}:", "c": ":{}:"}
    lines = [
        "| " + " | ".join(cell(c) for c in frame.columns) + " |",
        "|"
        + "|".join(rule[a].format("-" * (4 * w)) for a, w in zip(align, widths, strict=True))
        + "|",
    ]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + f"\n\n: {caption} {{#tbl-{label}}}\n"


def cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).replace("|", "\\|")
