"""The bruising chapter's numbers and tables, from the bruising results tables.

`tables` maps a short name to a results table: base_rates, audit, disagreements,
pooled, leave_one_out, subgroups, period, scenarios, ppv, one_way, monte_carlo.
`inputs` is the configuration of the analysis (every input with its source).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from triennial.analysis.bruising_terms import (
    EXACT,
    GLMM,
    MC_QUANTILES,
    MIN_PREDICTION_STUDIES,
    PI_NOTE,
    POOLED,
    pooled_result,
)
from triennial.data import labels
from triennial.data.labels import METHOD_NAMES_SHORT as METHODS
from triennial.report.formatting import ci, count, pct
from triennial.report.markdown import markdown_table
from triennial.report.numbers import input_source

SCALES = {"logit": "logit", "freeman_tukey": "Freeman–Tukey (halved, metafor's PFT)"}
UNIT_WORDS = {
    "point": "bruised on one day",
    "period": "bruised in a year",
    "episodes": "bruising episodes",
}
MODELS = {GLMM: "binomial–normal GLMM (ML)"}  # the inverse-variance ones by their tau² method


def level(tables: dict[str, pd.DataFrame]) -> str:
    """The confidence level of the chapter's intervals ('95'), from the alpha they used."""
    return labels.confidence(tables["pooled"]["alpha"].iloc[0])


def _pooled_text(pooled: pd.DataFrame, pool: str, method: str) -> str:
    """An estimate with its interval ('1.14% (95% CI 0.73–1.75)'), one pool on the logit scale."""
    row = pooled_result(pooled, {"scale": "logit", "method": method}, pool)
    shown = labels.confidence(row["alpha"])
    return f"{pct(row['estimate'], 2)}% ({shown}% CI {ci(row['ci_low'], row['ci_upp'], 2)})"


def variables(tables: dict[str, pd.DataFrame], inputs: dict, interval_method: str) -> dict:
    """Everything the bruising chapter's prose looks up, under `bruising.`.

    `interval_method` is the configured per-study interval (prevalence.method).
    """
    pooling, implications = inputs["pooling"], inputs["implications"]
    scale, method = pooling["main"]["scale"], pooling["main"]["method"]
    pool = pooled_result(tables["pooled"], pooling["main"])
    rates = tables["base_rates"]
    rates = rates[rates["method"] == interval_method].set_index("row_id")
    scenarios = tables["scenarios"]
    pooled_rows = scenarios[scenarios["scenario"] == POOLED]
    episodes = pooled_rows[pooled_rows["unit"] == "episodes"].set_index("visible_days")
    by_unit = pooled_rows.drop_duplicates("unit").set_index("unit")
    day1 = episodes.iloc[0]
    ppv = tables["ppv"].set_index("scenario")
    mc = tables["monte_carlo"].set_index("output")
    period = tables["period"]
    kemp = inputs["period"]
    at_k = period[period["observations"] == kemp["observations"]["value"]].iloc[0]
    audit = tables["audit"].set_index("row_id")
    out = {
        "pool_scale": SCALES[scale],
        "pool_method": method,
        "pool_k": str(int(pool["k"])),
        "pool_count": count(pool["count"]),
        "pool_nobs": count(pool["nobs"]),
        "pool_pct": pct(pool["estimate"], 2),
        "pool_ci": ci(pool["ci_low"], pool["ci_upp"], 2),
        "pool_tau2": f"{pool['tau2']:.3f}",
        "pool_lrt_p": "1" if pool["lrt_p"] >= 0.9995 else f"{pool['lrt_p']:.3f}",
        "pool_rows": str(len(pool["rows"].split())),
        "min_pi_studies": str(MIN_PREDICTION_STUDIES),
        "pool_dl": _pooled_text(tables["pooled"], "main", "DL"),
        "pool_unverified": _pooled_text(tables["pooled"], "unverified", pooling["main"]["method"]),
        "pool_all": _pooled_text(tables["pooled"], "all", pooling["main"]["method"]),
        "threshold": f"{implications['threshold']['value']:,.0f}",
        "infants": f"{implications['infants']['value']:,.0f}",
        "plans": f"{implications['plans_per_year']['value']:,.0f}",
        "rate_low": pct(implications["base_rate"]["low"]),
        "rate_high": pct(implications["base_rate"]["high"]),
        "bruised_pooled": f"{day1['base_rate'] * day1['infants']:,.0f}",
        "ratio_point": f"{by_unit.loc['point', 'ratio']:,.0f}",
        "ratio_period": f"{by_unit.loc['period', 'ratio']:,.0f}",
        "ratio_episodes_1": f"{day1['ratio']:,.0f}",
        "ratio_episodes_1_holds": "holds" if day1["holds"] else "does not hold",
        "ratio_episodes_long": f"{episodes.iloc[-1]['ratio']:,.0f}",
        "long_days": f"{episodes.index[-1]:g}",
        "break_even_rate": pct(day1["min_base_rate"], 2),
        "break_even_plans": f"{day1['max_plans_per_year']:,.0f}",
        "break_even_rate_long": pct(episodes.iloc[-1]["min_base_rate"], 2),
        "break_even_days": f"{day1['max_visible_days']:.1f}",
        "ppv_pooled": pct(ppv.loc[POOLED, "ppv"]),
        "ppv_lowest": pct(ppv["ppv"].max()),
        "ppv_highest": pct(ppv["ppv"].min()),
        "prior": pct(implications["prior"]["value"], 2),
        "sensitivity": pct(implications["sensitivity"]["value"], 0),
        "mc_draws": f"{int(mc.loc['ratio_episodes', 'draws']):,}",
        "mc_median": f"{mc.loc['ratio_episodes', 'median']:,.0f}",
        "mc_median_mcse": f"{mc.loc['ratio_episodes', 'median_mcse']:,.0f}",
        "mc_interval": (
            f"{mc.loc['ratio_episodes', 'q025']:,.0f}–{mc.loc['ratio_episodes', 'q975']:,.0f}"
        ),
        "mc_share": pct(mc.loc["ratio_episodes", "share"], 1),
        "mc_share_mcse": pct(mc.loc["ratio_episodes", "share_mcse"], 1),
        "mc_q975_period": f"{mc.loc['ratio_period', 'q975']:,.0f}",
        "mc_q975_point": f"{mc.loc['ratio_point', 'q975']:,.0f}",
        "kemp_weekly": pct(kemp["weekly_point_prevalence"]["value"]),
        "kemp_k": f"{kemp['observations']['value']:g}",
        "kemp_observed": pct(kemp["observed_period_prevalence"]["value"], 0),
        "independent_at_k": pct(at_k["independent"], 0),
        "matched_rho": f"{at_k['matched_rho']:.2f}",
        "sugar_pct": pct(rates.loc["sugar_under_6m", "estimate"]),
        "sugar_ci": ci(
            rates.loc["sugar_under_6m", "ci_low"], rates.loc["sugar_under_6m", "ci_upp"]
        ),
        "pierce_pct": pct(rates.loc["pierce_5m_or_less", "estimate"]),
        "pierce_ci": ci(
            rates.loc["pierce_5m_or_less", "ci_low"], rates.loc["pierce_5m_or_less", "ci_upp"]
        ),
        "kemp_obs_pct": pct(rates.loc["kemp_premobile_obs", "estimate"]),
        "kemp_obs_ci": ci(
            rates.loc["kemp_premobile_obs", "ci_low"], rates.loc["kemp_premobile_obs", "ci_upp"]
        ),
        "audit_talk_nobs": str(audit.loc["talk_no_definition", "nobs"]),
        "audit_paper_nobs": str(audit.loc["paper_section_47", "nobs"]),
        "audit_no_definition": str(audit.loc["talk_no_definition", "count"]),
        "audit_no_definition_pct": pct(audit.loc["talk_no_definition", "estimate"]),
        "audit_s47_talk": str(audit.loc["talk_immediate_s47", "count"]),
        "audit_s47_paper": str(audit.loc["paper_section_47", "count"]),
        "audit_strategy_talk": str(audit.loc["talk_strategy_meeting", "count"]),
        "audit_strategy_paper": str(audit.loc["paper_strategy", "count"]),
    }
    return {"bruising": out}


def printed_variables(studies: pd.DataFrame) -> dict:
    """Where a study's printed percentage and its counts disagree: both, for the prose."""
    sugar = studies.set_index("row_id").loc["sugar_under_6m"]
    return {
        "sugar_printed": sugar["percent_printed"],
        "sugar_count": count(sugar["count"]),
        "sugar_nobs": count(sugar["nobs"]),
        "sugar_exact": pct(sugar["count"] / sugar["nobs"], 2),
        # the Monte Carlo interval runs between the 2.5th and 97.5th percentiles
        "mc_central": pct(MC_QUANTILES[1] - MC_QUANTILES[0], 0),
    }


def fragments(
    tables: dict[str, pd.DataFrame], inputs: dict, studies: pd.DataFrame, interval_method: str
) -> dict:
    """The chapter's tables as Markdown; per-study intervals by `interval_method`."""
    labels = {name: spec["label"] for name, spec in inputs["pooling"]["sensitivity"].items()}
    labels = {"main": "main"} | {name: f"{name}: {label}" for name, label in labels.items()}
    shown = METHODS[interval_method]
    both = shown if interval_method == EXACT else f"{shown} and {METHODS[EXACT]}"
    confidence = level(tables)
    age = inputs["pooling"]["criteria"].get("age_range", "of any age").replace("-", "–")
    return {
        "tbl_bruising_studies.md": markdown_table(
            study_table(tables["base_rates"], studies, interval_method),
            "Base rates of bruising in infants, per study and subgroup: the unit counted, "
            f"design, setting and the rate with its {both} {confidence}% intervals. "
            "'second-hand, not verified': quoted by another source and not checked against "
            "the study.",
            "bruising-studies",
            "llllrrr",
            [5, 2, 2, 2, 2, 3, 3],
        ),
        "tbl_bruising_selection.md": markdown_table(
            selection_table(tables["selection"], labels),
            "Which study rows were pooled, chosen by the data's own flags: the main pool "
            "takes rows verified against the primary study, children counted once each at "
            f"a single examination, pre-mobile and aged {age}, one row per study; each "
            "sensitivity pool relaxes some of these ("
            + "; ".join(f"{name}: {label}" for name, label in labels.items())
            + ").",
            "bruising-selection",
            "llll",
            [4, 1, 2, 6],
        ),
        "tbl_bruising_pooled.md": markdown_table(
            pooled_table(tables["pooled"], labels, confidence),
            "Pooled base rate: the binomial–normal GLMM (the primary model; Wald interval) "
            "and, as sensitivity analyses, inverse-variance random-effects pooling (for the "
            "main pool on each scale with each between-study variance estimator; for the "
            "sensitivity pools DerSimonian–Laird on the logit scale) with Hartung–Knapp–"
            "Sidik–Jonkman intervals. τ² is on its model's scale: logit, or metafor's halved "
            "Freeman–Tukey (PFT). I² from each model's own τ². (k) is the number of studies.",
            "bruising-pooled",
            "lllrrrr",
            [4, 2, 2, 3, 3, 1, 2],
        ),
        "tbl_bruising_loo.md": markdown_table(
            leave_one_out_table(tables["leave_one_out"], inputs, confidence),
            "Leave-one-out: the main pool without each study in turn.",
            "bruising-loo",
            "lrrr",
            [5, 2, 3, 2],
        ),
        "tbl_bruising_subgroups.md": markdown_table(
            subgroup_table(tables["subgroups"], inputs, confidence),
            f"Subgroups of the widest pool ({labels[widest_pool(tables['subgroups'])]}): "
            "each subgroup pooled on its own (inverse-variance, "
            f"{subgroup_model(inputs)}, {confidence}% CI), and the test of the difference between "
            "subgroups by meta-regression with one common τ², or why it cannot be tested. "
            "(k) is the number of studies.",
            "bruising-subgroups",
            "llrl",
            [2, 3, 3, 5],
        ),
        "tbl_bruising_assumptions.md": markdown_table(
            assumptions_table(inputs),
            "Inputs of the implication analysis, with the ends used in the sensitivity "
            "analyses: a published figure is cited with its locator and status (the raw "
            "data hold its quote); an assumption says who makes it and why. The base rate row "
            "is the claim's published range; the analyses use the pooled estimate instead.",
            "bruising-assumptions",
            "lrrrl",
            [3, 1, 1, 1, 6],
        ),
        "tbl_bruising_scenarios.md": markdown_table(
            scenario_table(tables["scenarios"], inputs),
            "Accidental bruising per child protection plan at each pooled study's rate and at "
            "the pooled estimate, in each counting unit (infants bruised on one day, infants "
            "bruised at least once in a year, bruising episodes visible for the days shown); "
            "whether the talk's ratio holds, and the break-even base rate and number of "
            "plans. 'none ≤ 100%': no base rate reaches the ratio in that unit.",
            "bruising-scenarios",
            "lrlrrlrr",
            [3, 2, 2, 1, 2, 1, 2, 2],
        ),
        "tbl_bruising_monte_carlo.md": markdown_table(
            monte_carlo_table(tables["monte_carlo"], inputs["implications"]["threshold"]["value"]),
            "Monte Carlo analysis of accidental bruising per plan in each counting unit: the "
            "base rate drawn from the pooled estimate's sampling distribution, the other "
            "inputs uniform between their ends; each figure ± its Monte Carlo standard error.",
            "bruising-monte-carlo",
            "lrrrr",
            [3, 2, 2, 2, 2],
        ),
        "tbl_bruising_audit.md": markdown_table(
            audit_table(tables["audit"], confidence),
            "What local procedures say about bruising in pre-mobile infants, from two "
            f"reports of the same audit, with {confidence}% {shown} intervals. Where both report a "
            "measure, the counts differ and both are shown.",
            "bruising-audit",
            "llrr",
            [4, 3, 1, 3],
        ),
    }


def study_table(rates: pd.DataFrame, studies: pd.DataFrame, method: str) -> pd.DataFrame:
    """One row per study: counts, the `method` interval and the exact one beside it."""
    wide = rates.pivot_table(
        index="row_id", columns="method", values=["ci_low", "ci_upp"], aggfunc="first"
    )
    one = rates[rates["method"] == method].set_index("row_id")
    info = studies.set_index("row_id")
    rows = []
    for row_id in one.index:
        r, s = one.loc[row_id], info.loc[row_id]
        status = "second-hand, not verified" if not s["verified"] else s["count_status"]
        n = count(r["count"]) if pd.notna(r["count"]) else f"{int(r['count_min'])} (derived)"
        rows.append(
            {
                "Study, subgroup": study_label(s),
                "Unit": s["unit"],
                "Setting": s["setting"],
                "Count": status.replace("_", " "),
                labels.COUNT_OF_NOBS: f"{n}/{count(r['nobs'])}",
                f"% ({METHODS[method]})": (
                    f"{pct(r['estimate'])} ({ci(r['ci_low'], r['ci_upp'])})"
                ),
                f"% ({METHODS[EXACT]})": ci(
                    wide.loc[row_id, ("ci_low", EXACT)], wide.loc[row_id, ("ci_upp", EXACT)]
                ),
            }
        )
    table = pd.DataFrame(rows)
    return table.loc[:, ~table.columns.duplicated()]  # the exact method shows once


def pooled_table(pooled: pd.DataFrame, labels: dict, confidence: str) -> pd.DataFrame:
    """Each pool by each model: the GLMM first, then inverse variance on each scale.

    tau² is on the scale of its model (logit, or the halved double arcsine). The
    prediction interval is shown only from MIN_PREDICTION_STUDIES studies on.
    """

    def interval(row):
        if row["k"] < MIN_PREDICTION_STUDIES or pd.isna(row["pi_low"]):
            return PI_NOTE.removeprefix("prediction interval ")
        return ci(row["pi_low"], row["pi_upp"])

    rows = []
    # every model for the main pool; the GLMM and logit DL for the sensitivity pools
    shown = (pooled["pool"] == "main") | (pooled["method"] == GLMM)
    shown |= (pooled["scale"] == "logit") & (pooled["method"] == "DL")
    for _, r in pooled[shown].iterrows():
        glmm = r["method"] == GLMM
        model = MODELS[GLMM] if glmm else f"{r['method']}{', HKSJ' if r['hksj'] else ''}"
        rows.append(
            {
                "Pool": f"{labels.get(r['pool'], r['pool'])} ({int(r['k'])})",
                "Model": model,
                "Scale": SCALES[r["scale"]],
                f"% ({confidence}% CI)": (
                    f"{pct(r['estimate'], 2)} ({ci(r['ci_low'], r['ci_upp'], 2)})"
                ),
                "Prediction interval": "–" if glmm else interval(r),
                "I² %": "" if pd.isna(r["i2"]) else pct(r["i2"], 0),
                "τ² (scale)": f"{r['tau2']:.4f} ({'logit' if r['scale'] == 'logit' else 'PFT'})",
            }
        )
    return pd.DataFrame(rows)


def selection_table(selection: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """Every study row with a count or a figure: the pools that took it, or why not."""
    pools = [c for c in labels if c in selection.columns]
    return pd.DataFrame(
        {
            "Study, subgroup": [
                f"{s}, {g}" for s, g in zip(selection["study"], selection["subgroup"], strict=True)
            ],
            "Main pool": ["yes" if m else "no" for m in selection["main"]],
            "Sensitivity pools": [
                ", ".join(p for p in pools if row[p]) or "–" for _, row in selection.iterrows()
            ],
            "Why not in the main pool": [
                "–" if m else reason
                for m, reason in zip(selection["main"], selection["reason"], strict=True)
            ],
        }
    )


def monte_carlo_table(mc: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Each unit's Monte Carlo summary with its Monte Carlo standard errors (±)."""
    rows = mc[mc["output"].str.startswith("ratio_")]

    def with_error(name):
        return [
            f"{v:,.0f} ± {e:.2g}" for v, e in zip(rows[name], rows[f"{name}_mcse"], strict=True)
        ]

    return pd.DataFrame(
        {
            "Unit": [UNIT_WORDS[o.removeprefix("ratio_")] for o in rows["output"]],
            "Median": with_error("median"),
            f"{100 * MC_QUANTILES[0]:g}%": with_error("q025"),
            f"{100 * MC_QUANTILES[1]:g}%": with_error("q975"),
            f"% of draws ≥ {threshold:,.0f}": [
                f"{pct(v, 1)} ± {100 * e:.2g}"
                for v, e in zip(rows["share"], rows["share_mcse"], strict=True)
            ],
        }
    )


def leave_one_out_table(loo: pd.DataFrame, inputs: dict, confidence: str) -> pd.DataFrame:
    """The main pool without each study in turn, on the main result's scale and method."""
    scale, method = inputs["pooling"]["main"]["scale"], inputs["pooling"]["main"]["method"]
    rows = loo[(loo["scale"] == scale) & (loo["method"] == method)]
    if rows.empty:  # a main pool of one study has no leave-one-out
        return pd.DataFrame({"Without": [], "%": [], f"{confidence}% CI": [], "τ²": []})
    return pd.DataFrame(
        {
            "Without": rows["omitted"],
            "%": [pct(e, 2) for e in rows["estimate"]],
            f"{confidence}% CI": [
                ci(lo, up, 2) for lo, up in zip(rows["ci_low"], rows["ci_upp"], strict=True)
            ],
            "τ²": [f"{t:.3f}" for t in rows["tau2"]],
        }
    )


def widest_pool(groups: pd.DataFrame) -> str:
    """The pool the subgroups were fitted in (the widest)."""
    return groups["pool"].iloc[0]


def subgroup_choice(inputs: dict) -> tuple[str, str]:
    """Scale and tau² method the subgroup table shows: the main scale, the first method."""
    pooling = inputs["pooling"]
    return pooling["main"]["scale"], pooling["tau2_methods"][0]


def subgroup_model(inputs: dict) -> str:
    scale, method = subgroup_choice(inputs)
    hksj = ", HKSJ" if inputs["pooling"]["hksj"] else ""
    return f"{method}{hksj}, {SCALES[scale]} scale"


def difference_test(r: pd.Series) -> str:
    """The subgroup-difference test in words: the statistic and p, or why not testable."""
    if isinstance(r["test_note"], str) and r["test_note"]:
        return r["test_note"]
    if np.isfinite(r["test_df2"]):
        stat = f"F({int(r['test_df'])}, {int(r['test_df2'])}) = {r['test_statistic']:.2f}"
    else:
        stat = f"χ²({int(r['test_df'])}) = {r['test_statistic']:.2f}"
    return f"{stat}, p = {r['test_p']:.3f}"


def subgroup_table(groups: pd.DataFrame, inputs: dict, confidence: str) -> pd.DataFrame:
    """Each subgroup's pooled rate and, on its variable's first row, the difference test."""
    scale, method = subgroup_choice(inputs)
    rows = []
    seen = set()
    for _, r in groups[(groups["scale"] == scale) & (groups["method"] == method)].iterrows():
        first = r["variable"] not in seen
        seen.add(r["variable"])
        interval = (
            ci(r["ci_low"], r["ci_upp"], 2)
            if pd.notna(r["ci_low"])
            else "one study: no pooled interval"
        )
        rows.append(
            {
                "Subgroups by": r["variable"] if first else "",
                "Subgroup (k)": f"{r['subgroup']} ({int(r['k'])})",
                f"% ({confidence}% CI)": f"{pct(r['estimate'], 2)} ({interval})",
                "Difference between subgroups": difference_test(r) if first else "",
            }
        )
    return pd.DataFrame(rows)


def study_label(s: pd.Series) -> str:
    """The study cited author-year, and the publication that quotes it when second-hand."""
    if pd.isna(s["primary_source"]) or not s["primary_source"]:
        return f"@{s['source']}, {s['subgroup']}"
    return f"@{s['primary_source']}, {s['subgroup']}, as quoted by @{s['source']}"


def assumptions_table(inputs: dict) -> pd.DataFrame:
    """Every input of the implication analysis: its value and ends, and where each comes
    from (a cited raw row, or who assumes it and why)."""
    rows = []
    for section in ("implications", "period"):
        for name, spec in inputs[section].items():
            if isinstance(spec, dict):
                rows.append(
                    {
                        "Input": labels.model_input(name),
                        "Value": f"{spec['value']:g}",
                        "Low": "" if "low" not in spec else f"{spec['low']:g}",
                        "High": "" if "high" not in spec else f"{spec['high']:g}",
                        "Source": input_source(spec),
                    }
                )
    return pd.DataFrame(rows)


def scenario_table(scenarios: pd.DataFrame, inputs: dict) -> pd.DataFrame:
    def rate(r):
        return "none ≤ 100%" if not r <= 1 else pct(r, 2)

    return pd.DataFrame(
        {
            "Base rate": scenarios["scenario"],
            "Rate %": [pct(r, 2) for r in scenarios["base_rate"]],
            "Unit": [UNIT_WORDS[u] for u in scenarios["unit"]],
            "Visible days": [
                f"{d:g}" if u != "point" else "–"
                for d, u in zip(scenarios["visible_days"], scenarios["unit"], strict=True)
            ],
            "Per plan": [f"{r:,.0f}" for r in scenarios["ratio"]],
            f"≥ {inputs['implications']['threshold']['value']:,.0f}?": [
                "yes" if h else "no" for h in scenarios["holds"]
            ],
            "Break-even rate %": [rate(r) for r in scenarios["min_base_rate"]],
            "Break-even plans": [f"{p:,.0f}" for p in scenarios["max_plans_per_year"]],
        }
    )


def audit_table(audit: pd.DataFrame, confidence: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "What the procedure says": [m.replace("_", " ") for m in audit["measure"]],
            "Source": [f"[@{key}]" for key in audit["source"]],
            labels.COUNT_OF_NOBS: [
                f"{n}/{d}" for n, d in zip(audit["count"], audit["nobs"], strict=True)
            ],
            f"% ({confidence}% CI)": [
                f"{pct(e)} ({ci(lo, up)})"
                for e, lo, up in zip(
                    audit["estimate"], audit["ci_low"], audit["ci_upp"], strict=True
                )
            ],
        }
    )
