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

from triennial.analysis.prevalence import ESTIMATE_COLUMNS
from triennial.data.codebook import AGE_BANDS, NOTED, Codebook
from triennial.stats.association import adjust_pvalues, cochran_armitage, compare_groups
from triennial.stats.intervals import proportion_confint

OUTCOMES = ["death", "serious_harm"]
PREVALENCE_COLUMNS = ["measure", "by", "group", *ESTIMATE_COLUMNS]


def group_counts(reviews: pd.DataFrame, characteristic: str, by: str, groups: list[str]):
    """n (noted) and N (reports) per group, in the order given."""
    # Masks on the two columns, not a filtered copy of the whole frame for each group:
    # the disclosure attacks publish many extracts, and this ran hundreds of times each.
    noted = reviews[characteristic] == NOTED
    rows = []
    for g in groups:
        in_group = reviews[by] == g
        count, nobs = int((noted & in_group).sum()), int(in_group.sum())
        rows.append({"group": g, "count": count, "nobs": nobs})
    return pd.DataFrame(rows)


def groupings(codebook: Codebook, name: str) -> list[tuple[str, list[str], bool]]:
    """(column, its groups, ordered?) by which a characteristic is compared."""
    bands = [b for b in AGE_BANDS if b not in codebook.excluded_bands(name)]
    return [("age_band", bands, True), ("outcome", OUTCOMES, False)]


def subgroup_cells(codebook: Codebook) -> list[tuple[str, str, str]]:
    """(characteristic, by, group) of every subgroup row that may be published."""
    return [
        (name, by, g)
        for name in codebook.characteristics()
        for by, groups, _ in groupings(codebook, name)
        for g in groups
    ]


def subgroup_analysis(
    reviews: pd.DataFrame, codebook: Codebook, method: str = "wilson", alpha: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(prevalence by subgroup, tests) for every report characteristic."""
    reports = reviews[reviews["report_status"] == "available"]
    prevalence, tests = [], []
    for name in codebook.characteristics():
        for by, groups, trend in groupings(codebook, name):
            counts = group_counts(reports, name, by, groups)
            for _, c in counts[counts["nobs"] > 0].iterrows():
                low, upp = proportion_confint(c["count"], c["nobs"], alpha, method)
                prevalence.append(
                    {"measure": name, "by": by, "group": c["group"], "count": c["count"],
                     "nobs": c["nobs"], "estimate": c["count"] / c["nobs"], "ci_low": low,
                     "ci_upp": upp, "method": method}
                )  # fmt: skip
            tests += _tests(name, by, counts, trend)
    prevalence = pd.DataFrame(prevalence, columns=PREVALENCE_COLUMNS)
    return prevalence, adjusted(pd.DataFrame(tests))


def adjusted(tests: pd.DataFrame) -> pd.DataFrame:
    """Add Holm and Benjamini-Hochberg adjusted p-values; the family is the tests with a
    p-value (a withheld test is not in it, so no adjusted value depends on it)."""
    p = pd.to_numeric(tests["p_value"], errors="coerce").to_numpy(float)
    return tests.assign(**{f"p_{a}": adjust_pvalues(p, a) for a in ("holm", "fdr_bh")})


def _tests(name: str, by: str, counts: pd.DataFrame, trend: bool) -> list[dict]:
    """The equality test, and the trend test for ordered groups; NaN when not testable."""
    usable = counts[counts["nobs"] > 0]
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
