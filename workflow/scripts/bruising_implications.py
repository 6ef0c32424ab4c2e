"""Rule bruising_implications: what a base rate implies, under explicit assumptions.

Scenarios (the ratio of accidental bruises to child protection plans, and the positive
predictive value of any bruise), one-way sensitivity (tornado) and a Monte Carlo
analysis in which every input with a low and high end is drawn uniformly between them.
"""

from functools import partial

import pandas as pd

from triennial.analysis import bruising
from triennial.data.studies import pooled_result
from triennial.figures.bruising import monte_carlo_figure, tornado_figure
from triennial.pipeline.step import log, run_step, write_csv

RATIO_INPUTS = ("base_rate", "infants", "plans_per_year", "visible_days")
PPV_INPUTS = ("prior", "sensitivity", "base_rate")


def base_rate_scenarios(inputs: dict, pooled: pd.Series) -> dict[str, float]:
    """The base rates examined: the published range's ends and the pooled estimate."""
    rate = inputs["base_rate"]
    return {
        "published low end": rate["low"],
        "published high end": rate["high"],
        "pooled estimate": pooled["estimate"],
        "pooled upper limit": pooled["ci_upp"],
    }


def scenarios(inputs: dict, unit_days: list[float], rates: dict, threshold: float):
    """The ratio under each base rate, unit and visible duration, with break-evens."""
    grid = bruising.assumption_grid(
        base_rate=list(rates.values()),
        infants=[inputs["infants"]["value"]],
        plans_per_year=[inputs["plans_per_year"]["value"]],
        unit=list(bruising.UNITS),
        visible_days=unit_days,
    )
    grid = grid[(grid["unit"] == "episodes") | (grid["visible_days"] == unit_days[0])]
    names = {v: k for k, v in rates.items()}
    out = bruising.ratio_scenarios(grid.reset_index(drop=True), threshold)
    out.insert(0, "scenario", [names[r] for r in out["base_rate"]])
    return out


def ppv_table(inputs: dict, rates: dict) -> pd.DataFrame:
    """PPV of any bruise for abuse, and the likelihood ratio, at each base rate."""
    prior, sens = inputs["prior"]["value"], inputs["sensitivity"]["value"]
    return pd.DataFrame(
        {
            "scenario": list(rates),
            "base_rate": list(rates.values()),
            "prior": prior,
            "sensitivity": sens,
            "likelihood_ratio": [bruising.likelihood_ratio(sens, r) for r in rates.values()],
            "ppv": [bruising.ppv_any_bruise(prior, sens, r) for r in rates.values()],
        }
    )


def spans(inputs: dict, names) -> dict[str, tuple]:
    """(low, base, high) for one-way sensitivity; inputs without an interval stay fixed."""
    return {n: (inputs[n].get("low", inputs[n]["value"]), inputs[n]["value"],
                inputs[n].get("high", inputs[n]["value"])) for n in names}  # fmt: skip


def distributions(inputs: dict, names) -> dict[str, dict]:
    """Uniform between low and high where given (an assumption, stated in the report)."""
    out = {}
    for n in names:
        i = inputs[n]
        if "low" in i and i["low"] != i["high"]:
            out[n] = {"dist": "uniform", "low": i["low"], "high": i["high"]}
        else:
            out[n] = {"dist": "fixed", "value": i["value"]}
    return out


def main(pooled_path: str, out, inputs: dict, mc: dict, choice: dict) -> None:
    """Write scenario, PPV, one-way and Monte Carlo tables and the two figures."""
    pooled = pd.read_csv(pooled_path)
    main_pool = pooled_result(pooled, choice["scale"], choice["method"])
    threshold, unit = inputs["threshold"], inputs["unit"]
    rates = base_rate_scenarios(inputs, main_pool)
    days = sorted({inputs["visible_days"]["value"], inputs["visible_days"]["high"]})
    write_csv(scenarios(inputs, days, rates, threshold), out.scenarios)
    write_csv(ppv_table(inputs, rates), out.ppv)

    ratio = partial(bruising.accidental_to_plans_ratio, unit=unit)
    label = f"Accidental bruises ({unit.replace('_', '-')}) per plan"
    analyses = {  # output: (function, its inputs, condition summarised by the Monte Carlo)
        "ratio": (ratio, RATIO_INPUTS, lambda r: r >= threshold),
        "ppv": (bruising.ppv_any_bruise, PPV_INPUTS, None),
    }
    one_way, summaries = [], []
    for name, (func, names, condition) in analyses.items():
        table = bruising.one_way(func, spans(inputs, names))
        base = table.attrs["base_output"]
        one_way.append(table.assign(output=name, base_output=base))
        draws, summary = bruising.monte_carlo(
            func, distributions(inputs, names), mc["draws"], mc["seed"], condition=condition
        )
        summaries.append({"output": name} | summary)
        if name == "ratio":
            tornado_figure(table, base, out.tornado, label)
            monte_carlo_figure(draws, "output", threshold, out.monte_carlo_figure, label)
            log.info("ratio at base inputs: %.0f", base)
    write_csv(pd.concat(one_way, ignore_index=True), out.one_way)
    write_csv(pd.DataFrame(summaries), out.monte_carlo)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input.pooled,
            snakemake.output,
            dict(snakemake.params.inputs),
            dict(snakemake.params.monte_carlo),
            dict(snakemake.params.pooled_choice),
        ),
        snakemake.log[0],
    )
