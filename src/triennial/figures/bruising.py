"""Figures for the bruising analysis (`triennial.analysis.bruising`), as deterministic SVG.

Same conventions as `triennial.figures.style`: `STYLE` (fixed SVG hash salt, text as
paths), the Okabe-Ito palette, and `save` (no timestamp), so reruns give the same
bytes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from triennial.analysis import bruising
from triennial.data import labels
from triennial.figures.style import OKABE_ITO, SMALL, STYLE, save

GRID = {"color": "#dddddd", "linewidth": 0.6}


def period_prevalence_figure(
    p: float,
    ks,
    rhos,
    observed: tuple[float, float] | None = None,
    path: Path | None = None,
    observed_label: str = "Kemp et al. 2015",
) -> None:
    """P(at least one bruise) against the number of observations k, one curve per rho.

    Independence (rho = 0) and each rho in `rhos` (at most six) at point prevalence
    p; a dotted line at p itself (one observation); `observed` = (k, share) marked
    as a point, by default Kemp's 27% over 7.6 weekly observations (None: no mark).
    """
    if path is None:
        raise TypeError("period_prevalence_figure needs a path to write to")
    rhos = list(rhos)
    if len(rhos) > len(OKABE_ITO) - 1:
        raise ValueError(f"at most {len(OKABE_ITO) - 1} values of rho can be told apart")
    ks = np.asarray(ks, dtype=float)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.3, 3.6))
        independent = bruising.period_prevalence_independent(p, ks)
        ax.plot(ks, 100 * independent, color=OKABE_ITO[0], label="Independent observations")
        for colour, rho in zip(OKABE_ITO[1:], rhos, strict=False):
            mixed = bruising.period_prevalence_betabinomial(p, ks, rho)
            ax.plot(ks, 100 * mixed, color=colour, label=f"Infants differ, \u03c1 = {rho:.3g}")
        ax.axhline(100 * p, color="#777777", linestyle=":", linewidth=1, label="One observation")
        if observed is not None:
            k_obs, share = observed
            ax.plot(
                k_obs,
                100 * share,
                marker="D",
                color="black",
                linestyle="none",
                label=f"{observed_label}: {100 * share:g}% over {k_obs:g} observations",
            )
        ax.set_xlim(0, ks.max())
        ax.set_ylim(0, None)
        ax.set_xlabel("Observations per infant (k)")
        ax.set_ylabel("Per cent with at least one bruise")
        ax.grid(**GRID)
        ax.legend(frameon=False, fontsize=SMALL)
        fig.tight_layout()
        save(fig, path)


def tornado_figure(one_way_table: pd.DataFrame, base_output: float, path: Path, xlabel: str):
    """Tornado plot of a `bruising.one_way` table: bars from the base output to each end.

    Largest swing at the top; each input labelled with its low and high values.
    """
    rows = one_way_table.sort_values("swing", kind="stable").reset_index(drop=True)
    y = np.arange(len(rows))
    low, high = rows["output_low"].to_numpy(float), rows["output_high"].to_numpy(float)
    # Two lines (name, then range) leave the bars most of the width.
    names = [
        f"{labels.model_input(r.input)}\n({r.low:,g} to {r.high:,g})" for r in rows.itertuples()
    ]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.3, 0.5 * len(rows) + 1.2))
        ax.barh(y, low - base_output, left=base_output, color=OKABE_ITO[0], label="Input at low")
        ax.barh(y, high - base_output, left=base_output, color=OKABE_ITO[1], label="Input at high")
        ax.axvline(base_output, color="black", linewidth=0.8)
        ax.set_yticks(y, names)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))  # room for "12,000" between ticks
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", **GRID)
        ax.set_axisbelow(True)  # grid lines behind the bars
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        fig.tight_layout()
        save(fig, path)


def monte_carlo_figure(
    draws: pd.DataFrame, column: str, threshold: float | None, path: Path, xlabel: str
) -> None:
    """Histogram of one column of `bruising.monte_carlo` draws, with the threshold line.

    The x-axis is logarithmic when the positive draws span two or more orders of
    magnitude. The legend gives the share of draws at or above the threshold.
    """
    values = draws[column].to_numpy(float)
    values = values[np.isfinite(values)]
    low, high = values.min(), values.max()
    log_axis = low > 0 and high / low >= 100
    bins = np.geomspace(low, high, 51) if log_axis else np.linspace(low, high, 51)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.3, 3.2))
        ax.hist(values, bins=bins, color=OKABE_ITO[0])
        if log_axis:
            ax.set_xscale("log")
        if threshold is not None:
            share = np.mean(values >= threshold)
            ax.axvline(
                threshold,
                color=OKABE_ITO[5],
                linestyle="--",
                label=f"{threshold:,g}: {100 * share:.1f}% of draws at or above",
            )
            ax.legend(frameon=False)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Draws")
        ax.grid(axis="y", **GRID)
        ax.set_axisbelow(True)
        fig.tight_layout()
        save(fig, path)
