"""Then and now: the national panel's 2023-24 figures and the 2009–11 early help figures
with intervals on their plausible counts, and the differences between periods for the
measures defined comparably.

The later figures are rounded percentages of an ambiguous base (330 rapid reviews or
485 children): each is read as every whole count its percentage allows, of each base
its wording allows, and an interval covers all of them (the lower limit at the
smallest reading, the upper at the largest). Differences between periods use
Newcombe's hybrid score interval over every pair of readings.
"""

from __future__ import annotations

import pandas as pd

from triennial.data.panel import Panel, readings
from triennial.stats.difference import difference_range_confint
from triennial.stats.intervals import proportion_confint

PUBLISHED_PERIOD = "2014–17"  # the period of every row of the published tables


def figure_intervals(panel: Panel, method: str, alpha: float) -> pd.DataFrame:
    """One row per figure and base reading: the counts a percentage allows of that base
    (a count row: its count of its base), and the interval covering them."""
    rows = []
    for _, f in panel.figures.iterrows():
        keep = f[["row_id", "period_label", "analysis", "measure", "group", "of", "kind"]].to_dict()
        if f["kind"] == "count":
            nobs = int(panel.bases[f["nobs_row_id"]])
            keep["estimate"] = f["count"] / nobs
            found = [(int(f["count"]), int(f["count"]), nobs)]
        else:
            keep["estimate"] = float(f["percent_printed"]) / 100
            found = readings(f, panel.bases)
        if not found:  # no base printed: the figure is shown without an interval
            rows.append(keep | {"reading": "no base printed"})
        for (low, high, nobs), reading in zip(found, ("main", "alternative"), strict=False):
            ci_low, ci_upp = covering([(low, high, nobs)], method, alpha)
            rows.append(keep | {"reading": reading, "count_min": low, "count_max": high,
                                "nobs": nobs, "ci_low": ci_low, "ci_upp": ci_upp})  # fmt: skip
    out = pd.DataFrame(rows)
    out["method"], out["alpha"] = method, alpha
    return out


def _side(row_id: str, published: pd.DataFrame, panel: Panel) -> dict:
    """Period, estimate and readings of one figure, from either source."""
    if row_id in set(published["row_id"]):
        r = published.set_index("row_id").loc[row_id]
        if pd.notna(r["count"]):
            low = high = int(r["count"])
            estimate = r["count"] / r["nobs"]
        else:
            low, high = int(r["count_min"]), int(r["count_max"])
            estimate = float(r["percent_printed"]) / 100
        return {"period": PUBLISHED_PERIOD, "estimate": estimate,
                "readings": [(low, high, int(r["nobs"]))]}  # fmt: skip
    f = panel.figures.set_index("row_id").loc[row_id]
    return {"period": f["period_label"], "estimate": float(f["percent_printed"]) / 100,
            "readings": readings(f.rename(row_id), panel.bases)}  # fmt: skip


def then_and_now(panel: Panel, published: pd.DataFrame, method: str, alpha: float) -> pd.DataFrame:
    """One row per pair of comparisons.csv: for a comparable pair, each period's estimate
    with its interval (`method`, over all readings) and the difference later - earlier
    with Newcombe's interval over all readings; for the others, the reason only."""
    rows = []
    for _, c in panel.comparisons.iterrows():
        earlier = _side(c["earlier_row"], published, panel)
        later = _side(c["later_row"], published, panel)
        row = c.to_dict() | {"earlier_period": earlier["period"], "later_period": later["period"]}
        if c["comparable"]:
            for name, side in (("earlier", earlier), ("later", later)):
                row[f"{name}_estimate"] = side["estimate"]
                limits = covering(side["readings"], method, alpha)
                row[f"{name}_ci_low"], row[f"{name}_ci_upp"] = limits
            row["difference"] = later["estimate"] - earlier["estimate"]
            row["ci_low"], row["ci_upp"] = difference_range_confint(
                earlier["readings"], later["readings"], alpha
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    out["alpha"] = alpha
    return out


def covering(found: list[tuple], method: str, alpha: float) -> tuple[float, float]:
    """The interval covering every reading: the lowest lower limit (at the smallest count
    of each base) and the highest upper limit (at the largest)."""
    lows = [proportion_confint(low, n, alpha, method)[0] for low, _, n in found]
    upps = [proportion_confint(high, n, alpha, method)[1] for _, high, n in found]
    return min(lows), max(upps)
