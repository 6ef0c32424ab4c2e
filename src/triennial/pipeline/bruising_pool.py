"""The bruising_pool rule: the random-effects meta-analysis of the pre-mobile base rate."""

from __future__ import annotations

from pathlib import Path

from triennial.analysis.bruising_pool import pool_all, pools
from triennial.data.studies import read_bruising
from triennial.figures.forest import forest_plot
from triennial.pipeline.step import write_csv
from triennial.stats.meta import meta_proportions, study_table


def bruising_pool(descriptor: str, out, pooling: dict, method: str, alpha: float) -> None:
    """Write pooled, leave-one-out and subgroup tables and the forest plot of the main pool.

    `method` is the per-study interval the forest plot shows (prevalence.method).
    """
    studies, _ = read_bruising(Path(descriptor))
    chosen = pools(studies, pooling)
    pooled, loo, groups = pool_all(chosen, pooling, alpha)
    write_csv(pooled, out.pooled)
    write_csv(loo, out.leave_one_out)
    write_csv(groups, out.subgroups)
    scale, tau2 = pooling["main"]["scale"], pooling["main"]["method"]
    main_pool = chosen["main"]
    forest_plot(
        study_table(main_pool, scale, tau2, alpha, interval=method),
        meta_proportions(main_pool, scale=scale, method=tau2, hksj=pooling["hksj"], alpha=alpha),
        out.forest,
    )
