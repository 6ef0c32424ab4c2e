"""The house style of every figure: deterministic SVG, one palette.

Output is byte-identical on reruns: a fixed SVG hash salt, no date in the
metadata, text drawn as paths (no dependence on the reader's fonts).
Colours are the Okabe-Ito palette, which readers with colour-vision deficiency
can tell apart.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
# Text sizes in points. The HTML shows a figure at its natural size on a phone (scrolling
# sideways if need be; report.css) and at most that size elsewhere, so SMALL, the smallest
# text of any figure (9 pt = 12 px), is never smaller than the report's table text; the PDF
# prints the figures at their natural size beside 11 pt body text.
FONT = 10
SMALL = 9
STYLE = {
    "svg.hashsalt": "triennial",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": FONT,
    "axes.titlesize": FONT,
    "axes.labelsize": FONT,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "legend.fontsize": SMALL,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def save(fig: plt.Figure, path: Path) -> None:
    """Write an SVG with no timestamp, then close the figure."""
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
