"""Agreement between two coders who coded the same reviews: Cohen's kappa.

Kappa is (p_o - p_e) / (1 - p_e), where p_o is the proportion of reviews on which
the coders agree and p_e the agreement expected by chance from each coder's own
category frequencies (Cohen 1960, Educational and Psychological Measurement
20:37-46). Its standard error is the large-sample one of Fleiss, Cohen & Everitt
(1969, Psychological Bulletin 72:323-327), which holds whatever the true kappa.

The interval is not Wald's kappa +/- z se: that collapses to [1, 1] when the coders
agree on every review (se = 0), and a bootstrap over reviews does the same (every
resample agrees perfectly). Instead kappa, a linear function of the observed
agreement p_o given the chance agreement p_e, has its limits from the exact
Clopper-Pearson interval for p_o (agreements out of n reviews), with p_e held at its
observed value: kappa_limit = (p_o_limit - p_e) / (1 - p_e), clipped to [-1, 1]. The
interval is conditional on the coders' marginal frequencies (it ignores the sampling
variation of p_e, which is small beside that of p_o with few categories), and it never
collapses: with 37 of 37 reviews agreeing the lower limit of p_o is 0.025^(1/37) =
0.905.

Written out, not wrapped: statsmodels' `inter_rater.cohens_kappa` has the same kappa
and, as `std_kappa`, the same standard error (`std_kappa0` is the one valid only
under kappa = 0, for testing), equal to this module's to 2e-16 on tables with
disagreement, but not where the coders agree on every review. The variance is then a
difference of nearly equal terms that rounds to about +-3e-17, and statsmodels takes
the square root of a negative one: for this project's cp_plan_category table (37
reviews, all on the diagonal) its `std_kappa` is NaN, the formula here gives 5.5e-09.
statsmodels also lacks what the rows of `agreement_table` need: kappa left undefined,
with a note, when chance agreement is 1 (it divides by zero), and an interval at any
level (its own is at 95% and not clipped). The tests use it as an independent
reference where its results are defined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

METHOD = "clopper_pearson_agreement"
COLUMNS = ["variable", "nobs", "agreement", "kappa", "se", "ci_low", "ci_upp", "method", "note"]
UNDEFINED = (
    "kappa undefined: both coders used the single category {category!r} for every review, "
    "so chance agreement is 1"
)


def cohens_kappa(a: Sequence, b: Sequence, alpha: float = 0.05) -> dict:
    """Cohen's kappa for two coders' codes of the same items, with se and interval.

    `a[i]` and `b[i]` are the two codes of item i; categories are the union of both.
    Returns `n, agreement, expected, kappa, se, ci_low, ci_upp (see the module
    docstring), method, note`; when
    chance agreement is 1 kappa is undefined and kappa, se and the interval are NaN,
    with `note` saying why (otherwise `note` is "").
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha!r}")
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the coders coded different numbers of items: {len(a)} and {len(b)}")
    if not a:
        raise ValueError("no items to compare")
    if any(pd.isna(x) for x in a + b):
        raise ValueError("missing codes; drop the items a coder did not code first")
    table = crosstab(a, b)
    result = kappa_from_table(table, alpha)
    if math.isnan(result["kappa"]):
        result["note"] = UNDEFINED.format(category=a[0])
    return result


def crosstab(a: Sequence, b: Sequence) -> np.ndarray:
    """Square table of counts: rows are coder a's codes, columns coder b's, same order."""
    # str as the sort key: codes of mixed types still get one fixed order.
    categories = sorted(set(a) | set(b), key=str)
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    np.add.at(table, ([index[x] for x in a], [index[y] for y in b]), 1)
    return table


def kappa_from_table(table, alpha: float = 0.05) -> dict:
    """Kappa, its Fleiss-Cohen-Everitt se and interval (see the module docstring) from a
    square table of counts."""
    counts = np.asarray(table, dtype=float)
    n = counts.sum()
    p = counts / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed = float(np.trace(p))
    expected = float(rows @ cols)
    result = {"nobs": int(round(n)), "agreement": observed, "expected": expected}
    # Chance agreement reaches 1 only when both coders put every item in the same one
    # category; kappa is then 0/0 and reporting any number would be made up.
    if math.isclose(expected, 1.0, rel_tol=0, abs_tol=1e-12):
        nan = float("nan")
        return result | dict(kappa=nan, se=nan, ci_low=nan, ci_upp=nan, method=METHOD, note="")
    kappa = (observed - expected) / (1 - expected)
    se = _fce_se(p, rows, cols, kappa, expected, n)
    agree = int(round(np.trace(counts)))
    total = int(round(n))
    p_low = stats.beta.ppf(alpha / 2, agree, total - agree + 1) if agree > 0 else 0.0
    p_upp = stats.beta.isf(alpha / 2, agree + 1, total - agree) if agree < total else 1.0
    ci_low, ci_upp = np.clip(
        [(p_low - expected) / (1 - expected), (p_upp - expected) / (1 - expected)], -1.0, 1.0
    )
    return result | dict(
        kappa=float(kappa),
        se=se,
        ci_low=float(ci_low),
        ci_upp=float(ci_upp),
        method=METHOD,
        note="",
    )


def _fce_se(p, rows, cols, kappa, expected, nobs) -> float:
    """Large-sample se of kappa, Fleiss, Cohen & Everitt (1969) eq. 13.

    var = (A + B - C) / (nobs (1 - p_e)^2) with
    A = sum_i p_ii [1 - (p_i. + p_.i)(1 - kappa)]^2,
    B = (1 - kappa)^2 sum_{i != j} p_ij (p_.i + p_j.)^2,
    C = [kappa - p_e (1 - kappa)]^2.
    """
    diag = np.diag(p)
    term_a = np.sum(diag * (1 - (rows + cols) * (1 - kappa)) ** 2)
    # weight[i, j] = p_.i + p_j. (column total of i plus row total of j)
    weight = cols[:, None] + rows[None, :]
    off = ~np.eye(len(p), dtype=bool)
    term_b = (1 - kappa) ** 2 * np.sum(p[off] * weight[off] ** 2)
    term_c = (kappa - expected * (1 - kappa)) ** 2
    var = (term_a + term_b - term_c) / (nobs * (1 - expected) ** 2)
    # At perfect agreement the variance is 0 and rounding can leave -1e-18.
    return float(math.sqrt(max(var, 0.0)))


def agreement_table(
    first: pd.DataFrame, second: pd.DataFrame, variables: list[str], alpha: float = 0.05
) -> pd.DataFrame:
    """Kappa for each variable coded by two coders; one row per variable.

    Rows of `first` and `second` are paired by position (the caller aligns them by
    review id). Pairs in which either coder left a variable missing are left out of
    that variable's kappa; `nobs` counts the pairs used and `note` says how many were
    left out.
    """
    if len(first) != len(second):
        raise ValueError(f"the coders' tables differ in length: {len(first)} and {len(second)}")
    missing = [v for v in variables if v not in first.columns or v not in second.columns]
    if missing:
        raise KeyError(f"variables not in both coders' tables: {missing}")
    rows = [_variable_row(first[v], second[v], v, alpha) for v in variables]
    return pd.DataFrame(rows, columns=COLUMNS)


def _variable_row(a: pd.Series, b: pd.Series, variable: str, alpha: float) -> dict:
    """One row of the agreement table; pairs with a missing code are dropped and counted."""
    a, b = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    both = ~(pd.isna(a) | pd.isna(b))
    notes = []
    if not both.all():
        notes.append(f"{int((~both).sum())} pair(s) with a missing code left out")
    if not both.any():
        nan = float("nan")
        stats_ = dict(n=0, agreement=nan, kappa=nan, se=nan, ci_low=nan, ci_upp=nan)
        return {"variable": variable, **stats_, "method": METHOD, "note": "; ".join(notes)}
    result = cohens_kappa(a[both], b[both], alpha)
    if result["note"]:
        notes.append(result["note"])
    return {"variable": variable, **result, "note": "; ".join(notes)}
