"""Which study rows are pooled, chosen by the data's own flags, and every pool fitted.

The main pool takes the rows that meet every criterion of `bruising.pooling.criteria`
(by default: verified against the primary study, children counted once each, a
single examination, pre-mobile, the pre-mobile age band of 0-5 months), one row per
study. Each sensitivity pool relaxes named criteria and is labelled by what it adds.
`selection` says, row by row, which pools took it and why the main pool did not.

Each pool is fitted by the binomial-normal GLMM (the primary model) and, as
sensitivity analyses, by inverse-variance pooling on each scale with each tau²
estimator; leave-one-out and subgroups (setting, unit) sit alongside.
"""

from __future__ import annotations

import pandas as pd

from triennial.analysis.bruising_terms import GLMM, MIN_PREDICTION_STUDIES, PI_NOTE
from triennial.data.studies import count_bounds
from triennial.stats.glmm import glmm_proportions
from triennial.stats.meta import by_subgroup, leave_one_out, meta_proportions

CRITERIA_WORDS = {  # what a row that fails a criterion is, in the report's words
    "verified": "a second-hand figure not verified against the primary study",
    "unit": "counts weekly observations, not children",
    "design": "not a single examination",
    "mobility": "not (only) pre-mobile children",
    "age_range": "outside the pre-mobile age band",
}


def _meets(studies: pd.DataFrame, criteria: dict) -> pd.DataFrame:
    """One boolean column per criterion: does the row have the required value?"""
    return pd.DataFrame(
        {
            column: studies[column].astype(str).str.lower() == str(value).lower()
            for column, value in criteria.items()
        }
    )


def _has_count(studies: pd.DataFrame) -> pd.Series:
    low, _ = count_bounds(studies)
    return low.notna() & studies["nobs"].notna()


def choose(studies: pd.DataFrame, criteria: dict, relax=()) -> list[str]:
    """Row ids meeting every criterion not in `relax`, with a count; one per study (the first)."""
    unknown = [c for c in [*criteria, *relax] if c not in studies.columns]
    if unknown:
        raise ValueError(f"config bruising.pooling names unknown study columns: {unknown}")
    kept = {c: v for c, v in criteria.items() if c not in relax}
    ok = _meets(studies, kept).all(axis=1) & _has_count(studies)
    picked = studies[ok].drop_duplicates("study")  # one estimate per study: independence
    return list(picked["row_id"])


def pools(studies: pd.DataFrame, pooling: dict) -> dict[str, pd.DataFrame]:
    """The main pool and each configured sensitivity pool, as pool_input tables."""
    out = {"main": pool_input(studies, choose(studies, pooling["criteria"]))}
    for name, spec in pooling["sensitivity"].items():
        out[name] = pool_input(studies, choose(studies, pooling["criteria"], spec["relax"]))
    return out


def selection(studies: pd.DataFrame, pooling: dict) -> pd.DataFrame:
    """Every study row: its flags, the pools that took it, and why the main pool did not."""
    criteria = pooling["criteria"]
    meets = _meets(studies, criteria)
    counted = _has_count(studies)
    main = set(choose(studies, criteria))
    rows = []
    for i, r in studies.reset_index(drop=True).iterrows():
        failed = [CRITERIA_WORDS.get(c, f"{c} is not {criteria[c]}") for c in criteria
                  if not meets.loc[i, c]]  # fmt: skip
        if not counted.iloc[i]:
            failed.insert(0, "no count and denominator")
        if not failed and r["row_id"] not in main:
            failed = ["another row of the same study (in part the same children) is pooled"]
        row = {"row_id": r["row_id"], "study": r["study"], "subgroup": r["subgroup"]}
        row |= {c: r[c] for c in criteria}
        row["main"] = r["row_id"] in main
        for name, spec in pooling["sensitivity"].items():
            row[name] = r["row_id"] in choose(studies, criteria, spec["relax"])
        row["reason"] = "meets every criterion" if row["main"] else "; ".join(failed)
        rows.append(row)
    return pd.DataFrame(rows)


def pool_input(studies: pd.DataFrame, rows: list[str]) -> pd.DataFrame:
    """study, count, nobs (and design columns) for the named rows, in the order named.

    A count derived from a printed percentage is its range's lower end (for the
    rows here the range is a single count). Unknown row ids raise ValueError.
    """
    known = studies.set_index("row_id")
    missing = [r for r in rows if r not in known.index]
    if missing:
        raise ValueError(f"unknown study rows: {missing}")
    low, _ = count_bounds(studies)
    events = low.set_axis(studies["row_id"])
    picked = known.loc[rows]
    return pd.DataFrame(
        {
            "study": [
                f"{s}, {g}" for s, g in zip(picked["study"], picked["subgroup"], strict=True)
            ],
            "row_id": rows,
            "count": events.loc[rows].astype(int).to_numpy(),
            "nobs": picked["nobs"].astype(int).to_numpy(),
            "unit": picked["unit"].to_numpy(),
            "setting": picked["setting"].to_numpy(),
            "verified": picked["verified"].to_numpy(),
        }
    )


def glmm_row(table: pd.DataFrame, alpha: float) -> dict:
    """The GLMM fit of one pool as a row of the pooled-results table."""
    fit = glmm_proportions(table["count"], table["nobs"], alpha=alpha)
    return {"scale": "logit", "method": GLMM, "hksj": False, "alpha": alpha} | fit


def pool_all(
    pools: dict[str, pd.DataFrame], pooling: dict, alpha: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Pooled results, leave-one-out (main pool) and subgroups (the widest pool)."""
    pooled, loo, groups = [], [], []
    widest = max(pools, key=lambda name: len(pools[name]))
    for name, table in pools.items():
        about = {"pool": name, "units": "+".join(sorted(set(table["unit"])))}
        about["rows"] = " ".join(table["row_id"])
        pooled.append(about | glmm_row(table, alpha))
        for scale in pooling["scales"]:
            for method in pooling["tau2_methods"]:
                args = dict(scale=scale, method=method, hksj=pooling["hksj"], alpha=alpha)
                pooled.append(about | meta_proportions(table, **args))
                if name == "main" and len(table) > 1:
                    loo.append(
                        leave_one_out(table, **args).assign(pool=name, scale=scale, method=method)
                    )
                if name == widest:
                    for column in ("setting", "unit"):
                        groups.append(
                            by_subgroup(table, column, **args).assign(
                                pool=name, scale=scale, method=method
                            )
                        )
        if name == "main" and len(table) > 1:
            loo.append(_glmm_leave_one_out(table, alpha).assign(pool=name))
    return (
        noting_prediction(pd.DataFrame(pooled)),
        noting_prediction(pd.concat(loo, ignore_index=True)),
        noting_prediction(pd.concat(groups, ignore_index=True)),
    )


def noting_prediction(table: pd.DataFrame) -> pd.DataFrame:
    """PI_NOTE added to the note of rows with a prediction interval from too few studies.

    The interval's numbers stay (R users compare them); the note says what the report says.
    """
    few = table["pi_low"].notna() & (table["k"] < MIN_PREDICTION_STUDIES)
    note = table["note"].fillna("")
    table = table.copy()
    table["note"] = note.where(~few, (note + "; ").where(note != "", "") + PI_NOTE)
    return table


def _glmm_leave_one_out(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    rows = []
    for i, study in enumerate(table["study"]):
        rest = table.drop(index=table.index[i])
        rows.append({"omitted": study} | glmm_row(rest, alpha))
    return pd.DataFrame(rows)
