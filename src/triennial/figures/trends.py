"""Figures for the trend models (`triennial.stats.count_models`, `triennial.stats.joinpoint`),
as deterministic SVG.

Same conventions as `triennial.figures.style`: `STYLE` (fixed SVG hash salt, text as
paths), the Okabe-Ito palette, and `save` (no timestamp), so reruns give the same
bytes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from triennial.data.series import period_ends
from triennial.figures.style import FONT, OKABE_ITO, SMALL, STYLE, save
from triennial.stats.count_models import SYSTEMS, TrendFit, model_rows, predict
from triennial.stats.joinpoint import JoinpointFit

GRID = {"color": "#dddddd", "linewidth": 0.6}
POINTS_PER_LINE = 101  # enough for a smooth exponential curve, few enough for a small file


def observed_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Count per year of each period, with the period's ends as decimal years.

    Periods of unequal length (a 2.5-year analysis beside financial years) are only
    comparable as rates per year; the ends show how long each period was.
    """
    data = model_rows(df)
    start, end = period_ends(data)
    return pd.DataFrame(
        {
            "midpoint": data["midpoint"],
            "rate": data["count"] / data["years"],
            "start": start,
            "end": end,
        }
    )


def rate_rows(fit: TrendFit, x, system: str = "scr") -> pd.DataFrame:
    """Rows for `predict` giving the rate per year at decimal years x.

    With a population offset, the population is interpolated between the fitted
    periods' midpoints (held constant beyond them).
    """
    x = np.asarray(x, float)
    rows = pd.DataFrame({"midpoint": x, "years": 1.0, "system": system})
    if fit.population:
        rows["population"] = np.interp(x, fit.data["midpoint"], fit.data["population"])
    return rows


def fitted_rates(fit: TrendFit, alpha: float = 0.05) -> list[pd.DataFrame]:
    """The fitted rate per year (with its interval) on a grid, one piece per system.

    Each piece spans its periods from the first one's start to the last one's end
    (a single long period is a line, not a point). With a step for the new system
    the curve jumps at the change, so each system gets its own piece; a population
    offset uses the population interpolated between the periods' midpoints.
    """
    data = fit.data
    groups = [data[data["system"] == s] for s in SYSTEMS] if fit.step else [data]
    pieces = []
    for rows in groups:
        starts, ends = period_ends(rows)
        x = np.linspace(starts.min(), ends.max(), POINTS_PER_LINE)
        pieces.append(predict(fit, rate_rows(fit, x, rows["system"].iloc[0]), alpha))
    return pieces


def trend_figure(
    df_series_dict: dict[str, pd.DataFrame],
    fits: dict[str, TrendFit],
    joinpoints: dict[str, JoinpointFit],
    breaks: dict[str, float],
    path: Path,
    titles: dict[str, str] | None = None,
    ncol: int = 2,
) -> None:
    """One panel per series: observed rates per year, fitted trend and joinpoint model.

    df_series_dict: series name -> its rows (drawn in this order). fits and
    joinpoints: series name -> fitted model (either may lack a series). breaks:
    label -> decimal year of a definitional break (e.g. the 2018 reform), drawn as
    a vertical line on every panel. Bands are 95% intervals of the fitted rate.
    """
    titles = titles or {}
    names = list(df_series_dict)
    nrow = -(-len(names) // ncol)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrow, ncol, figsize=(6.3, 2.4 * nrow + 0.6), squeeze=False)
        for ax, name in zip(axes.flat, names, strict=False):
            _panel(ax, df_series_dict[name], fits.get(name), joinpoints.get(name), breaks)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))  # years, never 2017.5
            default = name[:1].upper() + name[1:].replace("_", " ")
            ax.set_title(titles.get(name, default), fontsize=FONT)
        for ax in list(axes.flat)[len(names) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("Count per year")
        handles, labels = _legend_entries(axes.flat[: len(names)])
        fig.legend(handles, labels, loc="upper center", ncol=3, frameon=False, fontsize=SMALL)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / (2.4 * nrow + 0.6)))
        save(fig, path)


def _panel(ax, rows, fit, jp, breaks) -> None:
    """Observed periods, fitted trend with band, joinpoint model and breaks on one axes."""
    obs = observed_rates(rows)
    ax.errorbar(
        obs["midpoint"],
        obs["rate"],
        xerr=[obs["midpoint"] - obs["start"], obs["end"] - obs["midpoint"]],
        fmt="o",
        color="black",
        markersize=3,
        elinewidth=0.8,
        label="Observed (bar: period covered)",
    )
    if fit is not None:
        label = {"poisson": "Poisson", "quasipoisson": "Quasi-Poisson", "negbin": "NB2"}[fit.family]
        colour = OKABE_ITO[3] if fit.family == "negbin" else OKABE_ITO[0]  # told apart
        _curve(ax, fitted_rates(fit), colour, "-", f"{label} trend, 95% CI")
    if jp is not None:
        if jp.joins:  # with no join the joinpoint model is the trend already drawn
            _curve(ax, fitted_rates(jp.fit), OKABE_ITO[1], "--", "Joinpoint model, 95% CI")
            data = jp.fit.data
            for join in jp.joins:  # on the curve of the system in force at the join
                system = data.loc[data["midpoint"] <= join, "system"].iloc[-1]
                at = predict(jp.fit, rate_rows(jp.fit, [join], system))
                ax.plot(at["midpoint"], at["estimate"], "D", color=OKABE_ITO[1], label="Joinpoint")
    for (label, year), colour in zip(breaks.items(), OKABE_ITO[2:], strict=False):
        ax.axvline(year, color=colour, linestyle=":", linewidth=1.2, label=label)
    ax.set_ylim(0, None)
    ax.grid(**GRID)


def _curve(ax, pieces: list[pd.DataFrame], colour: str, style: str, label: str) -> None:
    for i, piece in enumerate(pieces):
        ax.fill_between(
            piece["midpoint"], piece["ci_low"], piece["ci_upp"], color=colour, alpha=0.2, lw=0
        )
        ax.plot(
            piece["midpoint"],
            piece["estimate"],
            style,
            color=colour,
            label=label if i == 0 else None,
        )


def _legend_entries(axes) -> tuple[list, list[str]]:
    """Each label once, in the order first drawn on any panel."""
    entries = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)
