"""Log-linear models for counts of serious incidents and reviews over time.

Input: one row per period of one series, with columns `series`, `midpoint` (the
period's middle as a decimal year), `years` (exposure: the period's length in years),
`count`, `system` ("scr" before the 2018 reform, "new" after) and optionally
`population` (children aged 0-17). Missing years are absent rows, never zeros. The
data layer (`triennial.data.series`) checks a file's dates and periods;
`count_rows.model_rows` refuses, with a ValueError naming row, column and value,
anything a model cannot use.

Models (statsmodels does the fitting; this module builds designs and tidies):

- `fit_trend(df, "poisson")`: Poisson GLM, log link, count ~ (midpoint - centre) with
  offset log(years) (+ log(population)); an optional step for the new system.
- `fit_trend(df, "quasipoisson")`: the same estimates, covariance multiplied by the
  Pearson dispersion phi = chi2/df (floored at 1, never narrower than Poisson) and t
  quantiles on the residual df, as R's `glm(family = quasipoisson)` and `confint.default`
  with t. The default: with 5 to 10 annual counts NB2's alpha is poorly estimated (its
  ML estimate can sit at 0 although chi2/df is near 3), whereas phi carries the
  overdispersion into the intervals with t's allowance for its own uncertainty (Ver
  Hoef & Boveng 2007, Ecology 88:2766-2772).
- `fit_trend(df, "negbin")`: NB2 (Var = mu + alpha mu^2) by maximum likelihood with
  the discrete model `statsmodels...NegativeBinomial(loglike_method="nb2")`, alpha
  estimated jointly with the coefficients (BFGS on log alpha, then Newton steps to
  polish when they stay inside the parameter space).
- `model_table`: quasi-Poisson (primary), NB2 (sensitivity) and Poisson (reference)
  side by side; no pre-test chooses between them. Poisson is primary only where the
  dispersion cannot be estimated (no residual degrees of freedom), and says so.
- `predict` and `forecast`: a period's expected count (delta method) and prediction
  intervals for the count itself (`predictive_counts`: parameter draws, dispersion
  draws and the count's own sampling variation, fixed seed).

Segmented models are in `triennial.stats.joinpoint`, rate ratios of two periods in
`triennial.stats.rate_ratio`. APC (annual percent change) = 100 (exp(b) - 1) for a
slope b per year on the log scale; IRR per year = exp(b). As in statsmodels, `alpha`
arguments are 1 minus the confidence level; NB2's dispersion is reported as
`nb_alpha`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

# statsmodels.api would import every model statsmodels has: a second more per job.
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from triennial.stats.count_rows import SYSTEMS, model_rows

FAMILIES = ("poisson", "quasipoisson", "negbin")
Z_METHOD = "wald"


def spans_both_systems(df: pd.DataFrame) -> bool:
    """True when a series has periods under both the SCR and the new system."""
    return set(df["system"]) >= set(SYSTEMS)


# --- Designs ------------------------------------------------------------------------------


def design(
    rows: pd.DataFrame, centre: float, joins: tuple[float, ...] = (), step: bool = False
) -> pd.DataFrame:
    """Design matrix: const, time = midpoint - centre, a hinge per join, optional step.

    A hinge (midpoint - join)+ lets the slope change at the join while keeping the
    line continuous (the Joinpoint model); `step` is 1 under the new system.
    """
    x = rows["midpoint"].to_numpy(float)
    columns = {"const": np.ones(len(x)), "time": x - centre}
    for i, tau in enumerate(joins, start=1):
        columns[f"join_{i}"] = np.maximum(x - tau, 0.0)
    if step:
        columns["step"] = (rows["system"] == "new").to_numpy(float)
    return pd.DataFrame(columns, index=rows.index)


def offset(rows: pd.DataFrame, population: bool = False) -> np.ndarray:
    """log(years) (+ log(population)): the model is then for the rate per year (per child)."""
    out = np.log(rows["years"].to_numpy(float))
    if population:
        out = out + np.log(rows["population"].to_numpy(float))
    return out


def uses_population(df: pd.DataFrame, offset_population) -> bool:
    """Resolve offset_population: False, True (required) or "if_available"."""
    available = "population" in df.columns and bool(df["population"].notna().all())
    if offset_population == "if_available":
        return available
    if offset_population and not available:
        raise ValueError(
            "offset_population=True needs a population on every row; "
            "pass offset_population='if_available' to fall back to rate per year"
        )
    return bool(offset_population)


def _uses_step(df: pd.DataFrame, step: bool) -> bool:
    if step and not spans_both_systems(df):
        raise ValueError(
            f"step=True needs periods under both systems; series {df['series'].iloc[0]!r} "
            f"has only {sorted(set(df['system']))}"
        )
    return bool(step)


def centre_of(df: pd.DataFrame, centre: float | None) -> float:
    """Centring the time at the mean midpoint makes the intercept the rate mid-series."""
    return float(df["midpoint"].mean()) if centre is None else float(centre)


# --- Fitted models ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TrendFit:
    """A fitted log-linear count model and its tidy summaries.

    `results` is the statsmodels results object; `coefficients` has one row per
    term (term, estimate, se, ci_low, ci_upp, method); `effects` has irr_per_year,
    apc (and step_irr with a step) as quantity, estimate, ci_low, ci_upp, method;
    `statistics` holds deviance, pearson_chi2, df_resid, pearson_chi2_df, aic, llf,
    nobs, converged (and nb_alpha, nb_alpha_se for NB2; scale for quasi-Poisson).
    """

    series: str
    family: str  # one of FAMILIES
    results: object
    data: pd.DataFrame
    centre: float
    joins: tuple[float, ...]
    step: bool
    population: bool
    alpha: float  # 1 - confidence level of the tables' intervals
    coefficients: pd.DataFrame
    effects: pd.DataFrame
    statistics: dict
    scale: float = 1.0  # quasi-Poisson dispersion used for the covariance (1: Poisson)
    use_t: bool = False  # t(df_resid) rather than normal quantiles for intervals
    terms: tuple[str, ...] = field(default=())
    cov: np.ndarray | None = None  # covariance of `params` (scaled for quasi-Poisson)

    @property
    def params(self) -> np.ndarray:
        """Coefficients of the linear predictor (NB2's alpha excluded)."""
        return np.asarray(self.results.params, float)[: len(self.terms)]

    def quantile(self, alpha: float) -> float:
        """Two-sided critical value for 100(1 - alpha)% intervals."""
        if self.use_t:
            return float(stats.t.isf(alpha / 2, self.statistics["df_resid"]))
        return float(stats.norm.isf(alpha / 2))


def fit_trend(
    df: pd.DataFrame,
    family: str = "poisson",
    offset_population: bool | str = False,
    step: bool = False,
    centre: float | None = None,
    alpha: float = 0.05,
) -> TrendFit:
    """A log-linear model of count on time with offset log(years) (+ log(population)).

    family: "poisson" (GLM), "quasipoisson" (see the module docstring) or "negbin"
    (NB2, see `_negbin`). offset_population:
    False; True (every row must have a population); or "if_available" (used only
    when every row has one). step: add a level shift for system == "new" (the series
    must span both systems). centre: the year where time is 0 (default: the mean
    midpoint). Intervals are Wald (normal) at level 1 - alpha; t on the residual df
    for quasi-Poisson.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    data = model_rows(df)
    population, step = uses_population(data, offset_population), _uses_step(data, step)
    centre = centre_of(data, centre)
    X = design(data, centre, step=step)
    parameters = X.shape[1] + (family == "negbin")  # NB2 also estimates alpha
    # Quasi-Poisson may have 0 residual df: it is then Poisson, and says so.
    if len(data) < parameters + (family != "quasipoisson"):
        raise ValueError(
            f"series {data['series'].iloc[0]!r} has {len(data)} periods; "
            f"the {family} model needs more than {parameters}"
        )
    if family == "quasipoisson":
        return quasi_poisson_fit(data, centre, (), step, population, alpha)
    fitter = _poisson if family == "poisson" else _negbin
    results, statistics, cov = fitter(data, X, offset(data, population))
    return assemble_fit(
        data, family, results, centre, (), step, population, alpha, statistics, cov=cov
    )


def quasi_poisson_fit(data, centre, joins, step, population, alpha) -> TrendFit:
    """Poisson estimates with the covariance scaled by phi = max(1, Pearson chi2/df), t(df).

    `statistics["dispersion"]` is the unfloored chi2/df (R's dispersion); `scale` the
    floored phi used. Estimated join locations also cost a residual df each (as
    Joinpoint counts them). With no residual df phi cannot be estimated: the fit is
    then Poisson's (normal quantiles) and `statistics["note"]` says so.
    """
    X = design(data, centre, joins, step)
    model = GLM(data["count"], X, family=families.Poisson(), offset=offset(data, population))
    poisson = fit_glm(model)
    statistics = glm_statistics(poisson)
    df_resid = statistics["df_resid"] - len(joins)
    statistics |= {
        "df_resid": df_resid,
        "pearson_chi2_df": (float(poisson.pearson_chi2) / df_resid if df_resid > 0 else math.nan),
    }
    if df_resid < 1:
        statistics |= {"dispersion": math.nan, "scale": 1.0, "note": NO_DISPERSION}
        return assemble_fit(
            data, "poisson", poisson, centre, joins, step, population, alpha, statistics
        )
    dispersion = statistics["pearson_chi2_df"]
    phi = max(1.0, dispersion)
    statistics |= {"dispersion": dispersion, "scale": phi, "note": ""}
    results = model.fit(scale=phi)
    return assemble_fit(
        data,
        "quasipoisson",
        results,
        centre,
        joins,
        step,
        population,
        alpha,
        statistics,
        phi,
        True,
    )


MAX_MEAN = 1e9  # cap on a simulated mean: far beyond any count, within the samplers' range
NO_DISPERSION = "no residual df: dispersion not estimable, Poisson shown"


def _poisson(data: pd.DataFrame, X: pd.DataFrame, off: np.ndarray):
    """Poisson GLM: (results, statistics, None: statsmodels' own covariance)."""
    results = fit_glm(GLM(data["count"], X, family=families.Poisson(), offset=off))
    return results, glm_statistics(results), None


def fit_glm(model):
    """`model.fit()`. A saturated model (as many coefficients as counts) fits every count
    exactly; statsmodels then warns of a division by zero (the scale over no residual df)
    and of perfect prediction. Those warnings are silenced for it: the fit's statistics
    carry df_resid = 0, and the quasi-Poisson fit says in its note what that means."""
    if model.df_resid > 0:
        return model.fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit()


def glm_statistics(results) -> dict:
    """The fit statistics TrendFit reports, from a statsmodels GLM's results."""
    return {
        "deviance": float(results.deviance),
        "pearson_chi2": float(results.pearson_chi2),
        "df_resid": float(results.df_resid),
        "pearson_chi2_df": (
            float(results.pearson_chi2 / results.df_resid) if results.df_resid > 0 else math.nan
        ),
        "aic": float(results.aic),
        "llf": float(results.llf),
        "nobs": int(results.nobs),
        "converged": bool(results.converged),
    }


def _negbin(data: pd.DataFrame, X: pd.DataFrame, off: np.ndarray):
    """NB2 regression, dispersion by maximum likelihood jointly with the coefficients.

    statsmodels' discrete `NegativeBinomial(loglike_method="nb2")` with the same
    offset and design as the Poisson GLM. Fitted by BFGS (on log alpha, so alpha
    stays positive), then polished by Newton steps from that optimum when they stay
    finite and do not lower the likelihood. When the data are not overdispersed,
    alpha tends to the boundary 0 and NB2 reduces to Poisson (`converged` may then
    be False and `nb_alpha_se` missing). The coefficients' covariance is given alpha.
    """
    model = NegativeBinomial(data["count"], X, loglike_method="nb2", offset=off)
    results, converged = _fit_nb2(model)
    _, alpha_se = _nb2_covariance(model, results, X.shape[1])
    y, mu = data["count"].to_numpy(float), np.asarray(results.predict(), float)
    nb_alpha = float(results.params.iloc[-1])
    # The coefficients' covariance given alpha, from the expected information
    # X' diag(mu / (1 + alpha mu)) X: what R's MASS::glm.nb reports (the full observed
    # Hessian, with its beta-alpha cross terms, differs by about 1% with these few periods).
    Xa = X.to_numpy(float)
    cov = np.linalg.inv(Xa.T @ (Xa * (mu / (1 + nb_alpha * mu))[:, None]))
    pearson = float(np.sum((y - mu) ** 2 / (mu + nb_alpha * mu**2)))
    statistics = {
        "deviance": nb2_deviance(y, mu, nb_alpha),
        "pearson_chi2": pearson,
        "df_resid": float(results.df_resid),
        "pearson_chi2_df": pearson / float(results.df_resid),
        "aic": float(results.aic),
        "llf": float(results.llf),
        "nobs": int(results.nobs),
        "converged": converged,
        "nb_alpha": nb_alpha,
        "nb_alpha_se": alpha_se,
    }
    return results, statistics, cov


def _fit_nb2(model) -> tuple[object, bool]:
    """BFGS fit, then Newton polish if it stays valid; returns (results, converged)."""
    with warnings.catch_warnings():
        # Convergence is reported in `statistics`, not as a warning per fit.
        warnings.simplefilter("ignore")
        first = model.fit(method="bfgs", maxiter=1000, disp=0)
        try:
            polished = model.fit(start_params=first.params, method="newton", maxiter=100, disp=0)
        except (np.linalg.LinAlgError, ValueError):
            polished = None
    if polished is not None and _valid_nb2(polished) and polished.llf >= first.llf - 1e-9:
        return polished, bool(polished.mle_retvals["converged"])
    return first, bool(first.mle_retvals["converged"])


def _nb2_covariance(model, results, k: int) -> tuple[np.ndarray, float]:
    """Covariance of the k coefficients and alpha's standard error.

    With alpha at the boundary (about 0) the full Hessian is singular; the
    coefficients' covariance is then taken given alpha (the inverse of their own
    block of the Hessian, about Poisson's) and alpha's standard error is missing.
    """
    try:
        full = np.asarray(results.cov_params(), float)
    except ValueError:  # statsmodels could not invert the Hessian
        full = None
    if full is not None and np.all(np.isfinite(full)):
        return full[:k, :k], float(np.sqrt(full[-1, -1]))
    hessian = model.hessian(np.asarray(results.params, float))
    return np.linalg.inv(-hessian[:k, :k]), math.nan


def _valid_nb2(results) -> bool:
    try:
        params, bse = np.asarray(results.params, float), np.asarray(results.bse, float)
    except ValueError:  # no covariance: the Hessian could not be inverted
        return False
    return bool(np.all(np.isfinite(params)) and np.all(np.isfinite(bse)) and params[-1] > 0)


def nb2_deviance(y: np.ndarray, mu: np.ndarray, nb_alpha: float) -> float:
    """NB2 deviance: 2 sum[y log(y/mu) - (y + 1/alpha) log((1 + alpha y)/(1 + alpha mu))]."""
    y, mu = np.asarray(y, float), np.asarray(mu, float)
    term = special.xlogy(y, y / mu)  # 0 log 0 = 0
    inv = 1 / nb_alpha
    return float(
        2 * np.sum(term - (y + inv) * np.log1p(nb_alpha * y) + (y + inv) * np.log1p(nb_alpha * mu))
    )


def assemble_fit(
    data,
    family,
    results,
    centre,
    joins,
    step,
    population,
    alpha,
    statistics,
    scale=1.0,
    use_t=False,
    cov=None,
) -> TrendFit:
    """A TrendFit with its coefficient and effect tables (cov: statsmodels' if None)."""
    terms = tuple(design(data.iloc[:1], centre, joins, step).columns)
    if cov is None:
        cov = np.asarray(results.cov_params(), float)[: len(terms), : len(terms)]
    fit = TrendFit(
        series=str(data["series"].iloc[0]),
        family=family,
        results=results,
        data=data,
        centre=centre,
        joins=tuple(joins),
        step=step,
        population=population,
        alpha=alpha,
        coefficients=pd.DataFrame(),
        effects=pd.DataFrame(),
        statistics=statistics,
        scale=scale,
        use_t=use_t,
        terms=terms,
        cov=cov,
    )
    coef = _coefficient_table(fit)
    object.__setattr__(fit, "coefficients", coef)
    object.__setattr__(fit, "effects", _effect_table(coef, step))
    return fit


def _coefficient_table(fit: TrendFit) -> pd.DataFrame:
    """term, estimate, se, ci_low, ci_upp, method (Wald, or t with a quasi scale)."""
    est, se = fit.params, np.sqrt(np.diag(fit.cov))
    q = fit.quantile(fit.alpha)
    method = "t (quasi-Poisson scale)" if fit.use_t else Z_METHOD
    return pd.DataFrame(
        {
            "term": list(fit.terms),
            "estimate": est,
            "se": se,
            "ci_low": est - q * se,
            "ci_upp": est + q * se,
            "method": method,
        }
    )


def _effect_table(coef: pd.DataFrame, step: bool) -> pd.DataFrame:
    """IRR per year and APC from the time slope (and the step's IRR), exponentiated."""
    slope = coef.set_index("term").loc["time"]
    rows = [
        ("irr_per_year", *np.exp(slope[["estimate", "ci_low", "ci_upp"]].to_numpy(float))),
        ("apc", *apc(slope[["estimate", "ci_low", "ci_upp"]].to_numpy(float))),
    ]
    if step:
        shift = coef.set_index("term").loc["step"]
        rows.append(("step_irr", *np.exp(shift[["estimate", "ci_low", "ci_upp"]].to_numpy(float))))
    out = pd.DataFrame(rows, columns=["quantity", "estimate", "ci_low", "ci_upp"])
    return out.assign(method=f"exp({coef['method'].iloc[0]})")


def apc(slope):
    """Annual percent change from a log-scale slope per year: 100 (exp(b) - 1)."""
    return 100 * np.expm1(np.asarray(slope, float))


# --- The models side by side -------------------------------------------------------------

ROLES = {"quasipoisson": "primary", "negbin": "sensitivity", "poisson": "reference"}


def model_table(
    df: pd.DataFrame,
    offset_population: bool | str = False,
    step: bool = False,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Quasi-Poisson (primary), NB2 (sensitivity) and Poisson (reference) for one series.

    Columns: series, model, role, quantity ("apc"), estimate, ci_low, ci_upp, method,
    n_params, llf, aic, pearson_chi2_df, dispersion (quasi-Poisson's phi before its
    floor at 1), nb_alpha, note. No pre-test picks a family: with 2 to 7 residual df
    a test of overdispersion has little power and the choice it makes changes the
    intervals. NB2 needs one residual df more than quasi-Poisson; where it cannot be
    fitted its row says so. Where quasi-Poisson has no residual df its row is
    Poisson's and its note says the dispersion could not be estimated.
    """
    rows = []
    for family in ROLES:
        try:
            fit = fit_trend(df, family, offset_population, step, alpha=alpha)
        except ValueError as error:
            rows.append(
                {
                    "series": df["series"].iloc[0],
                    "model": family,
                    "role": ROLES[family],
                    "note": str(error),
                }  # fmt: skip
            )
            continue
        effect = fit.effects.set_index("quantity").loc["apc"]
        rows.append(
            {
                "series": fit.series,
                "model": family,
                "role": ROLES[family],
                "quantity": "apc",
                "estimate": effect["estimate"],
                "ci_low": effect["ci_low"],
                "ci_upp": effect["ci_upp"],
                "method": effect["method"],
                "n_params": len(np.asarray(fit.results.params)) + (family == "quasipoisson"),
                "llf": fit.statistics["llf"] if family != "quasipoisson" else np.nan,
                "aic": fit.statistics["aic"] if family != "quasipoisson" else np.nan,
                "pearson_chi2_df": fit.statistics["pearson_chi2_df"],
                "dispersion": fit.statistics.get("dispersion", np.nan),
                "nb_alpha": fit.statistics.get("nb_alpha", np.nan),
                "note": fit.statistics.get("note", ""),
            }
        )
    return pd.DataFrame(rows)


# --- Prediction and forecast --------------------------------------------------------------


def _new_rows(fit: TrendFit, rows) -> pd.DataFrame:
    """Rows to predict for: need midpoint, years (+ population, system if used)."""
    frame = pd.DataFrame([rows]) if isinstance(rows, dict | pd.Series) else rows.copy()
    needed = ["midpoint", "years"] + ["population"] * fit.population + ["system"] * fit.step
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise ValueError(f"rows to predict need columns {absent}")
    return frame


def predict(fit: TrendFit, rows, alpha: float = 0.05) -> pd.DataFrame:
    """Expected count for each row's exposure with a delta-method interval.

    The interval is exp(eta +- q se(eta)) with se(eta)^2 = x' V x on the linear
    predictor, so it is never below zero. Columns: midpoint, estimate, ci_low,
    ci_upp, method.
    """
    rows = _new_rows(fit, rows)
    X = design(rows, fit.centre, fit.joins, fit.step).to_numpy(float)
    eta = X @ fit.params + offset(rows, fit.population)
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, fit.cov, X))
    q = fit.quantile(alpha)
    return pd.DataFrame(
        {
            "midpoint": rows["midpoint"].to_numpy(float),
            "estimate": np.exp(eta),
            "ci_low": np.exp(eta - q * se),
            "ci_upp": np.exp(eta + q * se),
            "method": "delta (log scale)",
        }
    )


def forecast(
    fit: TrendFit,
    next_period_row,
    n_sim: int = 10_000,
    seed: int = 0,
    alpha: float = 0.05,
    levels: tuple[float, ...] = (0.8, 0.95),
) -> pd.DataFrame:
    """Next period's count: the interval of its mean and prediction intervals.

    mean: `predict` (delta method) at level 1 - alpha. count: quantiles of
    `predictive_counts` at each of `levels` (counts, so never below zero). Returns
    rows (quantity mean, count): midpoint, estimate, level, ci_low, ci_upp, method; the
    count rows one per level.
    """
    rows = _new_rows(fit, next_period_row)
    if len(rows) != 1:
        raise ValueError("forecast one period at a time")
    mean = predict(fit, rows, alpha).assign(quantity="mean", level=1 - alpha)
    counts = predictive_counts(fit, rows, n_sim, np.random.default_rng(seed))[:, 0]
    out = [mean]
    for level in levels:
        low, upp = np.quantile(counts, [(1 - level) / 2, (1 + level) / 2])
        out.append(
            mean.assign(
                quantity="count",
                level=level,
                ci_low=float(low),
                ci_upp=float(upp),
                method=f"simulation ({n_sim} draws, seed {seed})",
            )
        )
    out = pd.concat(out, ignore_index=True)
    return out[["quantity", "midpoint", "estimate", "level", "ci_low", "ci_upp", "method"]]


def predictive_counts(fit: TrendFit, rows, n_sim: int, rng: np.random.Generator) -> np.ndarray:
    """(n_sim, len(rows)) draws of the counts: parameters, dispersion, then the count.

    Every source of uncertainty the model knows of enters each draw:
    - quasi-Poisson: phi* = phi df / chi2(df) (the dispersion's own sampling
      distribution), coefficients from N(beta, V phi*/phi) (so a multivariate t), then
      a count with mean mu and variance max(1, phi*) mu (negative binomial; Poisson
      where phi* <= 1);
    - NB2: coefficients from N(beta, V) and alpha from N(alpha, se^2), a draw at or
      below 0 taken as the Poisson limit (alpha fixed at its estimate when its
      standard error is missing), then NB2 counts;
    - Poisson: coefficients from N(beta, V), then Poisson counts.
    """
    rows = _new_rows(fit, rows)
    X = design(rows, fit.centre, fit.joins, fit.step).to_numpy(float)
    off = offset(rows, fit.population)
    k = len(fit.terms)
    if fit.family == "quasipoisson":
        df = fit.statistics["df_resid"]
        phi = fit.scale * df / rng.chisquare(df, size=n_sim)
        z = rng.multivariate_normal(np.zeros(k), fit.cov, size=n_sim)
        betas = fit.params + z * np.sqrt(phi / fit.scale)[:, None]
        # With 1 or 2 df the draws are heavy-tailed; a cap keeps the sampler finite.
        mu = np.exp(np.clip(betas @ X.T + off, -20.0, math.log(MAX_MEAN)))
        phi = np.broadcast_to(phi[:, None], mu.shape)
        over = phi > 1 + 1e-6  # below: Poisson, the limit of NB as phi -> 1
        out = rng.poisson(mu)
        out[over] = rng.negative_binomial(mu[over] / (phi[over] - 1), 1 / phi[over])
        return out
    if fit.family == "negbin":
        a, a_se = fit.statistics["nb_alpha"], fit.statistics["nb_alpha_se"]
        betas = rng.multivariate_normal(fit.params, fit.cov, size=n_sim)
        a = np.full(n_sim, a)
        if math.isfinite(a_se):
            # alpha's normal approximation; a draw at or below 0 is the Poisson limit.
            a = a + a_se * rng.standard_normal(n_sim)
        a = np.maximum(a, 1e-10)[:, None]
        mu = np.exp(betas @ X.T + off)
        return rng.negative_binomial(1 / a, 1 / (1 + a * mu))
    betas = rng.multivariate_normal(fit.params, fit.cov, size=n_sim)
    return rng.poisson(np.exp(betas @ X.T + off))


def draw_counts(fit: TrendFit, mu: np.ndarray, rng: np.random.Generator, size=None):
    """Counts from the fit's count distribution at its estimates: one per mean, or
    (size, len(mu)). Quasi-Poisson: negative binomial with variance phi mu."""
    shape = mu.shape if size is None else (size, *mu.shape)
    if fit.family == "negbin":
        a = fit.statistics["nb_alpha"]
        return rng.negative_binomial(1 / a, 1 / (1 + a * mu), size=shape)
    if fit.scale > 1:
        # NB with size mu/(phi-1) and p = 1/phi has mean mu and variance phi mu.
        return rng.negative_binomial(mu / (fit.scale - 1), 1 / fit.scale, size=shape)
    return rng.poisson(mu, size=shape)
