"""The trend models against R, on the project's own series.

Reference values come from R 4 (stats::glm, MASS::glm.nb, segmented 1.6) run by
tests/reference_r/trends_count_models.R and trends_joinpoint.R on
tests/reference_r/trends_input.csv; the CSV files they wrote are committed, so these
tests need no R. The first test checks that the input still is the project's data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from triennial.analysis import trends as ta
from triennial.data.series import model_input, read_trends
from triennial.stats import count_models as cm
from triennial.stats.joinpoint import joinpoint

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference_r"
TRENDS = ROOT / "data" / "raw" / "published" / "trends" / "datapackage.json"
TERMS = {"(Intercept)": "const", "time": "time", "step": "step"}
TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}  # R's IRLS stops at 1e-14 here; ours at 1e-8 or better
# The join: R's optimize() and segmented() agree with each other to 1e-7 years; our
# bounded search stops at 1e-6 on a flat profile, so join and APCs agree to these:
JOIN_TOLERANCE = 1e-4  # years
APC_TOLERANCE = 1e-3  # percentage points


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    series, denominators = read_trends(TRENDS)
    return model_input(series, denominators)


@pytest.fixture(scope="module")
def r_input() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "trends_input.csv")


def test_r_input_is_the_project_data(rows, r_input):
    ours = rows[rows["series"].isin(r_input["series"].unique())].reset_index(drop=True)
    assert list(ours["period_label"]) == list(r_input["period_label"])
    np.testing.assert_allclose(ours["midpoint"], r_input["midpoint"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ours["count"].astype(int), r_input["count"])
    np.testing.assert_array_equal(ours["years"].astype(float), r_input["years"])
    assert list(ours["system"]) == list(r_input["system"])


def r_values(model: str, series: str) -> pd.DataFrame:
    table = pd.read_csv(REFERENCE / "trends_count_models.csv")
    out = table[(table["model"] == model) & (table["series"] == series)]
    assert len(out), f"no R values for {model} {series}"
    return out.assign(term=out["term"].map(TERMS)).set_index("term")


SERIES = [
    "notifications_total",
    "notifications_deaths",
    "notifications_serious_harm",
    "notifications_other",
    "scr_national_analyses",
]


@pytest.mark.parametrize("series", SERIES)
@pytest.mark.parametrize("family", ["quasipoisson", "poisson", "negbin"])
def test_count_models_agree_with_r(rows, series, family):
    df = rows[rows["series"] == series]
    fit = cm.fit_trend(df, family, step=cm.spans_both_systems(df))
    r = r_values(family, series).loc[list(fit.terms)]
    if family == "negbin" and r["theta"].iloc[0] > 1e6:
        # alpha at the boundary 0 (deaths: no extra-Poisson variation in the NB2
        # likelihood): each program stops at its own tiny alpha (ours 4e-8, R's 1e-9), so
        # the coefficients agree to 1e-6 absolutely, not relatively.
        assert fit.statistics["nb_alpha"] < 1e-6 and 1 / r["theta"].iloc[0] < 1e-6
        np.testing.assert_allclose(fit.params, r["estimate"], rtol=0, atol=1e-6)
        np.testing.assert_allclose(fit.coefficients["se"], r["se"], rtol=0, atol=1e-6)
        return
    np.testing.assert_allclose(fit.params, r["estimate"], **TOLERANCE)
    if family == "quasipoisson":
        assert fit.statistics["dispersion"] == pytest.approx(r["dispersion"].iloc[0], rel=1e-6)
        assert fit.statistics["dispersion"] > 1  # so the floor at 1 is not in play here
    np.testing.assert_allclose(fit.coefficients["se"], r["se"], **TOLERANCE)
    if family == "negbin":
        assert fit.statistics["nb_alpha"] == pytest.approx(1 / r["theta"].iloc[0], rel=1e-5)


def test_harm_share_agrees_with_r_quasibinomial(rows):
    r = r_values("quasibinomial", "harm_share").loc["time"]
    ours = ta.harm_share_trend(rows).iloc[0]
    df = len(ours["years"].split()) - 2
    q = stats.t.isf(0.025, df)
    assert ours["pearson_chi2_df"] == pytest.approx(r["dispersion"], rel=1e-6)
    assert ours["estimate"] == pytest.approx(np.exp(r["estimate"]), rel=1e-6)
    assert ours["ci_low"] == pytest.approx(np.exp(r["estimate"] - q * r["se"]), rel=1e-6)
    assert ours["ci_upp"] == pytest.approx(np.exp(r["estimate"] + q * r["se"]), rel=1e-6)


@pytest.mark.parametrize("step", [True, False])
def test_joinpoint_agrees_with_r(rows, step):
    """One join at a continuous position, with and without the reform step, against R's
    profile search and segmented(); without the step both put the join at the reform."""
    df = rows[rows["series"] == "notifications_total"]
    jp = joinpoint(df, min_joins=1, step=step, n_perm=99, n_boot=0)
    table = pd.read_csv(REFERENCE / "trends_joinpoint.csv")
    apcs = jp.segments["estimate"].to_numpy()
    for method in ("profile", "segmented"):
        r = table[(table["method"] == method) & (table["step"] == step)].iloc[0]
        assert jp.joins[0] == pytest.approx(r["join"], abs=JOIN_TOLERANCE)
        assert apcs[0] == pytest.approx(r["apc1"], abs=APC_TOLERANCE)
        assert apcs[1] == pytest.approx(r["apc2"], abs=APC_TOLERANCE)
        assert jp.fit.statistics["deviance"] == pytest.approx(r["deviance"], rel=1e-6)
        assert jp.fit.statistics["dispersion"] == pytest.approx(r["dispersion"], rel=1e-4)
        if step:
            step_irr = jp.extra.set_index("quantity").loc["step_irr", "estimate"]
            assert step_irr == pytest.approx(r["step_irr"], rel=1e-5)
    if not step:
        assert abs(jp.joins[0] - 2018.25) < 0.01  # the reform, as the issue found
