"""The trends chapter: which model for which series, joinpoints, contrasts, forecasts.

Each series is modelled only as far as its periods allow: a trend (Poisson or NB2,
with a step for the 2018 reform where a series spans it) needs at least `min_trend`
periods; a joinpoint search needs room for two segments of `min_segment` periods.
Shorter series enter only the two-period contrasts. Where a source gives a range (30
to 32 a year), both ends are carried through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from triennial.stats import count_models, joinpoint, rate_ratio

REFORM = 2018.5  # SCRs replaced by the new system in June-September 2018


@dataclass(frozen=True)
class Settings:
    """The trends section of the configuration."""

    min_trend: int = 4
    max_joins: int = 1
    min_segment: int = 3
    overdispersion_test: str = "pearson"
    bootstrap: int = 400
    seed: int = 20190901
    forecast_draws: int = 10_000
    alpha: float = 0.05


def modelled(rows: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """The series with enough periods for a trend model, by name, in file order."""
    counts = rows.groupby("series", sort=False).size()
    return {s: rows[rows["series"] == s] for s, n in counts.items() if n >= settings.min_trend}


def model_choices(series: dict[str, pd.DataFrame], settings: Settings):
    """Poisson vs NB2 per series (AIC table) and the chosen fit of each."""
    tables, chosen = [], {}
    for name, df in series.items():
        step = count_models.spans_both_systems(df)
        table = count_models.model_table(
            df, step=step, alpha=settings.alpha, test=settings.overdispersion_test
        ).assign(step=step)
        tables.append(table)
        family = table.loc[table["chosen"], "model"].item()
        chosen[name] = count_models.fit_trend(df, family, step=step, alpha=settings.alpha)
    return pd.concat(tables, ignore_index=True), chosen


def joinpoints(series: dict[str, pd.DataFrame], settings: Settings):
    """Joinpoint fits for the series long enough for at least one join."""
    out = {}
    for name, df in series.items():
        if len(df) >= 2 * settings.min_segment + 1:
            out[name] = joinpoint.joinpoint(
                df,
                max_joins=settings.max_joins,
                min_segment=settings.min_segment,
                n_boot=settings.bootstrap,
                seed=settings.seed,
                alpha=settings.alpha,
            )
    return out


def joinpoint_table(fits: dict[str, joinpoint.JoinpointFit]) -> pd.DataFrame:
    """Segments (APC) and the AAPC of every joinpoint fit, one table."""
    rows = []
    for name, fit in fits.items():
        joins = " ".join(f"{j:.2f}" for j in fit.joins)
        rows.append(fit.segments.assign(series=name, joins=joins))
        rows.append(fit.aapc.assign(series=name, joins=joins, segment="all"))
    table = pd.concat(rows, ignore_index=True)
    return table[["series", "joins", *[c for c in table.columns if c not in ("series", "joins")]]]


def forecasts(fits: dict[str, count_models.TrendFit], series, settings: Settings) -> pd.DataFrame:
    """Next period of each modelled annual series: mean interval and prediction interval."""
    rows = []
    for name, fit in fits.items():
        df = series[name]
        if not (df["years"] == 1).all():
            continue  # periods of unequal length: no 'next year'
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
        result = count_models.forecast(
            fit, pd.DataFrame([row]), settings.forecast_draws, settings.seed, settings.alpha
        )
        rows.append(result.assign(series=name, period_label=row["period_label"]))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


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

    Conditional on each year's total, serious harm ~ Binomial(total, share): a
    binomial GLM of the share on year gives the change per year in the odds of a
    notification being serious harm rather than a death (Poisson rate ratios
    conditioned on totals; the years where both counts are known).
    """
    deaths = rows[rows["series"] == "notifications_deaths"].set_index("period_label")
    harm = rows[rows["series"] == "notifications_serious_harm"].set_index("period_label")
    years = [y for y in harm.index if y in deaths.index]
    d, h = deaths.loc[years, "count"].astype(float), harm.loc[years, "count"].astype(float)
    mid = deaths.loc[years, "midpoint"].astype(float)
    X = sm.add_constant(mid - mid.mean())
    fit = sm.GLM(np.column_stack([h, d]), X, family=sm.families.Binomial()).fit()
    slope, (low, upp) = fit.params.iloc[1], fit.conf_int(alpha).iloc[1]
    return pd.DataFrame(
        {
            "quantity": ["odds_ratio_per_year"],
            "estimate": [np.exp(slope)],
            "ci_low": [np.exp(low)],
            "ci_upp": [np.exp(upp)],
            "method": ["binomial GLM of serious harm among deaths + serious harm"],
            "years": [" ".join(years)],
            "pearson_chi2_df": [fit.pearson_chi2 / fit.df_resid],
        }
    )
