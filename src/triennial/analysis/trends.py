"""The trends chapter: models per series, joinpoints, backtests, forecasts, contrasts.

Each series is modelled only as far as its periods allow: a trend (quasi-Poisson,
with NB2 and Poisson beside it, and a step for the 2018 reform where a series spans
it) needs at least `min_trend` periods; a joinpoint search needs room for two
segments of `min_segment` periods. Shorter series enter only the two-period
contrasts. Where a source gives a range (30 to 32 a year), both ends are carried
through.

Forecasts are judged by their own past (Tashman 2000, Int J Forecasting 16:437-450):
for every annual series and every year with at least `backtest_min_years` earlier
years, each candidate model is fitted to the years before it and forecasts it; the
table gives each model's coverage of its 80% and 95% prediction intervals and its
mean absolute scaled error (MASE; Hyndman & Koehler 2006, Int J Forecasting
22:679-688). The forecast shown is the candidate with the lowest backtest MASE over
the years every candidate forecast, once there are at least `backtest_min_shared` of
them; on fewer, a choice would rest on one or two errors, and none is made.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.tools import add_constant

from triennial.data import labels
from triennial.stats import count_models, joinpoint, rate_ratio

REFORM = 2018.5  # SCRs replaced by the new system in June-September 2018
LEVELS = (0.8, 0.95)  # prediction interval levels of the forecasts and backtests
CANDIDATES = labels.FORECAST_MODELS  # the models forecast and backtested, by id
POST_REFORM_MIN = 3  # periods a post-reform trend needs to estimate its dispersion


@dataclass(frozen=True)
class Settings:
    """The trends section of the configuration."""

    min_trend: int = 4
    max_joins: int = 1
    min_segment: int = 3
    grid_step: float = 0.05
    permutations: int = 4999
    bootstrap: int = 4000
    backtest_min_years: int = 5
    backtest_min_shared: int = 3
    backtest_permutations: int = 999
    seed: int = 20190901
    forecast_draws: int = 10_000
    alpha: float = 0.05


def modelled(rows: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """The series with enough periods for a trend model, by name, in file order."""
    counts = rows.groupby("series", sort=False).size()
    return {s: rows[rows["series"] == s] for s, n in counts.items() if n >= settings.min_trend}


def annual(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every series whose periods are all one year long, by name, in file order."""
    names = rows["series"].unique()
    return {
        s: rows[rows["series"] == s].sort_values("midpoint", kind="stable")
        for s in names
        if (rows.loc[rows["series"] == s, "years"] == 1).all()
    }


def model_choices(series: dict[str, pd.DataFrame], settings: Settings):
    """The models side by side per series, and the primary (quasi-Poisson) fit of each."""
    tables, primary = [], {}
    for name, df in series.items():
        step = count_models.spans_both_systems(df)
        table = count_models.model_table(df, step=step, alpha=settings.alpha).assign(step=step)
        tables.append(table)
        primary[name] = count_models.fit_trend(df, "quasipoisson", step=step, alpha=settings.alpha)
    return pd.concat(tables, ignore_index=True), primary


def joinpoints(series: dict[str, pd.DataFrame], settings: Settings):
    """Joinpoint fits for the series long enough for at least one join."""
    return {
        name: fit_joinpoint(df, settings, settings.permutations, settings.bootstrap)
        for name, df in series.items()
        if len(df) >= 2 * settings.min_segment + 1
    }


def fit_joinpoint(df, settings: Settings, permutations: int, bootstrap: int):
    return joinpoint.joinpoint(
        df,
        max_joins=settings.max_joins,
        min_segment=settings.min_segment,
        grid_step=settings.grid_step,
        n_perm=permutations,
        n_boot=bootstrap,
        seed=settings.seed,
        alpha=settings.alpha,
    )


def joinpoint_table(fits: dict[str, joinpoint.JoinpointFit]) -> pd.DataFrame:
    """Segments (APC), the AAPC, joins and the step of every joinpoint fit, one table.

    Each row also carries the permutation tests that chose the number of joins: all of
    them in words (`selection`), and the last one, which fixed the number, as numbers:
    `p_value` and its Monte Carlo standard error `p_mc_se` (empty when no test was run).
    """
    rows = []
    for name, fit in fits.items():
        test = "; ".join(
            f"{t.k0} vs {t.k1} joins: p = {t.p_value:.3f} (MC SE {t.p_mc_se:.3f}, "
            f"{t.permutations} permutations)"
            for t in fit.selection.itertuples()
        )
        last = fit.selection.iloc[-1] if len(fit.selection) else {}
        decided = {key: last.get(key, float("nan")) for key in ("p_value", "p_mc_se")}
        joins = " ".join(f"{j:.2f}" for j in fit.joins)
        for part in (fit.segments, fit.aapc, fit.extra):
            rows.append(part.assign(series=name, joins=joins, selection=test, **decided))
    table = pd.concat(rows, ignore_index=True)
    first = ["series", "joins", "selection", "p_value", "p_mc_se"]
    return table[[*first, *[c for c in table.columns if c not in first]]]


# --- Forecasts and their backtests --------------------------------------------------------


def candidate_draws(name: str, train: pd.DataFrame, target: pd.DataFrame, settings, rng):
    """(point forecast, draws of the target's count), or a reason the model cannot forecast.

    Model-based draws carry parameter, dispersion and count uncertainty
    (`count_models.predictive_counts`); the naive forecast's draws are the last count
    plus t(m - 1) times the root mean square of the m one-year changes in `train`.
    """
    new_target = bool((target["system"] == "new").all())
    has_new = bool((train["system"] == "new").any())
    if name == "naive":
        changes = np.diff(train["count"].to_numpy(float))
        if len(changes) < 2:
            return "fewer than three years"
        last, rms = float(train["count"].iloc[-1]), math.sqrt(np.mean(changes**2))
        draws = last + rms * rng.standard_t(len(changes) - 1, settings.forecast_draws)
        return last, np.maximum(draws, 0.0)[:, None]
    if new_target and not has_new and name != "post_reform":
        return "no post-reform year to estimate the step"
    try:
        if name == "post_reform":
            train = train[train["system"] == "new"]
            if len(train) < POST_REFORM_MIN:
                return f"fewer than {POST_REFORM_MIN} post-reform years"
            fit = count_models.fit_trend(train, "quasipoisson", alpha=settings.alpha)
        elif name == "joinpoint":
            fit = fit_joinpoint(train, settings, settings.backtest_permutations, 0).fit
        else:
            family = "negbin" if name == "trend_step_nb2" else "quasipoisson"
            step = count_models.spans_both_systems(train)
            fit = count_models.fit_trend(train, family, step=step, alpha=settings.alpha)
    except ValueError as error:
        return str(error)
    point = count_models.predict(fit, target)["estimate"].iloc[0]
    return float(point), count_models.predictive_counts(fit, target, settings.forecast_draws, rng)


def _intervals(draws: np.ndarray) -> dict:
    """The prediction intervals at LEVELS from simulated counts, each limit with the Monte
    Carlo standard error of its quantile (`pi80_low_mcse`, ...)."""
    out = {}
    for level in LEVELS:
        for end, q in (("low", (1 - level) / 2), ("upp", (1 + level) / 2)):
            name = f"pi{level * 100:.0f}_{end}"
            out[name] = float(np.quantile(draws[:, 0], q))
            out[f"{name}_mcse"] = float(joinpoint.quantile_mc_se(draws[:, :1], q)[0])
    return out


def backtest_forecasts(
    series: dict[str, pd.DataFrame], settings: Settings, models: Iterable[str] = CANDIDATES
) -> pd.DataFrame:
    """Rolling-origin one-step forecasts: every year with backtest_min_years earlier years.

    One row per series, target year and candidate (`models`, every candidate unless
    named): the forecast, its 80% and 95% prediction intervals, whether they covered
    the count, and the scaled error |actual - forecast| / (mean absolute one-year change
    in the training years).
    """
    rows = []
    for name, df in series.items():
        df = df.reset_index(drop=True)
        for i in range(settings.backtest_min_years, len(df)):
            train, target = df.iloc[:i], df.iloc[[i]]
            actual = float(target["count"].iloc[0])
            scale = float(np.mean(np.abs(np.diff(train["count"].to_numpy(float)))))
            for model in models:
                rng = np.random.default_rng([settings.seed, i])
                result = candidate_draws(model, train, target, settings, rng)
                row = {"series": name, "target": target["period_label"].iloc[0], "model": model}
                if isinstance(result, str):
                    rows.append(row | {"actual": actual, "note": result})
                    continue
                point, draws = result
                pis = _intervals(draws)
                rows.append(
                    row
                    | {"actual": actual, "forecast": point, **pis, "note": ""}
                    | {
                        f"covered{lv * 100:.0f}": pis[f"pi{lv * 100:.0f}_low"]
                        <= actual
                        <= pis[f"pi{lv * 100:.0f}_upp"]
                        for lv in LEVELS
                    }
                    | {"scaled_error": abs(actual - point) / scale}
                )
    return pd.DataFrame(rows)


def common_targets(detail: pd.DataFrame) -> list[str]:
    """The target years that every candidate able to forecast at all forecast: the fair
    ground for comparing them (a model that never could, e.g. post-reform years alone
    in a series with too few of them, is left out rather than emptying the ground)."""
    made = detail[detail["forecast"].notna()]
    able = made["model"].nunique()
    per_target = made.groupby("target")["model"].nunique()
    return list(per_target.index[per_target == able]) if able else []


def backtest_table(series: dict[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """Each annual series x candidate: forecasts made, interval coverage and MASE.

    mase is over the candidate's own forecasts; mase_common over the target years
    every candidate forecast, the basis of the choice (`forecasts`).

    A series too short for any forecast, or a model that could not forecast, gets a
    row with n_forecasts 0 and a note saying why.
    """
    detail = backtest_forecasts(series, settings)
    rows = []
    for name, df in series.items():
        part = detail[detail["series"] == name] if len(detail) else detail
        for model, label in CANDIDATES.items():
            made = part[(part["model"] == model) & part["forecast"].notna()] if len(part) else part
            row = {"series": name, "model": model, "label": label, "n_forecasts": len(made)}
            if len(made):
                shared = made[made["target"].isin(common_targets(part))]
                row |= {
                    "targets": " ".join(made["target"]),
                    "coverage_80": float(made["covered80"].mean()),
                    "coverage_95": float(made["covered95"].mean()),
                    "mase": float(made["scaled_error"].mean()),
                    "common_targets": " ".join(shared["target"]),
                    "mase_common": float(shared["scaled_error"].mean()),
                    "note": "",
                }
            elif len(df) <= settings.backtest_min_years:
                row["note"] = (
                    f"{len(df)} annual periods: a backtest needs at least "
                    f"{settings.backtest_min_years + 1}"
                )
            else:
                notes = part.loc[part["model"] == model, "note"].unique()
                row["note"] = "could not forecast: " + "; ".join(notes)
            rows.append(row)
    return pd.DataFrame(rows)


def forecasts(
    series: dict[str, pd.DataFrame], backtests: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """Next year of each modelled annual series by every candidate, the chosen one marked.

    The chosen forecast is the candidate with the lowest backtest MASE over the target
    years every candidate forecast (first in CANDIDATES on a tie), if there are at least
    `backtest_min_shared` such years; otherwise none is chosen, `choice` says why, and the
    naive forecast is the one to read.
    """
    rows = []
    for name, df in series.items():
        if not (df["years"] == 1).all():
            continue  # periods of unequal length: no 'next year'
        target = _next_year(df)
        scores = backtests[(backtests["series"] == name) & (backtests["n_forecasts"] > 0)]
        judged = scores.dropna(subset=["mase_common"])
        best, choice = _choice(judged, settings.backtest_min_shared)
        for model in CANDIDATES:
            rng = np.random.default_rng([settings.seed, len(df)])
            result = candidate_draws(model, df, target, settings, rng)
            if isinstance(result, str):
                continue
            point, draws = result
            score = scores.set_index("model")["mase_common"].get(model, np.nan)
            rows.append(
                {
                    "series": name,
                    "period_label": target["period_label"].iloc[0],
                    "model": model,
                    "estimate": point,
                    **_intervals(draws),
                    "backtest_n": int(scores.set_index("model")["n_forecasts"].get(model, 0)),
                    "backtest_mase_common": score,
                    "chosen": model == best,
                    "choice": choice,
                    "method": f"simulation ({settings.forecast_draws} draws, seed "
                    f"{settings.seed}); extrapolation",
                }
            )
    return pd.DataFrame(rows)


def _choice(judged: pd.DataFrame, min_shared: int) -> tuple[str | None, str]:
    """The candidate with the lowest MASE over the shared years, and why; None when
    there are too few shared years for the errors to tell the models apart."""
    shared = int(judged["common_targets"].str.split().str.len().max()) if len(judged) else 0
    if not shared:
        return None, "none chosen: not backtested"
    years = f"{shared} shared backtest year{'s' if shared > 1 else ''}"
    if shared < min_shared:
        return None, f"none chosen: {years}, fewer than {min_shared}"
    return judged.loc[judged["mase_common"].idxmin(), "model"], f"lowest MASE over {years}"


def _next_year(df: pd.DataFrame) -> pd.DataFrame:
    """The row of the year after a series' last, with no count."""
    last = df.iloc[-1]
    start = pd.Timestamp(last["period_start"]) + pd.DateOffset(years=1)
    end = pd.Timestamp(last["period_end"]) + pd.DateOffset(years=1)
    row = last.to_dict() | {
        "period_start": start.date().isoformat(),
        "period_end": end.date().isoformat(),
        "midpoint": last["midpoint"] + 1,
        "period_label": f"{start.year}-{str(end.year)[2:]}",
        "count": np.nan,
    }
    return pd.DataFrame([row])


def contrasts(series_table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The rate ratios users ask about, with Wald and exact conditional intervals.

    - non-fatal SCRs a year, 2014-17 against 2009-14 (a printed range: both ends);
    - rapid reviews, 2023-24 against 2022-23.
    """
    by_id = series_table.set_index("row_id")
    recent, earlier = by_id.loc["nonfatal_2014_17"], by_id.loc["nonfatal_2009_14"]
    earlier_counts = (
        earlier["value_low"] * earlier["years"],
        earlier["value_high"] * earlier["years"],
    )
    nonfatal = rate_ratio.rate_ratio_range(
        recent["count"], recent["years"], earlier_counts, earlier["years"], alpha
    ).assign(contrast="non-fatal SCRs a year: 2014-17 vs 2009-14")
    rr = series_table[series_table["series"] == "rapid_reviews"].set_index("period_label")
    rapid = rate_ratio.rate_ratio(
        rr.loc["2023-24", "count"], 1, rr.loc["2022-23", "count"], 1, alpha
    ).assign(contrast="rapid reviews: 2023-24 vs 2022-23", end="")
    return pd.concat([nonfatal, rapid], ignore_index=True)


def harm_share_trend(rows: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Deaths vs serious harm over time: the share of serious harm among the two.

    Conditional on each year's total, serious harm ~ Binomial(total, share); the
    years scatter more than binomially (Pearson chi2/df about 2.3), so the model is
    quasi-binomial: the binomial GLM's estimates with the covariance scaled by
    phi = max(1, chi2/df) and t quantiles on the residual df (as R's
    `glm(family = quasibinomial)` with t). The slope is the change per year in the
    odds of a notification being serious harm rather than a death.
    """
    deaths = rows[rows["series"] == "notifications_deaths"].set_index("period_label")
    harm = rows[rows["series"] == "notifications_serious_harm"].set_index("period_label")
    years = [y for y in harm.index if y in deaths.index]
    d, h = deaths.loc[years, "count"].astype(float), harm.loc[years, "count"].astype(float)
    mid = deaths.loc[years, "midpoint"].astype(float)
    X = add_constant(mid - mid.mean())
    model = GLM(np.column_stack([h, d]), X, family=families.Binomial())
    binomial = model.fit()
    df_resid = float(binomial.df_resid)
    dispersion = float(binomial.pearson_chi2 / df_resid)
    fit = model.fit(scale=max(1.0, dispersion))
    slope, se = float(fit.params.iloc[1]), float(fit.bse.iloc[1])
    q = stats.t.isf(alpha / 2, df_resid)
    return pd.DataFrame(
        {
            "quantity": ["odds_ratio_per_year"],
            "estimate": [np.exp(slope)],
            "ci_low": [np.exp(slope - q * se)],
            "ci_upp": [np.exp(slope + q * se)],
            "method": [
                f"quasi-binomial GLM of serious harm among deaths + serious harm "
                f"(t on {df_resid:.0f} df)"
            ],
            "years": [" ".join(years)],
            "pearson_chi2_df": [dispersion],
        }
    )
