"""The bruising_pool rule: the random-effects meta-analysis of the pre-mobile base rate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from triennial.analysis.bruising_pool import pool_all, pools, selection
from triennial.analysis.bruising_terms import GLMM, MIN_PREDICTION_STUDIES
from triennial.data.studies import read_bruising
from triennial.figures.forest import forest_plot
from triennial.pipeline.step import write_csv
from triennial.stats.meta import study_table


def bruising_pool(descriptor: str, out, pooling: dict, method: str, alpha: float) -> None:
    """Write the pool selection, pooled, leave-one-out and subgroup tables and the forest plot.

    `method` is the per-study interval the forest plot shows (prevalence.method). The
    forest shows the main pool's GLMM and its DerSimonian-Laird HKSJ fit; prediction
    intervals only from MIN_PREDICTION_STUDIES studies on.
    """
    studies, _ = read_bruising(Path(descriptor))
    chosen = pools(studies, pooling)
    write_csv(selection(studies, pooling), out.selection)
    pooled, loo, groups = pool_all(chosen, pooling, alpha)
    write_csv(pooled, out.pooled)
    write_csv(loo, out.leave_one_out)
    write_csv(groups, out.subgroups)
    main = pooled[(pooled["pool"] == "main") & (pooled["scale"] == "logit")]
    shown = main[main["method"].isin([GLMM, "DL"])].copy()
    shown["label"] = [
        "Binomial-normal GLMM (ML)" if m == GLMM else "Inverse variance (DL, HKSJ)"
        for m in shown["method"]
    ]
    if len(chosen["main"]) < MIN_PREDICTION_STUDIES:
        shown[["pi_low", "pi_upp"]] = float("nan")
    forest_plot(
        study_table(chosen["main"], "logit", "DL", alpha, interval=method),
        pd.DataFrame(shown).reset_index(drop=True),
        out.forest,
    )
