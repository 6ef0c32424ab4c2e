"""Trend models against independent references: direct statsmodels calls, the exact
binomial interval from scipy's beta quantiles, hand-computed auxiliary regressions,
simulation with known slopes, and statsmodels' own prediction intervals."""

import functools
import itertools
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from conftest import ROOT
from scipy import stats

from triennial.analysis.trends import joinpoint_table
from triennial.data.series import decimal_year
from triennial.figures import trends as tf
from triennial.stats import count_models as cm
from triennial.stats.joinpoint import (
    admissible_sets,
    delta_intervals,
    first_best,
    join_grid,
    joinpoint,
    poisson_loglik_batch,
    quantile_mc_se,
    segmented_designs,
    spd_solve,
)
from triennial.stats.rate_ratio import rate_ratio, rate_ratio_range

Z = stats.norm.isf(0.025)


def annual(counts, first=2005, series="notifications_total", reform=2018, population=None):
    """Financial-year rows (April to March) for consecutive years from `first`."""
    rows = []
    for i, c in enumerate(counts):
        y = first + i
        rows.append(
            {
                "series": series,
                "period_start": f"{y}-04-01",
                "period_end": f"{y + 1}-03-31",
                "years": 1.0,
                "midpoint": decimal_year(date(y, 10, 1)),
                "count": int(c),
                "system": "scr" if y < reform else "new",
            }
        )
    out = pd.DataFrame(rows)
    if population is not None:
        out["population"] = population
    return out


def with_long_period(df: pd.DataFrame) -> pd.DataFrame:
    """Replace the last financial year by April 2017 - September 2019 (2.5 years)."""
    df = df[df["period_start"] < "2017-04-01"].copy()
    long = {
        "series": df["series"].iloc[0],
        "period_start": "2017-04-01",
        "period_end": "2019-09-30",
        "years": 2.5,
        "midpoint": decimal_year(date(2018, 7, 1)),
        "count": 1_050,
        "system": "new",
    }
    return pd.concat([df, pd.DataFrame([long])], ignore_index=True)


def counts_from(mu, seed, nb_alpha=None):
    rng = np.random.default_rng(seed)
    if nb_alpha is None:
        return rng.poisson(mu)
    return rng.negative_binomial(1 / nb_alpha, 1 / (1 + nb_alpha * np.asarray(mu)))


@pytest.fixture
def series():
    """13 financial years and one 2.5-year period, spanning both systems."""
    mu = 400 * np.exp(-0.03 * np.arange(12))
    return with_long_period(annual(counts_from(mu, 11)))


@pytest.fixture
def overdispersed():
    """30 years, mean about 100 and growing, NB2 alpha = 0.1, both systems."""
    mu = 100 * np.exp(0.02 * np.arange(30))
    return annual(counts_from(mu, 5, nb_alpha=0.1), first=1995)


# --- Poisson and NB2 agree with direct statsmodels calls ----------------------------------


def test_poisson_agrees_with_statsmodels_formula(series):
    fit = cm.fit_trend(series, step=True)
    data = series.assign(t=series["midpoint"] - series["midpoint"].mean())
    data["new"] = (data["system"] == "new").astype(float)
    direct = smf.glm(
        "count ~ t + new", data, family=sm.families.Poisson(), offset=np.log(data["years"])
    ).fit()
    np.testing.assert_allclose(fit.params, direct.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.coefficients["se"], direct.bse, rtol=1e-8)
    for key, value in [
        ("deviance", direct.deviance),
        ("pearson_chi2", direct.pearson_chi2),
        ("aic", direct.aic),
        ("llf", direct.llf),
    ]:
        assert fit.statistics[key] == pytest.approx(value, rel=1e-8)
    assert fit.statistics["df_resid"] == len(series) - 3
    b, se = direct.params["t"], direct.bse["t"]
    effects = fit.effects.set_index("quantity")
    want = 100 * (np.exp([b, b - Z * se, b + Z * se]) - 1)
    np.testing.assert_allclose(effects.loc["apc", ["estimate", "ci_low", "ci_upp"]], want)
    assert effects.loc["irr_per_year", "estimate"] == pytest.approx(math.exp(b))
    assert effects.loc["step_irr", "estimate"] == pytest.approx(math.exp(direct.params["new"]))


def test_poisson_population_offset_agrees_with_exposure(series):
    population = np.linspace(11.5e6, 12.1e6, len(series))
    data = series.assign(population=population)
    fit = cm.fit_trend(data, offset_population=True)
    X = sm.add_constant(data["midpoint"] - data["midpoint"].mean())
    direct = sm.GLM(
        data["count"], X, family=sm.families.Poisson(), exposure=data["years"] * population
    ).fit()
    np.testing.assert_allclose(fit.params, direct.params, rtol=1e-8)
    np.testing.assert_allclose(fit.coefficients["se"], direct.bse, rtol=1e-8)
    # Falls back to a rate per year only when told to.
    partial = data.assign(population=[np.nan, *population[1:]])
    with pytest.raises(ValueError, match="population"):
        cm.fit_trend(partial, offset_population=True)
    fallback = cm.fit_trend(partial, offset_population="if_available")
    assert not fallback.population


def test_negbin_agrees_with_statsmodels(overdispersed):
    fit = cm.fit_trend(overdispersed, "negbin", step=True)
    assert fit.statistics["converged"]
    data = overdispersed.assign(t=overdispersed["midpoint"] - overdispersed["midpoint"].mean())
    data["new"] = (data["system"] == "new").astype(float)
    poisson = smf.glm(
        "count ~ t + new", data, family=sm.families.Poisson(), exposure=data["years"]
    ).fit()
    # Another route to the same maximum: exposure instead of offset, Newton from Poisson.
    direct = smf.negativebinomial(
        "count ~ t + new", data, loglike_method="nb2", exposure=data["years"]
    ).fit(start_params=np.r_[poisson.params, 0.1], method="newton", maxiter=100, disp=0)
    assert direct.mle_retvals["converged"]
    np.testing.assert_allclose(fit.results.params, direct.params, rtol=1e-8)
    np.testing.assert_allclose(fit.results.bse, direct.bse, rtol=1e-8)
    assert fit.statistics["nb_alpha"] == pytest.approx(direct.params["alpha"], rel=1e-8)
    assert fit.statistics["aic"] == pytest.approx(direct.aic, rel=1e-10)
    # A GLM with alpha held at its estimate has the same coefficients (the score in beta
    # does not involve alpha's estimate beyond its value).
    glm = smf.glm(
        "count ~ t + new",
        data,
        family=sm.families.NegativeBinomial(alpha=fit.statistics["nb_alpha"]),
        exposure=data["years"],
    ).fit(tol=1e-12)  # IRLS stops at a relative deviance change of 1e-8 by default
    np.testing.assert_allclose(fit.params, glm.params, rtol=1e-7)
    # The coefficients' standard errors are given alpha (expected information), as the
    # GLM's and R's MASS::glm.nb's are.
    np.testing.assert_allclose(fit.coefficients["se"], glm.bse, rtol=1e-6)
    # NB2's deviance and Pearson statistic match the GLM's at the same alpha.
    assert fit.statistics["deviance"] == pytest.approx(glm.deviance, rel=1e-6)
    assert fit.statistics["pearson_chi2"] == pytest.approx(glm.pearson_chi2, rel=1e-6)


def test_model_table_has_every_family_and_no_pretest(overdispersed):
    """Quasi-Poisson is primary whatever the data; NB2 and Poisson stand beside it."""
    for data in (
        overdispersed,
        annual(counts_from(100 * np.exp(0.02 * np.arange(30)), 8), first=1995),
    ):
        table = cm.model_table(data)
        assert list(table["model"]) == ["quasipoisson", "negbin", "poisson"]
        assert list(table["role"]) == ["primary", "sensitivity", "reference"]
    # The primary interval is statsmodels' Poisson GLM with the Pearson scale and t(df).
    data = overdispersed.assign(t=overdispersed["midpoint"] - overdispersed["midpoint"].mean())
    direct = smf.glm(
        "count ~ t", data, family=sm.families.Poisson(), offset=np.log(data["years"])
    ).fit(scale="X2")
    b, se, df = direct.params["t"], direct.bse["t"], direct.df_resid
    q = stats.t.isf(0.025, df)
    row = cm.model_table(overdispersed).iloc[0]
    want = 100 * np.expm1([b, b - q * se, b + q * se])
    np.testing.assert_allclose(row[["estimate", "ci_low", "ci_upp"]].astype(float), want)
    assert row["dispersion"] == pytest.approx(direct.scale, rel=1e-10)


@pytest.mark.filterwarnings("error")  # the saturated fits warn nobody: the note says it
def test_quasipoisson_floor_and_no_residual_df():
    """phi below 1 is floored (never narrower than Poisson); with 0 df it is Poisson, said so."""
    under = annual([100, 101, 99, 100, 102, 100, 101, 99])  # far less variable than Poisson
    qp, po = cm.fit_trend(under, "quasipoisson"), cm.fit_trend(under, "poisson")
    assert qp.statistics["dispersion"] < 1 and qp.scale == 1.0
    np.testing.assert_allclose(qp.coefficients["se"], po.coefficients["se"], rtol=1e-10)
    assert qp.coefficients["ci_upp"].iloc[1] > po.coefficients["ci_upp"].iloc[1]  # t, not z
    two = annual([100, 120])
    fit = cm.fit_trend(two, "quasipoisson")
    assert fit.family == "poisson" and "not estimable" in fit.statistics["note"]
    table = cm.model_table(two)
    assert "not estimable" in table.loc[0, "note"]
    assert "needs more than" in table.loc[1, "note"]  # NB2 cannot be fitted


def test_step_needs_both_systems():
    with pytest.raises(ValueError, match="both systems"):
        cm.fit_trend(annual(range(100, 110), reform=2030), step=True)


# --- Rate ratios ---------------------------------------------------------------------------


def clopper_pearson_irr(a, ea, b, eb, alpha=0.05):
    """Exact conditional interval, written out: p = a/(a+b) is binomial given a + b."""
    low = stats.beta.ppf(alpha / 2, a, b + 1)
    upp = stats.beta.ppf(1 - alpha / 2, a + 1, b)
    return low / (1 - low) * eb / ea, upp / (1 - upp) * eb / ea


@pytest.mark.parametrize(("a", "ea", "b", "eb"), [(150, 5, 300, 4.5), (31, 1, 12, 1)])
def test_exact_rate_ratio_is_clopper_pearson(a, ea, b, eb):
    out = rate_ratio(a, ea, b, eb).set_index("method")
    assert out.loc["exact_conditional", "estimate"] == pytest.approx((a / ea) / (b / eb))
    low, upp = clopper_pearson_irr(a, ea, b, eb)
    assert out.loc["exact_conditional", "ci_low"] == pytest.approx(low, rel=1e-12)
    assert out.loc["exact_conditional", "ci_upp"] == pytest.approx(upp, rel=1e-12)
    half = Z * math.sqrt(1 / a + 1 / b)
    irr = (a / ea) / (b / eb)
    assert out.loc["wald", "ci_low"] == pytest.approx(irr * math.exp(-half), rel=1e-12)
    assert out.loc["wald", "ci_upp"] == pytest.approx(irr * math.exp(half), rel=1e-12)


def test_wald_close_to_exact_at_counts_150_to_300():
    """Tolerance 2% relative on each limit, for counts of 150 to 300 in each period.

    The exact interval is, to first order, the log-Wald interval with a continuity
    correction of half a count moved from one period to the other, which shifts a log
    limit by about 0.5/a + 0.5/b: 0.67% at a = b = 150, the grid's worst case (observed
    0.68%). 2% allows three times that. The observed worst case is asserted too, so a
    silent change in either method shows.
    """
    worst = 0.0
    for a in (150, 200, 300):
        for b in (150, 200, 300):
            out = rate_ratio(a, 5, b, 5).set_index("method")
            wald, exact = out.loc["wald"], out.loc["exact_conditional"]
            for limit in ("ci_low", "ci_upp"):
                worst = max(worst, abs(wald[limit] / exact[limit] - 1))
            # Clopper-Pearson is conservative: it contains the Wald interval here.
            assert exact["ci_low"] < wald["ci_low"] < wald["ci_upp"] < exact["ci_upp"]
    assert worst < 0.02
    assert 0.005 < worst < 0.008  # observed: 0.0068 at a = b = 150


R_RATE_RATIO = pd.read_csv(ROOT / "tests/reference_r/rate_ratio.csv")


@pytest.mark.parametrize("row", range(len(R_RATE_RATIO)))
def test_exact_rate_ratio_matches_r_poisson_test(row):
    """R's poisson.test (tests/reference_r/rate_ratio.R) on the chapter's contrasts and on
    small counts, at two levels: the same interval to 1e-9 relative."""
    ref = R_RATE_RATIO.iloc[row]
    out = rate_ratio(ref["count_a"], ref["exposure_a"], ref["count_b"], ref["exposure_b"],
                     alpha=ref["alpha"])  # fmt: skip
    exact = out.set_index("method").loc["exact_conditional"]
    for column in ("estimate", "ci_low", "ci_upp"):
        assert exact[column] == pytest.approx(ref[column], rel=1e-9, abs=1e-12), column


def test_r_rate_ratio_inputs_are_the_chapters_contrasts():
    expected = pd.read_csv(ROOT / "tests/expected/trend_contrasts.csv")
    columns = ["count_a", "exposure_a", "count_b", "exposure_b"]
    chapter = expected[columns].drop_duplicates().reset_index(drop=True)
    r = R_RATE_RATIO[
        (R_RATE_RATIO["source"] == "trend_contrasts") & (R_RATE_RATIO["alpha"] == 0.05)
    ]
    pd.testing.assert_frame_equal(r[columns].reset_index(drop=True), chapter, check_dtype=False)


def test_rate_ratio_range_takes_the_extreme_ends():
    # e.g. 30-32 a year over 5 years against 300 in 5 years.
    out = rate_ratio_range((150, 160), 5, 300, (4.5, 5))
    low = out[out["end"] == "low"].drop(columns="end").reset_index(drop=True)
    high = out[out["end"] == "high"].drop(columns="end").reset_index(drop=True)
    pd.testing.assert_frame_equal(low, rate_ratio(150, 5, 300, 4.5))
    pd.testing.assert_frame_equal(high, rate_ratio(160, 5, 300, 5))
    assert (low["estimate"] < high["estimate"]).all()
    with pytest.raises(ValueError):
        rate_ratio(-1, 5, 300, 5)


def test_rate_ratio_zero_count():
    out = rate_ratio(0, 5, 20, 5).set_index("method")
    assert out.loc["exact_conditional", "ci_low"] == 0
    assert out.loc["exact_conditional", "ci_upp"] > 0
    assert np.isnan(out.loc["wald", "ci_low"])


# --- Joinpoint ----------------------------------------------------------------------------

TRUE_BREAK = 7  # index of the year where +8% a year turns into -8%


def broken_line(seed):
    x = np.arange(15)
    log_mu = np.log(200) + np.where(
        x <= TRUE_BREAK,
        x * np.log(1.08),
        TRUE_BREAK * np.log(1.08) + (x - TRUE_BREAK) * np.log(0.92),
    )
    return annual(counts_from(np.exp(log_mu), seed), reform=2100)  # one counting system


def test_batch_newton_matches_statsmodels():
    df = broken_line(1)
    data = cm.model_rows(df)
    X = cm.design(data, data["midpoint"].mean(), (data["midpoint"][5],)).to_numpy()
    llf, beta = poisson_loglik_batch(X[None], data["count"].to_numpy(float), np.zeros(15))
    direct = sm.GLM(data["count"], X, family=sm.families.Poisson()).fit()
    assert llf[0] == pytest.approx(direct.llf, rel=1e-10)
    np.testing.assert_allclose(beta[0], direct.params, rtol=1e-8)


def test_batch_newton_matches_statsmodels_for_every_design_and_data_set():
    """One call with several designs and data sets (and an offset): each (data set,
    design) result is that pair's own statsmodels fit, so no axis is mixed up."""
    data = cm.model_rows(broken_line(1))
    centre = data["midpoint"].mean()
    X = np.stack(
        [cm.design(data, centre, (data["midpoint"][i] + 0.3,)).to_numpy() for i in (3, 6, 9)]
    )
    rng = np.random.default_rng(4)
    Y = np.vstack([data["count"], rng.poisson(data["count"]), rng.poisson(data["count"])])
    off = np.log(rng.uniform(0.5, 2, len(data)))
    llf, beta = poisson_loglik_batch(X, Y.astype(float), off)
    assert llf.shape == (3, 3) and beta.shape == (3, 3, 3)
    for b, c in itertools.product(range(3), range(3)):
        direct = sm.GLM(Y[b], X[c], family=sm.families.Poisson(), offset=off).fit()
        assert llf[b, c] == pytest.approx(direct.llf, rel=1e-10)
        np.testing.assert_allclose(beta[b, c], direct.params, rtol=1e-8)


@pytest.mark.parametrize("p", [1, 2, 3, 4, 6])
def test_batched_cholesky_matches_lapack(p):
    rng = np.random.default_rng(p)
    A = rng.standard_normal((3, 5, p + 3, p))
    H = A.transpose(0, 1, 3, 2) @ A  # (3, 5, p, p), symmetric positive definite
    g = rng.standard_normal((3, 5, p))
    x = spd_solve(np.moveaxis(H, (2, 3), (0, 1)), np.moveaxis(g, 2, 0))
    want = np.linalg.solve(H, g[..., None])[..., 0]
    np.testing.assert_allclose(np.moveaxis(x, 0, 2), want, rtol=1e-9, atol=1e-12)
    H[1, 2] = 0.0  # one singular matrix in the stack fails the call, as LAPACK's does
    with pytest.raises(np.linalg.LinAlgError):
        spd_solve(np.moveaxis(H, (2, 3), (0, 1)), np.moveaxis(g, 2, 0))


def test_tied_join_sets_resolve_to_the_first_whatever_the_rounding():
    """With the reform's step, a join anywhere between the two periods either side of
    the reform spans the same columns: those fits tie, and the first is chosen even when
    rounding (here noise of 1e-11, above the spread of these fits' llf: 1e-12) orders them
    differently; a clearly better set wins."""
    df = annual(counts_from(300 * np.exp(0.03 * np.arange(12)), 2), reform=2011)
    data = cm.model_rows(df)
    x, y = data["midpoint"].to_numpy(), data["count"].to_numpy(float)
    gap = np.linspace(x[5], x[6], 6)  # the reform falls between periods 6 and 7
    X = segmented_designs(data, data["midpoint"].mean(), gap[:, None], True)
    llf, _ = poisson_loglik_batch(X, y, np.zeros(len(y)))
    assert np.ptp(llf) <= 1e-12 * np.abs(llf).max()
    rng = np.random.default_rng(0)
    for _ in range(20):
        noisy = llf + 1e-11 * rng.standard_normal(len(llf))
        assert first_best(noisy[None], y[None])[0] == 0
    better = np.r_[llf, llf.max() + 1e-6]  # a real difference, far above rounding
    assert first_best(better[None], y[None])[0] == len(llf)


def test_admissible_sets_count_as_the_definition_does():
    """Against a direct count of the observations in each segment (edges within 1e-9)."""
    x = np.arange(10) + 0.75
    rng = np.random.default_rng(3)
    sets = rng.choice(np.r_[x, x + 1e-9, x - 2e-9, rng.uniform(0, 11, 20)], (400, 2))
    for m in (1, 2, 3):
        got = admissible_sets(x, sets, m)
        for joins, ok in zip(sets, got, strict=True):
            edges = [x[0], *joins, x[-1]]
            counts = [
                np.sum((x >= a - 1e-9) & (x <= b + 1e-9)) for a, b in itertools.pairwise(edges)
            ]
            want = all(c >= m for c in counts) and all(b > a for a, b in itertools.pairwise(edges))
            assert ok == want


def test_aapc_is_the_average_slope():
    jp = joinpoint(broken_line(3), n_perm=99, n_boot=200)
    fitted = cm.predict(jp.fit, tf.rate_rows(jp.fit, jp.fit.data["midpoint"]))["estimate"]
    x = jp.fit.data["midpoint"]
    # A continuous piecewise line: length-weighted slopes = (end - start) / range.
    slope = (math.log(fitted.iloc[-1]) - math.log(fitted.iloc[0])) / (x.iloc[-1] - x.iloc[0])
    assert jp.aapc["estimate"].item() == pytest.approx(100 * math.expm1(slope), rel=1e-8)
    assert jp.aapc["ci_low"].item() < jp.aapc["estimate"].item() < jp.aapc["ci_upp"].item()


def test_joinpoint_table_carries_the_selection_p_and_its_monte_carlo_error():
    """The permutation test's p and its Monte Carlo SE, sqrt(p (1 - p) / permutations), are
    numeric columns of every row, not only words in `selection`."""
    fits = {"a": joinpoint(broken_line(2), n_perm=99, n_boot=0), "b": None}
    fits["b"] = joinpoint(broken_line(2), min_joins=1, n_perm=99, n_boot=0)  # no test run
    table = joinpoint_table(fits)
    a, b = table[table["series"] == "a"], table[table["series"] == "b"]
    test = fits["a"].selection.iloc[-1]
    assert (a["p_value"] == test["p_value"]).all()
    expected = math.sqrt(test["p_value"] * (1 - test["p_value"]) / 99)
    assert a["p_mc_se"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert b["p_value"].isna().all() and b["p_mc_se"].isna().all()


def test_no_join_is_the_quasipoisson_fit():
    df = annual(counts_from(300 * np.exp(0.05 * np.arange(15)), 4))
    jp = joinpoint(df, n_perm=99, n_boot=0, step=False)
    assert jp.joins == ()
    trend = cm.fit_trend(df, "quasipoisson").effects.set_index("quantity").loc["apc"]
    row = jp.segments.iloc[0]
    for key in ("estimate", "ci_low", "ci_upp"):
        assert row[key] == pytest.approx(trend[key], rel=1e-8)


def test_join_is_continuous_and_at_the_profile_minimum():
    """The join is not restricted to observed years: the deviance is lowest there, on a
    0.001-year grid around it, than anywhere on the coarse grid."""
    df = broken_line(2)
    jp = joinpoint(df, min_joins=1, n_perm=99, n_boot=0)
    (tau,) = jp.joins
    data = cm.model_rows(df)
    assert np.min(np.abs(data["midpoint"].to_numpy() - tau)) > 0.01  # between observed years
    near = np.r_[tau, tau + 0.001, tau - 0.001]
    X = np.stack([cm.design(data, jp.fit.centre, (t,)).to_numpy() for t in near])
    llf, _ = poisson_loglik_batch(X, data["count"].to_numpy(float), np.zeros(len(data)))
    assert llf[0] >= llf[1] and llf[0] >= llf[2]


def test_join_grid_respects_min_segment():
    x = np.arange(6) + 0.75
    sets = join_grid(x, 1, min_segment=3, grid_step=0.05)
    assert sets.min() == pytest.approx(x[2]) and sets.max() == pytest.approx(x[3])
    assert x[2] + 0.5 in np.round(sets[:, 0], 10)  # positions between observed years too
    assert len(join_grid(np.arange(5.0), 1, 3, 0.05)) == 1  # only the middle point
    x = np.arange(15.0)
    for a, b in join_grid(x, 2, 4, 0.5):
        edges = [0, a, b, 14]
        counts = [np.sum((x >= lo) & (x <= hi)) for lo, hi in zip(edges, edges[1:], strict=False)]
        assert min(counts) >= 4


def test_quantile_mc_se_matches_the_asymptotic_formula():
    """Order-statistic MC error of a quantile against sqrt(p(1-p)/B) / f(q) for normal draws."""
    rng = np.random.default_rng(1)
    draws = rng.standard_normal((4000, 200))
    p = 0.025
    want = math.sqrt(p * (1 - p) / 4000) / stats.norm.pdf(stats.norm.ppf(p))
    se = quantile_mc_se(draws, p)
    assert np.mean(se) == pytest.approx(want, rel=0.1)
    # and the standard deviation of the quantile over the 200 replicates agrees too
    assert np.std(np.quantile(draws, p, axis=0)) == pytest.approx(want, rel=0.15)


def test_permutation_test_size_and_power():
    """Under no break (60 overdispersed series) it rejects at most as often as a 5% test
    could by chance (binomial 99.9% quantile); with a clear break (see below) it finds it."""
    mu = 300 * np.exp(0.03 * np.arange(12))
    rejected = []
    for seed in range(60):
        df = annual(counts_from(mu, seed, nb_alpha=0.01), reform=2100)
        jp = joinpoint(df, n_perm=99, n_boot=0, grid_step=0.1, seed=seed)
        rejected.append(bool(jp.selection["reject"].iloc[0]))
    assert sum(rejected) <= stats.binom.ppf(0.999, 60, 0.05)


ONE_YEAR = 1.01  # consecutive midpoints differ by 365/366 days: 0.997 to 1.003 decimal years


SIMULATED = 100  # series; their Monte Carlo error sets the floors (coverage_floor)


def coverage_floor(n: int) -> float:
    """Share of n nominal 95% intervals covering the truth below which the method fails:
    one that really covers 95% falls below it with probability under 0.1% (binomial)."""
    return stats.binom.ppf(0.001, n, 0.95) / n


@functools.cache
def simulated_joinpoints(n_boot):
    """Joinpoint fits of the simulated series (seeds 0 to SIMULATED - 1), with each true
    break year (permutation tests of 99, a 0.2-year grid: enough here, and fast; a 0.1-year
    grid and 400 resamples found the same joins and covered 95% and 97%)."""
    out = []
    for seed in range(SIMULATED):
        df = broken_line(seed)
        jp = joinpoint(df, n_perm=99, n_boot=n_boot, grid_step=0.2, seed=seed)
        out.append((jp, jp.fit.data["midpoint"][TRUE_BREAK]))
    return out


def coverage(tables):
    """Shares of segment tables whose first interval covers +8 and last covers -8."""
    up = [t.iloc[0]["ci_low"] <= 8 <= t.iloc[0]["ci_upp"] for t in tables]
    down = [t.iloc[-1]["ci_low"] <= -8 <= t.iloc[-1]["ci_upp"] for t in tables]
    return np.mean(up), np.mean(down)


def test_joinpoint_finds_break_and_bootstrap_covers_true_apcs():
    """100 simulated series: an 87% floor for nominal 95% intervals.

    With 100 series, 95% coverage gives 95 expected (Monte Carlo sd 2.2) and fewer than
    87 with probability under 0.1%, so the floor fails only if coverage is really poor
    (at 84% it fails 3 times in 4). The defaults are tested (quasi-Poisson, bootstrap
    intervals), with 200 resamples for speed.
    """
    fits = simulated_joinpoints(200)
    found = [len(jp.joins) == 1 and abs(jp.joins[0] - true) <= ONE_YEAR for jp, true in fits]
    assert np.mean(found) >= 0.9
    up, down = coverage([jp.segments for jp, _ in fits])
    assert up >= coverage_floor(len(fits)) and down >= coverage_floor(len(fits))


def test_delta_intervals_are_valid_given_the_joinpoint():
    """Delta-method intervals condition on the join: where it is found within a quarter
    year of the truth they cover at about the nominal rate. Observed: the join is within
    0.25 year in half the series (continuous positions: the median error is 0). The fits
    are the bootstrap test's: the joins do not depend on the resamples."""
    fits = simulated_joinpoints(200)
    close = [jp.fit for jp, t in fits if len(jp.joins) == 1 and abs(jp.joins[0] - t) < 0.25]
    assert len(close) >= 0.4 * len(fits)
    up, down = coverage([delta_intervals(fit).query("quantity == 'apc'") for fit in close])
    assert up >= coverage_floor(len(close)) and down >= coverage_floor(len(close))


# --- Forecast -----------------------------------------------------------------------------


def next_year(df):
    return {"midpoint": df["midpoint"].max() + 1, "years": 1.0, "system": "new"}


def test_forecast_mean_interval_agrees_with_statsmodels(series):
    fit = cm.fit_trend(series)
    row = next_year(series)
    out = cm.forecast(fit, row, seed=1).set_index("quantity")
    exog = [[1.0, row["midpoint"] - fit.centre]]
    direct = fit.results.get_prediction(exog=exog, offset=[0.0]).summary_frame()
    assert out.loc["mean", "estimate"] == pytest.approx(direct["mean"].item(), rel=1e-10)
    assert out.loc["mean", "ci_low"] == pytest.approx(direct["mean_ci_lower"].item(), rel=1e-10)
    assert out.loc["mean", "ci_upp"] == pytest.approx(direct["mean_ci_upper"].item(), rel=1e-10)


@pytest.mark.parametrize("model", ["poisson", "quasipoisson", "negbin", "joinpoint"])
def test_prediction_interval_wider_than_mean_interval(model, series, overdispersed):
    if model in ("poisson", "quasipoisson"):
        df, fit = series, cm.fit_trend(series, model)
    elif model == "negbin":
        df, fit = overdispersed, cm.fit_trend(overdispersed, "negbin")
    else:
        df = broken_line(9)
        fit = joinpoint(df, n_perm=99, n_boot=0).fit
    out = cm.forecast(fit, next_year(df), seed=7)
    mean = out[out["quantity"] == "mean"].iloc[0]
    pi80, pi95 = (
        out[(out["quantity"] == "count") & (out["level"] == lv)].iloc[0] for lv in (0.8, 0.95)
    )
    assert pi95["ci_low"] < mean["ci_low"] < mean["estimate"] < mean["ci_upp"] < pi95["ci_upp"]
    assert pi95["ci_low"] <= pi80["ci_low"] < pi80["ci_upp"] <= pi95["ci_upp"]
    again = cm.forecast(fit, next_year(df), seed=7)
    pd.testing.assert_frame_equal(out, again)


def test_quasipoisson_prediction_carries_the_dispersion_uncertainty():
    """Draws of the count: variance about E[phi*] mu + mu^2 var(eta) (law of total variance),
    where phi* = phi df / chi2(df) has mean phi df / (df - 2)."""
    mu0 = 200 * np.exp(0.02 * np.arange(12))
    df = annual(counts_from(mu0, 4, nb_alpha=0.02))
    fit = cm.fit_trend(df, "quasipoisson")
    rows = pd.DataFrame([next_year(df)])
    draws = cm.predictive_counts(fit, rows, 200_000, np.random.default_rng(0))[:, 0]
    x = cm.design(rows, fit.centre).to_numpy()[0]
    mu = float(np.exp(x @ fit.params))
    nu = fit.statistics["df_resid"]
    mean_phi = fit.scale * nu / (nu - 2)
    var_eta = float(x @ fit.cov @ x) * mean_phi / fit.scale
    want = mean_phi * mu + mu**2 * (np.exp(var_eta) - 1) * np.exp(var_eta)
    assert np.var(draws) == pytest.approx(want, rel=0.1)
    assert np.mean(draws) == pytest.approx(mu * np.exp(var_eta / 2), rel=0.02)


def test_forecast_of_steep_fall_not_below_zero():
    mu = 400 * 0.5 ** np.arange(12)  # halves every year: about 0.2 in the last year
    df = annual(counts_from(mu, 3))
    assert df["count"].iloc[-1] <= 2
    for fit in (cm.fit_trend(df), joinpoint(df, n_perm=99, n_boot=0).fit):
        out = cm.forecast(fit, next_year(df), seed=2)
        assert (out[["estimate", "ci_low", "ci_upp"]] >= 0).all().all()
        assert out["ci_low"].iloc[-1] == 0  # a zero count is plausible next year


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "shown", "expected"),
    [
        ("count", -3, "value '-3'", "at least 0"),
        ("count", 2.5, "value '2.5'", "whole number"),
        ("count", None, "no value", "a missing year is left out"),
        ("years", 0.0, "value '0.0'", "a positive number of years"),
        ("midpoint", "soon", "value 'soon'", "a decimal year"),
        ("system", "old", "value 'old'", "one of scr, new"),
        ("series", " ", "value ' '", "a series name"),
    ],
)
def test_a_value_no_model_can_use_is_named(series, column, value, shown, expected):
    bad = series.copy()
    bad[column] = bad[column].astype(object)
    bad.loc[2, column] = value
    message = rf"row 2, column '{column}': {shown}: expected .*{expected}"
    for fit in (lambda df: cm.fit_trend(df), lambda df: cm.fit_trend(df, "negbin"), joinpoint):
        with pytest.raises(ValueError, match=message):
            fit(bad)


def test_missing_column_and_mixed_series(series):
    with pytest.raises(ValueError, match=r"lack the column\(s\) \['years'\]"):
        cm.fit_trend(series.drop(columns="years"))
    mixed = pd.concat([series, series.assign(series="rapid_reviews")], ignore_index=True)
    with pytest.raises(ValueError, match="one series at a time"):
        cm.fit_trend(mixed)
    with pytest.raises(ValueError, match="family must be one of"):
        cm.fit_trend(series, "quasi")


def test_rows_are_taken_in_time_order(series):
    """A shuffled table gives the same fit: rows are sorted by midpoint."""
    shuffled = series.sample(frac=1, random_state=3)
    assert not shuffled["midpoint"].is_monotonic_increasing
    np.testing.assert_allclose(cm.fit_trend(shuffled).params, cm.fit_trend(series).params)
    assert cm.model_rows(shuffled)["midpoint"].is_monotonic_increasing


# --- Figure -------------------------------------------------------------------------------


def test_trend_figure_is_deterministic(tmp_path, series, overdispersed):
    data = {"notifications_total": series, "rapid_reviews": broken_line(5)}
    data["rapid_reviews"] = data["rapid_reviews"].assign(series="rapid_reviews")
    fits = {
        "notifications_total": cm.fit_trend(series, step=True),
        "rapid_reviews": cm.fit_trend(data["rapid_reviews"], "negbin"),
    }
    joinpoints = {"rapid_reviews": joinpoint(data["rapid_reviews"])}
    breaks = {"Working Together 2018": decimal_year(date(2018, 6, 29))}
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    tf.trend_figure(data, fits, joinpoints, breaks, first)
    tf.trend_figure(data, fits, joinpoints, breaks, second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text


def test_observed_rates_per_year(series):
    obs = tf.observed_rates(series)
    last = obs.iloc[-1]
    assert last["rate"] == pytest.approx(1_050 / 2.5)
    assert last["start"] == pytest.approx(2017 + 90 / 365)
    assert last["end"] == pytest.approx(2019 + 273 / 365)
