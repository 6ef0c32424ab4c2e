"""Which rows are pooled: chosen by the data's own flags, read back from the results."""

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from folders import NATIONAL

from triennial.analysis.bruising_pool import choose, noting_prediction, pools, selection
from triennial.analysis.bruising_terms import MIN_PREDICTION_STUDIES, PI_NOTE
from triennial.data.studies import read_bruising

CONFIG = yaml.safe_load((ROOT / "config/config.yaml").read_text())
POOLING = CONFIG["bruising"]["pooling"]
STUDIES, _ = read_bruising(ROOT / "data/raw/published/bruising/datapackage.json")
R_POOLS = pd.read_csv(ROOT / "tests/reference_r/bruising_meta.csv").drop_duplicates("dataset")


def flags_hold(row_ids) -> None:
    """Every row is verified, per child, a single examination, pre-mobile, aged 0-5 months."""
    rows = STUDIES.set_index("row_id").loc[list(row_ids)]
    assert rows["verified"].astype(str).str.lower().eq("true").all()
    assert (rows["unit"] == "child").all()
    assert (rows["design"] == "single_observation").all()
    assert (rows["mobility"] == "pre_mobile").all()
    assert (rows["age_range"] == "0-5 months").all()
    assert rows["study"].is_unique  # one row per study: the estimates are independent


def test_main_pool_is_chosen_by_flags():
    main = choose(STUDIES, POOLING["criteria"])
    flags_hold(main)
    assert "carpenter_under_6m_seed" not in main  # second-hand, not verified
    assert "kemp_premobile_obs" not in main  # weekly observations, not children
    # Everything the flags allow is in, bar a second row of a study already in.
    allowed = STUDIES["row_id"][
        (STUDIES["unit"] == "child") & (STUDIES["design"] == "single_observation")
        & (STUDIES["mobility"] == "pre_mobile") & (STUDIES["age_range"] == "0-5 months")
        & STUDIES["verified"].astype(str).str.lower().eq("true") & STUDIES["nobs"].notna()
    ]  # fmt: skip
    assert set(main) == set(allowed)


def test_every_row_left_out_has_a_reason():
    table = selection(STUDIES, POOLING)
    assert len(table) == len(STUDIES) and list(table["row_id"]) == list(STUDIES["row_id"])
    out = table[~table["main"]]
    assert out["reason"].str.len().gt(0).all()
    assert not out["reason"].str.contains("meets every criterion").any()
    reason = table.set_index("row_id")["reason"]
    assert "not verified" in reason["carpenter_under_6m_seed"]
    assert "weekly observations" in reason["kemp_premobile_obs"]


def test_pools_match_the_r_reference_pools():
    chosen = pools(STUDIES, POOLING)
    for name, table in chosen.items():
        expected = R_POOLS.set_index("dataset").loc[name, "rows"].split()
        assert sorted(table["row_id"]) == sorted(expected)


def test_prediction_intervals_from_too_few_studies_are_noted_and_kept():
    """Rows with a prediction interval and k < MIN_PREDICTION_STUDIES get PI_NOTE, after
    any note they had; the limits stay; rows without an interval or with enough studies
    are untouched."""
    k = [2, 3, MIN_PREDICTION_STUDIES - 1, MIN_PREDICTION_STUDIES]
    table = pd.DataFrame(
        {
            "k": k,
            "pi_low": [float("nan"), 0.0, 0.001, 0.002],
            "pi_upp": [float("nan"), 0.999, 0.5, 0.2],
            "note": ["k < 3: no prediction interval", float("nan"), "HKSJ factor", ""],
        }
    )
    out = noting_prediction(table)
    assert list(out["note"]) == [
        "k < 3: no prediction interval",
        PI_NOTE,
        f"HKSJ factor; {PI_NOTE}",
        "",
    ]
    pd.testing.assert_frame_equal(out.drop(columns="note"), table.drop(columns="note"))


def test_unknown_criterion_column_is_named():
    with pytest.raises(ValueError, match="colour"):
        choose(STUDIES, {"colour": "blue"})


@pytest.mark.pipeline
def test_pooled_rows_read_back_from_the_results_meet_the_flags(pipeline_run):
    tables = Path(pipeline_run) / NATIONAL / "tables"
    pooled = pd.read_csv(tables / "bruising_pooled.csv")
    main = pooled[pooled["pool"] == "main"]
    for rows in main["rows"]:
        flags_hold(rows.split())
    chosen = pd.read_csv(tables / "bruising_pool_selection.csv")
    flags_hold(chosen.loc[chosen["main"], "row_id"])
    assert set(main["rows"].iloc[0].split()) == set(chosen.loc[chosen["main"], "row_id"])
    # The primary model is the GLMM, and the results carry it for every pool.
    assert set(pooled.loc[pooled["method"] == "GLMM", "pool"]) == set(pooled["pool"])


@pytest.mark.pipeline
def test_every_monte_carlo_figure_has_its_standard_error(pipeline_run):
    mc = pd.read_csv(Path(pipeline_run) / NATIONAL / "tables" / "bruising_monte_carlo.csv")
    for column in ("mean", "median", "q025", "q975", "share"):
        assert f"{column}_mcse" in mc.columns
        given = mc[column].notna()
        assert mc.loc[given, f"{column}_mcse"].notna().all()
    assert {"ratio_point", "ratio_period", "ratio_episodes"} <= set(mc["output"])
    # The joinpoint permutation test's p and its bootstrap limits are Monte Carlo figures too.
    joins = pd.read_csv(Path(pipeline_run) / NATIONAL / "tables" / "trend_joinpoints.csv")
    for column, error in (("p_value", "p_mc_se"), ("ci_low", "mc_se_low"), ("ci_upp", "mc_se_upp")):
        assert error in joins.columns, error
        bootstrap = joins["method"].str.contains("bootstrap") | (column == "p_value")
        given = joins[column].notna() & bootstrap
        assert joins.loc[given, error].notna().all(), error
    assert joins["p_value"].notna().any()
