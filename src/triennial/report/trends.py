"""The trends chapter's numbers and tables, from the trends results tables.

`tables` maps a short name to a results table: models, joinpoints, backtest,
forecasts, contrasts, harm_share.
"""

from __future__ import annotations

import re

import pandas as pd

from triennial.data import labels
from triennial.report.markdown import markdown_table

MODELS = {
    "quasipoisson": "quasi-Poisson",
    "poisson": "Poisson",
    "negbin": "negative binomial (NB2)",
}
ROLES = {"primary": "primary", "sensitivity": "sensitivity", "reference": "reference only"}
IN_PROSE = {
    "trend_step": "the quasi-Poisson trend with the reform step",
    "trend_step_nb2": "the NB2 trend with the reform step",
    "post_reform": "the quasi-Poisson trend in the post-reform years alone",
    "joinpoint": "the joinpoint model",
    "naive": "the naive forecast",
}


def model_label(model: str) -> str:
    """A forecasting model's name at the start of a table cell: 'Quasi-Poisson trend ...'."""
    name = labels.FORECAST_MODELS[model]
    return name[0].upper() + name[1:]


def signed(x: float) -> str:
    """A percent change with its sign: '+6.4', '−8.2'."""
    return f"{x:+.1f}".replace("-", "−")


def apc_text(row: pd.Series) -> str:
    """'+6.4% a year (+4.3 to +12.3)'."""
    return f"{signed(row['estimate'])}% a year ({signed(row['ci_low'])} to {signed(row['ci_upp'])})"


def ratio_text(row: pd.Series) -> str:
    return f"{row['estimate']:.2f} ({row['ci_low']:.2f}–{row['ci_upp']:.2f})"


def primary(models: pd.DataFrame, series: str) -> pd.Series:
    return models[(models["series"] == series) & (models["role"] == "primary")].iloc[0]


def label(series: str) -> str:
    return labels.SERIES.get(series, series.replace("_", " "))


def joinpoint_sentence(joins: pd.DataFrame, level: str) -> str:
    """What the joinpoint search found for one series, in words."""
    segments = joins[joins["quantity"] == "apc"]
    test = joins["selection"].iloc[0]
    if len(segments) == 1:
        row = segments.iloc[0]
        return (
            f"With the reform's step in the model, the permutation test does not support a "
            f"change of slope ({test}), so the joinpoint model is that trend (bootstrap "
            f"interval {signed(row['ci_low'])} to {signed(row['ci_upp'])})"
        )
    where = joins[joins["quantity"] == "join_year"].iloc[0]
    return (
        f"With the reform's step in the model, the permutation test supports a change of "
        f"slope ({test}) at {where['estimate']:.1f} ({level}% interval "
        f"{where['ci_low']:.1f}–{where['ci_upp']:.1f}): {apc_text(segments.iloc[0])} before "
        f"and {apc_text(segments.iloc[-1])} after"
    )


def _turn(joins: pd.DataFrame, level: str) -> str:
    """The In-brief clause on when the trend turned, from the joinpoint search."""
    where = joins[joins["quantity"] == "join_year"]
    if where.empty:
        return (
            "once the change of counting at the 2018 reform is in the model, the series is "
            "too short and too variable to say when, or whether, the trend turned"
        )
    row = where.iloc[0]
    return (
        f"with the change of counting at the 2018 reform in the model, the trend turned at "
        f"about {row['estimate']:.1f} ({level}% interval "
        f"{row['ci_low']:.1f}–{row['ci_upp']:.1f})"
    )


def variables(tables: dict[str, pd.DataFrame], level: str) -> dict:
    """Everything the trends chapter's prose looks up, under `trends.`; `level` is the
    confidence level of its intervals ('95')."""
    models, joins = tables["models"], tables["joinpoints"]
    forecasts, contrasts = tables["forecasts"], tables["contrasts"]
    backtest = tables["backtest"]
    total = joins[joins["series"] == "notifications_total"]
    by_quantity = total.set_index("quantity")
    exact = contrasts[contrasts["method"] == "exact_conditional"]
    nonfatal = exact[exact["contrast"].str.startswith("non-fatal")].set_index("end")
    rapid = exact[exact["contrast"].str.startswith("rapid")].iloc[0]
    share = tables["harm_share"].iloc[0]
    fc = forecasts[forecasts["series"] == "notifications_total"].set_index("model")
    chosen = fc[fc["chosen"]]
    shown = chosen.iloc[0] if len(chosen) else fc.loc["naive"]
    naive = fc.loc["naive"]
    inner, outer = interval_levels(forecasts)
    total_bt = backtest[backtest["series"] == "notifications_total"].set_index("model")
    trend = total_bt.loc["trend_step"]
    short = backtest.groupby("series", sort=False)["n_forecasts"].max()
    out = {
        "total_model": MODELS[primary(models, "notifications_total")["model"]],
        "total_dispersion": f"{primary(models, 'notifications_total')['dispersion']:.1f}",
        "total_apc": apc_text(primary(models, "notifications_total")),
        "total_joinpoint": joinpoint_sentence(total, level),
        "total_turn": _turn(total, level),
        "total_step": ratio_text(by_quantity.loc["step_irr"]),
        "total_aapc": apc_text(by_quantity.loc["aapc"]),
        "deaths_apc": apc_text(primary(models, "notifications_deaths")),
        "harm_apc": apc_text(primary(models, "notifications_serious_harm")),
        "harm_dispersion": f"{primary(models, 'notifications_serious_harm')['dispersion']:.1f}",
        "scr_apc": apc_text(primary(models, "scr_national_analyses")),
        "scr_model": MODELS[primary(models, "scr_national_analyses")["model"]],
        "nonfatal_low": ratio_text(nonfatal.loc["low"]),
        "nonfatal_high": ratio_text(nonfatal.loc["high"]),
        # the earlier period's rate a year at each end of its printed range
        "nonfatal_low_base": _base_rate(nonfatal.loc["low"]),
        "nonfatal_high_base": _base_rate(nonfatal.loc["high"]),
        "rapid_irr": ratio_text(rapid),
        "rapid_fall": f"{100 * (1 - rapid['estimate']):.0f}",
        "harm_share_or": ratio_text(share),
        "forecast_label": shown["period_label"],
        "forecast_model": IN_PROSE[str(shown.name)],
        "forecast_why": (
            "The forecast shown is the one that did best"
            if len(chosen)
            else f"No model is chosen ({shown['choice']}), so the naive forecast is shown"
        ),
        "forecast_total": f"{shown['estimate']:.0f}",
        "pi_inner": inner,
        "pi_outer": outer,
        "forecast_total_pi_inner": _interval(shown, inner),
        "forecast_total_pi_outer": _interval(shown, outer),
        "forecast_naive": f"{naive['estimate']:.0f}",
        "forecast_naive_pi_inner": _interval(naive, inner),
        "forecast_naive_pi_outer": _interval(naive, outer),
        "backtest_n_total": str(int(total_bt["n_forecasts"].max())),
        "backtest_common_total": str(len(str(total_bt["common_targets"].dropna().iloc[0]).split())),
        "backtest_mase_shown": f"{total_bt.loc[shown.name, 'mase_common']:.2f}",
        "backtest_mase_trend": f"{total_bt.loc['trend_step', 'mase_common']:.2f}",
        "backtest_mase_naive": f"{total_bt.loc['naive', 'mase_common']:.2f}",
        "backtest_cover_inner_trend": f"{trend[f'coverage_{inner}'] * 100:.0f}",
        "backtest_cover_outer_trend": f"{trend[f'coverage_{outer}'] * 100:.0f}",
        "backtest_too_short": str(int((short == 0).sum())),
        "backtest_series": str(len(short)),
    }
    return {"trends": out}


def _base_rate(row: pd.Series) -> str:
    """The comparison period's count a year: '30'."""
    return f"{row['count_b'] / row['exposure_b']:g}"


def interval_levels(forecasts: pd.DataFrame) -> tuple[str, str]:
    """The two prediction-interval levels of the forecasts, inner first, read from the
    table's columns (`pi80_low`, `pi95_low`: '80', '95'): the text follows the table."""
    levels = [m[1] for c in forecasts.columns if (m := re.fullmatch(r"pi(\d+)_low", c))]
    inner, outer = sorted(levels, key=int)
    return inner, outer


def _interval(row: pd.Series, level: str) -> str:
    return f"{row[f'pi{level}_low']:.0f}–{row[f'pi{level}_upp']:.0f}"


def _ci(row: pd.Series) -> str:
    if pd.isna(row.get("estimate")):
        return ""
    return apc_text(row).replace("% a year", "")


def _estimate_text(row: pd.Series) -> str:
    """A joinpoint row's estimate and interval in its own units."""
    if row["quantity"] == "join_year":
        return f"{row['estimate']:.2f} ({row['ci_low']:.1f} to {row['ci_upp']:.1f})"
    if row["quantity"] == "step_irr":
        return f"×{ratio_text(row)}"
    return _ci(row)


def _forecast_model(row: pd.Series, forecasts: pd.DataFrame) -> str:
    """The model's name, marked if chosen; the naive one of a series with no choice
    says why none was chosen."""
    name = model_label(row["model"])
    if row["chosen"]:
        return f"{name} (chosen)"
    series = forecasts[forecasts["series"] == row["series"]]
    if row["model"] == "naive" and not series["chosen"].any():
        return f"{name} ({row['choice']})"
    return name


def _percent(x: float) -> str:
    return "" if pd.isna(x) else f"{100 * x:.0f}%"


def fragments(tables: dict[str, pd.DataFrame], level: str) -> dict[str, str]:
    """The chapter's tables as Markdown; `level` is the confidence level ('95')."""
    inner, outer = interval_levels(tables["forecasts"])
    models, joins = tables["models"], tables["joinpoints"]
    forecasts, contrasts = tables["forecasts"], tables["contrasts"]
    backtest = tables["backtest"]
    judged = backtest[backtest.groupby("series")["n_forecasts"].transform("max") > 0]
    too_short = [s for s in backtest["series"].unique() if s not in set(judged["series"])]
    part = {"apc": "segment", "aapc": "whole period (AAPC)", "join_year": "join (year)"}
    return {
        "tbl_trend_models.md": markdown_table(
            pd.DataFrame(
                {
                    "Series": [label(s) for s in models["series"]],
                    "Model": [MODELS[m] for m in models["model"]],
                    "Role": [ROLES[r] for r in models["role"]],
                    f"Change a year, % ({level}% CI)": [_ci(r) for _, r in models.iterrows()],
                    "AIC": ["" if pd.isna(a) else f"{a:.1f}" for a in models["aic"]],
                    "Pearson χ²/df": [f"{x:.2f}" for x in models["pearson_chi2_df"]],
                    "Note": models["note"].fillna(""),
                }
            ),
            "Trend models per series, each with a log offset for the period's length and a "
            "step at the 2018 reform where a series spans it. Quasi-Poisson (the Poisson "
            "estimates, standard errors scaled by the Pearson dispersion, t intervals) is the "
            "primary model for every series; the negative binomial is a sensitivity analysis "
            "and Poisson is shown for reference only. No pre-test chooses between them.",
            "trend-models",
            "lllrrrl",
            [4, 3, 2, 4, 1, 1, 3],
        ),
        "tbl_trend_joinpoints.md": markdown_table(
            pd.DataFrame(
                {
                    "Series": [label(s) for s in joins["series"]],
                    "Part": [
                        f"segment {s}" if q == "apc" else part.get(q, "reform step (rate ratio)")
                        for s, q in zip(joins["segment"], joins["quantity"], strict=True)
                    ],
                    "From": ["" if pd.isna(x) else f"{x:.1f}" for x in joins["start"]],
                    "To": ["" if pd.isna(x) else f"{x:.1f}" for x in joins["end"]],
                    f"Estimate ({level}% interval)": [
                        _estimate_text(r) for _, r in joins.iterrows()
                    ],
                    "MC error of the limits": [
                        "" if pd.isna(lo) else f"{lo:.2f}, {hi:.2f}"
                        for lo, hi in zip(joins["mc_se_low"], joins["mc_se_upp"], strict=True)
                    ],
                }
            ),
            "Joinpoint regression (quasi-Poisson, a step at the 2018 reform, joins at "
            "continuous positions, the number of joins chosen by permutation test): annual "
            "percent change per segment, the average annual percent change, and the reform's "
            "step, with parametric bootstrap intervals that re-estimate the join; the Monte "
            "Carlo standard error of each limit is given. "
            + " ".join(
                f"{label(s)}: {t}."
                for s, t in joins.drop_duplicates("series")[["series", "selection"]].itertuples(
                    index=False
                )
            ),
            "trend-joinpoints",
            "llrrrr",
            [4, 3, 1, 1, 4, 2],
        ),
        "tbl_trend_contrasts.md": markdown_table(
            pd.DataFrame(
                {
                    "Contrast": contrasts["contrast"],
                    "End of range": contrasts["end"].fillna(""),
                    "Counts": [
                        f"{a:.0f} in {ea:g} y vs {b:.0f} in {eb:g} y"
                        for a, ea, b, eb in zip(
                            contrasts["count_a"],
                            contrasts["exposure_a"],
                            contrasts["count_b"],
                            contrasts["exposure_b"],
                            strict=True,
                        )
                    ],
                    "Method": [m.replace("_", " ") for m in contrasts["method"]],
                    f"Rate ratio ({level}% CI)": [ratio_text(r) for _, r in contrasts.iterrows()],
                }
            ),
            "Incidence rate ratios for the contrasts in the text, with Wald and exact "
            "conditional (binomial) intervals; a printed range is carried through at both ends.",
            "trend-contrasts",
            "lllll",
            [5, 1, 4, 2, 3],
        ),
        "tbl_trend_backtest.md": markdown_table(
            pd.DataFrame(
                {
                    "Series": [label(s) for s in judged["series"]],
                    "Model": [model_label(m) for m in judged["model"]],
                    "Forecasts": judged["n_forecasts"].astype(int),
                    f"{inner}% PI covered": [_percent(x) for x in judged[f"coverage_{inner}"]],
                    f"{outer}% PI covered": [_percent(x) for x in judged[f"coverage_{outer}"]],
                    "MASE": ["" if pd.isna(x) else f"{x:.2f}" for x in judged["mase"]],
                    "MASE, shared years": [
                        "" if pd.isna(x) else f"{x:.2f}" for x in judged["mase_common"]
                    ],
                    "Note": judged["note"].fillna(""),
                }
            ),
            "Rolling-origin backtest: each model fitted to the years before each year that has "
            "at least five earlier years, forecasting that year; the share of its "
            f"{inner}% and {outer}% prediction intervals that held the count, and its mean "
            "absolute scaled error "
            "(MASE: absolute error over the mean absolute one-year change in the years "
            "fitted; below one beats that change). 'Shared years' are those forecast by every "
            "model that could forecast at all: the basis for choosing the forecast shown. "
            "With two to five forecasts a series, coverage is measured very roughly. Too "
            "short to backtest: " + ", ".join(label(s) for s in too_short) + ".",
            "trend-backtest",
            "llrrrrrl",
            [4, 4, 1, 1, 1, 1, 1, 3],
        ),
        "tbl_trend_forecasts.md": markdown_table(
            pd.DataFrame(
                {
                    "Series": [label(s) for s in forecasts["series"]],
                    "Year": forecasts["period_label"],
                    "Model": [_forecast_model(r, forecasts) for _, r in forecasts.iterrows()],
                    "Forecast": [f"{e:.0f}" for e in forecasts["estimate"]],
                    f"{inner}% PI": [_interval(r, inner) for _, r in forecasts.iterrows()],
                    f"{outer}% PI": [_interval(r, outer) for _, r in forecasts.iterrows()],
                    "Backtest MASE": [
                        "not backtested" if n == 0 else ("" if pd.isna(m) else f"{m:.2f}")
                        for n, m in zip(
                            forecasts["backtest_n"], forecasts["backtest_mase_common"], strict=True
                        )
                    ],
                }
            ),
            "Next year's count by each candidate model: extrapolations, not predictions of "
            "policy or practice. Prediction intervals (PI) simulate the model's parameters, "
            "its dispersion and the count's own variation (fixed seed); the Monte Carlo "
            "standard error of a limit is at most "
            f"{forecasts.filter(like='_mcse').to_numpy().max():.1f}. The model chosen for "
            "each series has the lowest backtest MASE over the shared years "
            "(@tbl-trend-backtest), where they are enough to tell the models apart; where "
            "they are too few, or the series is too short to backtest, none is chosen and the "
            "naive forecast is the one to read.",
            "trend-forecasts",
            "lllrrrr",
            [4, 1, 4, 1, 2, 2, 2],
        ),
    }
