"""Numbers for the report: `_variables.yml` (tables: see `report.tables`).

Every number the report's prose uses is looked up here by row_id
(`{{< var t1_alcohol_misuse.pct >}}`), so none is typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from triennial.analysis.small_counts import is_small
from triennial.data import labels, published
from triennial.report import bruising as report_bruising
from triennial.report import then_and_now as report_then_and_now
from triennial.report import trends as report_trends
from triennial.report.formatting import SUPPRESSED, WITHHELD, ci, count, long_date, pct
from triennial.report.numbers import PROVENANCE, provenance


def row_variables(clean: pd.DataFrame, prev: pd.DataFrame) -> dict[str, dict[str, str]]:
    """One entry per published figure: n, N, group, printed and, for proportions, pct and ci."""
    out: dict[str, dict[str, str]] = {}
    for _, r in clean.iterrows():
        entry = {"count": count(r["count"]), "nobs": count(r["nobs"]), "group": r["group"]}
        if pd.notna(r["percent_printed"]):
            entry["printed"] = r["percent_printed"]
        if pd.notna(r["value_low"]):
            low, high = r["value_low"], r["value_high"]
            entry["printed"] = f"{low:g}" if low == high else f"{low:g}–{high:g}"
        if pd.notna(r["count_min"]):
            entry["count_range"] = f"{r['count_min']}–{r['count_max']}"
        out[r["row_id"]] = entry
    for row_id, entry in prevalence_variables(prev).items():
        out[row_id] |= {k: v for k, v in entry.items() if k not in ("count", "nobs")}
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


@dataclass
class ReportData:
    """Everything the report is made from. National report: the published tables are
    the estimates and the extract is checked against them. Local report: the extract
    is the only source, and `clean`, `comparison`, `changes`, `paths` are None."""

    meta: dict[str, str]
    national: bool  # the national report (published tables) or a local one (extract only)
    prev: pd.DataFrame
    extract: dict
    agreement: pd.DataFrame
    subgroup_tests: pd.DataFrame
    quarantine: pd.DataFrame  # reasons counted by column, never rows
    software: pd.DataFrame
    inputs: pd.DataFrame
    clean: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    paths: pd.DataFrame | None = None
    threshold: int = 0  # small-number suppression (0: none, the public demonstration)
    bruising: dict | None = None  # the bruising chapter's tables, config and studies
    coverage: pd.DataFrame | None = None  # exact coverage of each interval method
    coverage_grid: pd.DataFrame | None = None  # the sizes and proportions it was computed at
    disclosure: pd.DataFrame | None = None  # the extract's cells: printed, hidden
    trends: dict | None = None  # the trends chapter's tables
    panel: dict | None = None  # the panel's 2023-24 figures and then-and-now tables
    packages: dict | None = None  # raw tables by data package, for the provenance appendix

    def shown(self, value: int) -> str:
        """A count of reviews or rows as the report may show it: 'fewer than 5' when small."""
        return f"fewer than {self.threshold}" if is_small(value, self.threshold) else f"{value:,}"


def prevalence_variables(prev: pd.DataFrame) -> dict[str, dict[str, str]]:
    """n, N, pct and ci of every estimated proportion, 'suppressed' where blanked."""
    out = {}
    for _, p in prev.iterrows():
        if pd.isna(p["estimate"]):
            out[p["row_id"]] = dict.fromkeys(
                ("count", "nobs", "pct", "ci", "ci_low", "ci_upp"), SUPPRESSED
            ) | {"summary": WITHHELD}
            continue
        out[p["row_id"]] = {
            "count": count(p["count"]),
            "nobs": count(p["nobs"]),
            "pct": pct(p["estimate"]),
            "ci": ci(p["ci_low"], p["ci_upp"]),
            "ci_low": pct(p["ci_low"]),
            "ci_upp": pct(p["ci_upp"]),
            "summary": f"{count(p['count'])} of {count(p['nobs'])} "
            f"({pct(p['estimate'])}%, {ci(p['ci_low'], p['ci_upp'])})",
        }
    return out


def extract_variables(data: ReportData, alpha: float) -> dict[str, str]:
    """Cleaning, double coding, agreement and subgroup tests, as counts and ranges."""
    e = data.extract
    kappa = pd.to_numeric(data.agreement["kappa"], errors="coerce").dropna()
    tests = data.subgroup_tests.dropna(subset=["p_value"])
    out = {
        "rows_in": data.shown(e["rows_in"]),
        "clean_rows": data.shown(e["clean_rows"]),
        "quarantined_rows": data.shown(e["quarantined_rows"]),
        "reviews": f"{e['reviews']:,}",  # public: the report is about them
        "double_coded": data.shown(e["double_coded_reviews"]),
        "values_changed": data.shown(e["values_changed"]),
        "withheld_tests": str(len(data.subgroup_tests) - len(tests)),
        "n_files": str(len(e["files"])),
        "kappa_min": f"{kappa.min():.2f}" if len(kappa) else SUPPRESSED,
        "kappa_max": f"{kappa.max():.2f}" if len(kappa) else SUPPRESSED,
        "kappa_variables": str(len(kappa)),
        "tests": str(len(tests)),
        "significant_holm": str(int((tests["p_holm"] < alpha).sum())),
        "significant_bh": str(int((tests["p_fdr_bh"] < alpha).sum())),
    }
    if data.disclosure is not None:
        d = data.disclosure
        out |= {
            "cells_published": str(int(d["printed"].sum()) - 1),  # less the public total
            "cells_suppressed": str(int(d["hidden"].sum())),
        }
    if data.paths is not None:
        out |= {
            "paths_total": str(len(data.paths)),
            "paths_agree": str(int(data.paths["agree"].sum())),
        }
    return out


def variables(data: ReportData) -> dict:
    """Everything `{{< var ... >}}` can look up: run metadata, then one entry per figure."""
    prev, meta = data.prev, data.meta
    alpha = prev["alpha"].iloc[0]
    out = {
        "meta": meta
        | {
            "period_start_long": long_date(meta["period_start"]),
            "period_end_long": long_date(meta["period_end"]),
            "release_date_long": long_date(meta["release_date"]),
            "confidence": labels.confidence(alpha),
            "method": labels.METHODS[prev["method"].iloc[0]],
            "fpc": "applied" if prev["fpc_applied"].any() else "not applied",
            "n_proportions": str(len(prev)),
        },
        "extract": extract_variables(data, alpha),
    }
    if data.coverage is not None:
        grid = data.coverage_grid
        out["coverage_grid"] = {
            "nobs_min": str(grid["nobs"].min()),
            "nobs_max": str(grid["nobs"].max()),
            "p_min": pct(grid["p"].min(), 0),
            "p_max": pct(grid["p"].max(), 0),
        }
        out["coverage"] = {
            row["method"]: {
                "mean": f"{row['mean_coverage']:.3f}",
                "min": f"{row['min_coverage']:.3f}",
                "below": pct(row["share_below_nominal"]),
            }
            for _, row in data.coverage.iterrows()
        }
    if not data.national:
        out["meta"] |= disclosure_statement(data.threshold)
        out |= prevalence_variables(prev)
        return out | {PROVENANCE: provenance(out, None, None)}
    corrections = ~is_denominator_fill(data.changes)
    out["meta"] |= {
        "n_tables": str(data.clean["table"].nunique()),
        "n_figures": str(len(data.clean)),
    }
    out["comparison"] = comparison_variables(data.comparison)
    out["cleaning"] = {
        "changes": str(len(data.changes)),
        "corrections": str(int(corrections.sum())),
        "denominators_filled": str(int((~corrections).sum())),
    }
    if data.bruising is not None:
        b = data.bruising
        out |= report_bruising.variables(b["tables"], b["inputs"], b["interval_method"])
        out["bruising"] |= report_bruising.printed_variables(b["studies"])
    if data.trends is not None:
        out |= report_trends.variables(data.trends, labels.confidence(data.prev["alpha"].iloc[0]))
    if data.panel is not None:
        out |= report_then_and_now.variables(data.panel)
    out |= row_variables(data.clean, prev)
    return out | {PROVENANCE: provenance(out, raw_rows(data.packages), data.bruising)}


def raw_rows(packages: dict | None) -> pd.DataFrame | None:
    """The published tables' raw rows by row_id, as text (for their sources and quotes)."""
    if not packages:
        return None
    tables = [t for name, t in packages["published"].items() if name != "corrections"]
    tables += list(packages.get("panel", {}).values())  # row ids distinct from the above
    return pd.concat(tables).set_index("row_id")


def disclosure_statement(threshold: int) -> dict[str, str]:
    """The local report's subtitle and disclosure notice: suppressed, or marked as not."""
    if threshold == 0:
        return {
            "subtitle": "UNSUPPRESSED: shows small numbers; not for publication",
            "suppression_threshold_less": "0",
            "disclosure_applied": "None of this was applied here: suppression was switched off.",
            "disclosure": (
                "**UNSUPPRESSED.** Suppression was switched off (`suppression.enabled: "
                "false`): this report shows small numbers that could identify children. It "
                "is for use inside the partnership only and must not be published or shared."
            ),
        }
    return {
        "subtitle": "A local analysis of coded reviews, with confidence intervals",
        "suppression_threshold_less": str(threshold - 1),
        "disclosure_applied": "This is how the counts in this report were protected.",
        "disclosure": (
            "This report is made from a review-level extract that is not public. No count "
            f"of reviews above zero and below {threshold} is shown (primary suppression), and "
            "further counts are hidden wherever a hidden one, or a small count no table "
            "shows, could otherwise be worked out from the totals, the other groups or the "
            "percentages shown beside it "
            "(secondary suppression, checked by an audit: no hidden count can be narrowed "
            f'to a range narrower than {threshold}). Hidden counts read "suppressed"; a '
            "percentage, interval or test computed from a table with a hidden count is "
            "withheld too. The number of reviews is the one total always shown."
        ),
    }


def is_denominator_fill(changes: pd.DataFrame) -> pd.Series:
    """Cleaning-log rows that fill a denominator in (rather than correct a value)."""
    return changes["rule"].str.startswith(published.DENOMINATOR_FILL)
