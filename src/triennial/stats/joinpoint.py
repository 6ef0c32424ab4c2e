"""Segmented log-linear Poisson regression, as in NCI's Joinpoint program.

Kim et al. (2000, Stat Med 19:335-351): joinpoints at observed midpoints (grid
search), each candidate set fitted by Poisson maximum likelihood on the counts with
offset log(years), the number of joins chosen by BIC. APC per segment and the AAPC
(Clegg et al. 2009, Stat Med 28:3670-3682) with parametric-bootstrap
empirical-quantile intervals (joinpoints re-estimated in each resample; Kim et al.
2017, Stat Med 36:3059-3074) or delta-method ones that condition on the chosen
joinpoints.

statsmodels has no joinpoint search: `poisson_loglik_batch` fits every candidate
design (and every bootstrap resample) at once by Newton's method, because one
statsmodels GLM per candidate per resample would take minutes; the chosen model is
refitted with statsmodels' GLM. Input rows are those of `count_models.model_rows`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special

from triennial.stats.count_models import (
    TrendFit,
    apc,
    assemble_fit,
    centre_of,
    design,
    draw_counts,
    glm_statistics,
    model_rows,
    offset,
    uses_population,
)

CI_METHODS = ("bootstrap", "delta")
BOOTSTRAP_CHUNK = 2_000_000  # numbers per Newton array: bounds memory for long series


@dataclass(frozen=True, eq=False)
class JoinpointFit:
    """The chosen segmented model and its summaries.

    `fit`: the TrendFit of the chosen model (refitted by statsmodels GLM); `joins`:
    joinpoint locations (midpoints); `segments`: segment, start, end, quantity
    ("apc"), estimate, ci_low, ci_upp, method; `aapc`: one row (start, end,
    quantity "aapc", estimate, ci_low, ci_upp, method); `selection`: n_joins,
    joins, llf, n_params, bic, chosen.
    """

    fit: TrendFit
    joins: tuple[float, ...]
    segments: pd.DataFrame
    aapc: pd.DataFrame
    selection: pd.DataFrame


def candidate_joins(nobs: int, n_joins: int, min_segment: int = 3) -> list[tuple[int, ...]]:
    """Indices of the nobs observed points that may be joinpoints, as tuples of n_joins.

    Each segment, counting the joinpoints at its ends, holds at least min_segment
    observations, and no joinpoint is at the first or last observation.
    """
    if n_joins == 0:
        return [()]
    out = []
    for joins in itertools.combinations(range(1, nobs - 1), n_joins):
        ends = (0, *joins, nobs - 1)
        if all(b - a + 1 >= min_segment for a, b in itertools.pairwise(ends)):
            out.append(joins)
    return out


def poisson_loglik_batch(X: np.ndarray, y: np.ndarray, off: np.ndarray, tol: float = 1e-10):
    """Maximum Poisson log-likelihood of many designs and data sets at once, by Newton.

    X has shape (candidates, n, p); y is (n,) or (data sets, n). Starts from least
    squares on log(y + 0.5); the log-likelihood is concave, so Newton converges fast
    from there. Used to rank candidate joinpoints and in the bootstrap; the chosen
    model is refitted with statsmodels. Returns (llf, coefficients) with shapes
    (candidates,) and (candidates, p), with a leading (data sets,) when y is 2-d.
    """
    # Work as (candidates, data sets, ...) so each step is one large matmul per candidate.
    Y = np.atleast_2d(np.asarray(y, float))[None]  # (1, B, n)
    n, p = X.shape[1:]
    Xt = X.transpose(0, 2, 1)  # (C, p, n)
    outer = (X[..., :, None] * X[..., None, :]).reshape(len(X), n, p * p)
    z = np.log(Y + 0.5) - off
    beta = np.linalg.solve(Xt @ X, Xt @ z.transpose(0, 2, 1)).transpose(0, 2, 1)  # (C, B, p)
    for _ in range(100):
        mu = np.exp(beta @ Xt + off)  # (C, B, n)
        hess = (mu @ outer).reshape(*mu.shape[:2], p, p)
        delta = np.linalg.solve(hess, ((Y - mu) @ X)[..., None])[..., 0]
        beta = beta + delta
        if np.max(np.abs(delta)) < tol:
            break
    eta = beta @ Xt + off
    llf = np.sum(Y * eta - np.exp(eta) - special.gammaln(Y + 1), axis=-1).T  # (B, C)
    beta = beta.transpose(1, 0, 2)  # (B, C, p)
    if np.ndim(y) == 1:
        return llf[0], beta[0]
    return llf, beta


def _candidate_designs(data, centre, n_joins, min_segment) -> tuple[np.ndarray, np.ndarray]:
    """Index sets (C, n_joins) of admissible joinpoints and their designs (C, n, p)."""
    x = data["midpoint"].to_numpy(float)
    sets = np.array(candidate_joins(len(x), n_joins, min_segment), dtype=int)
    sets = sets.reshape(len(sets), n_joins)  # (1, 0) when there are no joins
    base = design(data, centre).to_numpy(float)
    hinges = np.maximum(x[:, None] - x[None, :], 0.0)  # column i: the hinge at x[i]
    return sets, np.stack([np.column_stack([base, hinges[:, j]]) for j in sets])


def joinpoint(
    df: pd.DataFrame,
    max_joins: int = 2,
    method: str = "bic",
    min_segment: int = 3,
    scale: str = "pearson",
    ci: str = "bootstrap",
    n_boot: int = 1000,
    seed: int = 0,
    offset_population: bool | str = False,
    alpha: float = 0.05,
) -> JoinpointFit:
    """Segmented log-linear Poisson regression with the number of joins chosen by BIC.

    Every admissible set of joinpoints (`candidate_joins`: observed midpoints) is
    fitted by maximum Poisson likelihood on the counts with offset log(years) (not
    least squares on log rates); for each number of joins the best set is kept, and
    the number minimising BIC = -2 llf + 2 (k + 1) log(n) is chosen (k joins:
    intercept, slope, and a slope change and a location per join, as Joinpoint
    counts them).

    scale: "poisson" (variance = mean) or "pearson" (quasi-Poisson: variance
    multiplied by max(1, Pearson chi2/df); t quantiles on the residual df for the
    delta method), since annual counts of incidents are often overdispersed.

    ci: "bootstrap" (default): empirical quantiles of a parametric bootstrap (Kim et
    al. 2017, Stat Med 36:3059-3074; Joinpoint 5's "empirical quantile" intervals):
    n_boot count series drawn from the fitted model (Poisson, or negative binomial
    with variance phi mu), each refitted with the same number of joins and the
    joinpoints re-estimated, so the intervals carry the location's uncertainty.
    "delta": exact linear combinations on the log scale that treat the joinpoints as
    known (Joinpoint's parametric intervals); these undercover when the joinpoint
    is misplaced. Only BIC is implemented, not the permutation test of Kim et al.
    (2000, Stat Med 19:335-351).
    """
    if method != "bic":
        raise ValueError(f"method must be 'bic' (the only one implemented), got {method!r}")
    if scale not in ("poisson", "pearson"):
        raise ValueError(f"scale must be 'poisson' or 'pearson', got {scale!r}")
    if ci not in CI_METHODS:
        raise ValueError(f"ci must be one of {CI_METHODS}, got {ci!r}")
    data = model_rows(df)
    population = uses_population(data, offset_population)
    centre = centre_of(data, None)
    x, y = data["midpoint"].to_numpy(float), data["count"].to_numpy(float)
    off, n = offset(data, population), len(data)
    selection = []
    for k in range(max_joins + 1):
        if n <= 2 * (k + 1) or not candidate_joins(n, k, min_segment):
            break
        sets, X = _candidate_designs(data, centre, k, min_segment)
        llf, _ = poisson_loglik_batch(X, y, off)
        best = int(np.argmax(llf))  # first of ties: deterministic
        bic = -2 * llf[best] + 2 * (k + 1) * math.log(n)
        selection.append((k, tuple(float(v) for v in x[sets[best]]), float(llf[best]), bic))
    table = pd.DataFrame(selection, columns=["n_joins", "joins", "llf", "bic"])
    table.insert(3, "n_params", 2 * (table["n_joins"] + 1))
    chosen = int(table["bic"].idxmin())
    table["chosen"] = table.index == chosen
    joins = table.loc[chosen, "joins"]
    fit = _segmented_fit(data, centre, joins, population, scale, alpha)
    segments, aapc_row = _segment_tables(fit)
    if ci == "bootstrap":
        slopes = _bootstrap_slopes(fit, min_segment, n_boot, seed)
        segments, aapc_row = _with_bootstrap(segments, aapc_row, slopes, alpha, n_boot, seed)
    return JoinpointFit(fit, joins, segments, aapc_row, table)


def _segmented_fit(data, centre, joins, population, scale, alpha) -> TrendFit:
    """Refit the chosen joinpoints with statsmodels GLM (quasi-Poisson scale if asked)."""
    X = design(data, centre, joins)
    model = sm.GLM(data["count"], X, family=sm.families.Poisson(), offset=offset(data, population))
    poisson = model.fit()
    phi, quasi = 1.0, scale == "pearson"
    if quasi:
        # Floored at 1: a small df can make chi2/df < 1 by chance; never narrower than Poisson.
        phi = max(1.0, float(poisson.pearson_chi2 / poisson.df_resid))
    results = model.fit(scale=phi) if phi != 1.0 else poisson
    statistics = glm_statistics(poisson) | {"scale": phi}
    return assemble_fit(
        data, "poisson", results, centre, joins, False, population, alpha, statistics, phi, quasi
    )


def _segment_contrasts(fit: TrendFit) -> tuple[list[tuple[float, float]], np.ndarray]:
    """Segment (start, end) and the contrast giving each segment's slope."""
    x = fit.data["midpoint"].to_numpy(float)
    edges = [float(x.min()), *fit.joins, float(x.max())]
    k = len(fit.terms)
    contrasts = np.zeros((len(edges) - 1, k))
    for j in range(len(edges) - 1):
        contrasts[j, 1] = 1.0  # time
        contrasts[j, 2 : 2 + j] = 1.0  # every slope change before the segment
    return list(itertools.pairwise(edges)), contrasts


def _segment_tables(fit: TrendFit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """APC per segment and the AAPC, with delta-method intervals from c' beta, c' V c."""
    spans, contrasts = _segment_contrasts(fit)
    lengths = np.array([b - a for a, b in spans])
    # AAPC: slopes weighted by segment length (Clegg et al. 2009), i.e. the average slope.
    weights = lengths / lengths.sum()
    method = f"delta ({'t, quasi-Poisson' if fit.use_t else 'normal'}; joinpoints fixed)"
    q = fit.quantile(fit.alpha)
    rows = []
    for c in [*contrasts, weights @ contrasts]:
        b, se = float(c @ fit.params), math.sqrt(float(c @ fit.cov @ c))
        rows.append(apc([b, b - q * se, b + q * se]))
    table = pd.DataFrame(rows, columns=["estimate", "ci_low", "ci_upp"])
    table.insert(0, "quantity", "apc")
    table["method"] = method
    segments = table.iloc[:-1].reset_index(drop=True)
    segments.insert(0, "segment", np.arange(1, len(spans) + 1))
    segments.insert(1, "start", [a for a, _ in spans])
    segments.insert(2, "end", [b for _, b in spans])
    aapc_row = table.iloc[-1:].reset_index(drop=True).assign(quantity="aapc")
    aapc_row.insert(0, "start", spans[0][0])
    aapc_row.insert(1, "end", spans[-1][1])
    return segments, aapc_row


def _bootstrap_slopes(fit: TrendFit, min_segment: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, segments + 1) log-scale slopes per resample: each segment's, then the AAPC's.

    Counts are drawn from the fitted means; each resample is refitted with the same
    number of joins at its own best locations.
    """
    data, k = fit.data, len(fit.joins)
    off = offset(data, fit.population)
    X_fit = design(data, fit.centre, fit.joins).to_numpy(float)
    rng = np.random.default_rng(seed)
    draws = draw_counts(fit, np.exp(X_fit @ fit.params + off), rng, size=n_boot)
    _, X = _candidate_designs(data, fit.centre, k, min_segment)
    chunk = max(1, BOOTSTRAP_CHUNK // X.size)
    out = []
    for start in range(0, n_boot, chunk):
        llf, beta = poisson_loglik_batch(X, draws[start : start + chunk], off)
        best = np.argmax(llf, axis=1)
        b = beta[np.arange(len(best)), best]  # (chunk, p)
        segment = np.cumsum(b[:, 1:], axis=1)  # slope, then slope + each change in turn
        # A continuous piecewise line: the length-weighted mean slope is rise over run.
        ends = np.einsum("bnp,bp->bn", X[best][:, [0, -1]], b)
        average = (ends[:, 1] - ends[:, 0]) / (X_fit[-1, 1] - X_fit[0, 1])
        out.append(np.column_stack([segment, average]))
    return np.concatenate(out)


def _with_bootstrap(segments, aapc_row, slopes, alpha, n_boot, seed):
    """Replace the delta-method intervals by the bootstrap's empirical quantiles."""
    low, upp = apc(np.quantile(slopes, [alpha / 2, 1 - alpha / 2], axis=0))
    method = f"empirical quantile (parametric bootstrap, {n_boot} resamples, seed {seed})"
    segments = segments.assign(ci_low=low[:-1], ci_upp=upp[:-1], method=method)
    aapc_row = aapc_row.assign(ci_low=low[-1], ci_upp=upp[-1], method=method)
    return segments, aapc_row
