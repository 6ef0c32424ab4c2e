"""Rolling-origin backtests of the trend forecasts (triennial.analysis.trends)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from folders import NATIONAL
from scipy import stats
from test_trends import annual, counts_from

from triennial.analysis import trends as ta
from triennial.report import trends as report_trends
from triennial.stats import count_models as cm

FAST = ta.Settings(backtest_permutations=99, forecast_draws=4000)


def as_rows(df: pd.DataFrame, label_from: int = 0) -> pd.DataFrame:
    """Add the period labels the backtest reports."""
    years = pd.to_datetime(df["period_start"]).dt.year
    return df.assign(period_label=[f"{y}-{str(y + 1)[2:]}" for y in years])


@pytest.fixture(scope="module")
def small():
    """Seven years spanning the reform, and a three-year series."""
    long = as_rows(annual([300, 340, 330, 380, 420, 400, 450], first=2013))
    short = as_rows(annual([20, 25, 22], first=2021, series="notifications_other"))
    return {"notifications_total": long, "notifications_other": short}


# Computed once for the tests below, which only read them (each takes seconds).
@pytest.fixture(scope="module")
def detail(small) -> pd.DataFrame:
    return ta.backtest_forecasts(small, FAST)


@pytest.fixture(scope="module")
def table(small) -> pd.DataFrame:
    return ta.backtest_table(small, FAST)


@pytest.fixture(scope="module")
def forecasts(small, table) -> pd.DataFrame:
    return ta.forecasts(small, table, FAST)


def test_every_annual_series_has_rows_and_short_ones_say_why(small, table):
    assert set(table["series"]) == set(small)
    assert set(table["model"]) == set(ta.CANDIDATES)
    naive = table.set_index(["series", "model"]).loc[("notifications_total", "naive")]
    assert naive["n_forecasts"] == 2  # 2018-19 and 2019-20 have five earlier years
    short = table[table["series"] == "notifications_other"]
    assert (short["n_forecasts"] == 0).all()
    assert short["note"].str.contains("3 annual periods: a backtest needs at least 6").all()


def test_naive_errors_and_scaling_by_hand(small, detail, table):
    naive = detail[(detail["model"] == "naive")].set_index("target")
    counts = small["notifications_total"]["count"].to_numpy(float)
    for i, target in [(5, "2018-19"), (6, "2019-20")]:
        scale = np.mean(np.abs(np.diff(counts[:i])))  # MAE of one-step naive, in sample
        assert naive.loc[target, "forecast"] == counts[i - 1]
        assert naive.loc[target, "scaled_error"] == pytest.approx(
            abs(counts[i] - counts[i - 1]) / scale
        )
    by_model = table.set_index(["series", "model"])
    assert by_model.loc[("notifications_total", "naive"), "mase"] == pytest.approx(
        naive["scaled_error"].mean()
    )


def test_post_reform_model_needs_three_post_reform_years(detail):
    post = detail[detail["model"] == "post_reform"]
    assert post["forecast"].isna().all()  # 2018-19 and 2019-20: 0 and 1 post-reform years
    assert post["note"].str.contains("post-reform years").all()


def test_the_forecast_shown_is_the_best_in_the_backtest(small, table):
    settings = replace(FAST, backtest_min_shared=1)  # the long series shares one year
    forecasts = ta.forecasts(small, table, settings)
    judged = table[(table["series"] == "notifications_total")].dropna(subset=["mase_common"])
    best = judged.loc[judged["mase_common"].idxmin(), "model"]
    chosen = forecasts[forecasts["chosen"]]
    assert list(chosen["series"]) == ["notifications_total"]  # the short series: none chosen
    assert chosen["model"].item() == best
    assert set(chosen["choice"]) == {"lowest MASE over 1 shared backtest year"}
    other = forecasts.loc[forecasts["series"] == "notifications_other", "choice"]
    assert set(other) == {"none chosen: not backtested"}
    assert (forecasts["pi95_low"] <= forecasts["pi80_low"]).all()
    assert (forecasts["pi80_upp"] <= forecasts["pi95_upp"]).all()


def test_no_forecast_is_chosen_on_too_few_shared_years(forecasts):
    """One shared backtest year (2019-20: the trend with the step cannot forecast 2018-19,
    with no post-reform year), below the default three: one error cannot tell the models
    apart, so none is chosen, and the forecasts table says why."""
    assert FAST.backtest_min_shared == 3
    assert not forecasts["chosen"].any()
    total = forecasts[forecasts["series"] == "notifications_total"]
    assert set(total["choice"]) == {"none chosen: 1 shared backtest year, fewer than 3"}
    naive = total[total["model"] == "naive"].iloc[0]
    assert report_trends._forecast_model(naive, forecasts).endswith(
        "(none chosen: 1 shared backtest year, fewer than 3)"
    )
    trend = total[total["model"] == "trend_step"].iloc[0]
    assert report_trends._forecast_model(trend, forecasts) == report_trends.model_label(
        "trend_step"
    )


def test_the_report_reads_the_interval_levels_from_the_forecasts(forecasts):
    """The chapter's "80% and 95% prediction intervals" come from the forecasts table's
    columns (analysis.trends.LEVELS wrote them), inner level first, whatever the column
    order; a table with other levels would be described by those."""
    assert report_trends.interval_levels(forecasts) == tuple(f"{100 * x:g}" for x in ta.LEVELS)
    other = forecasts.rename(columns=lambda c: re.sub(r"^pi80_", "pi50_", c))
    other = other.rename(columns=lambda c: re.sub(r"^pi95_", "pi90_", c))
    assert report_trends.interval_levels(other[other.columns[::-1]]) == ("50", "90")


def test_each_prediction_limit_carries_its_monte_carlo_error():
    """On 10,000 evenly spread draws the error of the p-quantile is, to first order,
    sqrt(p (1 - p) / B) / f(q) with density f = 1 / 10,000 (the asymptotic variance of a
    sample quantile): 30 at p = 0.1 and about 15.6 at p = 0.025."""
    draws = np.arange(10_000, dtype=float)[:, None]
    out = ta._intervals(draws)
    for level in ta.LEVELS:
        for end, p in (("low", (1 - level) / 2), ("upp", (1 + level) / 2)):
            expected = math.sqrt(p * (1 - p) / 10_000) * 10_000
            assert out[f"pi{level * 100:.0f}_{end}_mcse"] == pytest.approx(expected, rel=0.05)


def test_forecasts_carry_the_monte_carlo_error_of_each_limit(forecasts):
    for level in ("80", "95"):
        for end in ("low", "upp"):
            mcse = forecasts[f"pi{level}_{end}_mcse"]
            assert mcse.notna().all() and (mcse >= 0).all()
    # Seven years: the limits are stable. (The three-year series' quasi-Poisson dispersion
    # has one degree of freedom, so its upper limits are heavy-tailed and their errors
    # large: which is why they are reported.)
    long = forecasts[forecasts["series"] == "notifications_total"]
    width = long["pi95_upp"] - long["pi95_low"]
    assert (long["pi95_upp_mcse"] < 0.1 * width).all()


@pytest.mark.pipeline
def test_every_forecast_limit_in_the_results_has_its_monte_carlo_error(pipeline_run):
    forecasts = pd.read_csv(Path(pipeline_run) / NATIONAL / "tables" / "trend_forecasts.csv")
    limits = [c for c in forecasts.columns if re.fullmatch(r"pi\d+_(low|upp)", c)]
    assert len(limits) == 2 * len(ta.LEVELS)
    for column in limits:
        assert forecasts[f"{column}_mcse"].notna().all(), column


def test_trend_prediction_intervals_cover_in_a_long_backtest():
    """40 years from a quasi-Poisson-like process (NB, mean 300, alpha 0.005, phi about 2.5):
    the trend model's 80% and 95% intervals over 35 one-step forecasts cover at least as
    often as a calibrated interval would in 999 of 1000 backtests (binomial floor)."""
    mu = 300 * np.exp(0.01 * np.arange(40))
    df = as_rows(annual(counts_from(mu, 12, nb_alpha=0.005), first=1980, reform=2100))
    detail = ta.backtest_forecasts({"notifications_total": df}, FAST, ["trend_step", "naive"])
    trend = detail[detail["model"] == "trend_step"]
    n = len(trend)
    assert n == 35
    for level in (80, 95):
        floor = stats.binom.ppf(0.001, n, level / 100)
        assert trend[f"covered{level}"].sum() >= floor
    # Scaled errors of a correct model beat the naive forecast on a smooth trend.
    naive = detail[detail["model"] == "naive"]
    assert trend["scaled_error"].mean() < naive["scaled_error"].mean()


def test_predictive_draws_are_reproducible():
    df = annual(counts_from(200 * np.ones(10), 1, nb_alpha=0.01))
    fit = cm.fit_trend(df, "quasipoisson")
    rows = df.iloc[[-1]].assign(midpoint=df["midpoint"].max() + 1)
    a = cm.predictive_counts(fit, rows, 1000, np.random.default_rng(5))
    b = cm.predictive_counts(fit, rows, 1000, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
