"""The report's tables, generated as Markdown with a Quarto caption and id.

A caption line `: text {#tbl-id}` after a pipe table makes it a numbered table that
`@tbl-id` can refer to, in Quarto and in the Pandoc fallback alike.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from triennial.data import labels
from triennial.report import bruising as report_bruising
from triennial.report import contents
from triennial.report import provenance as report_provenance
from triennial.report import then_and_now as report_then_and_now
from triennial.report import trends as report_trends
from triennial.report.formatting import SUPPRESSED, ci, count, pct
from triennial.report.markdown import cell, markdown_table
from triennial.report.variables import ReportData, is_denominator_fill

HASH_SHOWN = 16  # hex digits of each input's SHA-256 shown: enough to tell files apart


def estimatecell(p: pd.Series) -> str:
    """'35.6 (30.2–41.4)', or 'suppressed' (small numbers)."""
    if pd.isna(p["estimate"]):
        return SUPPRESSED
    return f"{pct(p['estimate'])} ({ci(p['ci_low'], p['ci_upp'])})"


def ncell(n, low, high) -> str:
    """A count, a derived range '197–200', or 'suppressed'."""
    if pd.notna(n):
        return count(n)
    return f"{low}–{high}" if pd.notna(low) else SUPPRESSED


def characteristics_table(prev: pd.DataFrame, printed: pd.Series | None, table: str):
    """Tables 1, 2, 4: one row per characteristic, the estimate with its interval
    (and, for the published tables, the percentage as printed)."""
    rows = prev[prev["table"] == table]
    level = labels.confidence(prev["alpha"].iloc[0])
    out = {
        "Characteristic": [labels.measure(m, table) for m in rows["measure"]],
        labels.COUNT: [
            ncell(*v) for v in zip(rows["count"], rows["count_min"], rows["count_max"], strict=True)
        ],
        labels.NOBS: [count(n) if pd.notna(n) else SUPPRESSED for n in rows["nobs"]],
    }
    if printed is not None:
        out["Printed %"] = [cell(printed[r]) for r in rows["row_id"]]
    out[f"% ({level}% CI)"] = [estimatecell(p) for _, p in rows.iterrows()]
    return pd.DataFrame(out)


def age_band_table(prev: pd.DataFrame, table: str) -> pd.DataFrame:
    """Table 3: n/N per age band ('–' where the band is excluded), then the total."""
    rows = prev[prev["table"] == table]
    level = labels.confidence(prev["alpha"].iloc[0])
    out = []
    for name in dict.fromkeys(rows.loc[rows["group"] == "all", "measure"]):
        line = {"Characteristic": labels.measure(name)}
        for band in labels.AGE_BANDS:
            cell = rows[(rows["measure"] == name) & (rows["group"] == band)]
            line[labels.group(band)] = "–" if cell.empty else ratio(cell.iloc[0])
        total = rows[(rows["measure"] == name) & (rows["group"] == "all")].iloc[0]
        line[f"Total {labels.COUNT_OF_NOBS}"] = ratio(total)
        line[f"% ({level}% CI)"] = estimatecell(total)
        out.append(line)
    return pd.DataFrame(out)


def ratio(p: pd.Series) -> str:
    """'26/107', or 'suppressed'."""
    if pd.isna(p["count"]) and pd.isna(p["nobs"]):
        return SUPPRESSED
    return "/".join(SUPPRESSED if pd.isna(x) else count(x) for x in (p["count"], p["nobs"]))


def counts_table(prev: pd.DataFrame, table: str, first: str) -> pd.DataFrame:
    """Table 5 style: one row per group with n, N and the estimate."""
    rows = prev[prev["table"] == table]
    level = labels.confidence(prev["alpha"].iloc[0])
    return pd.DataFrame(
        {
            first: [labels.group(g) for g in rows["group"]],
            labels.COUNT: [count(n) for n in rows["count"]],
            labels.NOBS: [count(n) for n in rows["nobs"]],
            f"% ({level}% CI)": [estimatecell(p) for _, p in rows.iterrows()],
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
            "Figure": [
                labels.source_row(r, r["table"]) for r in comparison.to_dict(orient="records")
            ],
            "Printed": [
                f"{p}{unit[u]}"
                for p, u in zip(comparison["printed"], comparison["unit"], strict=True)
            ],
            labels.COUNT: [
                count(n) if pd.notna(n) else (f"{lo}–{hi}" if pd.notna(lo) else "")
                for n, lo, hi in zip(
                    comparison["count"],
                    comparison["count_min"],
                    comparison["count_max"],
                    strict=True,
                )
            ],
            labels.NOBS: [count(n) for n in comparison["nobs"]],
            "Recomputed": ["" if pd.isna(x) else f"{x:.2f}" for x in comparison["reproduced"]],
            "Match": [verdict(r) for _, r in comparison.iterrows()],
        }
    )


def key_data_table(prev: pd.DataFrame, printed: pd.Series | None) -> pd.DataFrame:
    """The key data's proportions: measure and group, (printed %), counts, estimate."""
    rows = prev[prev["table"] == "key_data"]
    level = labels.confidence(prev["alpha"].iloc[0])
    out = {
        "Measure": [labels.measure(m) for m in rows["measure"]],
        "Group": [labels.group(g) for g in rows["group"]],
    }
    if printed is not None:
        out["Printed %"] = [cell(printed[r]) for r in rows["row_id"]]
    out[labels.COUNT] = [
        ncell(*v) for v in zip(rows["count"], rows["count_min"], rows["count_max"], strict=True)
    ]
    out[labels.NOBS] = [count(n) if pd.notna(n) else SUPPRESSED for n in rows["nobs"]]
    out[f"% ({level}% CI)"] = [estimatecell(p) for _, p in rows.iterrows()]
    return pd.DataFrame(out)


def agreement_table(agreement: pd.DataFrame) -> pd.DataFrame:
    """Kappa with its interval and percent agreement, per coded variable."""

    def kappa(r) -> str:
        if pd.isna(r["kappa"]):
            return SUPPRESSED if pd.isna(r["nobs"]) else "undefined"
        return f"{r['kappa']:.2f} ({r['ci_low']:.2f} to {r['ci_upp']:.2f})"

    return pd.DataFrame(
        {
            "Variable": [labels.variable(v) for v in agreement["variable"]],
            "Pairs": [count(n) if pd.notna(n) else SUPPRESSED for n in agreement["nobs"]],
            "Agreement %": ["" if pd.isna(a) else pct(a) for a in agreement["agreement"]],
            "Kappa (CI)": [kappa(r) for _, r in agreement.iterrows()],
        }
    )


def subgroup_table(tests: pd.DataFrame) -> pd.DataFrame:
    """The family of subgroup tests with Holm and Benjamini-Hochberg adjusted p-values."""

    def p(x) -> str:
        return "" if pd.isna(x) else ("<0.001" if x < 0.001 else f"{x:.3f}")

    withheld = tests["note"].fillna("").astype(str).str.startswith("withheld")

    names = {"chi_square": "chi-square", "fisher_exact": "Fisher exact",
             "freeman_halton_exact": "Freeman-Halton (exact)",
             "freeman_halton_monte_carlo": "Freeman-Halton (Monte Carlo)",
             "cochran_armitage": "trend (Cochran-Armitage)"}  # fmt: skip
    return pd.DataFrame(
        {
            "Characteristic": [labels.whose(m) for m in tests["measure"]],
            "By": [b.replace("_", " ") for b in tests["by"]],
            "Test": [names.get(t, t) for t in tests["test"]],
            "p": [
                "withheld" if w else p(x) for x, w in zip(tests["p_value"], withheld, strict=True)
            ],
            "p (Holm)": [p(x) for x in tests["p_holm"]],
            "p (BH)": [p(x) for x in tests["p_fdr_bh"]],
        }
    )


def quarantine_table(quarantine: pd.DataFrame, data: ReportData) -> pd.DataFrame:
    """Why rows were quarantined: counts by reason, never the rows themselves."""
    rows = [data.shown(int(n)) for n in quarantine["rows"]]
    return pd.DataFrame({"Reason": quarantine["reason"], "Rows": rows})


def quarantine_reasons(rows: pd.DataFrame) -> pd.DataFrame:
    """Count quarantined rows by kind of reason (the column named, or the rule)."""

    def kind(reason: str) -> str:
        match = re.match(r"column '([^']+)'", reason)
        if match:
            return f"value not allowed in column {match.group(1)}"
        return re.sub(r" of row \d+.*", "", reason)

    kinds = rows["reason"].map(kind) if len(rows) else pd.Series([], dtype=str)
    counted = kinds.value_counts().rename_axis("reason").reset_index(name="rows")
    return counted.sort_values(["rows", "reason"], ascending=[False, True], ignore_index=True)


def fragments(data: ReportData) -> dict[str, str]:
    """Every generated table of the report, by file name, as Markdown."""
    prev = data.prev
    level = labels.confidence(prev["alpha"].iloc[0])
    method = labels.METHODS[prev["method"].iloc[0]]
    interval = f"{level}% {method} interval"
    printed = data.clean.set_index("row_id")["percent_printed"] if data.national else None
    out = {
        "tbl_key_data.md": markdown_table(
            key_data_table(prev, printed),
            f"Key data: the counts and the estimate with its {interval}."
            + (" A range of n means only the percentage is printed." if data.national else ""),
            "key-data",
            "llrrrr" if data.national else "llrrr",
            # Locally N can read "suppressed" too: as wide as n.
            [4, 3, 2, 2, 1, 3] if data.national else [4, 3, 2, 2, 3],
        ),
        "tbl_parental.md": markdown_table(
            characteristics_table(prev, printed, "table1_parental"),
            f"Parental characteristics noted in the final reports, with {interval}s. Rates "
            "are a minimum for each factor. Violent crime excludes domestic violence.",
            "parental",
        ),
        "tbl_family.md": markdown_table(
            characteristics_table(prev, printed, "table2_family"),
            f"Family characteristics noted in the final reports, with {interval}s.",
            "family",
        ),
        "tbl_child.md": markdown_table(
            age_band_table(prev, "table3_child"),
            f"Child characteristics by age band: {labels.COUNT_OF_NOBS} per band, where "
            f"{labels.NOBS} is the band's number of reports ('–': band excluded), and the "
            f"total with its {interval}.",
            "child",
            widths=[4, 2, 2, 2, 2, 2, 2, 4],
        ),
        "tbl_neglect_adversity.md": markdown_table(
            characteristics_table(prev, printed, "table4_neglect_adversity"),
            f"Parental and family adversity where neglect was a feature, with {interval}s."
            + (
                f" Only percentages are printed: {labels.COUNT} is the range of counts "
                "consistent with them, and the interval spans that range."
                if data.national
                else ""
            )
            + " Rates are likely underestimates.",
            "neglect-adversity",
        ),
        "tbl_review_methods.md": markdown_table(
            counts_table(prev, "table5_review_methods", "Review method"),
            f"Review methodology of the reports, with {interval}s.",
            "review-methods",
        ),
        "tbl_agreement.md": markdown_table(
            agreement_table(data.agreement),
            f"Agreement between two independent codings of the double-coded reviews: percent "
            f"agreement and Cohen's kappa with its {level}% interval (from the exact "
            "Clopper–Pearson interval of the agreement, chance agreement held at its observed "
            "value, so that it does not collapse when the coders agree on every review).",
            "agreement",
            "lrrr",
            [4, 1, 2, 3],
        ),
        "tbl_subgroups.md": markdown_table(
            subgroup_table(data.subgroup_tests),
            "Tests of each report characteristic across age bands and between deaths and "
            "serious harm: equality of proportions (chi-square, or exact when counts are small) "
            "and trend across age bands; p-values adjusted over the whole family by Holm and "
            "by Benjamini-Hochberg (BH).",
            "subgroups",
            "lllrrr",
            [4, 2, 3, 1, 1, 1],
        ),
        "tbl_quarantine.md": markdown_table(
            quarantine_table(data.quarantine, data),
            "Rows of the extract set aside in quarantine, by reason (the rows themselves stay "
            f"in {data.meta['processed']}/extract/quarantine.csv, outside the published "
            "results).",
            "quarantine",
            "lr",
            [5, 1],
        ),
        "tbl_software.md": markdown_table(
            data.software.rename(columns={"software": "Software", "version": "Version"}),
            "Software used for this run.",
            "software",
            "ll",
        ),
        "tbl_checksums.md": markdown_table(
            pd.DataFrame(
                {
                    "Input file": data.inputs["file"],
                    "Bytes": [count(b) for b in data.inputs["bytes"]],
                    f"SHA-256 (first {HASH_SHOWN} hex digits)": [
                        h[:HASH_SHOWN] for h in data.inputs["sha256"]
                    ],
                }
            ),
            "Input files of this run and their checksums (full values in "
            f"{data.meta['results']}/tables/input_checksums.csv).",
            "checksums",
            "lrl",
            [5, 1, 3],
        ),
    }
    if data.national:
        out |= national_fragments(data)
    if data.bruising is not None:
        b = data.bruising
        out |= report_bruising.fragments(
            b["tables"], b["inputs"], b["studies"], b["interval_method"]
        )
    if data.trends is not None:
        out |= report_trends.fragments(data.trends, level)
    if data.panel is not None:
        out |= report_then_and_now.fragments(data.panel)
    if data.packages is not None:
        out |= report_provenance.fragments(data.packages)
    expected = contents.table_files(data.national)
    if sorted(out) != sorted(expected):  # a bug: the code and the list disagree
        raise AssertionError(f"generated {sorted(out)}, report.contents lists {expected}")
    return out


def national_fragments(data: ReportData) -> dict[str, str]:
    """Tables only the national report has: the checks against the published figures."""
    corrections = data.changes[~is_denominator_fill(data.changes)]
    by_table = data.paths.groupby("table", sort=False)["agree"].agg(["size", "sum"])
    return {
        "tbl_comparison.md": markdown_table(
            comparison_table(data.comparison),
            "Published versus reproduced: each printed percentage or rate against the value "
            "recomputed from the counts (match within half a unit of the last printed digit).",
            "comparison",
            "lrrrrl",
            [5, 2, 2, 1, 2, 3],
        ),
        "tbl_cleaning.md": markdown_table(
            pd.DataFrame(
                {
                    "Table": [labels.table(Path(f).stem) for f in corrections["file"]],
                    "Row": corrections["row"],
                    "Column": corrections["column"],
                    "Old": corrections["old_value"],
                    "New": corrections["new_value"],
                    "Reason": corrections["rule"],
                }
            ),
            "Corrections applied to the published tables (the full cleaning log, with every "
            f"denominator filled in, is {data.meta['processed']}/published/cleaning_log.csv).",
            "cleaning",
            "lrlrrl",
            [3, 1, 2, 1, 1, 8],
        ),
        "tbl_paths.md": markdown_table(
            pd.DataFrame(
                {
                    "Published table": [labels.table(t) for t in by_table.index],
                    "Figures": by_table["size"].to_numpy(),
                    "Reproduced from the extract": by_table["sum"].to_numpy(),
                }
            ),
            "Published figures recomputed from the review-level extract: a figure is "
            "reproduced when its denominator is the same and its count equal (or, where only a "
            "percentage is printed, inside the range it allows).",
            "paths",
            "lrr",
            [4, 1, 2],
        ),
    }
