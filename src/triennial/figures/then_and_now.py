"""Then and now: each comparable measure in each period, with its interval.

One row per measure of the comparable pairs of `then_and_now.csv`, with a dot for each
period it is measured in (2009–11, 2014–17, 2023-24): the estimate and the interval
that covers every reading of its rounded figure, in per cent.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt
import pandas as pd

from triennial.data import labels
from triennial.figures.style import OKABE_ITO, STYLE, save

PERIODS = {"2009–11": OKABE_ITO[2], "2014–17": OKABE_ITO[0], "2023-24": OKABE_ITO[1]}
SPACING = 0.22  # vertical distance between a measure's periods, in row units


def by_measure(pairs: pd.DataFrame) -> dict[str, dict[str, tuple[float, float, float]]]:
    """{measure: {period: (estimate, ci_low, ci_upp)}} from the comparable pairs, in
    table order (a period shared by two pairs is the same figure: kept once)."""
    out: dict = {}
    for _, r in pairs[pairs["comparable"]].iterrows():
        for side in ("earlier", "later"):
            values = tuple(100 * r[f"{side}_{k}"] for k in ("estimate", "ci_low", "ci_upp"))
            out.setdefault(r["measure"], {})[r[f"{side}_period"]] = values
    return out


def then_and_now_figure(pairs: pd.DataFrame, path: Path | str) -> None:
    """Draw the comparable measures, top to bottom in table order, as an SVG."""
    measures = by_measure(pairs)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 0.6 * len(measures) + 1.0))
        for i, periods in enumerate(measures.values()):
            y = len(measures) - 1 - i
            shown = [p for p in PERIODS if p in periods]
            for j, period in enumerate(shown):
                est, low, upp = periods[period]
                offset = SPACING * ((len(shown) - 1) / 2 - j)
                ax.errorbar(
                    est, y + offset, xerr=[[est - low], [upp - est]], fmt="o", ms=5,
                    capsize=3, color=PERIODS[period],
                )  # fmt: skip
        ax.set_yticks(range(len(measures)))
        ax.set_yticklabels([labels.whose(m) for m in reversed(measures)])
        ax.set_xlabel("Per cent, with 95% interval")
        ax.set_xlim(0, 100)
        handles = [
            plt.Line2D([], [], marker="o", ls="", color=c, label=p) for p, c in PERIODS.items()
        ]
        ax.legend(handles=handles, loc="lower right", frameon=False, title="Period")
        fig.tight_layout()
        save(fig, Path(path))
