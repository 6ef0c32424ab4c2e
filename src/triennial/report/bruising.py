"""The bruising chapter's numbers and tables, from the bruising results tables.

`tables` maps a short name to a results table: base_rates, audit, disagreements,
pooled, leave_one_out, subgroups, period, scenarios, ppv, one_way, monte_carlo.
`inputs` is the configuration of the analysis (every input with its source).
"""

from __future__ import annotations

import pandas as pd

from triennial.analysis.bruising import pooled_result
from triennial.analysis.bruising_rates import EXACT
from triennial.data import labels
from triennial.data.labels import METHOD_NAMES_SHORT as METHODS
from triennial.report.formatting import ci, count, pct
from triennial.report.markdown import markdown_table

SCALES = {"logit": "logit", "freeman_tukey": "Freeman–Tukey"}


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
    unit = implications["unit"]
    pick = (scenarios["scenario"] == "published low end") & (scenarios["unit"] == unit)
    low_end = scenarios[pick].iloc[0]
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
        "pool_events": count(pool["events"]),
        "pool_n": count(pool["n"]),
        "pool_pct": pct(pool["estimate"]),
        "pool_ci": ci(pool["ci_low"], pool["ci_upp"]),
        "pool_pi": ci(pool["pi_low"], pool["pi_upp"]),
        "pool_i2": pct(pool["i2"], 0),
        "pool_rows": str(len(pool["rows"].split())),
        "threshold": f"{implications['threshold']:,.0f}",
        "infants": f"{implications['infants']['value']:,.0f}",
        "plans": f"{implications['plans_per_year']['value']:,.0f}",
        "rate_low": pct(implications["base_rate"]["low"]),
        "rate_high": pct(implications["base_rate"]["high"]),
        "bruised_low": f"{low_end['base_rate'] * low_end['infants']:,.0f}",
        "ratio_low": f"{low_end['ratio']:,.0f}",
        "ratio_low_holds": "holds" if low_end["holds"] else "does not hold",
        "break_even_rate": pct(low_end["min_base_rate"], 2),
        "break_even_plans": f"{low_end['max_plans_per_year']:,.0f}",
        "ppv_low": pct(ppv.loc["published low end", "ppv"]),
        "ppv_high": pct(ppv.loc["published high end", "ppv"]),
        "ppv_pooled": pct(ppv.loc["pooled estimate", "ppv"]),
        "prior": pct(implications["prior"]["value"], 2),
        "sensitivity": pct(implications["sensitivity"]["value"], 0),
        "mc_draws": f"{int(mc.loc['ratio', 'n']):,}",
        "mc_median": f"{mc.loc['ratio', 'median']:,.0f}",
        "mc_interval": f"{mc.loc['ratio', 'q025']:,.0f}–{mc.loc['ratio', 'q975']:,.0f}",
        "mc_share": pct(mc.loc["ratio", "share"], 0),
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
        "audit_talk_n": str(audit.loc["talk_no_definition", "N"]),
        "audit_paper_n": str(audit.loc["paper_section_47", "N"]),
        "audit_no_definition": str(audit.loc["talk_no_definition", "n"]),
        "audit_no_definition_pct": pct(audit.loc["talk_no_definition", "estimate"]),
        "audit_s47_talk": str(audit.loc["talk_immediate_s47", "n"]),
        "audit_s47_paper": str(audit.loc["paper_section_47", "n"]),
        "audit_strategy_talk": str(audit.loc["talk_strategy_meeting", "n"]),
        "audit_strategy_paper": str(audit.loc["paper_strategy", "n"]),
    }
    return {"bruising": out}


def fragments(
    tables: dict[str, pd.DataFrame], inputs: dict, studies: pd.DataFrame, interval_method: str
) -> dict:
    """The chapter's tables as Markdown; per-study intervals by `interval_method`."""
    shown = METHODS[interval_method]
    both = shown if interval_method == EXACT else f"{shown} and {METHODS[EXACT]}"
    return {
        "tbl_bruising_studies.md": markdown_table(
            study_table(tables["base_rates"], studies, interval_method),
            "Base rates of bruising in infants, per study and subgroup: the unit counted, "
            f"design, setting and the rate with its {both} 95% intervals. "
            "'second-hand, not verified': quoted by another source and not checked against "
            "the study.",
            "bruising-studies",
            "llllrrr",
            [5, 2, 2, 2, 2, 3, 3],
        ),
        "tbl_bruising_pooled.md": markdown_table(
            pooled_table(tables["pooled"]),
            "Pooled base rate by random-effects meta-analysis: each pool on each scale with "
            "each between-study variance estimator; Hartung–Knapp–Sidik–Jonkman intervals, "
            "95% prediction intervals, I² with its interval. The sensitivity pool mixes "
            "children and weekly observations.",
            "bruising-pooled",
            "lllrrrr",
            [3, 2, 1, 3, 3, 3, 3],
        ),
        "tbl_bruising_loo.md": markdown_table(
            leave_one_out_table(tables["leave_one_out"], inputs),
            "Leave-one-out: the main pool without each study in turn.",
            "bruising-loo",
            "lrrr",
            [5, 2, 3, 2],
        ),
        "tbl_bruising_assumptions.md": markdown_table(
            assumptions_table(inputs),
            "Inputs of the implication analysis, with the ends used in the sensitivity "
            "analyses and their sources (config/config.yaml).",
            "bruising-assumptions",
            "lrrrl",
            [3, 1, 1, 1, 6],
        ),
        "tbl_bruising_scenarios.md": markdown_table(
            scenario_table(tables["scenarios"], inputs),
            "Accidental bruises per child protection plan under each assumption, whether the "
            "talk's ratio holds, and the break-even base rate and number of plans.",
            "bruising-scenarios",
            "lrlrrlrr",
            [3, 2, 2, 1, 2, 1, 2, 2],
        ),
        "tbl_bruising_audit.md": markdown_table(
            audit_table(tables["audit"]),
            "What local procedures say about bruising in pre-mobile infants, from two "
            f"reports of the same audit, with 95% {shown} intervals. Where both report a "
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
        n = count(r["n"]) if pd.notna(r["n"]) else f"{int(r['n_min'])} (derived)"
        rows.append(
            {
                "Study, subgroup": f"{s['study']}, {s['subgroup']}",
                "Unit": s["unit"],
                "Setting": s["setting"],
                "Count": status.replace("_", " "),
                "n/N": f"{n}/{count(r['N'])}",
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


def pooled_table(pooled: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Pool": [f"{p} ({u})" for p, u in zip(pooled["pool"], pooled["units"], strict=True)],
            "Scale": [SCALES[s] for s in pooled["scale"]],
            "τ² method": pooled["method"],
            "% (95% CI)": [
                f"{pct(e, 2)} ({ci(lo, up, 2)})"
                for e, lo, up in zip(
                    pooled["estimate"], pooled["ci_low"], pooled["ci_upp"], strict=True
                )
            ],
            "Prediction interval": [
                "" if pd.isna(lo) else ci(lo, up)
                for lo, up in zip(pooled["pi_low"], pooled["pi_upp"], strict=True)
            ],
            "I² % (CI)": [
                f"{pct(i, 0)} ({'' if pd.isna(lo) else ci(lo, up, 0)})"
                for i, lo, up in zip(
                    pooled["i2"], pooled["i2_ci_low"], pooled["i2_ci_upp"], strict=True
                )
            ],
            "τ²": [f"{t:.3f}" for t in pooled["tau2"]],
        }
    )


def leave_one_out_table(loo: pd.DataFrame, inputs: dict) -> pd.DataFrame:
    """The main pool without each study in turn, on the main result's scale and method."""
    scale, method = inputs["pooling"]["main"]["scale"], inputs["pooling"]["main"]["method"]
    rows = loo[(loo["scale"] == scale) & (loo["method"] == method)]
    return pd.DataFrame(
        {
            "Without": rows["omitted"],
            "%": [pct(e, 2) for e in rows["estimate"]],
            "95% CI": [
                ci(lo, up, 2) for lo, up in zip(rows["ci_low"], rows["ci_upp"], strict=True)
            ],
            "τ²": [f"{t:.3f}" for t in rows["tau2"]],
        }
    )


def assumptions_table(inputs: dict) -> pd.DataFrame:
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
                        "Source": spec["source"],
                    }
                )
    return pd.DataFrame(rows)


def scenario_table(scenarios: pd.DataFrame, inputs: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Base rate": scenarios["scenario"],
            "Rate %": [pct(r, 2) for r in scenarios["base_rate"]],
            "Unit": [u.replace("_", "-") for u in scenarios["unit"]],
            "Visible days": [
                f"{d:g}" if u == "episodes" else "–"
                for d, u in zip(scenarios["visible_days"], scenarios["unit"], strict=True)
            ],
            "Bruises per plan": [f"{r:,.0f}" for r in scenarios["ratio"]],
            f"≥ {inputs['implications']['threshold']:,.0f}?": [
                "yes" if h else "no" for h in scenarios["holds"]
            ],
            "Break-even rate %": [pct(r, 2) for r in scenarios["min_base_rate"]],
            "Break-even plans": [f"{p:,.0f}" for p in scenarios["max_plans_per_year"]],
        }
    )


def audit_table(audit: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "What the procedure says": [m.replace("_", " ") for m in audit["measure"]],
            "Source": audit["source"],
            "n/N": [f"{n}/{d}" for n, d in zip(audit["n"], audit["N"], strict=True)],
            "% (95% CI)": [
                f"{pct(e)} ({ci(lo, up)})"
                for e, lo, up in zip(
                    audit["estimate"], audit["ci_low"], audit["ci_upp"], strict=True
                )
            ],
        }
    )
