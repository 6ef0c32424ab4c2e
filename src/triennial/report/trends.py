"""The trends chapter's numbers and tables, from the trends results tables.

`tables` maps a short name to a results table: models, joinpoints, forecasts,
contrasts, harm_share.
"""

from __future__ import annotations

import pandas as pd

from triennial.data import labels
from triennial.report.markdown import markdown_table

MODELS = {"poisson": "Poisson", "negbin": "negative binomial (NB2)"}


def signed(x: float) -> str:
    """A percent change with its sign: '+6.4', '−8.2'."""
    return f"{x:+.1f}".replace("-", "−")


def apc_text(row: pd.Series) -> str:
    """'+6.4% a year (+4.3 to +12.3)'."""
    return f"{signed(row['estimate'])}% a year ({signed(row['ci_low'])} to {signed(row['ci_upp'])})"


def ratio_text(row: pd.Series) -> str:
    return f"{row['estimate']:.2f} ({row['ci_low']:.2f}–{row['ci_upp']:.2f})"


def chosen(models: pd.DataFrame, series: str) -> pd.Series:
    return models[(models["series"] == series) & models["chosen"]].iloc[0]


def variables(tables: dict[str, pd.DataFrame]) -> dict:
    """Everything the trends chapter's prose looks up, under `trends.`."""
    models, joins = tables["models"], tables["joinpoints"]
    forecasts, contrasts = tables["forecasts"], tables["contrasts"]
    total = joins[joins["series"] == "notifications_total"].set_index("segment")
    exact = contrasts[contrasts["method"] == "exact_conditional"]
    nonfatal = exact[exact["contrast"].str.startswith("non-fatal")].set_index("end")
    rapid = exact[exact["contrast"].str.startswith("rapid")].iloc[0]
    fc = forecasts.set_index(["series", "quantity"])
    share = tables["harm_share"].iloc[0]
    out = {
        "total_model": MODELS[chosen(models, "notifications_total")["model"]],
        "total_join": f"{float(total.loc['1', 'end']):.0f}" if "1" in total.index else "",
        "total_apc_before": apc_text(total.loc["1"]),
        "total_apc_after": apc_text(total.loc["2"]) if "2" in total.index else "",
        "total_aapc": apc_text(total.loc["all"]),
        "deaths_apc": apc_text(chosen(models, "notifications_deaths")),
        "harm_apc": apc_text(chosen(models, "notifications_serious_harm")),
        "scr_apc": apc_text(chosen(models, "scr_national_analyses")),
        "scr_model": MODELS[chosen(models, "scr_national_analyses")["model"]],
        "nonfatal_low": ratio_text(nonfatal.loc["low"]),
        "nonfatal_high": ratio_text(nonfatal.loc["high"]),
        # the earlier period's rate a year at each end of its printed range
        "nonfatal_low_base": _base_rate(nonfatal.loc["low"]),
        "nonfatal_high_base": _base_rate(nonfatal.loc["high"]),
        "rapid_irr": ratio_text(rapid),
        "rapid_fall": f"{100 * (1 - rapid['estimate']):.0f}",
        "harm_share_or": ratio_text(share),
        "forecast_label": forecasts["period_label"].iloc[0],
        "forecast_total": f"{fc.loc[('notifications_total', 'count'), 'estimate']:.0f}",
        "forecast_total_pi": _interval(fc.loc[("notifications_total", "count")]),
        "forecast_total_ci": _interval(fc.loc[("notifications_total", "mean")]),
    }
    return {"trends": out}


def _base_rate(row: pd.Series) -> str:
    """The comparison period's count a year: '30'."""
    return f"{row['count_b'] / row['exposure_b']:g}"


def _interval(row: pd.Series) -> str:
    return f"{row['ci_low']:.0f}–{row['ci_upp']:.0f}"


def fragments(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The chapter's tables as Markdown."""
    models, joins = tables["models"], tables["joinpoints"]
    forecasts, contrasts = tables["forecasts"], tables["contrasts"]
    return {
        "tbl_trend_models.md": markdown_table(
            pd.DataFrame(
                {
                    "Series": [labels.SERIES.get(s, s) for s in models["series"]],
                    "Model": [MODELS[m] for m in models["model"]],
                    "Change a year, % (95% CI)": [
                        apc_text(r).replace("% a year", "") for _, r in models.iterrows()
                    ],
                    "AIC": [f"{a:.1f}" for a in models["aic"]],
                    "Pearson χ²/df": [f"{x:.2f}" for x in models["pearson_chi2_df"]],
                    "Overdispersion p": [
                        "" if pd.isna(p) else f"{p:.3f}" for p in models["overdispersion_p"]
                    ],
                    "Chosen": ["yes" if c else "" for c in models["chosen"]],
                }
            ),
            "Trend models per series: Poisson and negative binomial with a log offset for "
            "the period's length (and a step at the 2018 reform where a series spans it); "
            "the negative binomial is chosen when the Pearson test finds overdispersion and "
            "its AIC is lower.",
            "trend-models",
            "llrrrrl",
            [4, 3, 4, 1, 1, 2, 1],
        ),
        "tbl_trend_joinpoints.md": markdown_table(
            pd.DataFrame(
                {
                    "Series": [labels.SERIES.get(s, s) for s in joins["series"]],
                    "Segment": [
                        "whole period (AAPC)" if s == "all" else s for s in joins["segment"]
                    ],
                    "From": [f"{x:.1f}" for x in joins["start"]],
                    "To": [f"{x:.1f}" for x in joins["end"]],
                    "Change a year, % (95% CI)": [
                        apc_text(r).replace("% a year", "") for _, r in joins.iterrows()
                    ],
                }
            ),
            "Joinpoint regression (Poisson, number of joins chosen by BIC): annual percent "
            "change per segment and the average annual percent change, with parametric "
            "bootstrap intervals that re-estimate the joinpoint.",
            "trend-joinpoints",
            "llrrr",
            [4, 3, 1, 1, 4],
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
                    "Rate ratio (95% CI)": [ratio_text(r) for _, r in contrasts.iterrows()],
                }
            ),
            "Incidence rate ratios for the contrasts in the text, with Wald and exact "
            "conditional (binomial) intervals; a printed range is carried through at both ends.",
            "trend-contrasts",
            "lllll",
            [5, 1, 4, 2, 3],
        ),
        "tbl_trend_forecasts.md": markdown_table(
            pd.DataFrame(
                {
                    "Series": [labels.SERIES.get(s, s) for s in forecasts["series"]],
                    "Year": forecasts["period_label"],
                    "Interval of": [
                        "the mean" if q == "mean" else "the count" for q in forecasts["quantity"]
                    ],
                    "Forecast": [f"{e:.0f}" for e in forecasts["estimate"]],
                    "95% interval": [_interval(r) for _, r in forecasts.iterrows()],
                }
            ),
            "Forecast of next year's count: the interval of the expected count, and the wider "
            "prediction interval that includes the count's own year-to-year noise "
            "(simulation, fixed seed).",
            "trend-forecasts",
            "llllr",
            [4, 1, 2, 1, 2],
        ),
    }
