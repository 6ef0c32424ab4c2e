"""Trend models for annual counts of serious incidents and reviews.

Input: one row per series x period with columns `series`, `period_start`,
`period_end` (ISO dates), `years` (exposure: the period's length in years),
`midpoint` (decimal year of the period's middle), `count`, optional `population`
(children aged 0-17) and `system` ("scr" before the 2018 reform, "new" after).
Missing years are absent rows, never zeros. `check_series` reports every bad value
as a `Problem`; the fitting functions raise ValueError on the same problems.

Models (statsmodels does the fitting; this module builds designs and tidies):

- `poisson_fit`: Poisson GLM, log link, count ~ (midpoint - centre) with offset
  log(years) (+ log(population)); an optional step for the new system.
- `negbin_fit`: NB2 (Var = mu + alpha mu^2) by maximum likelihood with the
  discrete model `statsmodels...NegativeBinomial(loglike_method="nb2")`, alpha
  estimated jointly with the coefficients (BFGS on log alpha, then Newton steps to
  polish when they stay inside the parameter space).
- `overdispersion`: Pearson chi2/df, its goodness-of-fit p-value, and the
  Cameron & Trivedi (1990, J Econometrics 46:347-364) auxiliary regression test
  of Poisson against NB2.
- `model_table`: Poisson vs NB2; NB2 is chosen only if the test rejects at 5% and
  its AIC is lower.
- `joinpoint`: segmented log-linear Poisson regression as in NCI's Joinpoint
  (Kim et al. 2000, Stat Med 19:335-351): joinpoints at observed midpoints (grid
  search), fitted by Poisson maximum likelihood, number of joins chosen by BIC;
  APC per segment and the AAPC (Clegg et al. 2009, Stat Med 28:3670-3682) with
  parametric-bootstrap empirical-quantile intervals (joinpoints re-estimated in
  each resample; Kim et al. 2017, Stat Med 36:3059-3074) or delta-method ones that
  condition on the chosen joinpoints.
- `rate_ratio`: incidence rate ratio of two periods, Wald and exact conditional
  (Clopper-Pearson on the binomial split of the total) intervals.
- `forecast`: next period's expected count (delta method) and a prediction
  interval for the count itself (parametric simulation with a fixed seed).

APC (annual percent change) = 100 (exp(b) - 1) for a slope b per year on the log
scale; IRR per year = exp(b). As in statsmodels, `alpha` arguments are 1 minus the
confidence level; NB2's dispersion is reported as `nb_alpha`.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats

from triennial.data.errors import Problem
from triennial.stats.intervals import proportion_confint

REQUIRED = ("series", "period_start", "period_end", "years", "midpoint", "count", "system")
SYSTEMS = ("scr", "new")
# `years` may differ from the dates' span by leap days and by whether the end date
# is inclusive; a week (0.02 years) covers both and still catches a wrong length.
YEARS_TOLERANCE = 0.02
DAYS_PER_YEAR = 365.25
LINE = "_line"  # as triennial.data.tableschema: the row's line in its CSV, when present
Z_METHOD = "wald"


# --- Checking input -----------------------------------------------------------------------


def decimal_year(day: date) -> float:
    """A date as a decimal year: 2019-01-01 is 2019.0, 2019-07-02 is 2019.5."""
    start = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _as_date(value) -> date | None:
    """An ISO date (YYYY-MM-DD) or a date-like object as a date; None if neither."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _as_number(value) -> float | None:
    """A finite number, or None for a missing or non-numeric value."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _lines(df: pd.DataFrame) -> list[int]:
    """Each row's CSV line: the `_line` column if read by tableschema, else position + 2."""
    if LINE in df.columns:
        return [int(v) for v in df[LINE]]
    return list(range(2, len(df) + 2))


def check_series(df: pd.DataFrame, path: str) -> list[Problem]:
    """Every problem in a trend-series table, each naming file, row, column and value.

    Rows are numbered as the CSV's lines (header = line 1, data row i = line i + 2),
    or taken from a `_line` column when present. Checks: required columns; counts
    present, whole and not negative; ISO dates with the end after the start;
    `years` positive and equal to the dates' span (within YEARS_TOLERANCE);
    `midpoint` inside the period; `system` one of SYSTEMS; population positive when
    given; no period starting twice, or overlapping another, within a series.
    """
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        return [Problem(path, 1, c, None, "required column is missing") for c in missing]
    out: list[Problem] = []
    lines = _lines(df)
    spans = []  # (series, start, end, line) of rows with valid dates
    for line, (_, r) in zip(lines, df.iterrows(), strict=True):
        found, span = _check_row(r, path, line)
        out += found
        if span is not None:
            spans.append((str(r["series"]), *span, line))
    return out + _check_overlaps(spans, path)


def _check_row(r: pd.Series, path: str, line: int) -> tuple[list[Problem], tuple | None]:
    """Problems of one row, and its (start, end) dates when both are valid."""
    out = []

    def bad(column: str, expected: str) -> None:
        value = r[column]
        shown = None if (np.ndim(value) == 0 and pd.isna(value)) else str(value)
        out.append(Problem(path, line, column, shown, expected))

    if pd.isna(r["series"]) or not str(r["series"]).strip():
        bad("series", "a series name")
    count = _as_number(r["count"])
    if count is None or count < 0 or count != int(count):
        bad("count", "a whole number of at least 0 (a missing year is left out, not blank)")
    start, end = _as_date(r["period_start"]), _as_date(r["period_end"])
    if start is None:
        bad("period_start", "an ISO date (YYYY-MM-DD)")
    if end is None:
        bad("period_end", "an ISO date (YYYY-MM-DD)")
    if start is not None and end is not None and end <= start:
        bad("period_end", f"a date after period_start ({start})")
        start = end = None
    years = _as_number(r["years"])
    if years is None or years <= 0:
        bad("years", "a positive number of years")
    elif start is not None:
        span = ((end - start).days + 1) / DAYS_PER_YEAR  # the end date is inclusive
        if abs(years - span) > YEARS_TOLERANCE:
            bad("years", f"the period's length, {span:.3f} years from {start} to {end}")
    midpoint = _as_number(r["midpoint"])
    if midpoint is None:
        bad("midpoint", "a decimal year")
    elif start is not None:
        first, last = decimal_year(start), decimal_year(end + timedelta(days=1))
        if not first <= midpoint <= last:
            bad("midpoint", f"a decimal year inside the period ({first:.3f} to {last:.3f})")
    if r["system"] not in SYSTEMS:
        bad("system", f"one of {', '.join(SYSTEMS)}")
    if "population" in r.index and pd.notna(r["population"]):
        population = _as_number(r["population"])
        if population is None or population <= 0:
            bad("population", "a positive number of children (or blank if unknown)")
    return out, (None if start is None else (start, end))


def _check_overlaps(spans: list[tuple], path: str) -> list[Problem]:
    """Periods starting twice, or overlapping, within a series: the later row is named."""
    out = []
    for (name, start, _, line), (name0, start0, end0, line0) in _neighbours(spans):
        if name != name0:
            continue
        if start == start0:
            expected = f"a period start not already used in series '{name}' (line {line0})"
            out.append(Problem(path, line, "period_start", str(start), expected))
        elif start <= end0:
            expected = f"a start after the previous period's end ({end0}, line {line0})"
            out.append(Problem(path, line, "period_start", str(start), expected))
    return sorted(out, key=lambda p: p.row)


def _neighbours(spans: list[tuple]):
    """Pairs (row, the row before it) after sorting by series and start."""
    ordered = sorted(spans, key=lambda s: (s[0], s[1], s[3]))
    return zip(ordered[1:], ordered[:-1], strict=True)


def valid_series(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of one series, sorted by start, numbers as floats; ValueError if invalid.

    The message lists every `check_series` problem (row, column, value); the
    pipeline converts it to a DataError.
    """
    problems = check_series(df, "series data")
    if problems:
        raise ValueError("invalid trend data:\n" + "\n".join(f"  - {p}" for p in problems))
    names = df["series"].unique()
    if len(names) != 1:
        raise ValueError(f"fit one series at a time; got {len(names)}: {list(names)}")
    out = df.assign(
        _start=[_as_date(v) for v in df["period_start"]],
        count=pd.to_numeric(df["count"]).astype(float),
        years=pd.to_numeric(df["years"]).astype(float),
        midpoint=pd.to_numeric(df["midpoint"]).astype(float),
    )
    if "population" in out.columns:
        out["population"] = pd.to_numeric(out["population"]).astype(float)
    return out.sort_values("_start", kind="stable").drop(columns="_start").reset_index(drop=True)


def period_ends(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each period's first day and the day after its last, as decimal years."""
    starts = [decimal_year(_as_date(v)) for v in rows["period_start"]]
    ends = [decimal_year(_as_date(v) + timedelta(days=1)) for v in rows["period_end"]]
    return np.array(starts), np.array(ends)


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


def _use_population(df: pd.DataFrame, offset_population) -> bool:
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


def _use_step(df: pd.DataFrame, step: bool) -> bool:
    if step and not spans_both_systems(df):
        raise ValueError(
            f"step=True needs periods under both systems; series {df['series'].iloc[0]!r} "
            f"has only {sorted(set(df['system']))}"
        )
    return bool(step)


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
    family: str  # "poisson" or "negbin"
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


def _centre(df: pd.DataFrame, centre: float | None) -> float:
    """Centring the time at the mean midpoint makes the intercept the rate mid-series."""
    return float(df["midpoint"].mean()) if centre is None else float(centre)


def _min_rows(df: pd.DataFrame, parameters: int) -> None:
    if len(df) <= parameters:
        raise ValueError(
            f"series {df['series'].iloc[0]!r} has {len(df)} periods; "
            f"the model needs more than {parameters}"
        )


def poisson_fit(
    df: pd.DataFrame,
    offset_population: bool | str = False,
    step: bool = False,
    centre: float | None = None,
    alpha: float = 0.05,
) -> TrendFit:
    """Poisson GLM of count on time with offset log(years) (+ log(population)).

    offset_population: False; True (every row must have a population); or
    "if_available" (used only when every row has one). step: add a level shift for
    system == "new" (the series must span both systems). Intervals are Wald
    (normal) at level 1 - alpha.
    """
    data = valid_series(df)
    population, step = _use_population(data, offset_population), _use_step(data, step)
    centre = _centre(data, centre)
    X = design(data, centre, step=step)
    _min_rows(data, X.shape[1])
    model = sm.GLM(data["count"], X, family=sm.families.Poisson(), offset=offset(data, population))
    results = model.fit()
    stats_ = {
        "deviance": float(results.deviance),
        "pearson_chi2": float(results.pearson_chi2),
        "df_resid": float(results.df_resid),
        "pearson_chi2_df": float(results.pearson_chi2 / results.df_resid),
        "aic": float(results.aic),
        "llf": float(results.llf),
        "nobs": int(results.nobs),
        "converged": bool(results.converged),
    }
    return _trend_fit(data, "poisson", results, centre, (), step, population, alpha, stats_)


def negbin_fit(
    df: pd.DataFrame,
    offset_population: bool | str = False,
    step: bool = False,
    centre: float | None = None,
    alpha: float = 0.05,
) -> TrendFit:
    """NB2 regression, dispersion by maximum likelihood jointly with the coefficients.

    statsmodels' discrete `NegativeBinomial(loglike_method="nb2")` with the same
    offset and design as `poisson_fit`. Fitted by BFGS (on log alpha, so alpha stays
    positive), then polished by Newton steps from that optimum when they stay finite
    and do not lower the likelihood. When the data are not overdispersed, alpha
    tends to the boundary 0 and NB2 reduces to Poisson (`converged` may then be
    False, `nb_alpha_se` missing, and the coefficients' covariance is given alpha).
    """
    data = valid_series(df)
    population, step = _use_population(data, offset_population), _use_step(data, step)
    centre = _centre(data, centre)
    X = design(data, centre, step=step)
    _min_rows(data, X.shape[1] + 1)
    model = sm.NegativeBinomial(
        data["count"], X, loglike_method="nb2", offset=offset(data, population)
    )
    results, converged = _fit_nb2(model)
    cov, alpha_se = _nb2_covariance(model, results, X.shape[1])
    y, mu = data["count"].to_numpy(float), np.asarray(results.predict(), float)
    nb_alpha = float(results.params.iloc[-1])
    pearson = float(np.sum((y - mu) ** 2 / (mu + nb_alpha * mu**2)))
    stats_ = {
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
    return _trend_fit(data, "negbin", results, centre, (), step, population, alpha, stats_, cov=cov)


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


def _trend_fit(
    data,
    family,
    results,
    centre,
    joins,
    step,
    population,
    alpha,
    stats_,
    scale=1.0,
    use_t=False,
    cov=None,
):
    """Assemble a TrendFit with its coefficient and effect tables."""
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
        statistics=stats_,
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


# --- Overdispersion and model choice ------------------------------------------------------


def overdispersion(fit: TrendFit) -> dict:
    """Pearson chi2/df with its goodness-of-fit p-value, and the Cameron-Trivedi test.

    The auxiliary regression (Cameron & Trivedi 1990; 2013, Regression Analysis of
    Count Data, 2nd ed., section 3.4) regresses ((y - mu)^2 - y) / mu on mu without
    an intercept; under Poisson its coefficient is 0, under NB2 it estimates alpha.
    The p-value is one-sided (H1: alpha > 0, overdispersion); the two-sided one is
    also returned. mu are the Poisson fit's fitted counts (exposure included).
    """
    if fit.family != "poisson":
        raise ValueError("the overdispersion test is of a Poisson fit")
    y = fit.data["count"].to_numpy(float)
    mu = np.asarray(fit.results.fittedvalues, float)
    aux = sm.OLS(((y - mu) ** 2 - y) / mu, mu[:, None]).fit()
    t, df = float(aux.tvalues[0]), float(aux.df_resid)
    chi2, df_resid = fit.statistics["pearson_chi2"], fit.statistics["df_resid"]
    return {
        "pearson_chi2": chi2,
        "df_resid": df_resid,
        "pearson_chi2_df": chi2 / df_resid,
        "pearson_p": float(stats.chi2.sf(chi2, df_resid)),
        "ct_alpha": float(aux.params[0]),
        "ct_se": float(aux.bse[0]),
        "ct_t": t,
        "ct_df": df,
        "ct_p": float(stats.t.sf(t, df)),
        "ct_p_two_sided": float(2 * stats.t.sf(abs(t), df)),
    }


OVERDISPERSION_TESTS = {"cameron_trivedi": "ct_p", "pearson": "pearson_p"}


def model_table(
    df: pd.DataFrame,
    offset_population: bool | str = False,
    step: bool = False,
    alpha: float = 0.05,
    test_level: float = 0.05,
    test: str = "cameron_trivedi",
) -> pd.DataFrame:
    """Poisson and NB2 for one series, side by side, with the model chosen.

    Columns: series, model, quantity ("apc"), estimate, ci_low, ci_upp, method,
    n_params, llf, aic, pearson_chi2_df, nb_alpha, overdispersion_p, chosen. NB2 is
    chosen only when the overdispersion test rejects at `test_level` AND its AIC is
    lower; otherwise Poisson, the simpler model. test: "cameron_trivedi" (the
    auxiliary regression) or "pearson" (chi2 goodness of fit); with ten or so
    periods the auxiliary regression has little power, so the two can disagree.
    """
    if test not in OVERDISPERSION_TESTS:
        raise ValueError(f"test must be one of {tuple(OVERDISPERSION_TESTS)}, got {test!r}")
    fits = {
        "poisson": poisson_fit(df, offset_population, step, alpha=alpha),
        "negbin": negbin_fit(df, offset_population, step, alpha=alpha),
    }
    p_value = overdispersion(fits["poisson"])[OVERDISPERSION_TESTS[test]]
    nb_better = fits["negbin"].statistics["aic"] < fits["poisson"].statistics["aic"]
    choice = "negbin" if p_value < test_level and nb_better else "poisson"
    rows = []
    for name, fit in fits.items():
        effect = fit.effects.set_index("quantity").loc["apc"]
        rows.append(
            {
                "series": fit.series,
                "model": name,
                "quantity": "apc",
                "estimate": effect["estimate"],
                "ci_low": effect["ci_low"],
                "ci_upp": effect["ci_upp"],
                "method": effect["method"],
                "n_params": len(np.asarray(fit.results.params)),
                "llf": fit.statistics["llf"],
                "aic": fit.statistics["aic"],
                "pearson_chi2_df": fit.statistics["pearson_chi2_df"],
                "nb_alpha": fit.statistics.get("nb_alpha", np.nan),
                "overdispersion_p": p_value if name == "poisson" else np.nan,
                "chosen": name == choice,
            }
        )
    return pd.DataFrame(rows)


# --- Joinpoint ----------------------------------------------------------------------------

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


def candidate_joins(n: int, n_joins: int, min_segment: int = 3) -> list[tuple[int, ...]]:
    """Indices of observed points that may be joinpoints, as tuples of n_joins.

    Each segment, counting the joinpoints at its ends, holds at least min_segment
    observations, and no joinpoint is at the first or last observation.
    """
    if n_joins == 0:
        return [()]
    out = []
    for joins in itertools.combinations(range(1, n - 1), n_joins):
        ends = (0, *joins, n - 1)
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
    data = valid_series(df)
    population = _use_population(data, offset_population)
    centre = _centre(data, None)
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
    stats_ = {
        "deviance": float(poisson.deviance),
        "pearson_chi2": float(poisson.pearson_chi2),
        "df_resid": float(poisson.df_resid),
        "pearson_chi2_df": float(poisson.pearson_chi2 / poisson.df_resid),
        "aic": float(poisson.aic),
        "llf": float(poisson.llf),
        "nobs": int(poisson.nobs),
        "converged": bool(poisson.converged),
        "scale": phi,
    }
    return _trend_fit(
        data, "poisson", results, centre, joins, False, population, alpha, stats_, phi, quasi
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
    draws = _draw_counts(fit, np.exp(X_fit @ fit.params + off), rng, size=n_boot)
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


# --- Rate ratios --------------------------------------------------------------------------


def rate_ratio(count_a, exposure_a, count_b, exposure_b, alpha: float = 0.05) -> pd.DataFrame:
    """IRR = (count_a / exposure_a) / (count_b / exposure_b) with two intervals.

    wald: exp(log IRR +- z sqrt(1/a + 1/b)); missing when a count is 0.
    exact_conditional: given the total a + b, a is binomial with
    p = IRR e_a / (IRR e_a + e_b), so the Clopper-Pearson interval for p maps to
    IRR = p / (1 - p) x e_b / e_a (Breslow & Day 1987, Statistical Methods in
    Cancer Research II, section 2.3). Counts may be non-integer (a published rate
    times years); the beta quantiles are defined for them.
    Returns rows (method wald, exact_conditional): count_a, exposure_a, count_b,
    exposure_b, estimate, ci_low, ci_upp, method.
    """
    a, b = float(count_a), float(count_b)
    ea, eb = float(exposure_a), float(exposure_b)
    if a < 0 or b < 0 or a + b == 0:
        raise ValueError(f"counts must be >= 0 and not both 0; got {count_a}, {count_b}")
    if ea <= 0 or eb <= 0:
        raise ValueError(f"exposures must be positive; got {exposure_a}, {exposure_b}")
    irr = (a / ea) / (b / eb) if b > 0 else math.inf
    z = stats.norm.isf(alpha / 2)
    if a > 0 and b > 0:
        half = z * math.sqrt(1 / a + 1 / b)
        wald = (irr * math.exp(-half), irr * math.exp(half))
    else:
        wald = (math.nan, math.nan)
    p_low, p_upp = proportion_confint(a, a + b, alpha, "clopper_pearson")
    exact = (_odds(p_low) * eb / ea, _odds(p_upp) * eb / ea)
    base = {"count_a": a, "exposure_a": ea, "count_b": b, "exposure_b": eb, "estimate": irr}
    return pd.DataFrame(
        [
            {**base, "ci_low": wald[0], "ci_upp": wald[1], "method": "wald"},
            {**base, "ci_low": exact[0], "ci_upp": exact[1], "method": "exact_conditional"},
        ]
    )


def _odds(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)


def _ends(value) -> tuple[float, float]:
    """(low, high) of a published range, or (value, value) for a single number."""
    if np.ndim(value) == 0:
        return float(value), float(value)
    low, high = (float(v) for v in value)
    if low > high:
        raise ValueError(f"a range is (low, high); got {value}")
    return low, high


def rate_ratio_range(count_a, exposure_a, count_b, exposure_b, alpha: float = 0.05):
    """rate_ratio at both ends when inputs are published ranges, e.g. count_a=(150, 160).

    Any argument may be a number or a (low, high) pair. The "low" end combines the
    values giving the smallest IRR (smallest count_a and exposure_b, largest
    exposure_a and count_b), "high" the largest. Returns rate_ratio's rows with an
    `end` column first.
    """
    a, ea, b, eb = _ends(count_a), _ends(exposure_a), _ends(count_b), _ends(exposure_b)
    low = rate_ratio(a[0], ea[1], b[1], eb[0], alpha)
    high = rate_ratio(a[1], ea[0], b[0], eb[1], alpha)
    out = pd.concat([low.assign(end="low"), high.assign(end="high")], ignore_index=True)
    return out[["end", *low.columns]]


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
    fit: TrendFit, next_period_row, n_sim: int = 10_000, seed: int = 0, alpha: float = 0.05
) -> pd.DataFrame:
    """Next period's count: the interval of its mean and a prediction interval.

    mean: `predict` (delta method). count: draw n_sim coefficient vectors from
    N(beta, V), then one count per draw: Poisson(mu); NB2 with the estimated alpha
    (its own uncertainty ignored); or, for a quasi-Poisson fit with scale phi > 1, a
    negative binomial with variance phi mu. The interval is the alpha/2 and
    1 - alpha/2 quantiles of the draws: counts, so never below zero.
    Returns rows (quantity mean, count): midpoint, estimate, ci_low, ci_upp, method.
    """
    rows = _new_rows(fit, next_period_row)
    if len(rows) != 1:
        raise ValueError("forecast one period at a time")
    mean = predict(fit, rows, alpha).assign(quantity="mean")
    rng = np.random.default_rng(seed)
    X = design(rows, fit.centre, fit.joins, fit.step).to_numpy(float)[0]
    betas = rng.multivariate_normal(fit.params, fit.cov, size=n_sim)
    mu = np.exp(betas @ X + offset(rows, fit.population)[0])
    counts = _draw_counts(fit, mu, rng)
    low, upp = np.quantile(counts, [alpha / 2, 1 - alpha / 2])
    count = mean.assign(
        quantity="count",
        ci_low=max(0.0, float(low)),
        ci_upp=float(upp),
        method=f"simulation ({n_sim} draws, seed {seed})",
    )
    out = pd.concat([mean, count], ignore_index=True)
    return out[["quantity", "midpoint", "estimate", "ci_low", "ci_upp", "method"]]


def _draw_counts(fit: TrendFit, mu: np.ndarray, rng: np.random.Generator, size=None):
    """Counts from the fit's count distribution: one per mean, or (size, len(mu))."""
    shape = mu.shape if size is None else (size, *mu.shape)
    if fit.family == "negbin":
        a = fit.statistics["nb_alpha"]
        return rng.negative_binomial(1 / a, 1 / (1 + a * mu), size=shape)
    if fit.scale > 1:
        # NB with size mu/(phi-1) and p = 1/phi has mean mu and variance phi mu.
        return rng.negative_binomial(mu / (fit.scale - 1), 1 / fit.scale, size=shape)
    return rng.poisson(mu, size=shape)
