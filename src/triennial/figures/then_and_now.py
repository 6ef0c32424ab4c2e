"""Then and now: each comparable measure in each period, with its interval.

One row per comparable pair of `then_and_now.csv`: the earlier and the later estimate,
each with the interval that covers every reading of its rounded figure, in per cent.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt
import pandas as pd

from triennial.data import labels
from triennial.figures.style import OKABE_ITO, STYLE, save

PERIOD_COLOURS = {"2009–11": OKABE_ITO[2], "2014–17": OKABE_ITO[0], "2023-24": OKABE_ITO[1]}


def then_and_now_figure(pairs: pd.DataFrame, path: Path | str) -> None:
    """Draw the comparable pairs (rows top to bottom in table order) as an SVG."""
    shown = pairs[pairs["comparable"]].reset_index(drop=True)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 0.55 * len(shown) + 1.2))
        seen = set()
        for i, r in shown.iterrows():
            y = len(shown) - 1 - i
            for side, offset in (("earlier", 0.13), ("later", -0.13)):
                period = r[f"{side}_period"]
                est, low, upp = (100 * r[f"{side}_{k}"] for k in ("estimate", "ci_low", "ci_upp"))
                ax.errorbar(
                    est, y + offset, xerr=[[est - low], [upp - est]], fmt="o", ms=5, capsize=3,
                    color=PERIOD_COLOURS[period], label=None if period in seen else period,
                )  # fmt: skip
                seen.add(period)
        ax.set_yticks(range(len(shown)))
        ax.set_yticklabels([labels.measure(m, "panel") for m in shown["measure"][::-1]])
        ax.set_xlabel("Per cent of reviews (or children) in each period, with 95% interval")
        ax.set_xlim(0, 100)
        ax.legend(loc="lower right", frameon=False, title="Period")
        fig.tight_layout()
        save(fig, Path(path))
