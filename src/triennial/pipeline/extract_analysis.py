"""The extract_analysis rule: on the clean extract, disclosure control, the published
measures, subgroups and agreement.

One job, not four: the four analyses run the same modules (a change to any of them would
rerun all four anyway), and one Python imports pandas, scipy and statsmodels once.
"""

from __future__ import annotations

import pandas as pd

from triennial.analysis.disclosure import (
    extract_cells,
    extract_plan,
    plan_table,
    protect_agreement,
    protect_rows,
    protect_tests,
    read_plan,
)
from triennial.analysis.measures import compute
from triennial.analysis.prevalence import prevalence_table
from triennial.analysis.subgroups import adjusted, groupings, subgroup_analysis, subgroup_cells
from triennial.analysis.themes import theme_rows, with_years
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract
from triennial.pipeline.step import log, write_csv
from triennial.stats.agreement import agreement_table, crosstab


def with_every_row(table: pd.DataFrame, every: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """`table` with a row, n = N = 0 and no estimate, for each row of `every` it lacks
    (an empty population), in the order of `every`."""
    every = every[key + [c for c in ("table", "measure", "group") if c in every and c not in key]]
    merged = every.merge(table, on=list(every.columns), how="left", indicator=True)
    empty = merged["_merge"] == "left_only"
    merged.loc[empty, ["count", "nobs"]] = 0
    return merged.drop(columns="_merge")[table.columns]


def disclosure(reviews: str, codebook: str, table: str, threshold: int) -> None:
    """Which cells of the published tables are suppressed (primary and secondary), audited."""
    reviews, book = read_clean_extract(reviews), load_codebook(codebook)
    extra, extra_codes = theme_rows(reviews, book)  # the learning themes' cells too
    plan, _ = extract_plan(with_years(reviews), book, threshold, extra, extra_codes)
    log.info("%d cells, %d suppressed", len(plan.values), len(plan.hidden))
    write_csv(plan_table(plan), table)


def load_plan(path: str, threshold: int):
    return read_plan(pd.read_csv(path, keep_default_na=False, na_values=[""]), threshold)


def extract_measures(
    reviews: str, codebook: str, plan: str, table: str, method: str, alpha: float, threshold: int
) -> None:
    """Prevalence of every published measure, from the extract, small numbers suppressed."""
    book = load_codebook(codebook)
    counts = compute(read_clean_extract(reviews), book)
    prevalence = prevalence_table(counts, method, alpha)
    if threshold:  # a missing row would say its population is empty: keep them all
        prevalence = with_every_row(prevalence, counts, ["row_id"])
    cells = extract_cells(book)
    rows = [cells[("prevalence", r)] for r in prevalence["row_id"]]
    write_csv(protect_rows(prevalence, load_plan(plan, threshold), rows), table)


def agreement(clean: str, codebook: str, table: str, alpha: float, threshold: int) -> None:
    """Cohen's kappa with its interval and percent agreement, per coded variable."""
    rows = read_clean_extract(clean)
    book = load_codebook(codebook)
    first = rows[rows["coding_round"] == 1].set_index("review_id")
    second = rows[rows["coding_round"] == 2].set_index("review_id")
    ids = sorted(set(first.index) & set(second.index))
    variables = [v for v in book.coded() if v != "age_band" and v in first.columns]
    first, second = first.loc[ids], second.loc[ids]
    result = agreement_table(first, second, variables, alpha=alpha)
    tables = [paired_table(first[v], second[v]) for v in variables]
    log.info("%d double-coded reviews, %d variables", len(ids), len(variables))
    write_csv(protect_agreement(result, tables, threshold), table)


def paired_table(a: pd.Series, b: pd.Series):
    """The two coders' cross-table of one variable, pairs with a missing code left out."""
    both = a.notna().to_numpy() & b.notna().to_numpy()
    return crosstab(list(a[both]), list(b[both])) if both.any() else []


def subgroups(
    reviews: str,
    codebook: str,
    plan: str,
    prevalence_table: str,
    tests_table: str,
    method: str,
    alpha: float,
    threshold: int,
) -> None:
    """Write subgroup prevalence and the family of tests, suppressed."""
    book = load_codebook(codebook)
    prevalence, tests = subgroup_analysis(read_clean_extract(reviews), book, method, alpha)
    cells, plan = extract_cells(book), load_plan(plan, threshold)
    if threshold:
        every = pd.DataFrame(subgroup_cells(book), columns=["measure", "by", "group"])
        prevalence = with_every_row(prevalence, every, ["measure", "by", "group"])
    names = zip(prevalence["measure"], prevalence["by"], prevalence["group"], strict=True)
    rows = [cells[("subgroup", *name)] for name in names]
    write_csv(protect_rows(prevalence, plan, rows), prevalence_table)
    tables = [
        [cells[("subgroup", m, by, g)] for g in {b: gs for b, gs, _ in groupings(book, m)}[by]]
        for m, by in zip(tests["measure"], tests["by"], strict=True)
    ]
    write_csv(adjusted(protect_tests(tests, plan, tables)), tests_table)


def extract_analysis(
    reviews: str, clean: str, codebook: str, out, method: str, alpha: float, threshold: int
) -> None:
    """The suppression plan first (`out.disclosure`), then the tables it protects: the
    extract's prevalence, subgroups and tests, agreement between coders."""
    disclosure(reviews, codebook, out.disclosure, threshold)
    plan = out.disclosure
    extract_measures(reviews, codebook, plan, out.prevalence, method, alpha, threshold)
    subgroups(
        reviews, codebook, plan, out.subgroup_prevalence, out.subgroup_tests,
        method, alpha, threshold,
    )  # fmt: skip
    agreement(clean, codebook, out.agreement, alpha, threshold)
