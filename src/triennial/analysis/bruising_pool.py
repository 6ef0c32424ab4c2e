"""Which study rows are pooled, and every pool on every scale with every tau² method.

The main pool is like with like (the configured rows: children, one observation
each). The sensitivity pool adds the configured observation-level rows and is
labelled as mixing units. Each pool is fitted on each scale with each tau²
estimator; leave-one-out for the main pool and subgroups (setting, unit) for the
sensitivity pool sit alongside.
"""

from __future__ import annotations

import pandas as pd

from triennial.data.studies import count_bounds
from triennial.stats.meta import by_subgroup, leave_one_out, meta_proportions


def pool_input(studies: pd.DataFrame, rows: list[str]) -> pd.DataFrame:
    """study, events, n (and design columns) for the named rows, in the order named.

    A count derived from a printed percentage is its range's lower end (for the
    default rows the range is a single count). Unknown row ids raise ValueError.
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


def pools(studies: pd.DataFrame, pooling: dict) -> dict[str, pd.DataFrame]:
    """The main pool and the sensitivity pool (main rows + sensitivity rows)."""
    return {
        "main": pool_input(studies, pooling["rows"]),
        "sensitivity": pool_input(studies, pooling["rows"] + pooling["sensitivity_rows"]),
    }


def pool_all(
    pools: dict[str, pd.DataFrame], pooling: dict, alpha: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Pooled results, leave-one-out (main pool) and subgroups (sensitivity pool)."""
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
    return (
        pd.DataFrame(pooled),
        pd.concat(loo, ignore_index=True),
        pd.concat(groups, ignore_index=True),
    )
