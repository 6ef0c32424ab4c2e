"""The trends rule: models per series, joinpoints, backtests, forecasts, and the figure."""

from __future__ import annotations

from pathlib import Path

from triennial.analysis import trends as ta
from triennial.data import labels
from triennial.data.series import model_input, read_trends
from triennial.figures.trends import trend_figure
from triennial.pipeline.step import write_csv


def trends(descriptor: str, out, settings: dict, alpha: float) -> None:
    """Write every trends table and the figure."""
    series_table, denominators = read_trends(Path(descriptor))
    rows = model_input(series_table, denominators)
    config = ta.Settings(**settings, alpha=alpha)
    series = ta.modelled(rows, config)
    models, fits = ta.model_choices(series, config)
    joinpoint_fits = ta.joinpoints(series, config)
    backtests = ta.backtest_table(ta.annual(rows), config)
    write_csv(models, out.models)
    write_csv(ta.joinpoint_table(joinpoint_fits), out.joinpoints)
    write_csv(backtests, out.backtest)
    write_csv(ta.forecasts(series, backtests, config), out.forecasts)
    write_csv(ta.contrasts(series_table, alpha), out.contrasts)
    write_csv(ta.harm_share_trend(rows, alpha), out.harm_share)
    reform = {"2018 reform": ta.REFORM}
    trend_figure(series, fits, joinpoint_fits, reform, out.figure, labels.SERIES)
