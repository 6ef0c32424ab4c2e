"""Published vs reproduced: every printed percentage or rate against its counts."""

from __future__ import annotations

import pandas as pd

from triennial.stats.rounding import decimals, half_unit, percent_matches

COLUMNS = [
    "table",
    "row_id",
    "measure",
    "group",
    "printed",
    "unit",
    "count",
    "nobs",
    "count_min",
    "count_max",
    "reproduced",
    "reproduced_rounded",
    "difference",
    "tolerance",
    "match",
    "explanation",
]


def published_vs_reproduced(clean: pd.DataFrame) -> pd.DataFrame:
    """One row per printed percentage or rate a year, recomputed from the counts.

    A percentage matches when 100 n / N lies within half a unit of its last
    printed digit; a rate when n / years lies within half a unit of the printed
    value or range. Where no count exists the row says why instead.
    """
    rows = []
    for _, r in clean.iterrows():
        if pd.notna(r["percent_printed"]):
            rows.append(_percent_row(r))
        elif r["kind"] in ("rate_per_year", "percent_range"):
            rows.append(_range_row(r))
    return pd.DataFrame(rows, columns=COLUMNS)


def _base(r: pd.Series) -> dict:
    return {c: r[c] for c in ("table", "row_id", "measure", "group")} | {
        "count": r["count"],
        "nobs": r["nobs"],
        "count_min": r["count_min"],
        "count_max": r["count_max"],
    }


def _percent_row(r: pd.Series) -> dict:
    printed, den = r["percent_printed"], r["nobs"]
    out = _base(r) | {"printed": printed, "unit": "percent", "tolerance": half_unit(printed)}
    if pd.notna(r["count"]):
        exact = 100 * r["count"] / den
        return out | {
            "reproduced": exact,
            "reproduced_rounded": f"{exact:.{decimals(printed)}f}",
            "difference": exact - float(printed),
            "match": percent_matches(r["count"], den, printed),
            "explanation": "",
        }
    low, high = r["count_min"], r["count_max"]
    return out | {
        "reproduced": float("nan"),
        "reproduced_rounded": "",
        "difference": float("nan"),
        "match": pd.notna(low),
        "explanation": (
            f"only the percentage is printed; counts {low} to {high} of {den} round to it"
        ),
    }


def _range_row(r: pd.Series) -> dict:
    low, high = r["value_low"], r["value_high"]
    printed = f"{low:g}" if low == high else f"{low:g}-{high:g}"
    unit = "per year" if r["kind"] == "rate_per_year" else "percent"
    out = _base(r) | {"printed": printed, "unit": unit, "tolerance": 0.5}
    if r["kind"] == "rate_per_year" and pd.notna(r["count"]):
        rate = r["count"] / r["exposure_years"]
        nearest = min(max(rate, low), high)  # distance to the printed range
        return out | {
            "nobs": float("nan"),
            "reproduced": rate,
            "reproduced_rounded": f"{rate:.0f}",
            "difference": rate - nearest,
            "match": abs(rate - nearest) <= 0.5,
            "explanation": f"{r['count']} over {r['exposure_years']:g} years",
        }
    why = "no count is printed for this period" if unit == "per year" else "no count is printed"
    return out | {
        "reproduced": float("nan"),
        "reproduced_rounded": "",
        "difference": float("nan"),
        "match": pd.NA,
        "explanation": f"cannot be recomputed: {why}",
    }


PATH_COLUMNS = ["table", "row_id", "measure", "group", "published_count", "published_nobs"]
PATH_COLUMNS += ["extract_count", "extract_nobs", "agree", "note"]


def compare_paths(published: pd.DataFrame, extract: pd.DataFrame) -> pd.DataFrame:
    """The extract path against the published-table path, figure by figure.

    Agree: same denominator, and the same count (or, where only a percentage is
    printed, a count inside the range the percentage allows).
    """
    pub = published.set_index("row_id")
    rows = []
    for _, e in extract.iterrows():
        p = pub.loc[e["row_id"]]
        exact = pd.notna(p["count"])
        low, high = (p["count"], p["count"]) if exact else (p["count_min"], p["count_max"])
        same_base = e["nobs"] == p["nobs"]
        inside = low <= e["count"] <= high
        rows.append(
            {
                "table": e["table"],
                "row_id": e["row_id"],
                "measure": e["measure"],
                "group": e["group"],
                "published_count": str(p["count"]) if exact else f"{low}-{high}",
                "published_nobs": p["nobs"],
                "extract_count": e["count"],
                "extract_nobs": e["nobs"],
                "agree": bool(same_base and inside),
                "note": "" if exact else "only a percentage is printed: the count lies in a range",
            }
        )
    return pd.DataFrame(rows, columns=PATH_COLUMNS)
