"""The interval_coverage rule: exact coverage of each interval method, n 10-400, p 0.01-0.5."""

from __future__ import annotations

import numpy as np

from triennial.figures.prevalence import interval_coverage as coverage_figure
from triennial.pipeline.step import write_csv
from triennial.stats.coverage import (
    GRID_PROPORTIONS,
    GRID_SIZES,
    coverage_summary,
    coverage_table,
)

SHOWN = [10, 50, 400]  # the figure's panels


def interval_coverage(out, alpha: float) -> None:
    """Write coverage by method, n and p, its summary, and the figure."""
    table = coverage_table(list(GRID_SIZES), np.array(GRID_PROPORTIONS), alpha)
    write_csv(table, out.table)
    write_csv(coverage_summary(table, alpha), out.summary)
    coverage_figure(table, SHOWN, out.figure, alpha)
