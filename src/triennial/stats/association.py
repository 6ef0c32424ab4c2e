"""Comparing a proportion across subgroups: equality, trend, and multiple testing.

scipy does the equality tests and statsmodels the multiple-testing adjustments. The
Cochran-Armitage test is written out: statsmodels' `Table.test_ordinal_association`
(with its default scores) is the same test with the permutation variance, divided by
N - 1 rather than N, so its z is the classical one times sqrt((N - 1) / N).

- `compare_groups`: a 2 x k test that every group has the same proportion. Pearson's
  chi-square (no continuity correction) when every expected count is at least 5
  (Cochran 1954, Biometrics 10:417-451); otherwise Fisher's exact test for two groups
  and, for more, the Freeman-Halton extension of it (Freeman & Halton 1951,
  Biometrika 38:141-149), exact: every 2 x k table with the observed margins is
  enumerated (two halves of the columns, met in the middle), as R's `fisher.test`
  computes it. Only when there would be more than `MAX_EXACT_TABLES` partial tables
  in a half is the p-value estimated from random tables instead, with its Monte
  Carlo standard error in the note.
- `cochran_armitage`: test for a linear trend in the proportion across ordered
  groups (Armitage 1955, Biometrics 11:375-386; Agresti, Categorical Data Analysis,
  3rd ed., section 5.3.5).
- `adjust_pvalues`: Holm (1979) and Benjamini-Hochberg (1995) adjusted p-values, from
  `statsmodels.stats.multitest.multipletests`; added here is only that NaN p-values
  (tests not done) stay NaN and are left out of the family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.multitest import multipletests

SEED = 20190901
N_RESAMPLES = 10_000
MAX_EXACT_TABLES = 5_000_000  # partial tables per half of the columns enumerated exactly
# R's fisher.test counts tables whose probability is at most the observed one's times
# 1 + 1e-7, so that tables equal to it up to rounding are not lost.
RELATIVE_ERROR = 1 + 1e-7
MIN_EXPECTED = 5
ADJUSTMENTS = ("holm", "fdr_bh")


def compare_groups(counts: pd.DataFrame, seed: int = SEED, n_resamples: int = N_RESAMPLES) -> dict:
    """Test that the proportion n / N is the same in every group.

    `counts` has one row per group with columns `group, n, N`. Groups with N = 0
    carry no information and are dropped, with a `note`. Returns `test`
    ("chi_square", "fisher_exact", "freeman_halton_exact" or, beyond
    MAX_EXACT_TABLES, "freeman_halton_monte_carlo"), `statistic`
    (Pearson's X^2 for the chi-square test; for the exact tests the probability of
    the observed table given its margins, the quantity they order tables by), `dof`
    (None for the exact tests), `p_value`, `min_expected` and `note`.
    `seed` and `n_resamples` fix the random tables of the Monte Carlo test.
    """
    kept, notes = _drop_empty_groups(_checked(counts))
    if len(kept) < 2:
        raise ValueError(f"need at least two groups with N > 0, got {len(kept)}")
    table = _two_by_k(kept)
    expected = stats.contingency.expected_freq(table)
    min_expected = float(expected.min())
    result = {"min_expected": min_expected}
    if min_expected >= MIN_EXPECTED:
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
        test = {"test": "chi_square", "statistic": float(chi2), "dof": int(dof), "p_value": p}
    elif table.sum(axis=1).min() == 0:
        # Nobody (or everybody) has the characteristic: only one table has these
        # margins, so it has probability 1 and nothing could be more extreme.
        notes.append("no group differs: the proportion is 0 (or 1) in every group")
        name = "fisher_exact" if len(kept) == 2 else "freeman_halton_exact"
        test = {"test": name, "statistic": 1.0, "dof": None, "p_value": 1.0}
    elif len(kept) == 2:
        test = _fisher(table)
    elif _half_sizes(table) <= MAX_EXACT_TABLES:
        test = freeman_halton_exact(table)
    else:
        test = _freeman_halton(table, seed, n_resamples)
        p = test["p_value"]
        error = np.sqrt(p * (1 - p) / n_resamples)
        notes.append(
            f"p-value from {n_resamples} random tables, seed {seed} (more than "
            f"{MAX_EXACT_TABLES:,} tables to enumerate), Monte Carlo standard error {error:.2g}"
        )
    return {**test, "p_value": float(test["p_value"]), **result, "note": "; ".join(notes)}


def _checked(counts: pd.DataFrame) -> pd.DataFrame:
    """`counts` as integers with 0 <= n <= N, or a ValueError saying what is wrong."""
    missing = {"group", "count", "nobs"} - set(counts.columns)
    if missing:
        raise ValueError(f"counts lack columns {sorted(missing)}")
    n = counts["count"].to_numpy(dtype=float)
    big_n = counts["nobs"].to_numpy(dtype=float)
    if np.isnan(n).any() or np.isnan(big_n).any():
        raise ValueError("counts n and N must not be missing")
    if (n != np.round(n)).any() or (big_n != np.round(big_n)).any():
        raise ValueError("counts n and N must be whole numbers")
    if (n < 0).any() or (n > big_n).any():
        raise ValueError("need 0 <= n <= N in every group")
    return counts.assign(n=n.astype(np.int64), N=big_n.astype(np.int64))


def _drop_empty_groups(counts: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Groups with N > 0, and a note naming any dropped."""
    empty = counts["nobs"] == 0
    notes = []
    if empty.any():
        names = ", ".join(map(str, counts.loc[empty, "group"]))
        notes.append(f"dropped {int(empty.sum())} group(s) with N = 0: {names}")
    return counts.loc[~empty].reset_index(drop=True), notes


def _two_by_k(counts: pd.DataFrame) -> np.ndarray:
    """Rows: with and without the characteristic; one column per group."""
    n = counts["count"].to_numpy()
    return np.vstack([n, counts["nobs"].to_numpy() - n])


def _fisher(table: np.ndarray) -> dict:
    """Fisher's exact test for a 2 x 2 table; statistic is the observed table's probability."""
    p = stats.fisher_exact(table).pvalue
    big_n, with_char, first_group = table.sum(), table[0].sum(), table[:, 0].sum()
    prob = stats.hypergeom.pmf(table[0, 0], big_n, with_char, first_group)
    return {"test": "fisher_exact", "statistic": float(prob), "dof": None, "p_value": p}


def _log_choose(n, x):
    return special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)


def _halves(table: np.ndarray):
    columns = table.sum(axis=0)
    middle = len(columns) // 2
    return columns[:middle], columns[middle:]


def _half_sizes(table: np.ndarray) -> int:
    """The larger half's number of partial tables (before pruning), to bound the work."""
    return max(int(np.prod(half + 1.0)) for half in _halves(table))


def _partial_tables(columns, total: int):
    """Every first row (x_1..x_m) of the given columns with sum <= total: (sums, log weights).

    The weight of a row is prod C(N_i, x_i); the table's probability given its margins
    is the product over both halves divided by C(N, total).
    """
    sums, logw = np.zeros(1, dtype=np.int64), np.zeros(1)
    for size in columns:
        x = np.arange(size + 1)
        sums = (sums[:, None] + x[None, :]).ravel()
        logw = (logw[:, None] + _log_choose(size, x)[None, :]).ravel()
        keep = sums <= total
        sums, logw = sums[keep], logw[keep]
    return sums, logw


def freeman_halton_exact(table: np.ndarray) -> dict:
    """Exact Freeman-Halton test of a 2 x k table: P(a table no more probable than observed).

    Given both margins, a table's probability is prod_i C(N_i, x_i) / C(N, R), with x
    the first row, N_i the column totals and R the first row's total. The columns are
    split into two halves; each half's partial rows are enumerated with their sums and
    log weights, and for each left-half row the right-half rows completing it to R
    and no more probable than the observed table (times RELATIVE_ERROR, as R) are
    summed from sorted cumulative weights. `statistic` is the observed table's
    probability.
    """
    table = np.asarray(table, dtype=np.int64)
    total = int(table[0].sum())
    log_total = float(_log_choose(table.sum(), total))
    observed = float(np.sum(_log_choose(table.sum(axis=0), table[0])))
    limit = observed + np.log(RELATIVE_ERROR)
    left, right = (_partial_tables(half, total) for half in _halves(table))
    order = np.lexsort((right[1], right[0]))  # by sum, then by log weight
    r_sums, r_logw = right[0][order], right[1][order]
    p = 0.0
    for s in np.unique(left[0]):
        lo, hi = np.searchsorted(r_sums, [total - s, total - s + 1])
        if lo == hi:
            continue
        a_logw = left[1][left[0] == s]
        b_logw = r_logw[lo:hi]
        # scaled within the group: weights far from the mode would underflow otherwise
        shift = float(b_logw[-1])
        cumulative = np.concatenate([[0.0], np.cumsum(np.exp(b_logw - shift))])
        # right rows of this sum with log weight <= limit - left log weight
        idx = np.searchsorted(b_logw, limit - a_logw, side="right")
        p += float(np.sum(np.exp(a_logw + shift - log_total) * cumulative[idx]))
    return {
        "test": "freeman_halton_exact",
        "statistic": float(np.exp(observed - log_total)),
        "dof": None,
        "p_value": min(1.0, p),
    }


def _freeman_halton(table: np.ndarray, seed: int, n_resamples: int) -> dict:
    """Freeman-Halton test, p-value from random tables with the observed margins.

    Tables are drawn by scipy's `random_table` (Patefield 1981), which is the null
    distribution a permutation of the group labels gives; the p-value counts tables
    at most as probable as the observed one, (count + 1) / (n_resamples + 1).
    """
    method = stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
    res = stats.fisher_exact(table, method=method)
    # scipy returns one-element arrays for some tables (e.g. a column of zeros or ones
    # in every group): take the scalar either way.
    return {
        "test": "freeman_halton_monte_carlo",
        "statistic": float(np.ravel(res.statistic)[0]),
        "dof": None,
        "p_value": float(np.ravel(res.pvalue)[0]),
    }


def cochran_armitage(counts: pd.DataFrame, scores=None) -> dict:
    """Cochran-Armitage test for a linear trend in n / N across ordered groups.

    Groups are taken in the row order of `counts` (columns `group, n, N`), with
    `scores` 0, 1, 2, ... unless given. With p the overall proportion,
    T = sum t_i (n_i - N_i p) and Var T = p (1 - p) [sum N_i t_i^2 - (sum N_i t_i)^2 / N];
    z = T / sqrt(Var T), positive when the proportion rises with the score, and the
    p-value is two-sided from the normal distribution. Returns `test, statistic (z),
    p_value, scores, note`; z and p are NaN, with a note, when Var T is 0.
    """
    counts = _checked(counts)
    n = counts["count"].to_numpy(dtype=float)
    big_n = counts["nobs"].to_numpy(dtype=float)
    t = np.arange(len(counts), dtype=float) if scores is None else np.asarray(scores, float)
    if t.shape != n.shape:
        raise ValueError(f"need one score per group: {len(n)} groups, {t.size} scores")
    total = big_n.sum()
    if total == 0:
        raise ValueError("every group has N = 0")
    p_bar = n.sum() / total
    stat_t = np.sum(t * (n - big_n * p_bar))
    var_t = p_bar * (1 - p_bar) * (np.sum(big_n * t**2) - np.sum(big_n * t) ** 2 / total)
    result = {"test": "cochran_armitage", "scores": t.tolist()}
    # Var T = 0 when every group has proportion 0 (or 1), or every group with N > 0 has
    # the same score: there is no trend to estimate.
    if var_t <= 0:
        nan = float("nan")
        note = "no test: the proportion is 0 or 1 overall, or all groups share one score"
        return result | {"statistic": nan, "p_value": nan, "note": note}
    z = stat_t / np.sqrt(var_t)
    p = 2 * stats.norm.sf(abs(z))
    return result | {"statistic": float(z), "p_value": float(p), "note": ""}


def adjust_pvalues(p, method: str) -> np.ndarray:
    """Holm ("holm") or Benjamini-Hochberg ("fdr_bh") adjusted p-values, same order as `p`.

    NaN p-values stay NaN and are not counted in the family of tests.
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"unknown adjustment {method!r}; expected one of {ADJUSTMENTS}")
    p = np.asarray(p, dtype=float)
    if p.ndim != 1:
        raise ValueError("p-values must be a one-dimensional sequence")
    valid = ~np.isnan(p)
    if ((p[valid] < 0) | (p[valid] > 1)).any():
        raise ValueError("p-values must lie between 0 and 1")
    adjusted = np.full_like(p, np.nan)
    if valid.any():
        adjusted[valid] = multipletests(p[valid], method=method)[1]
    return adjusted
