"""Characteristics by age band and by outcome, with tests and multiplicity adjustment.

For every characteristic coded from the reports: prevalence in each age band and in
deaths vs serious harm (with intervals); a test of equal proportions across the groups
(chi-square, or Fisher's exact test when counts are small: see subgroups.compare_groups);
a Cochran-Armitage test for trend across the ordered age bands. The p-values of all
tests form one family, adjusted by Holm (family-wise error) and Benjamini-Hochberg
(false discovery rate).
"""

from __future__ import annotations

import pandas as pd

from triennial.data.codebook import AGE_BANDS, NOTED, Codebook
from triennial.stats.association import adjust_pvalues, cochran_armitage, compare_groups
from triennial.stats.intervals import proportion_confint

OUTCOMES = ["death", "serious_harm"]


def group_counts(reviews: pd.DataFrame, characteristic: str, by: str, groups: list[str]):
    """n (noted) and N (reports) per group, in the order given."""
    rows = []
    for g in groups:
        in_group = reviews[reviews[by] == g]
        rows.append(
            {"group": g, "n": int((in_group[characteristic] == NOTED).sum()), "N": len(in_group)}
        )
    return pd.DataFrame(rows)


def subgroup_analysis(
    reviews: pd.DataFrame, codebook: Codebook, method: str = "wilson", alpha: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(prevalence by subgroup, tests) for every report characteristic."""
    reports = reviews[reviews["report_status"] == "available"]
    prevalence, tests = [], []
    for name in codebook.characteristics():
        bands = [b for b in AGE_BANDS if b not in codebook.excluded_bands(name)]
        for by, groups, trend in (("age_band", bands, True), ("outcome", OUTCOMES, False)):
            counts = group_counts(reports, name, by, groups)
            for _, c in counts[counts["N"] > 0].iterrows():
                low, upp = proportion_confint(c["n"], c["N"], alpha, method)
                prevalence.append(
                    {"measure": name, "by": by, "group": c["group"], "n": c["n"], "N": c["N"],
                     "estimate": c["n"] / c["N"], "ci_low": low, "ci_upp": upp, "method": method}
                )  # fmt: skip
            tests += _tests(name, by, counts, trend)
    tests = pd.DataFrame(tests)
    for adjustment in ("holm", "fdr_bh"):
        tests[f"p_{adjustment}"] = adjust_pvalues(tests["p_value"].to_numpy(float), adjustment)
    return pd.DataFrame(prevalence), tests


def _tests(name: str, by: str, counts: pd.DataFrame, trend: bool) -> list[dict]:
    """The equality test, and the trend test for ordered groups; NaN when not testable."""
    usable = counts[counts["N"] > 0]
    out = []
    try:
        equal = compare_groups(usable)
    except ValueError as err:  # fewer than two groups with reviews
        equal = {"test": "not testable", "statistic": float("nan"), "dof": None,
                 "p_value": float("nan"), "note": str(err)}  # fmt: skip
    out.append({"measure": name, "by": by, **_keep(equal)})
    if trend:
        try:
            result = cochran_armitage(usable)
        except ValueError as err:
            result = {"test": "cochran_armitage", "statistic": float("nan"),
                      "p_value": float("nan"), "note": str(err)}  # fmt: skip
        out.append({"measure": name, "by": by, **_keep(result)})
    return out


def _keep(result: dict) -> dict:
    return {k: result.get(k) for k in ("test", "statistic", "dof", "p_value", "note")}
