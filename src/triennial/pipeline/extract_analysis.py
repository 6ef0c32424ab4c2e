"""Rules on the clean extract: the published measures, agreement, subgroups, and the
extract path against the published-table path."""

from __future__ import annotations

from triennial.analysis.comparison import compare_paths as compare_extract_with_published
from triennial.analysis.measures import compute
from triennial.analysis.prevalence import prevalence_table, read_prevalence
from triennial.analysis.subgroups import subgroup_analysis
from triennial.analysis.suppress import suppress
from triennial.data import published
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract
from triennial.pipeline.step import log, write_csv
from triennial.stats.agreement import agreement_table


def extract_measures(
    reviews: str, codebook: str, table: str, method: str, alpha: float, threshold: int
) -> None:
    """Prevalence of every published measure, from the extract, small numbers suppressed."""
    counts = compute(read_clean_extract(reviews), load_codebook(codebook))
    write_csv(suppress(prevalence_table(counts, method=method, alpha=alpha), threshold), table)


def agreement(clean: str, codebook: str, table: str, alpha: float, threshold: int) -> None:
    """Cohen's kappa with its interval and percent agreement, per coded variable."""
    rows = read_clean_extract(clean)
    book = load_codebook(codebook)
    first = rows[rows["coding_round"] == 1].set_index("review_id")
    second = rows[rows["coding_round"] == 2].set_index("review_id")
    ids = sorted(set(first.index) & set(second.index))
    variables = [v for v in book.coded() if v != "age_band"]
    result = agreement_table(first.loc[ids], second.loc[ids], variables, alpha=alpha)
    log.info("%d double-coded reviews, %d variables", len(ids), len(variables))
    write_csv(suppress(result, threshold, base=None), table)


def subgroups(reviews: str, codebook: str, out, method: str, alpha: float, threshold: int) -> None:
    """Write subgroup prevalence and the family of tests."""
    prevalence, tests = subgroup_analysis(
        read_clean_extract(reviews), load_codebook(codebook), method, alpha
    )
    write_csv(suppress(prevalence, threshold), out.prevalence)
    write_csv(tests, out.tests)


def compare_paths(extract: str, clean: str, table: str) -> None:
    """One row per published figure the extract reproduces, with an agree flag."""
    counts = read_prevalence(extract).rename(columns={"n": "numerator", "N": "denominator"})
    paths = compare_extract_with_published(published.read_clean(clean), counts)
    log.info("%d of %d figures agree between the two paths", paths["agree"].sum(), len(paths))
    write_csv(paths, table)
