"""The bruising_implications rule: what bruising base rates imply. Period prevalence over
repeated looks, and accidental bruises per child protection plan with its sensitivity
analyses: one job, since both run the same modules."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from triennial.analysis import bruising
from triennial.analysis.bruising_terms import pooled_result
from triennial.data.bruising_inputs import read_inputs
from triennial.figures.bruising import monte_carlo_figure, period_prevalence_figure, tornado_figure
from triennial.pipeline.step import log, write_csv


def period_table(p: float, ks: np.ndarray, rhos: list[float]) -> pd.DataFrame:
    """P(at least one bruise) by number of observations, independence and beta-binomial."""
    rows = {"observations": ks, "independent": bruising.period_prevalence_independent(p, ks)}
    for rho in rhos:
        rows[f"rho_{rho:g}"] = bruising.period_prevalence_betabinomial(p, ks, rho)
    return pd.DataFrame(rows)


def bruising_period(descriptor: str, config: dict, table: str, figure: str) -> None:
    """Write the curves and the figure; log the correlation that reproduces Kemp's 27%.

    `config` is the `bruising` configuration; its inputs name rows of `descriptor`'s package.
    """
    period = read_inputs(descriptor, config)["period"]
    p = period["weekly_point_prevalence"]["value"]
    k = period["observations"]["value"]
    observed = period["observed_period_prevalence"]["value"]
    c = period["correlation"]
    rhos = sorted({c["value"], c.get("low", c["value"]), c.get("high", c["value"])})
    matched = bruising.rho_matching(p, k, observed)
    ks = np.arange(1, period["max_observations"] + 1, dtype=float)
    result = period_table(p, np.append(ks, k), rhos).drop_duplicates("observations")
    result["matched_rho"] = matched
    log.info("rho %.4f reproduces %.2f over %.1f observations", matched, observed, k)
    write_csv(result.sort_values("observations"), table)
    period_prevalence_figure(p, ks, [*rhos, matched], observed=(k, observed), path=figure)


def bruising_implications(
    pooled_path: str, rates_path: str, descriptor: str, out, config: dict
) -> None:
    """Scenario, PPV, one-way and Monte Carlo tables, the tornado and Monte Carlo figures.

    `config` is the `bruising` configuration: its inputs name rows of `descriptor`'s
    package; `pooling.main` names the pooled result used as the pooled base rate. The
    scenarios are the main pool's study rates (from `rates_path`) and that estimate.
    Every counting unit is analysed; the figures show the episodes unit.
    """
    resolved = read_inputs(descriptor, config)
    inputs, period = resolved["implications"], resolved["period"]
    mc, main = config["monte_carlo"], config["pooling"]["main"]
    pooled = pooled_result(pd.read_csv(pooled_path), main)
    study = pd.read_csv(rates_path).drop_duplicates("row_id").set_index("row_id")
    rows = pooled["rows"].split()
    named = {f"{study.loc[r, 'study']}, {study.loc[r, 'subgroup']}": study.loc[r, "estimate"]
             for r in rows}  # fmt: skip
    rates = bruising.base_rate_scenarios(named, pooled)
    threshold = inputs["threshold"]["value"]
    inputs = bruising.with_pooled_rate(inputs, pooled) | {"correlation": period["correlation"]}
    days = sorted({inputs["visible_days"]["value"], inputs["visible_days"]["high"]})
    write_csv(bruising.scenarios(inputs, days, rates, threshold), out.scenarios)
    write_csv(bruising.ppv_table(inputs, rates), out.ppv)
    analyses = {  # output: (function, its inputs, condition summarised by the Monte Carlo)
        f"ratio_{unit}": (
            partial(bruising.accidental_to_plans_ratio, unit=unit),
            bruising.RATIO_INPUTS[unit],
            lambda r: r >= threshold,
        )
        for unit in bruising.UNITS
    }
    analyses["ppv"] = (bruising.ppv_any_bruise, bruising.PPV_INPUTS, None)
    one_way, summaries = [], []
    for name, (func, names, condition) in analyses.items():
        table = bruising.one_way(func, bruising.spans(inputs, names))
        base = table.attrs["base_output"]
        one_way.append(table.assign(output=name, base_output=base))
        specs = bruising.distributions(inputs, names) | {
            "base_rate": bruising.rate_distribution(pooled)
        }
        draws, summary = bruising.monte_carlo(
            func, specs, mc["draws"], mc["seed"], condition=condition
        )
        summaries.append({"output": name} | summary)
        if name == "ratio_episodes":
            label = "Accidental bruising episodes per plan"
            tornado_figure(table, base, out.tornado, label)
            monte_carlo_figure(draws, "output", threshold, out.monte_carlo_figure, label)
            log.info("episodes per plan at base inputs: %.0f", base)
    write_csv(pd.concat(one_way, ignore_index=True), out.one_way)
    write_csv(pd.DataFrame(summaries), out.monte_carlo)


def implications_and_period(
    pooled_path: str, rates_path: str, descriptor: str, out, config: dict
) -> None:
    """Both analyses: `out.period` and `out.period_figure`, then `bruising_implications`."""
    bruising_period(descriptor, config, out.period, out.period_figure)
    bruising_implications(pooled_path, rates_path, descriptor, out, config)
