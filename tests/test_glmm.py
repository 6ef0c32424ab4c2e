"""The binomial-normal GLMM and the inverse-variance models against R's metafor.

Reference values: tests/reference_r/bruising_meta.R (metafor 3.8 rma.glmm with lme4,
rma.uni), committed as CSV; CI has no R. The project's pools and metafor's documented
dataset dat.pritz1997 (Pritz 1997; the example of rma.glmm with measure "PLO").
"""

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from scipy import special, stats

from triennial.stats import glmm, meta

REF = ROOT / "tests/reference_r"
R = pd.read_csv(REF / "bruising_meta.csv")
STUDIES = pd.read_csv(ROOT / "data/raw/published/bruising/studies.csv")
PRITZ = {  # metadat::dat.pritz1997, xi of ni
    "xi": [16, 10, 4, 43, 10, 25, 13, 12, 22, 4, 5, 18, 58, 6],
    "ni": [17, 12, 8, 58, 10, 42, 14, 12, 41, 5, 6, 23, 68, 10],
}


def counts(dataset: str):
    if dataset == "pritz1997":
        return np.array(PRITZ["xi"]), np.array(PRITZ["ni"])
    rows = R.loc[R["dataset"] == dataset, "rows"].iloc[0].split()
    table = STUDIES.set_index("row_id").loc[rows]
    return table["count"].fillna(table["count_min"]).to_numpy(), table["nobs"].to_numpy()


GLMM_ROWS = R[R["model"] == "GLMM"]


@pytest.mark.parametrize("dataset", list(GLMM_ROWS["dataset"]))
def test_glmm_matches_metafor_rma_glmm(dataset):
    ref = GLMM_ROWS.set_index("dataset").loc[dataset]
    x, n = counts(dataset)
    fit = glmm.glmm_proportions(x, n)
    assert fit["y_estimate"] == pytest.approx(ref["estimate"], abs=1e-4)
    assert fit["y_se"] == pytest.approx(ref["se"], abs=1e-4)
    assert fit["y_ci_low"] == pytest.approx(ref["ci_low"], abs=1e-4)
    assert fit["y_ci_upp"] == pytest.approx(ref["ci_upp"], abs=1e-4)
    assert fit["tau2"] == pytest.approx(ref["tau2"], abs=1e-4)
    assert fit["i2"] == pytest.approx(ref["i2"], abs=1e-4)
    assert fit["estimate"] == pytest.approx(special.expit(ref["estimate"]), abs=1e-6)


def test_glmm_quadrature_has_converged():
    x, n = counts("pritz1997")
    seven, many = glmm.glmm_proportions(x, n), glmm.glmm_proportions(x, n, n_nodes=41)
    assert seven["y_estimate"] == pytest.approx(many["y_estimate"], abs=1e-4)
    assert seven["tau2"] == pytest.approx(many["tau2"], abs=1e-4)


def test_glmm_at_tau_zero_is_the_fixed_effect_binomial_model():
    x, n = counts("main")
    fit = glmm.glmm_proportions(x, n)
    p = x.sum() / n.sum()
    assert fit["tau2"] == 0.0 and fit["lrt"] == 0.0 and fit["lrt_p"] == 1.0
    assert fit["estimate"] == pytest.approx(p, rel=1e-12)
    assert fit["y_se"] == pytest.approx(1 / np.sqrt(n.sum() * p * (1 - p)), rel=1e-12)


def test_likelihood_ratio_test_by_hand():
    x, n = counts("all")
    fit = glmm.glmm_proportions(x, n)
    # The fixed-effect binomial log-likelihood, written out with scipy.
    fixed = stats.binom.logpmf(x, n, x.sum() / n.sum()).sum()
    assert fit["loglik_fixed"] == pytest.approx(fixed, rel=1e-12)
    lr = 2 * (fit["loglik"] - fixed)
    assert fit["lrt"] == pytest.approx(lr, rel=1e-12)
    assert fit["lrt_p_chi2"] == pytest.approx(stats.chi2.sf(lr, 1), rel=1e-9)
    assert fit["lrt_p"] == pytest.approx(stats.chi2.sf(lr, 1) / 2, rel=1e-9)


def test_log_likelihood_matches_direct_integration():
    from scipy import integrate

    x, n = counts("all")
    mu, tau = -3.8, 0.9

    def study(xi, ni):
        f = lambda b: stats.binom.pmf(xi, ni, special.expit(mu + b)) * stats.norm.pdf(b, 0, tau)  # noqa: E731
        return integrate.quad(f, -12 * tau, 12 * tau, epsabs=1e-14, limit=200)[0]

    direct = sum(np.log(study(xi, ni)) for xi, ni in zip(x, n, strict=True))
    assert glmm.log_likelihood(mu, tau, x, n, n_nodes=41) == pytest.approx(direct, rel=1e-9)


def test_glmm_rejects_bad_input():
    with pytest.raises(ValueError, match="count"):
        glmm.glmm_proportions([5], [3])
    with pytest.raises(ValueError, match="at least one event"):
        glmm.glmm_proportions([0, 0], [10, 20])


IV_ROWS = R[R["model"] != "GLMM"]


@pytest.mark.parametrize("row", range(len(IV_ROWS)))
def test_inverse_variance_models_match_metafor_rma(row):
    ref = IV_ROWS.iloc[row]
    x, n = counts(ref["dataset"])
    yi, vi = meta.transform(x, n, ref["scale"])
    res = meta.pool(yi, vi, method=ref["model"], hksj=bool(ref["hksj"]))
    assert res["tau2"] == pytest.approx(ref["tau2"], abs=1e-6)  # on metafor's scale (PFT halved)
    assert res["i2"] == pytest.approx(ref["i2"], abs=1e-6)
    assert res["h2"] == pytest.approx(ref["h2"], rel=1e-6)
    assert res["estimate"] == pytest.approx(ref["estimate"], abs=1e-6)
    assert (res["ci_low"], res["ci_upp"]) == pytest.approx((ref["ci_low"], ref["ci_upp"]), abs=1e-6)


SUB = pd.read_csv(REF / "bruising_subgroups.csv")
SUB_DATA = pd.DataFrame(
    {"xi": [2, 18, 68, 4, 0, 12], "ni": [366, 1395, 1010, 101, 50, 40], "group": list("aabbab")}
)


@pytest.mark.parametrize("row", range(len(SUB)))
def test_subgroup_meta_regression_matches_metafor(row):
    ref = SUB.iloc[row]
    yi, vi = meta.transform(SUB_DATA["xi"], SUB_DATA["ni"], ref["scale"])
    test = meta.subgroup_test(yi, vi, SUB_DATA["group"], ref["model"], bool(ref["hksj"]))
    assert test["tau2"] == pytest.approx(ref["tau2"], abs=1e-6)
    assert test["statistic"] == pytest.approx(ref["statistic"], rel=1e-5)
    assert test["p"] == pytest.approx(ref["p"], abs=1e-6)
    assert test["df"] == ref["df"]


def test_the_rows_log_sum_exp_is_scipys_to_the_last_bit():
    """The likelihood's own log-sum-exp (fast) gives scipy's numbers exactly, ties too, so
    the optimiser follows the same path."""
    rng = np.random.default_rng(3)
    a = rng.normal(-50, 30, size=(200, 7))
    a[:20, 3] = a[:20, 5] = a[:20].max(axis=1) + 1  # two largest terms tied
    np.testing.assert_array_equal(glmm._logsumexp_rows(a), special.logsumexp(a, axis=1))
