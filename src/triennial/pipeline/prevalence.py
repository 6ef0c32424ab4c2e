"""The prevalence rule: an estimate and confidence interval for every published proportion."""

from __future__ import annotations

from triennial.analysis.prevalence import FinitePopulation, prevalence_table, proportions
from triennial.data import published
from triennial.pipeline.step import log, write_csv


def prevalence(clean: str, table: str, not_estimated: str, method: str, alpha: float, fpc: dict):
    """Write the prevalence table, and the rows not estimated with the reason."""
    figures = published.read_clean(clean)
    correction = FinitePopulation(fpc["population"], fpc["sample"]) if fpc["apply"] else None
    result = prevalence_table(figures, method=method, alpha=alpha, fpc=correction)
    _, left_out = proportions(figures)
    log.info("%d proportions estimated; %d rows are not proportions", len(result), len(left_out))
    write_csv(result, table)
    write_csv(left_out, not_estimated)
