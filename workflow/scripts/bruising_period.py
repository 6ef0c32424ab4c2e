"""Rule bruising_period: the chance of at least one bruise over k weekly observations."""

import numpy as np
import pandas as pd

from triennial.analysis import bruising
from triennial.figures.bruising import period_prevalence_figure
from triennial.pipeline.step import log, run_step, write_csv


def period_table(p: float, ks: np.ndarray, rhos: list[float]) -> pd.DataFrame:
    """P(at least one bruise) by number of observations, independence and beta-binomial."""
    rows = {"observations": ks, "independent": bruising.period_prevalence_independent(p, ks)}
    for rho in rhos:
        rows[f"rho_{rho:g}"] = bruising.period_prevalence_betabinomial(p, ks, rho)
    return pd.DataFrame(rows)


def main(period: dict, table: str, figure: str) -> None:
    """Write the curves and the figure; log the correlation that reproduces Kemp's 27%."""
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


if __name__ == "__main__":
    run_step(
        lambda: main(
            dict(snakemake.params.period), snakemake.output.table, snakemake.output.figure
        ),
        snakemake.log[0],
    )
