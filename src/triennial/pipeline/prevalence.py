"""Rules that estimate: prevalence with intervals, the check of every printed figure, and
the exact coverage of the interval methods."""

from __future__ import annotations

import numpy as np

from triennial.analysis.comparison import published_vs_reproduced
from triennial.analysis.prevalence import FinitePopulation, prevalence_table, proportions
from triennial.data import published
from triennial.figures.prevalence import interval_coverage as coverage_figure
from triennial.pipeline.step import log, write_csv
from triennial.stats.coverage import coverage_summary, coverage_table

SIZES = [10, 20, 30, 50, 75, 100, 150, 200, 300, 400]
SHOWN = [10, 50, 400]  # the figure's panels


def interval_coverage(out, alpha: float) -> None:
    """Write coverage by method, n and p, its summary, and the figure."""
    ps = np.round(np.arange(1, 51) / 100, 2)
    table = coverage_table(SIZES, ps, alpha)
    write_csv(table, out.table)
    write_csv(coverage_summary(table, alpha), out.summary)
    coverage_figure(table, SHOWN, out.figure, alpha)


def prevalence(clean: str, table: str, not_estimated: str, method: str, alpha: float, fpc: dict):
    """Write the prevalence table, and the rows not estimated with the reason."""
    figures = published.read_clean(clean)
    correction = FinitePopulation(fpc["population"], fpc["sample"]) if fpc["apply"] else None
    result = prevalence_table(figures, method=method, alpha=alpha, fpc=correction)
    _, left_out = proportions(figures)
    log.info("%d proportions estimated; %d rows are not proportions", len(result), len(left_out))
    write_csv(result, table)
    write_csv(left_out, not_estimated)


def compare_published(clean: str, table: str) -> None:
    """Every printed percentage against the one recomputed; log any that does not match."""
    result = published_vs_reproduced(published.read_clean(clean))
    for _, row in result[result["match"].astype("boolean") == False].iterrows():  # noqa: E712
        log.warning(
            "%s: printed %s, recomputed %s", row["row_id"], row["printed"], row["reproduced"]
        )
    write_csv(result, table)
