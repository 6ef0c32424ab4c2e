"""Forest plot of proportions pooled by triennial.stats.meta, as a deterministic SVG.

One row per study: its proportion and own interval (columns `estimate, ci_low,
ci_upp`, e.g. from `meta.study_table`), drawn as a square whose area is proportional
to its weight. Then one row per pooled result: a diamond spanning the confidence
interval and, through it, a thin line with end caps for the prediction interval.
A table to the right repeats the numbers. The x axis is in per cent.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from triennial.data import labels
from triennial.figures.style import OKABE_ITO, SMALL, STYLE, save

SQUARE_AREA = 90.0  # marker area (pt^2) of the heaviest study
DIAMOND_HALF_HEIGHT = 0.32  # in row units


def _pooled_rows(pooled) -> pd.DataFrame:
    """A dict (one result) or a DataFrame (several) as a DataFrame of rows."""
    rows = pd.DataFrame([pooled]) if isinstance(pooled, dict) else pooled.reset_index(drop=True)
    missing = {"estimate", "ci_low", "ci_upp"} - set(rows.columns)
    if missing:
        raise ValueError(f"pooled rows lack column(s) {sorted(missing)}")
    return rows


def _pooled_label(row: pd.Series) -> str:
    """`label` if given, else the model in words, after the subgroup or omitted study."""
    if "label" in row and pd.notna(row["label"]):
        return str(row["label"])
    model = f"Random effects ({row.get('method', 'pooled')}"
    model += ", HKSJ)" if row.get("hksj", False) else ")"
    if "subgroup" in row and pd.notna(row["subgroup"]):
        return f"{row['subgroup']}: {model}"
    if "omitted" in row and pd.notna(row["omitted"]):
        return f"Omitting {row['omitted']}"
    return model


def _axis_end(p: float) -> float:
    """Right end of the per-cent axis: a round number a little beyond p."""
    top = 100 * p * 1.1
    step = 10 ** np.floor(np.log10(top)) if top > 0 else 1.0
    return float(min(100.0, np.ceil(top / step) * step))


def _prediction_line(ax, y: float, low: float, upp: float, right: float) -> None:
    """Thin line with end caps; an arrow head instead where it runs past the axis."""
    ax.hlines(y, low, min(upp, right), color="#333333", linewidth=0.8, zorder=2)
    ax.vlines(low, y - 0.12, y + 0.12, color="#333333", linewidth=0.8, zorder=2)
    if upp <= right:
        ax.vlines(upp, y - 0.12, y + 0.12, color="#333333", linewidth=0.8, zorder=2)
    else:
        ax.plot(right, y, marker=">", markersize=4, color="#333333", clip_on=False, zorder=2)


def _percent(p: float) -> str:
    return "–" if pd.isna(p) else f"{100 * p:.1f}"


def _interval_text(row: pd.Series) -> str:
    return f"{_percent(row['estimate'])} ({_percent(row['ci_low'])}, {_percent(row['ci_upp'])})"


def forest_plot(
    studies: pd.DataFrame,
    pooled: dict | pd.DataFrame,
    path: Path,
    title: str | None = None,
    alpha: float | None = None,
) -> None:
    """Draw studies and pooled result(s) on a per-cent axis; write an SVG to `path`.

    studies: `study, estimate, ci_low, ci_upp` (proportions), optional `weight`
    (relative; equal squares when absent) and `count, nobs` (shown as count/nobs).
    pooled: a dict from `meta.meta_proportions` or rows of `meta.by_subgroup` /
    `meta.leave_one_out`; optional `pi_low, pi_upp` (drawn when finite) and `label`.
    alpha only labels the intervals; by default it is read from `pooled` (else 0.05).
    """
    missing = {"study", "estimate", "ci_low", "ci_upp"} - set(studies.columns)
    if missing:
        raise ValueError(f"studies lack column(s) {sorted(missing)}")
    studies = studies.reset_index(drop=True)
    pooled = _pooled_rows(pooled)
    k, m = len(studies), len(pooled)
    # Rows from the top: studies, a blank row, pooled results (matplotlib's y grows up).
    y_study = np.arange(k + m, m, -1, dtype=float)
    y_pooled = np.arange(m, 0, -1, dtype=float) - 0.5
    weight = studies["weight"].to_numpy(dtype=float) if "weight" in studies else np.ones(k) / k
    if alpha is None:
        alpha = float(pooled["alpha"].iloc[0]) if "alpha" in pooled else 0.05
    level = labels.confidence(alpha)
    # Scale to the confidence intervals: a wide prediction interval would squash them.
    right = _axis_end(max(studies["ci_upp"].max(), pooled["ci_upp"].max()))

    with plt.rc_context(STYLE):
        fig, (ax, tab) = plt.subplots(
            1,
            2,
            figsize=(7.5, 0.28 * (k + m + 1) + 1.3),
            sharey=True,
            width_ratios=[3, 2.8],
            layout="constrained",
        )
        est, low, upp = (
            100 * studies[c].to_numpy(dtype=float) for c in ("estimate", "ci_low", "ci_upp")
        )
        ax.hlines(y_study, low, upp, color="#333333", linewidth=1)
        # Area, not side, proportional to weight, so the eye reads weight correctly.
        area = np.maximum(SQUARE_AREA * weight / weight.max(), 6.0)
        ax.scatter(est, y_study, s=area, marker="s", color=OKABE_ITO[0], zorder=3)

        for y, (_, row) in zip(y_pooled, pooled.iterrows(), strict=True):
            if pd.notna(row.get("pi_low")) and pd.notna(row.get("pi_upp")):
                _prediction_line(ax, y, 100 * row["pi_low"], 100 * row["pi_upp"], right)
            h = DIAMOND_HALF_HEIGHT
            corners = [
                (100 * row["ci_low"], y),
                (100 * row["estimate"], y + h),
                (100 * row["ci_upp"], y),
                (100 * row["estimate"], y - h),
            ]
            ax.add_patch(Polygon(corners, closed=True, color=OKABE_ITO[5], zorder=3))
        ax.axvline(100 * pooled["estimate"].iloc[0], color="#999999", linewidth=0.6, linestyle=":")

        ax.set_yticks(
            np.concatenate([y_study, y_pooled]),
            list(studies["study"].astype(str)) + [_pooled_label(r) for _, r in pooled.iterrows()],
        )
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(0, k + m + 1.2)
        ax.set_xlim(0, right)
        ax.set_xlabel(f"Per cent ({level}% interval)")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.spines["left"].set_visible(False)
        fig.legend(
            handles=[
                Patch(color=OKABE_ITO[0], label="Study"),
                Patch(color=OKABE_ITO[5], label=f"Pooled ({level}% CI)"),
                Line2D([], [], color="#333333", linewidth=0.8, label="Prediction interval"),
            ],
            loc="outside lower center",
            ncol=3,
            frameon=False,
            fontsize=SMALL,
        )

        # The table: x in [0, 1] of its own axes, rows shared with the plot.
        tab.set_axis_off()
        tab.set_xlim(0, 1)
        header = k + m + 0.9
        columns = [
            (0.0, "left", labels.EVENTS_OF_NOBS),
            (0.3, "left", f"% ({level}% CI)"),
            (1.0, "right", "Weight"),
        ]
        for x, align, text in columns:
            tab.text(x, header, text, ha=align, va="center", fontweight="bold")
        for y, (i, row) in zip(y_study, studies.iterrows(), strict=True):
            if {"count", "nobs"} <= set(studies.columns):
                tab.text(0.0, y, f"{row['count']:,}/{row['nobs']:,}", va="center")
            tab.text(0.3, y, _interval_text(row), va="center")
            tab.text(1.0, y, f"{100 * weight[i] / weight.sum():.1f}%", ha="right", va="center")
        for y, (_, row) in zip(y_pooled, pooled.iterrows(), strict=True):
            if {"count", "nobs"} <= set(pooled.columns):
                tab.text(0.0, y, f"{row['count']:,}/{row['nobs']:,}", va="center")
            tab.text(0.3, y, _interval_text(row), va="center", fontweight="bold")
            if pd.notna(row.get("pi_low")):
                pi = f"PI {_percent(row['pi_low'])}, {_percent(row['pi_upp'])}"
                if pd.notna(row.get("i2")):
                    pi += f"; I² {100 * row['i2']:.0f}%"
                tab.text(0.3, y - 0.42, pi, va="center", fontsize=SMALL, color="#555555")

        if title:
            ax.set_title(title, loc="left")
        save(fig, path)
