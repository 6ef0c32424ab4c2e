"""Random-effects meta-analysis of single proportions.

Pools a base rate (for example of accidental bruising in pre-mobile infants) from a
handful of studies, each given as `count` events out of `nobs`. Steps:

1. `transform` puts each study on a scale where a normal approximation is reasonable,
   giving an estimate `yi` and its sampling variance `vi`:
   - "logit": yi = log((x + c) / (n - x + c)), vi = 1/(x + c) + 1/(n - x + c). The
     continuity correction c = 0.5 is added ONLY to studies with x = 0 or x = n
     (c = 0 otherwise), the default of R's metafor and meta ("only0" / add 1/2 to
     zero cells). Without it those studies have infinite yi and vi.
   - "freeman_tukey": the double arcsine of Freeman & Tukey (1950, Annals of
     Mathematical Statistics 21:607-611) on metafor's halved scale (`measure =
     "PFT"`), yi = (asin(sqrt(x/(n+1))) + asin(sqrt((x+1)/(n+1)))) / 2,
     vi = 1/(4n + 2); finite at x = 0 and x = n, so no correction. Its tau^2 is on
     this halved scale (a quarter of the un-halved transform's).
2. `pool` estimates the between-study variance tau^2 (DerSimonian-Laird, REML or
   Paule-Mandel) and the inverse-variance weighted mean, with heterogeneity
   statistics, a Q-profile interval for tau^2 and a prediction interval.
3. `back_transform` returns estimates and limits to the proportion scale: expit for
   logit; for Freeman-Tukey the inversion of Miller (1978, The American Statistician
   32:138) at the harmonic mean of the study sizes, as metafor's `transf.ipft.hm`
   and R's meta do. That inversion
   is approximate and can mislead when study sizes differ a lot (Schwarzer et al.
   2019, Research Synthesis Methods 10:476-483); the logit scale has no such issue.

`meta_proportions` runs all three on a table with columns `study, count, nobs`;
`leave_one_out`, `by_subgroup` and `study_table` build on it. Names follow the rest
of the package and statsmodels: limits are `ci_low, ci_upp`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from triennial.stats.intervals import proportion_confint

SCALES = ("logit", "freeman_tukey")
METHODS = ("DL", "REML", "PM")
CONTINUITY = 0.5
REML_TOL = 1e-10  # on the change in tau^2 (metafor stops at 1e-5 by default; tighter here)
REML_MAXITER = 1000


def transform(count, nobs, scale: str = "logit"):
    """Study estimates on the transformed scale from `count` events of `nobs`: (yi, vi).

    See the module docstring for the formulas (x = count, n = nobs); on the logit scale
    only studies with 0 or n events get the continuity correction of 0.5.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {SCALES}")
    x = np.atleast_1d(np.asarray(count, dtype=float))
    n = np.atleast_1d(np.asarray(nobs, dtype=float))
    if x.shape != n.shape:
        raise ValueError("count (events) and nobs must have the same length")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= count (events) <= nobs and nobs > 0")
    if scale == "logit":
        c = np.where((x == 0) | (x == n), CONTINUITY, 0.0)
        yi = np.log((x + c) / (n - x + c))
        vi = 1 / (x + c) + 1 / (n - x + c)
    else:
        yi = (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1)))) / 2
        vi = 1 / (4 * n + 2)
    return yi, vi


def harmonic_mean(nobs) -> float:
    """Harmonic mean of the study sizes, the n used to invert the double arcsine."""
    n = np.asarray(nobs, dtype=float)
    return float(len(n) / np.sum(1 / n))


def back_transform(y, scale: str = "logit", nobs_harmonic: float | None = None):
    """Transformed-scale value(s) back to proportions, clipped to [0, 1].

    logit: expit(y). freeman_tukey (halved scale): Miller's (1978) inversion of the
    double arcsine t = 2y,
        p = (1 - sgn(cos t) sqrt(1 - (sin t + (sin t - 1/sin t) / n)^2)) / 2,
    with n = `nobs_harmonic` (required), the harmonic mean of the study sizes. Values
    below the transform of 0/n map to 0 and above that of n/n to 1. NaN stays NaN.
    """
    y = np.asarray(y, dtype=float)
    if scale == "logit":
        p = special.expit(y)
    elif scale == "freeman_tukey":
        if nobs_harmonic is None or not nobs_harmonic > 0:
            raise ValueError("the Freeman-Tukey back-transform needs nobs_harmonic > 0")
        p = _miller(2 * y, float(nobs_harmonic))
    else:
        raise ValueError(f"unknown scale {scale!r}; expected one of {SCALES}")
    p = np.clip(p, 0.0, 1.0)
    return float(p) if p.ndim == 0 else p


def _miller(t, nobs):
    lowest = np.arcsin(np.sqrt(1 / (nobs + 1)))  # transform of 0 events
    highest = np.arcsin(np.sqrt(nobs / (nobs + 1))) + np.pi / 2  # transform of n events
    s = np.sin(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = 1 - (s + (s - 1 / s) / nobs) ** 2
        # Rounding can push `inner` a hair below 0 next to the bounds.
        p = 0.5 * (1 - np.sign(np.cos(t)) * np.sqrt(np.clip(inner, 0.0, 1.0)))
    p = np.where(t <= lowest, 0.0, p)
    p = np.where(t >= highest, 1.0, p)
    return np.where(np.isnan(t), np.nan, p)


# --- between-study variance -------------------------------------------------------


def _re_mean(yi, vi, tau2):
    """Random-effects weights 1/(vi + tau2) and the weighted mean."""
    w = 1 / (vi + tau2)
    return w, float(np.sum(w * yi) / np.sum(w))


def generalised_q(yi, vi, tau2: float) -> float:
    """Q(tau2) = sum (yi - mu(tau2))^2 / (vi + tau2); Cochran's Q at tau2 = 0."""
    w, mu = _re_mean(yi, vi, tau2)
    return float(np.sum(w * (yi - mu) ** 2))


def _solve_q(yi, vi, target: float) -> float:
    """tau2 >= 0 with Q(tau2) = target; 0 when Q(0) <= target already.

    Q(tau2) decreases to 0 as tau2 grows, so a root exists for any target > 0:
    bracket it by doubling, then Brent's method to machine precision.
    """
    if not generalised_q(yi, vi, 0.0) > target:
        return 0.0
    upper = max(1.0, float(np.var(yi)))
    while generalised_q(yi, vi, upper) > target:
        upper *= 2
    return optimize.brentq(
        lambda t: generalised_q(yi, vi, t) - target, 0.0, upper, xtol=1e-15, rtol=1e-15
    )


def tau2_dl(yi, vi) -> float:
    """DerSimonian & Laird (1986) moment estimate, truncated at 0."""
    w = 1 / vi
    q = generalised_q(yi, vi, 0.0)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, float((q - (len(yi) - 1)) / c))


def tau2_pm(yi, vi) -> float:
    """Paule & Mandel (1982): the tau2 at which Q(tau2) equals its expectation k - 1."""
    return _solve_q(yi, vi, len(yi) - 1)


def tau2_reml(yi, vi, tol: float = REML_TOL, maxiter: int = REML_MAXITER):
    """REML estimate by Fisher scoring, as metafor's rma.uni; returns (tau2, converged).

    Update (Viechtbauer 2005, J Educ Behav Stat 30:261-293):
        tau2 += (y'PPy - tr P) / tr(PP),  P = W - W 1 1' W / sum(W),  W = diag(1/(vi+tau2)),
    starting from the DerSimonian-Laird value, stopping when tau2 changes by less
    than `tol` (1e-10; metafor's default is 1e-5). A step below 0 is cut back to the
    boundary, where the REML maximum lies when the data show no heterogeneity.
    """
    tau2 = tau2_dl(yi, vi)
    for _ in range(maxiter):
        w, mu = _re_mean(yi, vi, tau2)
        sw = np.sum(w)
        # P y = w (y - mu) for an intercept-only model; traces in closed form.
        ypppy = np.sum(w**2 * (yi - mu) ** 2)
        tr_p = sw - np.sum(w**2) / sw
        tr_pp = np.sum(w**2) - 2 * np.sum(w**3) / sw + np.sum(w**2) ** 2 / sw**2
        new = max(0.0, float(tau2 + (ypppy - tr_p) / tr_pp))
        if abs(new - tau2) < tol:
            return new, True
        tau2 = new
    return tau2, False


# --- pooling -----------------------------------------------------------------------


def typical_variance(vi) -> float:
    """The typical within-study variance s2 = (k - 1) sum(w) / ((sum w)^2 - sum(w^2)), w = 1/vi.

    Higgins & Thompson (2002, Stat Med 21:1539-1558, eq. 9), as metafor's rma.uni.
    """
    w = 1 / np.asarray(vi, dtype=float)
    return float((len(w) - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2)))


def heterogeneity(yi, vi, tau2: float, alpha: float = 0.05) -> dict:
    """Cochran's Q, I^2 and H^2 from `tau2`, and Q-profile intervals for tau2 and I^2.

    I^2 = tau2 / (tau2 + s2) and H^2 = (tau2 + s2) / s2 with s2 the typical
    within-study variance, so each tau2 estimator has its own I^2, as in metafor
    (for DerSimonian-Laird it equals (Q - df) / Q). Keys: tau2_ci_low, tau2_ci_upp,
    i2, i2_ci_low, i2_ci_upp, h2, q, q_df, q_p; all but q and q_df are NaN for a
    single study.
    """
    k = len(yi)
    df = k - 1
    q = generalised_q(yi, vi, 0.0)
    out = {"q": q, "q_df": df}
    if df == 0:
        keys = ("q_p", "i2", "i2_ci_low", "i2_ci_upp", "h2", "tau2_ci_low", "tau2_ci_upp")
        return out | dict.fromkeys(keys, np.nan)
    # Q-profile: Q(tau2) falls with tau2, so the upper chi-square quantile gives the lower limit.
    low = _solve_q(yi, vi, stats.chi2.isf(alpha / 2, df))
    upp = _solve_q(yi, vi, stats.chi2.ppf(alpha / 2, df))
    s2 = typical_variance(vi)
    return out | {
        "q_p": float(stats.chi2.sf(q, df)),
        "i2": float(tau2 / (tau2 + s2)),
        "i2_ci_low": float(low / (low + s2)),
        "i2_ci_upp": float(upp / (upp + s2)),
        "h2": float((tau2 + s2) / s2),
        "tau2_ci_low": float(low),
        "tau2_ci_upp": float(upp),
    }


def pool(yi, vi, method: str = "DL", hksj: bool = False, alpha: float = 0.05) -> dict:
    """Random-effects inverse-variance pooled estimate with heterogeneity statistics.

    All values are on the scale of `yi`. Returned keys:
    - method, hksj, alpha, k; weights (relative, summing to 1, in input order);
    - estimate, se, ci_low, ci_upp; statistic (z, or t on k - 1 df with HKSJ),
      statistic_df (inf for z), pvalue (two-sided test of estimate = 0);
    - tau2 and tau2_ci_low, tau2_ci_upp: Q-profile interval (Viechtbauer 2007,
      Stat Med 26:37-52), the tau2 values where the generalised Q equals the
      chi-square(k - 1) quantiles 1 - alpha/2 and alpha/2 (0 where Q(0) falls short);
    - q, q_df, q_p: Cochran's Q about the fixed-effect mean, k - 1, chi-square p;
    - i2 = tau2 / (tau2 + s2) and h2 = (tau2 + s2) / s2 from this method's tau2, with
      s2 the typical within-study variance (`typical_variance`), as metafor's
      rma.uni (Higgins & Thompson 2002, Stat Med 21:1539-1558); i2_ci_low,
      i2_ci_upp: the Q-profile tau2 limits converted the same way, as metafor's
      confint does. The interval always holds the PM tau2 but need not hold another
      method's: with very unequal study variances DL's tau2 can fall below the
      Q-profile interval. The note says when;
    - pi_low, pi_upp: prediction interval estimate -/+ t_{k-2} sqrt(tau2 + se^2)
      (Higgins, Thompson & Spiegelhalter 2009, JRSS A 172:137-159), using the `se`
      reported (the HKSJ one when hksj=True); NaN when k < 3;
    - note: what was set to NaN or 0 and why ("" when nothing).

    With hksj=True the variance is multiplied by q_hk = sum w (yi - mu)^2 / (k - 1)
    and t_{k-1} quantiles replace normal ones (Hartung & Knapp 2001; Sidik & Jonkman
    2002; as in IntHout et al. 2014, BMC Med Res Methodol 14:25). q_hk is NOT
    truncated at 1, so the interval can be narrower than the normal-theory one; the
    note says when.
    """
    if method not in METHODS:
        raise ValueError(f"unknown tau2 method {method!r}; expected one of {METHODS}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha!r}")
    yi = np.atleast_1d(np.asarray(yi, dtype=float))
    vi = np.atleast_1d(np.asarray(vi, dtype=float))
    if yi.shape != vi.shape or yi.ndim != 1 or len(yi) == 0:
        raise ValueError("yi and vi must be 1-d arrays of the same, non-zero length")
    if not (np.all(np.isfinite(yi)) and np.all(np.isfinite(vi)) and np.all(vi > 0)):
        raise ValueError("need finite yi and finite vi > 0")
    k = len(yi)
    df = k - 1
    notes = []

    if k == 1:
        tau2 = 0.0
        notes.append("k = 1: tau2 not estimable, set to 0")
    elif method == "DL":
        tau2 = tau2_dl(yi, vi)
    elif method == "PM":
        tau2 = tau2_pm(yi, vi)
    else:
        tau2, converged = tau2_reml(yi, vi)
        if not converged:
            notes.append("REML did not converge")

    w, mu = _re_mean(yi, vi, tau2)
    se = float(np.sqrt(1 / np.sum(w)))
    if hksj:
        q_hk = float(np.sum(w * (yi - mu) ** 2) / df) if df > 0 else np.nan
        if df == 0:
            notes.append("k = 1: no HKSJ interval")
        # Paule-Mandel (and, with two studies, each estimator) makes the factor 1 up to
        # rounding: only a factor below 1 beyond rounding is worth a note.
        elif q_hk < 1 - 1e-9:
            notes.append(f"HKSJ variance factor {q_hk:.3g} < 1, not truncated at 1")
        se *= np.sqrt(q_hk)
        stat_df = float(df) if df > 0 else np.nan
        crit = stats.t.isf(alpha / 2, df) if df > 0 else np.nan
    else:
        stat_df = np.inf
        crit = stats.norm.isf(alpha / 2)

    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = mu / se
    if hksj:
        pvalue = 2 * stats.t.sf(abs(statistic), stat_df) if df > 0 else np.nan
    else:
        pvalue = 2 * stats.norm.sf(abs(statistic))

    if k < 3:
        pi_low = pi_upp = np.nan
        notes.append("k < 3: no prediction interval")
    else:
        half = stats.t.isf(alpha / 2, k - 2) * np.sqrt(tau2 + se**2)
        pi_low, pi_upp = mu - half, mu + half

    het = heterogeneity(yi, vi, tau2, alpha)
    if df > 0 and not het["tau2_ci_low"] <= tau2 <= het["tau2_ci_upp"]:
        notes.append("tau2 outside its Q-profile interval")

    return {
        "method": method,
        "hksj": bool(hksj),
        "alpha": alpha,
        "k": k,
        "weights": w / np.sum(w),
        "estimate": mu,
        "se": float(se),
        "ci_low": float(mu - crit * se),
        "ci_upp": float(mu + crit * se),
        "statistic": float(statistic),
        "statistic_df": stat_df,
        "pvalue": float(pvalue),
        "tau2": float(tau2),
        **het,
        "pi_low": float(pi_low),
        "pi_upp": float(pi_upp),
        "note": "; ".join(notes),
    }


# --- tables of proportions ---------------------------------------------------------

# Transformed-scale results of `pool` are kept with a "y_" prefix beside the proportions.
_ON_Y_SCALE = ("estimate", "se", "ci_low", "ci_upp", "pi_low", "pi_upp")


def _counts(table: pd.DataFrame):
    missing = {"study", "count", "nobs"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks column(s) {sorted(missing)}")
    if len(table) == 0:
        raise ValueError("table has no studies")
    return table["count"].to_numpy(dtype=float), table["nobs"].to_numpy(dtype=float)


def meta_proportions(
    table: pd.DataFrame,
    scale: str = "logit",
    method: str = "DL",
    hksj: bool = False,
    alpha: float = 0.05,
) -> dict:
    """Pool the proportions events/n of a table with columns `study, events, n`.

    Returns a flat dict (one row of a results table): `estimate, ci_low, ci_upp,
    pi_low, pi_upp` as proportions; `y_estimate, y_se, y_ci_low, y_ci_upp, y_pi_low,
    y_pi_upp` on the transformed scale; every other key of `pool` except `weights`
    (see `study_table` for those); and `scale`, `count`, `nobs` (totals) and
    `nobs_harmonic` (used by the Freeman-Tukey back-transform; reported for both scales).
    """
    x, n = _counts(table)
    yi, vi = transform(x, n, scale)
    res = pool(yi, vi, method=method, hksj=hksj, alpha=alpha)
    n_h = harmonic_mean(n)
    out = {"scale": scale, "method": res["method"], "hksj": res["hksj"], "alpha": alpha}
    out |= {"k": res["k"], "count": int(x.sum()), "nobs": int(n.sum()), "nobs_harmonic": n_h}
    for key in _ON_Y_SCALE:
        if key != "se":
            out[key] = back_transform(res[key], scale, n_h)
    out |= {f"y_{key}": res[key] for key in _ON_Y_SCALE}
    skip = set(_ON_Y_SCALE) | {"weights"} | set(out)
    out |= {key: value for key, value in res.items() if key not in skip}
    return out


def study_table(
    table: pd.DataFrame,
    scale: str = "logit",
    method: str = "DL",
    alpha: float = 0.05,
    interval: str = "wilson",
) -> pd.DataFrame:
    """One row per study, for a forest plot: `study, events, n, estimate, ci_low,
    ci_upp, method, weight, yi, vi`.

    The estimate is events/n with its own interval (`interval`, any method of
    triennial.stats.intervals; recorded in `method`), not a back-transformed yi, so a
    zero-event study shows 0 rather than a value set by the continuity correction.
    `weight` is the study's relative random-effects weight in the pooled estimate on
    `scale` with tau2 from `method` (weights do not depend on HKSJ).
    """
    x, n = _counts(table)
    yi, vi = transform(x, n, scale)
    low, upp = proportion_confint(x, n, alpha, interval)
    return pd.DataFrame(
        {
            "study": table["study"].to_numpy(),
            "count": x.astype(int),
            "nobs": n.astype(int),
            "estimate": x / n,
            "ci_low": low,
            "ci_upp": upp,
            "method": interval,
            "weight": pool(yi, vi, method=method, alpha=alpha)["weights"],
            "yi": yi,
            "vi": vi,
        }
    )


def leave_one_out(table: pd.DataFrame, **options) -> pd.DataFrame:
    """`meta_proportions` with each study left out in turn: one row per omitted study,
    in table order, with the omitted study's name in column `omitted`.

    `options` are meta_proportions' keyword arguments (scale, method, hksj, alpha).
    """
    _counts(table)
    if len(table) < 2:
        raise ValueError("leave-one-out needs at least 2 studies")
    rows = []
    for i, study in enumerate(table["study"]):
        rest = table.drop(index=table.index[i])
        rows.append({"omitted": study} | meta_proportions(rest, **options))
    return pd.DataFrame(rows)


def by_subgroup(table: pd.DataFrame, column: str, **options) -> pd.DataFrame:
    """`meta_proportions` within each value of `column`, plus a test of differences.

    `options` are meta_proportions' keyword arguments (scale, method, hksj, alpha).

    One row per subgroup, in order of first appearance, with `variable` (= column)
    and `subgroup` (the value). Every row also carries the test of subgroup
    differences, by meta-regression on the subgroup indicators with one common tau2
    (`subgroup_test`): `test_statistic`, `test_df`, `test_df2` (the denominator df
    of the F test with HKSJ, else inf), `test_p`, `test_tau2`, and `test_note`,
    which says "not testable" and why when a subgroup has fewer than two studies
    (the statistic and p are then empty, not a number that implies a test).
    """
    if column not in table.columns:
        raise ValueError(f"table has no column {column!r}")
    if table[column].isna().any():
        raise ValueError(f"every study needs a value of {column!r}")
    rows = []
    for value in dict.fromkeys(table[column]):
        part = table[table[column] == value]
        rows.append({"variable": column, "subgroup": value} | meta_proportions(part, **options))
    out = pd.DataFrame(rows)
    x, n = _counts(table)
    yi, vi = transform(x, n, options.get("scale", "logit"))
    test = subgroup_test(
        yi, vi, table[column].to_numpy(), options.get("method", "DL"), options.get("hksj", False)
    )
    for key, value in test.items():
        out[f"test_{key}"] = value
    return out


MIN_PER_GROUP = 2  # studies each subgroup needs for a test of differences


def subgroup_test(yi, vi, groups, method: str = "DL", hksj: bool = False) -> dict:
    """Test of subgroup differences by meta-regression with a common tau2.

    yi = b0 + sum_g b_g [group = g] + u_i + e_i, u_i ~ N(0, tau2), e_i ~ N(0, vi); tau2
    by `method` for the meta-regression (DL: (QE - (k - p)) / tr P; PM: QE(tau2) =
    k - p; REML by Fisher scoring), as metafor's `rma(yi, vi, mods = ~ group)`. The
    Wald statistic of the group coefficients is chi-square on groups - 1 df, or with
    hksj=True (metafor's test = "knha") the statistic divided by the df, compared
    with F(groups - 1, k - p) after the variance is scaled by QE(tau2) / (k - p).

    Needs at least MIN_PER_GROUP studies in every group and two groups; otherwise
    returns the statistic as NaN with `note` saying "not testable" and why.
    Keys: statistic, df, df2, p, tau2, note.
    """
    yi, vi = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    labels, counts = np.unique(np.asarray(groups), return_counts=True)
    empty = {"statistic": np.nan, "df": len(labels) - 1, "df2": np.nan, "p": np.nan}
    if len(labels) < 2:
        return empty | {"tau2": np.nan, "note": "not testable: one subgroup"}
    if counts.min() < MIN_PER_GROUP:
        few = ", ".join(str(g) for g, c in zip(labels, counts, strict=True) if c < MIN_PER_GROUP)
        note = f"not testable: fewer than {MIN_PER_GROUP} studies in {few}"
        return empty | {"tau2": np.nan, "note": note}
    first = list(dict.fromkeys(np.asarray(groups)))  # reference: the first group seen
    X = np.column_stack([np.ones(len(yi))] + [np.asarray(groups) == g for g in first[1:]]).astype(
        float
    )
    k, p = X.shape
    if k - p < 1:
        return empty | {"tau2": np.nan, "note": "not testable: no residual degrees of freedom"}
    tau2 = _regression_tau2(yi, vi, X, method)
    b, vb, qe = _wls(yi, vi + tau2, X)
    m = p - 1
    if hksj:
        vb = vb * qe / (k - p)
    stat = float(b[1:] @ np.linalg.solve(vb[1:, 1:], b[1:]))
    if hksj:
        stat /= m
        return {"statistic": stat, "df": m, "df2": k - p, "p": float(stats.f.sf(stat, m, k - p)),
                "tau2": tau2, "note": ""}  # fmt: skip
    return {"statistic": stat, "df": m, "df2": np.inf, "p": float(stats.chi2.sf(stat, m)),
            "tau2": tau2, "note": ""}  # fmt: skip


def _wls(yi, total_var, X):
    """Weighted least squares: coefficients, their covariance, and the weighted RSS."""
    w = 1 / total_var
    xtwx = X.T @ (w[:, None] * X)
    vb = np.linalg.inv(xtwx)
    b = vb @ (X.T @ (w * yi))
    resid = yi - X @ b
    return b, vb, float(np.sum(w * resid**2))


def _p_matrix(vi, tau2, X):
    w = 1 / (vi + tau2)
    wx = w[:, None] * X
    return np.diag(w) - wx @ np.linalg.solve(X.T @ wx, wx.T)


def _regression_tau2(yi, vi, X, method: str) -> float:
    k, p = X.shape
    if method == "DL":
        P = _p_matrix(vi, 0.0, X)
        return max(0.0, float((yi @ P @ yi - (k - p)) / np.trace(P)))
    if method == "PM":

        def gap(t):
            return _wls(yi, vi + t, X)[2] - (k - p)

        if gap(0.0) <= 0:
            return 0.0
        upper = 1.0
        while gap(upper) > 0:
            upper *= 2
        return float(optimize.brentq(gap, 0.0, upper, xtol=1e-15, rtol=1e-15))
    if method != "REML":
        raise ValueError(f"unknown tau2 method {method!r}; expected one of {METHODS}")
    tau2 = _regression_tau2(yi, vi, X, "DL")
    for _ in range(REML_MAXITER):
        P = _p_matrix(vi, tau2, X)
        Py = P @ yi
        new = max(0.0, float(tau2 + (Py @ Py - np.trace(P)) / np.trace(P @ P)))
        if abs(new - tau2) < REML_TOL:
            return new
        tau2 = new
    return tau2
