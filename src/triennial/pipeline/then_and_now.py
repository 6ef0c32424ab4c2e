"""The then_and_now rule: the panel's 2023-24 and the 2009–11 figures with intervals,
the differences between periods, and the figure."""

from __future__ import annotations

from pathlib import Path

from triennial.analysis.then_and_now import figure_intervals, then_and_now
from triennial.data import published
from triennial.data.panel import read_panel
from triennial.data.series import read_trends
from triennial.figures.then_and_now import then_and_now_figure
from triennial.pipeline.step import log, write_csv


def panel(inp, out, method: str, alpha: float) -> None:
    """Write figure_intervals, then_and_now and not_used tables, and the figure."""
    series, _ = read_trends(Path(inp.series))
    figures = read_panel(Path(inp.panel), series)
    intervals = figure_intervals(figures, method, alpha)
    pairs = then_and_now(figures, published.read_clean(inp.clean), method, alpha)
    log.info("%d figures, %d comparable pairs", len(intervals), int(pairs["comparable"].sum()))
    write_csv(intervals, out.figures)
    write_csv(pairs, out.then_and_now)
    write_csv(figures.not_used, out.not_used)
    then_and_now_figure(pairs, out.figure)
