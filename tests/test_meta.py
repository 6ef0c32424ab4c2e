"""Random-effects meta-analysis of proportions against independent references:
statsmodels' combine_effects (DL, PM, HKSJ), PyMARE (REML, Knapp-Hartung, Q-profile),
exact hand calculation with fractions, and the defining equations of the methods."""

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats
from statsmodels.stats.meta_analysis import combine_effects

from triennial.figures.forest import forest_plot
from triennial.stats import meta

# Accidental bruising in pre-mobile infants (Kemp 2015 counts weekly observations).
BRUISING = pd.DataFrame(
    {
        "study": ["Sugar 1999", "Pierce 2016", "Kemp 2015", "Carpenter 1999"],
        "count": [2, 18, 68, 4],
        "nobs": [366, 1395, 1010, 101],
        "design": ["cross-sectional", "cross-sectional", "longitudinal", "cross-sectional"],
    }
)
# The same with a zero-event and an all-event study added.
EDGES = pd.concat(
    [
        BRUISING,
        pd.DataFrame(
            {"study": ["None 2020", "All 2021"], "count": [0, 12], "nobs": [50, 12], "design": "x"}
        ),
    ],
    ignore_index=True,
)


def inputs(table=BRUISING, scale="logit"):
    return meta.transform(table["count"], table["nobs"], scale)


# --- transforms ----------------------------------------------------------------------


def test_logit_corrects_only_zero_and_all_event_studies():
    yi, vi = meta.transform([0, 5, 3, 10], [10, 10, 10, 10], "logit")
    assert yi[0] == pytest.approx(math.log(0.5 / 10.5), abs=1e-15)
    assert vi[0] == pytest.approx(1 / 0.5 + 1 / 10.5, abs=1e-15)
    assert yi[1] == 0.0 and vi[1] == pytest.approx(1 / 5 + 1 / 5, abs=1e-15)
    assert yi[2] == pytest.approx(math.log(3 / 7), abs=1e-15)  # no correction
    assert vi[2] == pytest.approx(1 / 3 + 1 / 7, abs=1e-15)
    assert yi[3] == pytest.approx(math.log(10.5 / 0.5), abs=1e-15)


def test_freeman_tukey_by_hand():
    # metafor's PFT: half the double arcsine, variance 1 / (4n + 2).
    yi, vi = meta.transform([0, 2], [10, 366], "freeman_tukey")
    assert yi[0] == pytest.approx((0 + math.asin(math.sqrt(1 / 11))) / 2, abs=1e-15)
    assert yi[1] == pytest.approx(
        (math.asin(math.sqrt(2 / 367)) + math.asin(math.sqrt(3 / 367))) / 2
    )
    assert vi == pytest.approx([1 / 42, 1 / 1466], abs=1e-15)


def test_logit_back_transform_is_expit():
    y = np.array([-5.2, 0.0, 3.1])
    assert meta.back_transform(y, "logit") == pytest.approx(special.expit(y), abs=1e-15)


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (2, 366), (5, 10), (68, 1010), (12, 12)])
def test_miller_inversion_recovers_a_single_study_exactly(x, n):
    # Miller (1978) is an algebraic inverse of the double arcsine at n: x/n comes back.
    (y,), _ = meta.transform(x, n, "freeman_tukey")
    assert meta.back_transform(y, "freeman_tukey", n) == pytest.approx(x / n, abs=1e-12)


def test_miller_inversion_limits():
    t = np.array([-0.1, 0.2, 1.0, 2.5, 3.5]) / 2  # on the halved scale
    # For very large n it tends to sin^2(t), the inverse of asin(sqrt(p)); clipped.
    big = meta.back_transform(t, "freeman_tukey", 1e12)
    assert big[1:4] == pytest.approx(np.sin(t[1:4]) ** 2, abs=1e-9)
    small = meta.back_transform(t, "freeman_tukey", 20)
    assert small[0] == 0.0 and small[-1] == 1.0 and np.all(np.diff(small) >= 0)
    with pytest.raises(ValueError, match="nobs_harmonic"):
        meta.back_transform(1.0, "freeman_tukey")


# --- pooling against statsmodels -----------------------------------------------------


@pytest.mark.parametrize("scale", meta.SCALES)
@pytest.mark.parametrize("table", [BRUISING, EDGES], ids=["bruising", "with_0_and_n"])
@pytest.mark.parametrize(("method", "sm_method"), [("DL", "dl"), ("PM", "pm")])
def test_dl_and_pm_match_statsmodels(scale, table, method, sm_method):
    yi, vi = inputs(table, scale)
    # statsmodels stops PM when |Q - (k - 1)| < atol (1e-5 by default): tighten it.
    sm = combine_effects(yi, vi, method_re=sm_method, atol=1e-13, maxiter=1000)
    assert sm.tau2 > 0  # statsmodels does not truncate DL at 0; these data need no truncation
    res = meta.pool(yi, vi, method=method)
    assert res["tau2"] == pytest.approx(sm.tau2, abs=1e-8)
    assert res["estimate"] == pytest.approx(sm.mean_effect_re, abs=1e-8)
    assert res["se"] == pytest.approx(sm.sd_eff_w_re, abs=1e-8)
    assert (res["ci_low"], res["ci_upp"]) == pytest.approx(tuple(sm.conf_int()[1]), abs=1e-8)
    assert res["q"] == pytest.approx(sm.q, rel=1e-10)
    assert res["q_p"] == pytest.approx(sm.test_homogeneity().pvalue, rel=1e-8)
    # I^2 from the method's own tau2 (statsmodels' i2 is Q-based, the DL one).
    s2 = meta.typical_variance(vi)
    assert res["i2"] == pytest.approx(res["tau2"] / (res["tau2"] + s2), abs=1e-12)
    if method == "DL":
        assert res["i2"] == pytest.approx(sm.i2, abs=1e-10)
    assert res["weights"] == pytest.approx(sm.weights_rel_re, abs=1e-10)
    # HKSJ: statsmodels' "wls" interval is the untruncated adjustment with t_{k-1}.
    hk = meta.pool(yi, vi, method=method, hksj=True)
    ci_wls = tuple(sm.conf_int(use_t=True)[3])
    assert (hk["ci_low"], hk["ci_upp"]) == pytest.approx(ci_wls, abs=1e-8)
    assert hk["se"] == pytest.approx(sm.sd_eff_w_re_hksj, abs=1e-8)


def test_hksj_factor_is_not_truncated_at_one():
    yi, vi = inputs()
    plain, hk = meta.pool(yi, vi, "DL"), meta.pool(yi, vi, "DL", hksj=True)
    w = 1 / (vi + plain["tau2"])
    q_hk = sum(w * (yi - plain["estimate"]) ** 2) / (len(yi) - 1)
    assert q_hk < 1  # these data would be affected by truncation
    assert hk["se"] == pytest.approx(plain["se"] * math.sqrt(q_hk), rel=1e-12)
    assert hk["statistic_df"] == 3 and "not truncated" in hk["note"]
    t = stats.t.isf(0.025, 3)
    assert hk["ci_upp"] == pytest.approx(hk["estimate"] + t * hk["se"], rel=1e-12)


def test_paule_mandel_solves_its_estimating_equation():
    yi, vi = inputs(EDGES)
    tau2 = meta.pool(yi, vi, "PM")["tau2"]
    w = 1 / (vi + tau2)
    mu = sum(w * yi) / sum(w)
    assert sum(w * (yi - mu) ** 2) == pytest.approx(len(yi) - 1, abs=1e-9)


# --- REML and the Q-profile interval against PyMARE ----------------------------------


@pytest.mark.parametrize("scale", meta.SCALES)
@pytest.mark.parametrize("table", [BRUISING, EDGES], ids=["bruising", "with_0_and_n"])
def test_reml_matches_pymare(scale, table):
    pytest.importorskip("pymare")
    from pymare.estimators import VarianceBasedLikelihoodEstimator

    yi, vi = inputs(table, scale)
    x = np.ones((len(yi), 1))
    # PyMARE maximises the profile REML likelihood by a bracketed search, not by
    # Fisher scoring; xtol tightens its default 1e-6 relative bracket width.
    wald = VarianceBasedLikelihoodEstimator("REML", small_sample_correction="wald", xtol=1e-13)
    wald.fit(yi, vi, x)
    res = meta.pool(yi, vi, method="REML")
    assert res["tau2"] == pytest.approx(wald.params_["tau2"].item(), abs=1e-6)
    assert res["estimate"] == pytest.approx(wald.params_["fe_params"].item(), abs=1e-6)
    assert res["se"] == pytest.approx(math.sqrt(wald.params_["inv_cov"].item()), abs=1e-6)
    kh = VarianceBasedLikelihoodEstimator(
        "REML", small_sample_correction="knapp-hartung", xtol=1e-13
    )
    kh.fit(yi, vi, x)
    hk = meta.pool(yi, vi, method="REML", hksj=True)
    assert hk["se"] == pytest.approx(math.sqrt(kh.params_["inv_cov"].item()), abs=1e-6)
    assert hk["statistic_df"] == kh.params_["dof"].item()


@pytest.mark.parametrize("scale", meta.SCALES)
def test_tau2_and_i2_intervals_match_pymare_q_profile(scale):
    pytest.importorskip("pymare")
    from pymare.stats import q_profile

    yi, vi = inputs(EDGES, scale)
    ref = q_profile(yi, vi, np.ones((len(yi), 1)), alpha=0.05)
    res = meta.pool(yi, vi, method="REML")
    assert res["tau2_ci_low"] == pytest.approx(ref["ci_l"], rel=1e-8)
    assert res["tau2_ci_upp"] == pytest.approx(ref["ci_u"], rel=1e-8)
    # I^2 limits: tau2 / (tau2 + s2), s2 the typical within-study variance.
    w = 1 / vi
    s2 = (len(yi) - 1) * sum(w) / (sum(w) ** 2 - sum(w**2))
    assert res["i2_ci_low"] == pytest.approx(ref["ci_l"] / (ref["ci_l"] + s2), rel=1e-8)
    assert res["i2_ci_upp"] == pytest.approx(ref["ci_u"] / (ref["ci_u"] + s2), rel=1e-8)
    # The interval always holds the Paule-Mandel tau2, Q(tau2) = k - 1 lying between
    # the chi-square quantiles; it need not hold DL's (here it does not: DL's tau2 is
    # below the interval when study variances differ this much).
    pm = meta.pool(yi, vi, method="PM")["tau2"]
    assert res["tau2_ci_low"] < pm < res["tau2_ci_upp"]
    assert res["i2_ci_low"] < pm / (pm + s2) < res["i2_ci_upp"]
    dl = meta.pool(yi, vi, method="DL")
    assert not dl["i2_ci_low"] < dl["i2"] < dl["i2_ci_upp"]
    assert "outside its Q-profile interval" in dl["note"]


# --- DerSimonian-Laird by hand -------------------------------------------------------


def test_dersimonian_laird_three_studies_by_hand():
    y = [Fraction(-2), Fraction(-1), Fraction(-3)]
    v = [Fraction(4, 100), Fraction(25, 100), Fraction(10, 100)]
    w = [1 / vi for vi in v]  # 25, 4, 10
    sw = sum(w)  # 39
    mu_fe = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sw  # -84/39
    q = sum(wi * (yi - mu_fe) ** 2 for wi, yi in zip(w, y, strict=True))
    assert q == Fraction(510, 39)
    c = sw - sum(wi**2 for wi in w) / sw  # 39 - 741/39 = 20
    tau2 = (q - 2) / c
    assert tau2 == Fraction(36, 65)
    w_re = [1 / (vi + tau2) for vi in v]
    mu = sum(wi * yi for wi, yi in zip(w_re, y, strict=True)) / sum(w_re)
    se = math.sqrt(1 / sum(w_re))

    res = meta.pool([float(t) for t in y], [float(t) for t in v], method="DL")
    assert res["q"] == pytest.approx(float(q), rel=1e-13)
    assert res["q_df"] == 2
    assert res["tau2"] == pytest.approx(float(tau2), rel=1e-13)
    assert res["weights"] == pytest.approx([float(wi / sum(w_re)) for wi in w_re], rel=1e-13)
    assert res["estimate"] == pytest.approx(float(mu), rel=1e-13)
    assert res["se"] == pytest.approx(se, rel=1e-13)
    z = 1.959963984540054
    assert res["ci_low"] == pytest.approx(float(mu) - z * se, rel=1e-12)
    assert res["i2"] == pytest.approx(float((q - 2) / q), rel=1e-13)  # 216/255
    assert res["h2"] == pytest.approx(float(q / 2), rel=1e-13)
    t1 = 12.706204736174698  # t_{0.975, k - 2 = 1}
    half = t1 * math.sqrt(float(tau2) + se**2)
    assert (res["pi_low"], res["pi_upp"]) == pytest.approx((float(mu) - half, float(mu) + half))


# --- edge cases and properties -------------------------------------------------------


@pytest.mark.parametrize("scale", meta.SCALES)
@pytest.mark.parametrize("method", meta.METHODS)
@pytest.mark.parametrize("hksj", [False, True])
def test_zero_and_all_event_studies_give_finite_results(scale, method, hksj):
    res = meta.meta_proportions(EDGES, scale, method, hksj)
    numbers = [v for key, v in res.items() if isinstance(v, float) and key != "statistic_df"]
    assert all(math.isfinite(v) for v in numbers)
    assert 0 <= res["pi_low"] <= res["ci_low"] <= res["estimate"] <= res["ci_upp"] <= 1
    studies = meta.study_table(EDGES, scale, method)
    assert studies.loc[4, ["estimate", "ci_low"]].tolist() == [0.0, 0.0]
    assert studies.loc[5, ["estimate", "ci_upp"]].tolist() == [1.0, 1.0]
    assert studies["weight"].sum() == pytest.approx(1.0)


def test_zero_events_use_no_correction_on_the_freeman_tukey_scale():
    (y0, y1), (v0, v1) = meta.transform([0, 0], [50, 50.0], "freeman_tukey")
    assert y0 == pytest.approx(math.asin(math.sqrt(1 / 51)) / 2, abs=1e-15)
    assert meta.back_transform(y0, "freeman_tukey", 50) == 0.0


@pytest.mark.parametrize("method", meta.METHODS)
def test_i2_is_zero_when_q_is_below_its_degrees_of_freedom(method):
    res = meta.pool([0.0, 0.01, -0.01], [0.1, 0.1, 0.1], method=method)
    assert res["q"] == pytest.approx(0.002) and res["q"] < res["q_df"]
    assert res["i2"] == 0.0 and res["h2"] == 1.0 and res["tau2"] == 0.0
    assert res["tau2_ci_low"] == res["tau2_ci_upp"] == 0.0
    assert res["i2_ci_low"] == res["i2_ci_upp"] == 0.0


@pytest.mark.parametrize("scale", meta.SCALES)
@pytest.mark.parametrize("method", meta.METHODS)
@pytest.mark.parametrize("hksj", [False, True])
def test_prediction_interval_is_wider_than_the_confidence_interval(scale, method, hksj):
    res = meta.meta_proportions(BRUISING, scale, method, hksj)
    assert res["y_pi_low"] < res["y_ci_low"] < res["y_estimate"]
    assert res["y_estimate"] < res["y_ci_upp"] < res["y_pi_upp"]
    half = stats.t.isf(0.025, 2) * math.sqrt(res["tau2"] + res["y_se"] ** 2)
    assert res["y_pi_upp"] == pytest.approx(res["y_estimate"] + half, rel=1e-12)


def test_small_k_gives_nan_with_a_note():
    two = meta.pool([-3.0, -4.0], [0.1, 0.2])
    assert math.isnan(two["pi_low"]) and "k < 3" in two["note"]
    one = meta.pool([-3.0], [0.1], hksj=True)
    assert one["tau2"] == 0.0 and one["estimate"] == -3.0 and "k = 1" in one["note"]
    assert math.isnan(one["ci_low"]) and math.isnan(one["q_p"])
    assert "I2" not in one["note"] and "no HKSJ interval" in one["note"]


def test_back_transformed_result_on_the_proportion_scale():
    res = meta.meta_proportions(BRUISING, "logit", "DL")
    assert res["estimate"] == pytest.approx(special.expit(res["y_estimate"]), abs=1e-15)
    assert res["ci_upp"] == pytest.approx(special.expit(res["y_ci_upp"]), abs=1e-15)
    ft = meta.meta_proportions(BRUISING, "freeman_tukey", "DL")
    n_h = 4 / sum(1 / BRUISING["nobs"])
    assert ft["nobs_harmonic"] == pytest.approx(n_h)
    assert ft["estimate"] == meta.back_transform(ft["y_estimate"], "freeman_tukey", n_h)
    assert (res["k"], res["count"], res["nobs"]) == (4, 92, 2872)
    assert 0.005 < res["estimate"] < 0.07  # between the smallest and largest study


def test_leave_one_out_gives_one_row_per_study():
    loo = meta.leave_one_out(BRUISING, scale="logit", method="REML")
    assert len(loo) == len(BRUISING) and list(loo["omitted"]) == list(BRUISING["study"])
    assert (loo["k"] == 3).all()
    without_kemp = meta.meta_proportions(BRUISING.drop(index=2), "logit", "REML")
    assert loo.loc[2, "estimate"] == pytest.approx(without_kemp["estimate"], rel=1e-14)
    # Dropping the study with the highest rate lowers the pooled rate the most.
    assert loo["estimate"].idxmin() == 2


def test_identical_subgroups_do_not_differ():
    twice = pd.concat([BRUISING.assign(group="A"), BRUISING.assign(group="B")])
    sub = meta.by_subgroup(twice, "group", scale="freeman_tukey", method="REML")
    assert list(sub["subgroup"]) == ["A", "B"]
    assert sub["test_statistic"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert sub["test_df"].iloc[0] == 1
    assert sub["test_p"].iloc[0] == pytest.approx(1.0)


def test_subgroup_with_one_study_is_not_testable():
    sub = meta.by_subgroup(BRUISING, "design", scale="logit", method="DL")
    assert sub["test_statistic"].isna().all()
    assert sub["test_note"].iloc[0] == "not testable: fewer than 2 studies in longitudinal"
    assert sub.loc[1, "k"] == 1 and sub.loc[1, "tau2"] == 0.0  # Kemp alone


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="scale"):
        meta.transform([1], [10], "probit")
    with pytest.raises(ValueError, match="count"):
        meta.transform([11], [10])
    with pytest.raises(ValueError, match="method"):
        meta.pool([1.0, 2.0], [0.1, 0.1], method="HS")
    with pytest.raises(ValueError, match="column"):
        meta.by_subgroup(BRUISING, "country")


# --- forest plot ---------------------------------------------------------------------


def test_forest_plot_is_a_reproducible_svg(tmp_path):
    studies = meta.study_table(EDGES, "logit", "REML")
    pooled = meta.meta_proportions(EDGES, "logit", "REML", hksj=True)
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    forest_plot(studies, pooled, first, title="Accidental bruising")
    forest_plot(studies, pooled, second, title="Accidental bruising")
    assert first.read_bytes() == second.read_bytes()
    assert b"<svg" in first.read_bytes()[:1000]


def test_forest_plot_takes_several_pooled_rows(tmp_path):
    studies = meta.study_table(BRUISING)
    sub = meta.by_subgroup(BRUISING, "design")
    forest_plot(studies, sub, tmp_path / "sub.svg")
    forest_plot(studies.drop(columns="weight"), meta.leave_one_out(BRUISING), tmp_path / "l.svg")
    assert (tmp_path / "sub.svg").stat().st_size > 0 and (tmp_path / "l.svg").stat().st_size > 0
