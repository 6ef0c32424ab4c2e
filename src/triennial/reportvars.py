"""Numbers for the report: `_variables.yml` and Markdown table fragments.

Every number the report's prose uses is looked up here by row_id
(`{{< var t1_alcohol_misuse.pct >}}`), so none is typed by hand; tables arrive as
generated Markdown with a Quarto caption and cross-reference id.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from triennial import labels, published


def pct(x: float) -> str:
    """A proportion as a percentage with one decimal: 0.7482 -> '74.8'."""
    return f"{100 * x:.1f}"


def long_date(iso: str) -> str:
    """'2014-04-01' -> '1 April 2014' (British style, as the source writes dates)."""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def ci(low: float, upp: float) -> str:
    """An interval in per cent: '69.4–79.6'."""
    return f"{pct(low)}–{pct(upp)}"


def count(x) -> str:
    """A count with thousands separators; empty for missing."""
    return "" if x is None or pd.isna(x) else f"{int(x):,}"


def row_variables(clean: pd.DataFrame, prev: pd.DataFrame) -> dict[str, dict[str, str]]:
    """One entry per published figure: n, N, group, printed and, for proportions, pct and ci."""
    out: dict[str, dict[str, str]] = {}
    for _, r in clean.iterrows():
        entry = {"n": count(r["numerator"]), "N": count(r["denominator"]), "group": r["group"]}
        if pd.notna(r["percent_printed"]):
            entry["printed"] = r["percent_printed"]
        if pd.notna(r["value_low"]):
            low, high = r["value_low"], r["value_high"]
            entry["printed"] = f"{low:g}" if low == high else f"{low:g}–{high:g}"
        if pd.notna(r["numerator_min"]):
            entry["n_range"] = f"{r['numerator_min']}–{r['numerator_max']}"
        out[r["row_id"]] = entry
    for _, p in prev.iterrows():
        out[p["row_id"]] |= {
            "pct": pct(p["estimate"]),
            "ci": ci(p["ci_low"], p["ci_upp"]),
            "ci_low": pct(p["ci_low"]),
            "ci_upp": pct(p["ci_upp"]),
        }
    return out


def comparison_variables(comparison: pd.DataFrame) -> dict[str, str]:
    """How many printed figures were reproduced, only consistent, or not recomputable."""
    recomputed = comparison["reproduced"].notna()
    match = comparison["match"].astype("boolean")
    return {
        "total": str(len(comparison)),
        "reproduced": str(int((recomputed & match.fillna(False)).sum())),
        "consistent": str(int((~recomputed & match.fillna(False)).sum())),
        "not_recomputable": str(int(match.isna().sum())),
        "mismatched": str(int((match == False).sum())),  # noqa: E712 (pandas NA-aware)
    }


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
        "| " + " | ".join(_cell(c) for c in frame.columns) + " |",
        "|"
        + "|".join(rule[a].format("-" * (4 * w)) for a, w in zip(align, widths, strict=True))
        + "|",
    ]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines) + f"\n\n: {caption} {{#tbl-{label}}}\n"


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).replace("|", "\\|")


def estimate_cell(p: pd.Series) -> str:
    """'35.6 (30.2–41.4)'."""
    return f"{pct(p['estimate'])} ({ci(p['ci_low'], p['ci_upp'])})"


def characteristics_table(prev: pd.DataFrame, clean: pd.DataFrame, table: str) -> pd.DataFrame:
    """Tables 1, 2, 4: one row per characteristic, printed vs estimate with interval."""
    rows = prev[prev["table"] == table]
    printed = clean.set_index("row_id")["percent_printed"]
    level = labels.confidence(prev["alpha"].iloc[0])
    return pd.DataFrame(
        {
            "Characteristic": [labels.measure(m, table) for m in rows["measure"]],
            "n": [
                count(n) if pd.notna(n) else f"{lo}–{hi}"
                for n, lo, hi in zip(rows["n"], rows["n_min"], rows["n_max"], strict=True)
            ],
            "N": [count(n) for n in rows["N"]],
            "Printed %": [printed[r] for r in rows["row_id"]],
            f"% ({level}% CI)": [estimate_cell(p) for _, p in rows.iterrows()],
        }
    )


def age_band_table(prev: pd.DataFrame, clean: pd.DataFrame, table: str) -> pd.DataFrame:
    """Table 3: n/N per age band, then the total with its interval."""
    cells = clean[clean["table"] == table].set_index("row_id")
    rows = prev[prev["table"] == table]
    level = labels.confidence(prev["alpha"].iloc[0])
    out = []
    for name in dict.fromkeys(rows.loc[rows["group"] == "all", "measure"]):
        line = {"Characteristic": labels.measure(name)}
        for band in labels.AGE_BANDS:
            cell = cells[(cells["measure"] == name) & (cells["group"] == band)]
            c = cell.iloc[0] if len(cell) else None
            na = c is None or c["count_status"] == "not_applicable"
            line[labels.group(band)] = "–" if na else f"{c['numerator']}/{c['denominator']}"
        total = rows[(rows["measure"] == name) & (rows["group"] == "all")].iloc[0]
        line["Total n/N"] = f"{total['n']}/{total['N']}"
        line[f"% ({level}% CI)"] = estimate_cell(total)
        out.append(line)
    return pd.DataFrame(out)


def counts_table(prev: pd.DataFrame, table: str, first: str) -> pd.DataFrame:
    """Table 5 style: one row per group with n, N and the estimate."""
    rows = prev[prev["table"] == table]
    level = labels.confidence(prev["alpha"].iloc[0])
    return pd.DataFrame(
        {
            first: [labels.group(g) for g in rows["group"]],
            "n": [count(n) for n in rows["n"]],
            "N": [count(n) for n in rows["N"]],
            f"% ({level}% CI)": [estimate_cell(p) for _, p in rows.iterrows()],
        }
    )


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Published vs reproduced, for the appendix."""

    def verdict(row) -> str:
        if pd.isna(row["match"]):
            return "not recomputable"
        if not row["match"]:
            return "**no**"
        return "yes" if pd.notna(row["reproduced"]) else "consistent"

    unit = {"percent": "%", "per year": " a year"}
    return pd.DataFrame(
        {
            "Figure": comparison["row_id"],
            "Printed": [
                f"{p}{unit[u]}"
                for p, u in zip(comparison["printed"], comparison["unit"], strict=True)
            ],
            "n": [
                count(n) if pd.notna(n) else (f"{lo}–{hi}" if pd.notna(lo) else "")
                for n, lo, hi in zip(
                    comparison["n"], comparison["n_min"], comparison["n_max"], strict=True
                )
            ],
            "N": [count(n) for n in comparison["N"]],
            "Recomputed": ["" if pd.isna(x) else f"{x:.2f}" for x in comparison["reproduced"]],
            "Match": [verdict(r) for _, r in comparison.iterrows()],
        }
    )


def key_data_table(prev: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    """The key data's proportions: measure and group, printed %, counts, estimate."""
    rows = prev[prev["table"] == "key_data"]
    printed = clean.set_index("row_id")["percent_printed"]
    level = labels.confidence(prev["alpha"].iloc[0])
    return pd.DataFrame(
        {
            "Measure": [labels.measure(m) for m in rows["measure"]],
            "Group": [labels.group(g) for g in rows["group"]],
            "Printed %": [_cell(printed[r]) for r in rows["row_id"]],
            "n": [
                count(n) if pd.notna(n) else f"{lo}–{hi}"
                for n, lo, hi in zip(rows["n"], rows["n_min"], rows["n_max"], strict=True)
            ],
            "N": [count(n) for n in rows["N"]],
            f"% ({level}% CI)": [estimate_cell(p) for _, p in rows.iterrows()],
        }
    )


def fragments(
    clean: pd.DataFrame,
    prev: pd.DataFrame,
    comparison: pd.DataFrame,
    changes: pd.DataFrame,
    software: pd.DataFrame,
    inputs: pd.DataFrame,
) -> dict[str, str]:
    """Every generated table of the report, by file name, as Markdown."""
    level = labels.confidence(prev["alpha"].iloc[0])
    method = labels.METHODS[prev["method"].iloc[0]]
    interval = f"{level}% {method} interval"
    corrections = changes[~is_denominator_fill(changes)]
    n_reports = count(prev.loc[prev["row_id"] == "t1_alcohol_misuse", "N"].iloc[0])
    return {
        "tbl_key_data.md": markdown_table(
            key_data_table(prev, clean),
            f"Key data: printed percentage, the counts it stands for, and the estimate with its "
            f"{interval}. A range of n means only the percentage is printed.",
            "key-data",
            "llrrrr",
            [4, 3, 2, 2, 1, 3],
        ),
        "tbl_parental.md": markdown_table(
            characteristics_table(prev, clean, "table1_parental"),
            f"Parental characteristics noted in the {n_reports} final reports (Table 1 of the "
            f"triennial analysis), with {interval}s. Rates are a minimum for each factor. "
            "Violent crime excludes domestic violence.",
            "parental",
        ),
        "tbl_family.md": markdown_table(
            characteristics_table(prev, clean, "table2_family"),
            f"Family characteristics noted in the {n_reports} final reports (Table 2), "
            f"with {interval}s.",
            "family",
        ),
        "tbl_child.md": markdown_table(
            age_band_table(prev, clean, "table3_child"),
            f"Child characteristics by age band (Table 3): n/N per band, where N is the "
            f"band's number of reports ('–': band excluded), and the total with its {interval}.",
            "child",
            widths=[4, 2, 2, 2, 2, 2, 2, 4],
        ),
        "tbl_neglect_adversity.md": markdown_table(
            characteristics_table(prev, clean, "table4_neglect_adversity"),
            f"Parental and family adversity where neglect was a feature (Table 4). Only "
            f"percentages are printed: n is the range of counts consistent with them, and the "
            f"{interval} spans that range. Rates are likely underestimates.",
            "neglect-adversity",
        ),
        "tbl_review_methods.md": markdown_table(
            counts_table(prev, "table5_review_methods", "Review method"),
            f"Review methodology of the reports (Table 5), with {interval}s.",
            "review-methods",
        ),
        "tbl_comparison.md": markdown_table(
            comparison_table(comparison),
            "Published versus reproduced: each printed percentage or rate against the value "
            "recomputed from the counts (match within half a unit of the last printed digit).",
            "comparison",
            "lrrrrl",
            [5, 2, 2, 1, 2, 3],
        ),
        "tbl_cleaning.md": markdown_table(
            pd.DataFrame(
                {
                    "File": [f.split("/")[-1] for f in corrections["file"]],
                    "Row": corrections["row"],
                    "Column": corrections["column"],
                    "Old": corrections["old_value"],
                    "New": corrections["new_value"],
                    "Reason": corrections["rule"],
                }
            ),
            "Corrections applied to the published tables (the full cleaning log, with every "
            "denominator filled in, is data/processed/published/cleaning_log.csv).",
            "cleaning",
            "lrlrrl",
            [3, 1, 2, 1, 1, 8],
        ),
        "tbl_software.md": markdown_table(
            software.rename(columns={"software": "Software", "version": "Version"}),
            "Software used for this run.",
            "software",
            "ll",
        ),
        "tbl_checksums.md": markdown_table(
            pd.DataFrame(
                {
                    "Input file": inputs["file"],
                    "Bytes": [count(b) for b in inputs["bytes"]],
                    "SHA-256 (first 16 hex digits)": [h[:16] for h in inputs["sha256"]],
                }
            ),
            "Input files of this run and their checksums (full values in "
            "results/tables/input_checksums.csv).",
            "checksums",
            "lrl",
            [5, 1, 3],
        ),
    }


def variables(
    meta: dict[str, str],
    clean: pd.DataFrame,
    prev: pd.DataFrame,
    comparison: pd.DataFrame,
    changes: pd.DataFrame,
) -> dict:
    """Everything `{{< var ... >}}` can look up: run metadata, then one entry per figure."""
    alpha = prev["alpha"].iloc[0]
    corrections = ~is_denominator_fill(changes)
    return {
        "meta": meta
        | {
            "period_start_long": long_date(meta["period_start"]),
            "period_end_long": long_date(meta["period_end"]),
            "confidence": labels.confidence(alpha),
            "method": labels.METHODS[prev["method"].iloc[0]],
            "fpc": "applied" if prev["fpc_applied"].any() else "not applied",
            "n_tables": str(clean["table"].nunique()),
            "n_figures": str(len(clean)),
            "n_proportions": str(len(prev)),
        },
        "comparison": comparison_variables(comparison),
        "cleaning": {
            "changes": str(len(changes)),
            "corrections": str(int(corrections.sum())),
            "denominators_filled": str(int((~corrections).sum())),
        },
    } | row_variables(clean, prev)


def is_denominator_fill(changes: pd.DataFrame) -> pd.Series:
    """Cleaning-log rows that fill a denominator in (rather than correct a value)."""
    return changes["rule"].str.startswith(published.DENOMINATOR_FILL)
