"""Segmented log-linear regression for counts, as NCI's Joinpoint does it, with a step.

The model, for the count y_t of a period of e_t years (Kim et al. 2000, Stat Med
19:335-351, with Poisson errors as Joinpoint's "Poisson" option):

    log E[y_t] = log e_t + b0 + b1 (t - c) + sum_j d_j (t - tau_j)+ + g new_t

where new_t marks periods after the 2018 reform (serious case reviews replaced by
rapid reviews and local reviews) for a series that spans it: the definitional change
is a level shift inside the model, so a join is not forced to stand in for it.

- Joins at continuous positions: a grid (`grid_step` years) over the positions that
  leave `min_segment` observations in every segment, then, for the chosen number of
  joins, a bounded one-dimensional (or Nelder-Mead) refinement of the profile
  deviance around the best grid point (Lerman 1980, Appl Stat 29:77-84: the profile
  over continuous positions, not only observed years).
- Estimation by Poisson quasi-likelihood (the estimates are Poisson's); the
  dispersion phi = Pearson chi2/df (join locations counted in the df), floored at 1,
  scales the covariance (`count_models.quasi_poisson_fit`).
- Number of joins by the permutation test of Kim et al. (2000): k0 against k1 joins,
  the statistic the ratio of the deviances, its null distribution from the k0 fit
  plus its permuted Pearson residuals; sequential from (0, max_joins), each test at
  level alpha / (max_joins - k0) as Joinpoint does from version 3.0. The ratio is
  free of phi, so the test allows for overdispersion.
- Intervals for segment APCs, the AAPC (Clegg et al. 2009, Stat Med 28:3670-3682),
  the join and the step: empirical quantiles of a parametric bootstrap (Kim et al.
  2017, Stat Med 36:3059-3074) that draws counts with variance phi mu and
  re-estimates the joins on the grid in each resample; each limit carries its Monte
  Carlo standard error (order statistics; Koehler, Brown & Haneuse 2009, Am Stat
  63:155-162).

`poisson_loglik_batch` fits every candidate design (and every resample) at once by
Newton's method, its small systems solved together by a batched Cholesky
(`spd_solve`); the chosen model is refitted with statsmodels. Input rows are those
of `count_rows.model_rows`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from triennial.stats.count_models import (
    TrendFit,
    apc,
    centre_of,
    design,
    draw_counts,
    model_rows,
    offset,
    quasi_poisson_fit,
    spans_both_systems,
    uses_population,
)

BATCH_NUMBERS = 2_000_000  # numbers per Newton array: bounds memory for long series
TIE = 1e-13  # llf this close to the best, relative to the size of its terms: a tie


@dataclass(frozen=True, eq=False)
class JoinpointFit:
    """The chosen segmented model and its summaries.

    `fit`: the TrendFit of the chosen model (quasi-Poisson, refitted by statsmodels);
    `joins`: join locations (decimal years); `segments`: segment, start, end,
    quantity ("apc"), estimate, ci_low, ci_upp, mc_se_low, mc_se_upp, method; `aapc`:
    one such row (quantity "aapc"); `extra`: rows for each join's location
    ("join_year") and the step ("step_irr"); `selection`: the permutation tests
    (k0, k1, statistic, p_value, p_mc_se, level, reject, permutations).
    """

    fit: TrendFit
    joins: tuple[float, ...]
    segments: pd.DataFrame
    aapc: pd.DataFrame
    extra: pd.DataFrame
    selection: pd.DataFrame


def join_grid(x: np.ndarray, n_joins: int, min_segment: int, grid_step: float) -> np.ndarray:
    """Admissible join sets, (sets, n_joins): grid positions plus the observed midpoints.

    Each segment, from one edge (first midpoint, a join, last midpoint) to the next,
    holds at least `min_segment` observations, counting those at its edges.
    """
    if n_joins == 0:
        return np.zeros((1, 0))
    n = len(x)
    if n < min_segment:
        return np.zeros((0, n_joins))
    low, high = x[min_segment - 1], x[n - min_segment]
    points = np.arange(low, high + grid_step / 2, grid_step)
    inside = x[(x >= low) & (x <= high)]
    points = np.unique(np.round(np.concatenate([points, inside]), 10))
    combos = itertools.chain.from_iterable(itertools.combinations(points, n_joins))
    sets = np.fromiter(combos, float).reshape(-1, n_joins)  # lexicographic, as before
    return sets[admissible_sets(x, sets, min_segment)]


def admissible(x: np.ndarray, joins, min_segment: int) -> bool:
    """True when every segment between consecutive edges holds min_segment observations."""
    return bool(admissible_sets(x, np.reshape(np.asarray(joins, float), (1, -1)), min_segment)[0])


def admissible_sets(x: np.ndarray, sets: np.ndarray, min_segment: int) -> np.ndarray:
    """`admissible` for each row of sets (sets, joins) at once: a boolean per set.

    The observations in [a - 1e-9, b + 1e-9] are counted as a difference of two
    positions in the sorted midpoints, rather than by a comparison with every one.
    """
    ordered = np.sort(x)
    edges = np.column_stack([np.full(len(sets), x[0]), sets, np.full(len(sets), x[-1])])
    a, b = edges[:, :-1], edges[:, 1:]
    before = np.searchsorted(ordered, a - 1e-9, "left")  # observations below a - 1e-9
    upto = np.searchsorted(ordered, b + 1e-9, "right")  # observations up to b + 1e-9
    return np.all((upto - before >= min_segment) & (b > a), axis=1)


def segmented_designs(data, centre, join_sets, step) -> np.ndarray:
    """Designs (sets, n, p): const, time, a hinge per join, optional step."""
    base = design(data, centre, step=step).to_numpy(float)
    return with_hinges(base, data["midpoint"].to_numpy(float), join_sets, step)


def with_hinges(base: np.ndarray, x: np.ndarray, join_sets: np.ndarray, step) -> np.ndarray:
    """`segmented_designs` from the design without joins (base) and the midpoints x."""
    hinges = np.maximum(x[None, :, None] - join_sets[:, None, :], 0.0)  # (sets, n, k)
    tiled = np.broadcast_to(base, (len(join_sets), *base.shape))
    if step:  # keep the design's column order: const, time, joins..., step
        return np.concatenate([tiled[..., :2], hinges, tiled[..., 2:]], axis=2)
    return np.concatenate([tiled, hinges], axis=2)


def poisson_loglik_batch(X: np.ndarray, y: np.ndarray, off: np.ndarray, tol: float = 1e-10):
    """Maximum Poisson log-likelihood of many designs and data sets at once, by Newton.

    X has shape (candidates, n, p); y is (n,) or (data sets, n), counts or any
    non-negative values (quasi-likelihood); off is (n,) or (data sets, n). Starts from
    least squares on log(y + 0.5); the log-likelihood is concave, so Newton converges
    fast from there. Returns (llf, coefficients) with shapes (candidates,) and
    (candidates, p), with a leading (data sets,) when y is 2-d.
    """
    # Work as (candidates, ..., data sets): each step is one large matmul per candidate,
    # and every Hessian entry is a (candidates, data sets) array with the data sets
    # contiguous, which the batched Cholesky below works on element by element.
    Y = np.atleast_2d(np.asarray(y, float)).T  # (n, B)
    off = np.atleast_2d(np.asarray(off, float)).T  # (n, 1) or (n, B)
    C, n, p = X.shape
    Xt = X.transpose(0, 2, 1)  # (C, p, n)
    outer = (X[..., :, None] * X[..., None, :]).reshape(C, n, p * p).transpose(0, 2, 1)
    z = np.log(Y + 0.5) - off
    beta = np.linalg.solve(Xt @ X, Xt @ z)  # (C, p, B); C calls, each with B right sides
    # One buffer for eta, mu and y - mu in turn: a fresh array of this size at every
    # step costs more (page faults) than the arithmetic on it.
    work = np.empty((C, n, Y.shape[1]))
    hess = np.empty((C, p * p, Y.shape[1]))
    for _ in range(100):
        np.matmul(X, beta, out=work)
        work += off
        mu = np.exp(work, out=work)  # (C, n, B)
        np.matmul(outer, mu, out=hess)
        gradient = Xt @ np.subtract(Y, mu, out=work)  # (C, p, B)
        H = hess.reshape(C, p, p, -1).transpose(1, 2, 0, 3)  # (p, p, C, B), a view
        delta = spd_solve(H, gradient.transpose(1, 0, 2)).transpose(1, 0, 2)  # (C, p, B)
        beta = beta + np.clip(delta, -5, 5)  # a bounded step keeps exp() finite
        if np.max(np.abs(delta)) < tol:
            break
    eta = X @ beta + off
    llf = np.sum(Y * eta - np.exp(eta) - special.gammaln(Y + 1), axis=1).T  # (B, C)
    beta = beta.transpose(2, 0, 1)  # (B, C, p)
    if np.ndim(y) == 1:
        return llf[0], beta[0]
    return llf, beta


def spd_solve(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """x with H x = g for a stack of small symmetric positive definite matrices.

    H is (p, p, *batch), g is (p, *batch): the matrix axes first, so that each entry is
    one array over the batch. The textbook Cholesky recurrences (H = L L', then two
    triangular solves) run once per entry over the whole batch: for the Newton steps'
    thousands of 3x3 to 6x6 systems that is several times quicker than np.linalg.solve,
    which calls LAPACK once per matrix.
    """
    p = len(g)
    L = [[None] * p for _ in range(p)]
    for j in range(p):
        s = H[j, j]
        for k in range(j):
            s = s - L[j][k] ** 2
        if not np.all(s > 0):  # singular (or not positive definite): fail as LAPACK does
            raise np.linalg.LinAlgError("Singular matrix")
        L[j][j] = np.sqrt(s)
        for i in range(j + 1, p):
            s = H[i, j]
            for k in range(j):
                s = s - L[i][k] * L[j][k]
            L[i][j] = s / L[j][j]
    w = []  # L w = g
    for i in range(p):
        s = g[i]
        for k in range(i):
            s = s - L[i][k] * w[k]
        w.append(s / L[i][i])
    x = [None] * p  # L' x = w
    for i in reversed(range(p)):
        s = w[i]
        for k in range(i + 1, p):
            s = s - L[k][i] * x[k]
        x[i] = s / L[i][i]
    return np.stack(x)


def best_joins(data, centre, k, step, off, y, min_segment, grid_step):
    """For each data set in y (B, n): the best grid join set's (llf, beta, joins)."""
    sets = join_grid(data["midpoint"].to_numpy(float), k, min_segment, grid_step)
    X = segmented_designs(data, centre, sets, step)
    chunk = max(1, BATCH_NUMBERS // X.size)
    llf, beta, joins = [], [], []
    for start in range(0, len(y), chunk):
        part, b = poisson_loglik_batch(X, y[start : start + chunk], off)
        best = first_best(part, y[start : start + chunk])
        rows = np.arange(len(best))
        llf.append(np.max(part, axis=1))  # the best value; joins and beta of the first tie
        beta.append(b[rows, best])
        joins.append(sets[best])
    return np.concatenate(llf), np.concatenate(beta), np.concatenate(joins)


def first_best(llf: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per data set (row of llf, of y), the first candidate whose llf is the largest.

    Some join sets fit equally well in exact arithmetic (with the reform's step, a join
    anywhere between the periods either side of the reform spans the same columns), so
    their llf differ only in rounding, which depends on the solver and the BLAS. Values
    within TIE of the best, on the scale of the llf's terms, count as ties (over the
    pipeline's and the tests' fits, rounding stays below 1e-14 of that scale and
    distinct join sets differ by more than 1e-12 of it).
    """
    scale = np.sum(special.gammaln(y + 1) + y, axis=-1, keepdims=True) + 1
    top = np.max(llf, axis=1, keepdims=True)
    return np.argmax(llf >= top - TIE * scale, axis=1)


def refine(data, centre, joins, step, off, min_segment, grid_step) -> tuple[float, ...]:
    """Continuous join positions: the profile deviance minimised near the best grid set."""
    x, y = data["midpoint"].to_numpy(float), data["count"].to_numpy(float)
    base = design(data, centre, step=step).to_numpy(float)  # once, not per evaluation

    def deviance(positions):
        positions = np.atleast_1d(positions)
        if not admissible(x, positions, min_segment):
            return math.inf
        X = with_hinges(base, x, positions[None], step)
        return -float(poisson_loglik_batch(X, y, off)[0][0])

    if len(joins) == 0:
        return ()
    if len(joins) == 1:
        lo = max(joins[0] - grid_step, x[min_segment - 1])
        hi = min(joins[0] + grid_step, x[len(x) - min_segment])
        found = optimize.minimize_scalar(
            deviance, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6}
        )
        best = [found.x] if found.fun <= deviance(joins) else list(joins)
    else:
        found = optimize.minimize(deviance, joins, method="Nelder-Mead", options={"xatol": 1e-6})
        best = list(found.x) if found.fun <= deviance(joins) else list(joins)
    return tuple(float(v) for v in best)


def saturated_llf(y: np.ndarray) -> np.ndarray:
    """Poisson log-likelihood with mu = y, per data set (rows of y)."""
    return np.sum(special.xlogy(y, y) - y - special.gammaln(y + 1), axis=-1)


def permutation_test(data, centre, k0, k1, step, off, min_segment, grid_step, n_perm, rng):
    """Kim et al. (2000): (statistic, p-value) of k0 against k1 joins.

    Statistic: D(k0) / D(k1), Poisson deviances at the best joins (a monotone function
    of the F-type ratio, free of the dispersion). Null data: the k0 fit's means plus
    its Pearson residuals permuted, times sqrt(mean) (clipped at 0).
    """
    y = data["count"].to_numpy(float)[None]
    sat = saturated_llf(y)
    llf0, beta0, joins0 = best_joins(data, centre, k0, step, off, y, min_segment, grid_step)
    llf1, *_ = best_joins(data, centre, k1, step, off, y, min_segment, grid_step)
    statistic = float((sat - llf0)[0] / max(float((sat - llf1)[0]), 1e-12))
    X0 = segmented_designs(data, centre, joins0, step)[0]
    mu0 = np.exp(X0 @ beta0[0] + off)
    residual = (y[0] - mu0) / np.sqrt(mu0)
    perms = np.array([rng.permutation(residual) for _ in range(n_perm)])
    ystar = np.maximum(mu0 + perms * np.sqrt(mu0), 0.0)
    sat = saturated_llf(ystar)
    l0, *_ = best_joins(data, centre, k0, step, off, ystar, min_segment, grid_step)
    l1, *_ = best_joins(data, centre, k1, step, off, ystar, min_segment, grid_step)
    null = (sat - l0) / np.maximum(sat - l1, 1e-12)
    p_value = (1 + np.sum(null >= statistic * (1 - 1e-12))) / (1 + n_perm)
    return statistic, float(p_value)


def joinpoint(
    df: pd.DataFrame,
    max_joins: int = 1,
    min_joins: int = 0,
    min_segment: int = 3,
    grid_step: float = 0.05,
    step: bool | None = None,
    n_perm: int = 999,
    n_boot: int = 2000,
    seed: int = 0,
    offset_population: bool | str = False,
    alpha: float = 0.05,
    select_level: float = 0.05,
) -> JoinpointFit:
    """Segmented log-linear quasi-Poisson regression (see the module docstring).

    min_joins, max_joins: the range of joins searched (Joinpoint's MIN and MAX);
    min_joins = max_joins = 1 fits one join without a test.
    step: None (default) adds the reform's step when the series spans both systems.
    n_perm: permutations per test; n_boot: bootstrap resamples (0: delta-method
    intervals given the joins, t on the residual df). The number of joins is at most
    what the series' length allows with `min_segment` observations per segment.
    """
    data = model_rows(df)
    step = spans_both_systems(data) if step is None else bool(step)
    population = uses_population(data, offset_population)
    centre = centre_of(data, None)
    off = offset(data, population)
    x = data["midpoint"].to_numpy(float)
    rng = np.random.default_rng(seed)
    parameters = 2 + step
    possible = [
        k
        for k in range(max_joins + 1)
        if len(join_grid(x, k, min_segment, grid_step)) and len(x) > parameters + 2 * k
    ]
    k_max = max(possible)
    if min_joins > k_max:
        raise ValueError(f"the series has room for at most {k_max} joins, not {min_joins}")
    tests, k0, k1 = [], min_joins, k_max
    while k0 < k1:
        statistic, p = permutation_test(
            data, centre, k0, k1, step, off, min_segment, grid_step, n_perm, rng
        )
        level = select_level / (k_max - k0)  # Joinpoint 3.0 on: alpha / (MAX - k_a)
        mc_se = math.sqrt(p * (1 - p) / n_perm)  # Monte Carlo error of the p-value
        tests.append((k0, k1, statistic, p, mc_se, level, p < level, n_perm))
        k0, k1 = (k0 + 1, k1) if p < level else (k0, k1 - 1)
    selection = pd.DataFrame(
        tests,
        columns=["k0", "k1", "statistic", "p_value", "p_mc_se", "level", "reject", "permutations"],
    )
    y = data["count"].to_numpy(float)[None]
    _, _, grid_best = best_joins(data, centre, k0, step, off, y, min_segment, grid_step)
    joins = refine(data, centre, tuple(grid_best[0]), step, off, min_segment, grid_step)
    fit = quasi_poisson_fit(data, centre, joins, step, population, alpha)
    table = delta_intervals(fit)
    if n_boot:
        draws = _bootstrap(fit, min_segment, grid_step, n_boot, rng)
        table = _with_bootstrap(table, draws, alpha, n_boot, seed)
    segments = table[table["quantity"] == "apc"].reset_index(drop=True)
    aapc_row = table[table["quantity"] == "aapc"].reset_index(drop=True)
    extra = table[~table["quantity"].isin(["apc", "aapc"])].reset_index(drop=True)
    return JoinpointFit(fit, joins, segments, aapc_row, extra, selection)


def delta_intervals(fit: TrendFit) -> pd.DataFrame:
    """Every quantity of a fitted joinpoint model with its delta-method interval, the
    joins taken as fixed (what `joinpoint` reports with n_boot = 0)."""
    estimates = _estimates(fit, fit.params[None], np.array(fit.joins)[None])[0]
    return _delta_table(fit, estimates)


def _estimates(fit: TrendFit, betas: np.ndarray, joins: np.ndarray) -> np.ndarray:
    """(draws, quantities) on the log scale: segment slopes, the AAPC's slope, joins, step.

    The AAPC's slope is the segment slopes weighted by each segment's length (Clegg
    et al. 2009) with each draw's own joins.
    """
    x = fit.data["midpoint"].to_numpy(float)
    k = joins.shape[1]
    slopes = np.cumsum(betas[:, 1 : 2 + k], axis=1)  # slope, then slope + each change
    edges = np.column_stack([np.full(len(betas), x[0]), joins, np.full(len(betas), x[-1])])
    weights = np.diff(edges, axis=1) / (x[-1] - x[0])
    columns = [slopes, np.sum(weights * slopes, axis=1)[:, None], joins]
    if fit.step:
        columns.append(betas[:, -1:])
    return np.column_stack(columns)


def _rows(fit: TrendFit) -> pd.DataFrame:
    """One row per quantity of `_estimates`: segment, start, end, quantity."""
    x = fit.data["midpoint"].to_numpy(float)
    edges = [float(x[0]), *fit.joins, float(x[-1])]
    rows = [(str(i), a, b, "apc") for i, (a, b) in enumerate(itertools.pairwise(edges), 1)]
    rows.append(("all", edges[0], edges[-1], "aapc"))
    rows += [(f"join {i}", math.nan, math.nan, "join_year") for i in range(1, len(fit.joins) + 1)]
    if fit.step:
        rows.append(("reform", math.nan, math.nan, "step_irr"))
    return pd.DataFrame(rows, columns=["segment", "start", "end", "quantity"])


def _transform(table: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Log-scale slopes to APC, steps to IRR; join years as they are (columns of values)."""
    out = np.array(values, float)
    for j, quantity in enumerate(table["quantity"]):
        if quantity in ("apc", "aapc"):
            out[..., j] = apc(out[..., j])
        elif quantity == "step_irr":
            out[..., j] = np.exp(out[..., j])
    return out


def _delta_table(fit: TrendFit, estimates: np.ndarray) -> pd.DataFrame:
    """Estimates with delta-method intervals that take the joins as known (t on the df)."""
    table = _rows(fit)
    k = len(fit.terms)
    x = fit.data["midpoint"].to_numpy(float)
    contrasts = []
    for quantity, segment in zip(table["quantity"], table["segment"], strict=True):
        c = np.zeros(k)
        if quantity == "apc":
            c[1 : 1 + int(segment)] = 1.0
        elif quantity == "aapc":
            edges = [x[0], *fit.joins, x[-1]]
            lengths = np.diff(edges) / (x[-1] - x[0])
            for j, w in enumerate(lengths):
                c[1 : 2 + j] += w
        elif quantity == "step_irr":
            c[-1] = 1.0
        contrasts.append(c)
    C = np.array(contrasts)
    se = np.sqrt(np.einsum("ij,jk,ik->i", C, fit.cov, C))
    se[table["quantity"].to_numpy() == "join_year"] = math.nan  # no delta interval for a join
    q = fit.quantile(fit.alpha)
    values = np.column_stack([estimates, estimates - q * se, estimates + q * se]).T
    low_est_upp = _transform(table, values)
    return table.assign(
        estimate=low_est_upp[0],
        ci_low=low_est_upp[1],
        ci_upp=low_est_upp[2],
        mc_se_low=math.nan,
        mc_se_upp=math.nan,
        method="delta (t, quasi-Poisson; joins fixed)",
    )


def _bootstrap(fit: TrendFit, min_segment: int, grid_step: float, n_boot: int, rng) -> np.ndarray:
    """(n_boot, quantities) log-scale estimates from resamples of the fitted model.

    Counts are drawn with the fitted means and variance phi mu; each resample is
    refitted with the same number of joins at its own best grid positions.
    """
    data = fit.data
    off = offset(data, fit.population)
    X = segmented_designs(data, fit.centre, np.array(fit.joins)[None], fit.step)[0]
    draws = draw_counts(fit, np.exp(X @ fit.params + off), rng, size=n_boot).astype(float)
    _, beta, joins = best_joins(
        data, fit.centre, len(fit.joins), fit.step, off, draws, min_segment, grid_step
    )
    return _estimates(fit, beta, joins)


def quantile_mc_se(values: np.ndarray, p: float) -> np.ndarray:
    """Monte Carlo standard error of the empirical p-quantile of each column.

    The order statistics at B p -+ z sqrt(B p (1 - p)) bound a 95% interval for the
    quantile (binomial counts below it); its half-width over z is the standard error.
    """
    B = len(values)
    z = stats.norm.isf(0.025)
    half = z * math.sqrt(B * p * (1 - p))
    lo = int(max(0, math.floor(B * p - half)))
    hi = int(min(B - 1, math.ceil(B * p + half)))
    ordered = np.sort(values, axis=0)
    return (ordered[hi] - ordered[lo]) / (2 * z)


def _with_bootstrap(table, draws, alpha, n_boot, seed) -> pd.DataFrame:
    """The bootstrap's empirical quantiles as intervals, each with its Monte Carlo error."""
    values = _transform(table, draws)
    low, upp = np.quantile(values, [alpha / 2, 1 - alpha / 2], axis=0)
    method = f"empirical quantile (parametric bootstrap, {n_boot} resamples, seed {seed})"
    return table.assign(
        ci_low=low,
        ci_upp=upp,
        mc_se_low=quantile_mc_se(values, alpha / 2),
        mc_se_upp=quantile_mc_se(values, 1 - alpha / 2),
        method=method,
    )
