"""Rule bruising_pool: random-effects meta-analysis of the pre-mobile base rate.

The main pool is like with like (the configured rows: children, one observation
each). The sensitivity pool adds the configured observation-level rows and is
labelled as mixing units. Each pool on each scale with each tau-squared method;
leave-one-out and subgroups (setting, unit) alongside; a forest plot of the main pool.
"""

from pathlib import Path

import pandas as pd

from triennial.data.studies import count_bounds, read_bruising
from triennial.figures.forest import forest_plot
from triennial.pipeline.step import run_step, write_csv
from triennial.stats.meta import by_subgroup, leave_one_out, meta_proportions, study_table


def pool_input(studies: pd.DataFrame, rows: list[str]) -> pd.DataFrame:
    """study, events, n (and design columns) for the named rows, in the order named.

    A count derived from a printed percentage is its range's lower end (for the
    default rows the range is a single count).
    """
    known = studies.set_index("row_id")
    missing = [r for r in rows if r not in known.index]
    if missing:
        raise ValueError(f"config bruising.pooling names unknown study rows: {missing}")
    low, _ = count_bounds(studies)
    events = low.set_axis(studies["row_id"])
    picked = known.loc[rows]
    return pd.DataFrame(
        {
            "study": [
                f"{s}, {g}" for s, g in zip(picked["study"], picked["subgroup"], strict=True)
            ],
            "row_id": rows,
            "events": events.loc[rows].astype(int).to_numpy(),
            "n": picked["n"].astype(int).to_numpy(),
            "unit": picked["unit"].to_numpy(),
            "setting": picked["setting"].to_numpy(),
            "verified": picked["verified"].to_numpy(),
        }
    )


def main(descriptor: str, out, pooling: dict, alpha: float) -> None:
    """Write pooled, leave-one-out and subgroup tables and the forest plot."""
    studies, _ = read_bruising(Path(descriptor))
    pools = {
        "main": pool_input(studies, pooling["rows"]),
        "sensitivity": pool_input(studies, pooling["rows"] + pooling["sensitivity_rows"]),
    }
    pooled, loo, groups = [], [], []
    for name, table in pools.items():
        units = "+".join(sorted(set(table["unit"])))
        for scale in pooling["scales"]:
            for method in pooling["tau2_methods"]:
                args = dict(scale=scale, method=method, hksj=pooling["hksj"], alpha=alpha)
                result = meta_proportions(table, **args)
                pooled.append(
                    {"pool": name, "units": units, "rows": " ".join(table["row_id"])} | result
                )
                if name == "main":
                    loo.append(
                        leave_one_out(table, **args).assign(pool=name, scale=scale, method=method)
                    )
                else:
                    for column in ("setting", "unit"):
                        groups.append(
                            by_subgroup(table, column, **args).assign(scale=scale, method=method)
                        )
    write_csv(pd.DataFrame(pooled), out.pooled)
    write_csv(pd.concat(loo, ignore_index=True), out.leave_one_out)
    write_csv(pd.concat(groups, ignore_index=True), out.subgroups)

    scale, method = pooling["scales"][0], pooling["tau2_methods"][0]
    main_pool = pools["main"]
    forest_plot(
        study_table(main_pool, scale, method, alpha),
        meta_proportions(main_pool, scale=scale, method=method, hksj=pooling["hksj"], alpha=alpha),
        out.forest,
    )


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input.descriptor,
            snakemake.output,
            dict(snakemake.params.pooling),
            snakemake.params.alpha,
        ),
        snakemake.log[0],
        expected=(ValueError,),
    )
