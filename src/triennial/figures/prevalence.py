"""Figures of the national picture: prevalence by characteristic and age band, the flow of
reviews, and the exact coverage of the interval methods. House style in `style`."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from triennial.data import labels
from triennial.figures.style import FONT, OKABE_ITO, SMALL, STYLE, save


def _bars(part: pd.DataFrame) -> list[pd.Series]:
    """Lengths of the error bars below and above each estimate, in per cent."""
    return [100 * (part["estimate"] - part["ci_low"]), 100 * (part["ci_upp"] - part["estimate"])]


def prevalence_dots(prev: pd.DataFrame, tables: dict[str, str], path: Path) -> None:
    """Dot-and-interval plot of the proportions of the named tables, one colour each.

    `tables` maps table name -> legend label, in the order to draw them.
    """
    with plt.rc_context(STYLE):
        rows = prev[prev["table"].isin(tables)].copy()
        rows["label"] = [labels.measure(m) for m in rows["measure"]]
        rows = rows.iloc[::-1]  # matplotlib draws the first row at the bottom
        fig, ax = plt.subplots(figsize=(6.3, 0.24 * len(rows) + 1.2))
        for colour, (table, legend) in zip(OKABE_ITO, tables.items(), strict=False):
            part = rows[rows["table"] == table]
            y = [list(rows["row_id"]).index(r) for r in part["row_id"]]
            ax.errorbar(
                100 * part["estimate"],
                y,
                xerr=_bars(part),
                fmt="o",
                color=colour,
                capsize=2,
                label=legend,
            )
        ax.set_yticks(range(len(rows)), rows["label"])
        ax.set_xlim(0, 100)
        level = labels.confidence(prev["alpha"].iloc[0])
        ax.set_xlabel(f"Per cent of reports ({level}% confidence interval)")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(tables), frameon=False)
        fig.tight_layout()
        save(fig, path)


def by_age_band(prev: pd.DataFrame, table: str, path: Path) -> None:
    """One small panel per characteristic: per cent by age band, with intervals."""
    with plt.rc_context(STYLE):
        in_band = prev["group"].isin(labels.AGE_BANDS)
        # The bands' own sizes (Table 3's column N's) are not a characteristic.
        rows = prev[(prev["table"] == table) & in_band & (prev["measure"] != "reports_in_age_band")]
        measures = list(dict.fromkeys(rows["measure"]))
        ncol = 4
        nrow = -(-len(measures) // ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(6.3, 2.0 * nrow), sharey=True)
        for ax, name in zip(axes.flat, measures, strict=False):
            part = rows[rows["measure"] == name]
            x = [labels.AGE_BANDS.index(g) for g in part["group"]]
            ax.errorbar(
                x, 100 * part["estimate"], yerr=_bars(part), fmt="o", color=OKABE_ITO[0], capsize=2
            )
            ax.set_title(labels.measure(name), fontsize=FONT)
            ax.set_xticks(
                range(len(labels.AGE_BANDS)),
                [labels.group(g) for g in labels.AGE_BANDS],
                rotation=45,
                fontsize=SMALL,
            )
            ax.set_ylim(0, 100)
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for ax in list(axes.flat)[len(measures) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("Per cent")
        fig.supxlabel("Age band (years)", fontsize=FONT)
        fig.tight_layout()
        save(fig, path)


def review_flow(counts: dict[str, int], path: Path) -> None:
    """Boxes and arrows: notified reviews, reports available and not, qualitative sample.

    A suppressed count (missing) is drawn as 'suppressed'.
    """
    counts = {k: "suppressed" if pd.isna(v) else f"{int(v):,}" for k, v in counts.items()}
    boxes = {
        "notified": (0.5, 0.85, f"{counts['notified']} reviews notified"),
        "available": (0.25, 0.5, f"{counts['available']} reports available\nfor review"),
        "not_completed": (0.62, 0.5, f"{counts['not_completed']} not\ncompleted"),
        "not_published": (0.87, 0.5, f"{counts['not_published']} completed,\nnot published"),
        "sample": (0.25, 0.13, f"{counts['sample']} reports in the\nqualitative sample"),
    }
    arrows = [("notified", "available"), ("notified", "not_completed")]
    arrows += [("notified", "not_published"), ("available", "sample")]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.3, 3.2))
        ax.set_axis_off()
        texts = {}
        for i, (key, (x, y, text)) in enumerate(boxes.items()):
            colour = OKABE_ITO[0] if i in (0, 1, 4) else "#777777"
            texts[key] = ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": colour},
            )
        # From the bottom of one box to the top of the next (coordinates relative to the text),
        # so no box is drawn over an arrowhead.
        for a, b in arrows:
            ax.annotate(
                "",
                xy=(0.5, 1),
                xycoords=texts[b],
                xytext=(0.5, 0),
                textcoords=texts[a],
                arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkA": 7, "shrinkB": 7},
            )
        save(fig, path)


def interval_coverage(table: pd.DataFrame, ns: list[int], path: Path, alpha: float) -> None:
    """Coverage against p for a few n, one line per method, nominal level marked."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(ns), figsize=(6.3, 2.6), sharey=True)
        for ax, n in zip(axes, ns, strict=True):
            part = table[table["nobs"] == n]
            for colour, (method, rows) in zip(
                OKABE_ITO, part.groupby("method", sort=False), strict=False
            ):
                ax.plot(
                    100 * rows["p"],
                    rows["coverage"],
                    color=colour,
                    linewidth=1,
                    label=labels.METHODS[method],
                )
            ax.axhline(1 - alpha, color="#333333", linewidth=0.8, linestyle="--")
            ax.set_title(f"n = {n}", fontsize=FONT)
            ax.set_xlabel("True proportion (%)")
            ax.set_ylim(0.80, 1.0)
        axes[0].set_ylabel("Coverage")
        axes[-1].legend(loc="lower right", frameon=False, fontsize=SMALL)
        fig.tight_layout()
        save(fig, path)
