"""The national panel's 2023-24 figures, the 2009–11 early help figures and the
then-and-now differences: the report's numbers and tables.

`tables` maps a short name to a results table: figures (panel_figures.csv),
then_and_now, not_used.
"""

from __future__ import annotations

import pandas as pd

from triennial.data import labels
from triennial.report.formatting import ci, pct
from triennial.report.markdown import markdown_table


def points(x: float) -> str:
    """A difference of proportions in percentage points, signed: '+4.1', '−12.0'."""
    return f"{100 * x:+.1f}".replace("-", "−")


def direction(r: pd.Series) -> str:
    """What the interval of the difference says, in words."""
    if r["ci_low"] > 0:
        return "higher"
    if r["ci_upp"] < 0:
        return "lower"
    return "not clearly different"


def covering(rows: pd.DataFrame) -> tuple[float, float]:
    """The interval covering every reading of one figure (both bases)."""
    return rows["ci_low"].min(), rows["ci_upp"].max()


def variables(tables: dict[str, pd.DataFrame]) -> dict:
    """Under `panel.<row_id>`: printed percentage and the interval over all readings;
    under `then_and_now.<comparison_id>`: both periods and the difference."""
    figures = tables["figures"]
    panel = {}
    for row_id, rows in figures.groupby("row_id", sort=False):
        first = rows.iloc[0]
        if first["kind"] == "count":  # printed: the count; pct: its share of the base
            entry = {"printed": f"{first['count_min']:.0f}", "pct": pct(first["estimate"])}
        else:
            entry = {"printed": f"{100 * first['estimate']:g}"}
        for reading, suffix in (("main", ""), ("alternative", "_alt")):
            found = rows[rows["reading"] == reading]
            if len(found):
                entry["nobs" + suffix] = f"{found['nobs'].iloc[0]:.0f}"
        if rows["ci_low"].notna().any():
            entry["ci"] = ci(*covering(rows), digits=0)
        panel[row_id] = entry
    pairs = {}
    for _, r in tables["then_and_now"].iterrows():
        if not r["comparable"]:
            continue
        pairs[r["comparison_id"]] = {
            "earlier": pct(r["earlier_estimate"], 0),
            "later": pct(r["later_estimate"], 0),
            "difference": points(r["difference"]),
            "ci": f"{points(r['ci_low'])} to {points(r['ci_upp'])}",
            "direction": direction(r),
        }
    return {"panel": panel, "then_and_now": pairs}


def findings_table(figures: pd.DataFrame, analysis: str) -> pd.DataFrame:
    """One row per figure of one analysis: what it is a share of, the counts each base
    allows, and the interval covering every reading."""
    rows = []
    shown = figures[(figures["analysis"] == analysis) & (figures["kind"] == "percent")]
    for _, f in shown.groupby("row_id", sort=False):
        first = f.iloc[0]
        readings = [
            f"{_counts(r)} of {r['nobs']:.0f}" for _, r in f.iterrows() if pd.notna(r.get("nobs"))
        ]
        low, upp = covering(f)
        rows.append(
            {
                "Measure": labels.whose(first["measure"]),
                "Group": labels.group(first["group"]),
                "Of": first["of"],
                "Printed": f"{100 * first['estimate']:g}%",
                "Counts it allows": "; ".join(readings) or "no base printed",
                f"{confidence(f)}% CI over all readings": (
                    "" if pd.isna(low) else ci(low, upp, digits=0) + "%"
                ),
            }
        )
    return pd.DataFrame(rows)


def _counts(r: pd.Series) -> str:
    """'161–163', '161', or '43.3–44.1' for a base that is only a lower bound."""
    low, high = r["count_min"], r["count_max"]
    if float(low).is_integer() and float(high).is_integer():
        return f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"
    return f"{low:.1f}–{high:.1f}"


def confidence(table: pd.DataFrame) -> str:
    """The confidence level of a results table's intervals ('95'), from its alpha column."""
    return labels.confidence(table["alpha"].iloc[0])


def definitions(r: pd.Series) -> str:
    """What each period counts, for a comparable pair too, and why the pair compares or not."""
    if not r["comparable"]:
        return r["why"]
    why = r["why"][:1].upper() + r["why"][1:]
    return f"Then: {r['definition_earlier']}. Now: {r['definition_later']}. {why}"


def then_and_now_table(pairs: pd.DataFrame) -> pd.DataFrame:
    level = confidence(pairs)

    def cell(r, side):
        if not r["comparable"]:
            return f"{r[f'definition_{side}']} ({r[f'{side}_period']})"
        low, upp = r[f"{side}_ci_low"], r[f"{side}_ci_upp"]
        shown = f"{pct(r[f'{side}_estimate'], 0)}% ({ci(low, upp, digits=0)}%)"
        return f"{shown}, {r[f'{side}_period']}"

    return pd.DataFrame(
        {
            "Measure": [labels.whose(m) for m in pairs["measure"]],
            f"Earlier ({level}% CI)": [cell(r, "earlier") for _, r in pairs.iterrows()],
            f"Later ({level}% CI)": [cell(r, "later") for _, r in pairs.iterrows()],
            f"Difference, points ({level}% CI)": [
                f"{points(r['difference'])} ({points(r['ci_low'])} to {points(r['ci_upp'])})"
                if r["comparable"]
                else "not comparable"
                for _, r in pairs.iterrows()
            ],
            "Definitions": [definitions(r) for _, r in pairs.iterrows()],
        }
    )


def fragments(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    figures, pairs, not_used = tables["figures"], tables["then_and_now"], tables["not_used"]
    bases = figures[figures["analysis"] == "annual_report"].groupby("reading")["nobs"].first()
    base_note = (
        "Percentages are printed without counts: each is read as every whole count it allows "
        "of each base its wording allows (the rapid reviews or the children: "
        f"{' or '.join(f'{n:.0f}' for n in sorted(bases))}), and the interval covers all of "
        "them. All are second-hand, from a news report of the panel's annual report; see the "
        "data provenance appendix."
    )
    return {
        "tbl_panel_findings.md": markdown_table(
            findings_table(figures, "annual_report"),
            "The national panel's findings from the rapid reviews of 2023-24. " + base_note,
            "panel-findings",
            "lllrll",
            [4, 1, 1, 1, 3, 2],
        ),
        "tbl_extrafamilial_harm.md": markdown_table(
            findings_table(figures, "extrafamilial_harm"),
            "Children in the 2023-24 reviews that featured extrafamilial harm. The children in "
            "these reviews are not counted, and the percentages are not whole shares of the "
            "reviews: the intervals use the number of reviews as the smallest possible base, "
            "and so are at least as wide as the true ones.",
            "extrafamilial-harm",
            "lllrll",
            [4, 2, 1, 1, 3, 2],
        ),
        "tbl_early_help.md": markdown_table(
            findings_table(figures, "early_help"),
            "Children's social care in the cases of a national analysis of serious case "
            "reviews, as reported by Ofsted's early help inspection, whose text names the "
            "analysis of 2009–11 and whose footnote cites that of 2007–09. The base is not "
            "printed there: the reviews of the 2009–11 analysis are assumed.",
            "early-help",
            "lllrll",
            [4, 1, 1, 1, 3, 2],
        ),
        "tbl_then_and_now.md": markdown_table(
            then_and_now_table(pairs),
            "Then and now: each measure in two periods, with the difference (later minus "
            "earlier) and Newcombe's hybrid score interval taken over every reading of the "
            "rounded figures and their bases. Where the definitions differ too much, the "
            "table says so instead of giving a number.",
            "then-and-now",
            "lllll",
            [3, 3, 3, 3, 4],
        ),
        "tbl_not_used.md": markdown_table(
            pd.DataFrame(
                {
                    "Quote": list(not_used["quote"]),
                    "Printed": [f"{p}%" for p in not_used["percent_printed"]],
                    "Source": [f"[@{s}]" for s in not_used["source"]],
                    "Why not used": list(not_used["reason"]),
                }
            ),
            "Figures in the sources considered and not used, with the reason.",
            "not-used",
            "lrll",
            [4, 1, 2, 4],
        ),
    }
