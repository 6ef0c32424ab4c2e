"""Bruising arithmetic against independent references: hand calculation, direct
simulation, scipy's beta-binomial, numerical integration, and the published figures
of Bilson & Image-Flower (2023) and Kemp et al. (2015)."""

import functools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from triennial.analysis import bruising as br
from triennial.analysis.bruising_terms import POOLED
from triennial.figures import bruising as bf

# --- Point vs period prevalence -----------------------------------------------------------

# The published figures the tests reproduce (sources: the module docstring);
# "derived" values are our arithmetic, not the source's.
BILSON_LOW_RATE = 0.006  # share of non-mobile infants with a bruise on one observation
BILSON_HIGH_RATE = 0.053
BILSON_LOW_COUNT = 1_960  # infants with an accidental bruise on any one day
BILSON_HIGH_COUNT = 17_300
BILSON_PLANS = 410  # plans a year for infants because of physical abuse
NON_MOBILE_INFANTS = 326_500  # derived: both published ends imply it
CLAIMED_RATIO = 1_900  # the talk's "at least 1900 to 1"
KEMP_WEEKLY = 0.067  # share of premobile weekly observations with a bruise
KEMP_OBSERVATIONS = 7.6  # average weekly observations per child
KEMP_PERIOD = 0.27  # share of premobile children bruised over those observations


def test_independence_by_hand():
    assert br.period_prevalence_independent(0.067, 7.6) == pytest.approx(1 - 0.933**7.6, rel=1e-12)
    assert br.period_prevalence_independent(0.2, 3) == pytest.approx(1 - 0.8 * 0.8 * 0.8)
    assert br.period_prevalence_independent(0.067, 1) == pytest.approx(0.067)
    assert br.period_prevalence_independent(0.067, 0) == 0
    out = br.period_prevalence_independent(0.1, np.array([1, 2]))
    assert out == pytest.approx([0.1, 0.19])


def test_betabinomial_matches_direct_simulation():
    p, rho, k, infants = 0.067, 0.2, 8, 200_000
    a, b = br.beta_parameters(p, rho)
    rng = np.random.default_rng(314159)
    q = rng.beta(a, b, infants)  # each infant's own weekly probability
    weeks = rng.random((infants, k)) < q[:, None]
    simulated = weeks.any(axis=1).mean()
    expected = br.period_prevalence_betabinomial(p, k, rho)
    se = math.sqrt(expected * (1 - expected) / infants)
    assert abs(simulated - expected) < 4 * se
    # The simulated weekly rate and correlation are the ones asked for.
    assert weeks.mean() == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / infants))


@pytest.mark.parametrize("p", [0.006, 0.067, 0.3])
@pytest.mark.parametrize("rho", [0.01, 0.2, 0.7])
@pytest.mark.parametrize("k", [1, 2, 8, 30])
def test_betabinomial_matches_scipy_for_integer_k(p, rho, k):
    a, b = (1 - rho) / rho * p, (1 - rho) / rho * (1 - p)
    expected = stats.betabinom.sf(0, k, a, b)
    assert br.period_prevalence_betabinomial(p, k, rho) == pytest.approx(expected, rel=1e-10)


def test_betabinomial_non_integer_k_matches_integral():
    p, rho, k = 0.067, 0.2, 7.6
    a, b = br.beta_parameters(p, rho)
    none, _ = integrate.quad(lambda q: (1 - q) ** k * stats.beta.pdf(q, a, b), 0, 1, limit=200)
    assert br.period_prevalence_betabinomial(p, k, rho) == pytest.approx(1 - none, abs=1e-8)


def test_rho_zero_is_independence_and_small_rho_its_limit():
    ks = np.array([0.5, 1, 7.6, 52])
    indep = br.period_prevalence_independent(0.067, ks)
    assert np.array_equal(br.period_prevalence_betabinomial(0.067, ks, 0.0), indep)
    assert br.period_prevalence_betabinomial(0.067, ks, 1e-7) == pytest.approx(indep, abs=1e-5)


def test_heterogeneity_lowers_period_prevalence():
    rhos = np.array([0.001, 0.01, 0.1, 0.3, 0.6, 0.9, 0.999])
    bb = br.period_prevalence_betabinomial(0.067, 7.6, rhos)
    assert np.all(bb < br.period_prevalence_independent(0.067, 7.6))
    assert np.all(np.diff(bb) < 0)
    # All-or-nothing infants: one observation tells all, so the period prevalence is p.
    assert br.period_prevalence_betabinomial(0.067, 7.6, 1 - 1e-9) == pytest.approx(0.067, abs=1e-6)


def test_betabinomial_rejects_bad_rho():
    with pytest.raises(ValueError, match="rho"):
        br.period_prevalence_betabinomial(0.067, 7.6, 1.0)


def test_rho_matching_reproduces_kemp():
    rho = br.rho_matching(KEMP_WEEKLY, KEMP_OBSERVATIONS, KEMP_PERIOD)
    assert 0 < rho < 1
    assert br.period_prevalence_betabinomial(0.067, 7.6, rho) == pytest.approx(0.27, abs=1e-10)
    # Independently: scipy's beta-binomial at the matched rho, bracketing k = 7.6.
    a, b = br.beta_parameters(0.067, rho)
    assert stats.betabinom.sf(0, 7, a, b) < 0.27 < stats.betabinom.sf(0, 8, a, b)


@pytest.mark.parametrize("target", [0.5, 0.05])
def test_rho_matching_says_when_impossible(target):
    # 1 - 0.933^7.6 = 0.41 (independence) is the most; p = 0.067 (rho -> 1) the least.
    with pytest.raises(ValueError, match="no rho"):
        br.rho_matching(0.067, 7.6, target)


def test_rho_matching_at_independence_is_zero():
    assert br.rho_matching(0.1, 3, 1 - 0.9**3) == pytest.approx(0, abs=1e-9)


# --- Implication arithmetic ---------------------------------------------------------------


def test_reproduces_bilson_daily_counts_at_published_precision():
    low = br.infants_bruised_on_a_day(0.006, 326_500)
    high = br.infants_bruised_on_a_day(0.053, 326_500)
    assert low == pytest.approx(0.006 * 326_500) == pytest.approx(1_959)
    assert high == pytest.approx(17_304.5)
    # Printed as "1 960" and "17 300": three significant figures.
    assert round(low, -1) == BILSON_LOW_COUNT
    assert round(high, -2) == BILSON_HIGH_COUNT
    # Every population consistent with both printed counts (interval of rounding).
    lo = max((1_960 - 5) / 0.006, (17_300 - 50) / 0.053)
    hi = min((1_960 + 5) / 0.006, (17_300 + 50) / 0.053)
    assert lo < NON_MOBILE_INFANTS < hi


def test_ratio_by_hand_and_the_claim_of_1900():
    # One-day episodes are the talk's count of infant-days.
    infant_days = br.accidental_to_plans_ratio(0.006, 326_500, 410, "episodes", 1)
    assert infant_days == pytest.approx(0.006 * 326_500 * 365 / 410)
    assert 1_960 * 365 / 410 == pytest.approx(1_744.88, abs=0.01)
    assert round(infant_days) == 1_744
    assert not br.holds_at_least(infant_days, CLAIMED_RATIO)
    assert not br.holds_at_least(1_960 * 365 / 410, 1_900)
    episodes = br.accidental_to_plans_ratio(0.053, 326_500, 410, "episodes", visible_days=7)
    assert episodes == pytest.approx(0.053 * 326_500 * 365 / 7 / 410)
    assert br.holds_at_least(
        br.accidental_to_plans_ratio(0.053, 326_500, 410, "episodes"), CLAIMED_RATIO
    )


def test_point_and_period_units_by_hand():
    # Point: Bilson's 1,959 infants on a day against 410 plans a year; duration ignored.
    point = br.accidental_to_plans_ratio(0.006, 326_500, 410, "point", 7)
    assert point == pytest.approx(0.006 * 326_500 / 410)
    # Period, independent windows: 1 - (1 - p)^(365 / d) of the infants.
    period = br.accidental_to_plans_ratio(0.006, 326_500, 410, "period", 7, 0.0)
    assert period == pytest.approx(326_500 * (1 - (1 - 0.006) ** (365 / 7)) / 410)
    # Infants who differ bruise in fewer distinct infants; never more than all of them.
    mixed = br.accidental_to_plans_ratio(0.006, 326_500, 410, "period", 7, 0.2)
    assert mixed < period
    assert br.accidental_to_plans_ratio(0.9, 326_500, 410, "period", 1, 0.0) <= 326_500 / 410


def test_ratio_rejects_unknown_unit():
    with pytest.raises(ValueError, match="unit"):
        br.accidental_to_plans_ratio(0.006, 326_500, 410, "bruises")


def test_break_evens_by_hand_and_on_the_threshold():
    n, plans = 326_500, 410
    rate = br.break_even_base_rate(n, plans, "episodes", 1, threshold=CLAIMED_RATIO)
    assert rate == pytest.approx(1_900 * 410 / (365 * 326_500))
    assert round(rate, 5) == 0.00654
    assert br.accidental_to_plans_ratio(rate, n, plans, "episodes") == pytest.approx(1_900)
    assert br.break_even_plans(0.006, n, "episodes", 1, threshold=CLAIMED_RATIO) == pytest.approx(
        1_959 * 365 / 1_900
    )
    days = br.break_even_visible_days(0.053, n, plans, "episodes", threshold=CLAIMED_RATIO)
    assert days == pytest.approx(17_304.5 * 365 / 410 / 1_900)
    assert br.accidental_to_plans_ratio(0.053, n, plans, "episodes", days) == pytest.approx(1_900)
    # A point prevalence does not depend on duration, and no base rate reaches 1,900
    # counting infants: at most 326,500 / 410 = 796 per plan.
    assert br.break_even_visible_days(0.9, n, 100, "point", threshold=CLAIMED_RATIO) == math.inf
    assert br.break_even_visible_days(0.006, n, plans, "point", threshold=CLAIMED_RATIO) == 0
    for unit in ("point", "period"):
        assert br.break_even_base_rate(n, plans, unit, 1, 0.2, threshold=CLAIMED_RATIO) == math.inf
    # Period: the break-even rate found by root-finding gives the threshold back.
    low = br.break_even_base_rate(n, plans, "period", 7, 0.2, threshold=300)
    assert br.accidental_to_plans_ratio(low, n, plans, "period", 7, 0.2) == pytest.approx(300)
    longest = br.break_even_visible_days(0.02, n, plans, "period", 0.2, threshold=150)
    assert 1 < longest < 365
    assert br.accidental_to_plans_ratio(0.02, n, plans, "period", longest, 0.2) == pytest.approx(
        150
    )


def test_ratio_scenarios_table():
    grid = br.assumption_grid(
        base_rate=[0.006, 0.053],
        infants=[326_500],
        plans_per_year=[410],
        unit=["point", "episodes"],
        visible_days=[1, 14],
    )
    assert len(grid) == 8
    out = br.ratio_scenarios(grid, CLAIMED_RATIO).set_index(["base_rate", "unit", "visible_days"])
    assert out.loc[(0.006, "episodes", 1), "ratio"] == pytest.approx(1_959 * 365 / 410)
    assert not out.loc[(0.006, "episodes", 1), "holds"]
    # At 5.3% an episode visible for a fortnight breaks the claim; for a day it holds.
    assert out.loc[(0.053, "episodes", 14), "ratio"] == pytest.approx(17_304.5 * 365 / 14 / 410)
    assert not out.loc[(0.053, "episodes", 14), "holds"]
    assert out.loc[(0.053, "episodes", 1), "holds"]
    assert (out.xs("point", level="unit")["max_visible_days"] == 0).all()
    episodes = out.xs("episodes", level="unit")
    at_min = br.accidental_to_plans_ratio(
        episodes["min_base_rate"].to_numpy(),
        326_500,
        410,
        "episodes",
        episodes.index.get_level_values("visible_days").to_numpy(float),
    )
    assert at_min == pytest.approx(1_900)


def test_scenarios_are_study_rates_and_the_pooled_estimate_not_interval_limits():
    pooled = {"estimate": 0.0114, "ci_low": 0.007, "ci_upp": 0.0175}
    rates = br.base_rate_scenarios({"Sugar": 0.0055, "Pierce": 0.0129}, pooled)
    assert rates == {"Sugar": 0.0055, "Pierce": 0.0129, POOLED: 0.0114}


# --- Predictive values --------------------------------------------------------------------


def test_ppv_by_hand():
    expected = 0.5 * 0.01 / (0.5 * 0.01 + 0.02 * 0.99)
    assert br.ppv_any_bruise(0.01, 0.5, 0.02) == pytest.approx(expected, rel=1e-12)
    assert br.likelihood_ratio(0.5, 0.02) == pytest.approx(25)
    # Posterior odds = prior odds x likelihood ratio.
    odds = expected / (1 - expected)
    assert odds == pytest.approx(0.01 / 0.99 * br.likelihood_ratio(0.5, 0.02))


def test_ppv_rises_with_prior_and_falls_with_base_rate():
    by_prior = br.ppv_any_bruise(np.array([0.001, 0.01, 0.1, 0.5]), 0.5, 0.02)
    by_rate = br.ppv_any_bruise(0.01, 0.5, np.array([0.006, 0.02, 0.053]))
    assert np.all(np.diff(by_prior) > 0)
    assert np.all(np.diff(by_rate) < 0)


# --- Sensitivity analyses -----------------------------------------------------------------


def test_one_way_orders_by_swing_and_keeps_the_base():
    def f(x, y, z):
        return x + 10 * y - z

    table = br.one_way(f, {"x": (0, 1, 2), "y": (0, 1, 3), "z": (0.5, 1, 1.5)})
    assert list(table["input"]) == ["y", "x", "z"]
    assert list(table["swing"]) == [30, 2, 1]
    assert (table["output_base"] == 10).all()
    assert table.attrs["base_output"] == 10
    y = table.set_index("input").loc["y"]
    assert (y["output_low"], y["output_high"]) == (1 - 1, 1 + 30 - 1)


def test_one_way_on_the_ratio():
    ratio = functools.partial(br.accidental_to_plans_ratio, unit="episodes")
    inputs = {
        "base_rate": (0.006, 0.02, 0.053),
        "infants": (300_000, 326_500, 350_000),
        "plans_per_year": (300, 410, 500),
        "visible_days": (1, 3, 7),
    }
    table = br.one_way(ratio, inputs)
    assert table["swing"].is_monotonic_decreasing
    # By hand: duration 1 to 7 days at a 2% rate swings more than the rate 0.6% to 5.3%.
    swings = {
        "visible_days": 0.02 * 326_500 * 365 / 410 * (1 - 1 / 7),
        "base_rate": (0.053 - 0.006) * 326_500 * 365 / 3 / 410,
        "plans_per_year": 0.02 * 326_500 * 365 / 3 * (1 / 300 - 1 / 500),
        "infants": 0.02 * 50_000 * 365 / 3 / 410,
    }
    assert list(table["input"]) == list(swings)
    assert table["swing"].to_numpy() == pytest.approx(list(swings.values()))
    base = 0.02 * 326_500 * 365 / 3 / 410
    assert table["output_base"].to_numpy() == pytest.approx(np.full(4, base))


DISTRIBUTIONS = {
    "base_rate": {"dist": "beta_from_interval", "estimate": 0.02, "ci_low": 0.006, "ci_upp": 0.053},
    "infants": {"dist": "fixed", "value": 326_500},
    "plans_per_year": {"dist": "uniform", "low": 350, "high": 450},
    "visible_days": {"dist": "lognormal_from_interval", "estimate": 3, "ci_low": 1, "ci_upp": 9},
}


def ratio_episodes(**kw):
    return br.accidental_to_plans_ratio(unit="episodes", **kw)


def test_monte_carlo_is_reproducible():
    first, s1 = br.monte_carlo(ratio_episodes, DISTRIBUTIONS, n=2_000, seed=7)
    again, s2 = br.monte_carlo(ratio_episodes, DISTRIBUTIONS, n=2_000, seed=7)
    other, _ = br.monte_carlo(ratio_episodes, DISTRIBUTIONS, n=2_000, seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert s1 == s2
    assert not np.array_equal(first["base_rate"], other["base_rate"])
    assert list(first.columns) == [*DISTRIBUTIONS, "output"]
    # Reordering the inputs leaves each one's draws unchanged.
    reordered = dict(reversed(list(DISTRIBUTIONS.items())))
    swapped, _ = br.monte_carlo(ratio_episodes, reordered, n=2_000, seed=7)
    pd.testing.assert_frame_equal(first, swapped[first.columns])


def test_monte_carlo_summary_and_condition():
    draws, summary = br.monte_carlo(
        ratio_episodes, DISTRIBUTIONS, n=5_000, condition=lambda r: r >= 1_900, output="ratio"
    )
    ratio = draws["ratio"].to_numpy()
    hand = (
        draws["base_rate"] * 326_500 * 365 / draws["visible_days"] / draws["plans_per_year"]
    ).to_numpy()
    assert ratio == pytest.approx(hand)
    assert summary["median"] == pytest.approx(np.median(ratio))
    assert (summary["q025"], summary["q975"]) == pytest.approx(np.quantile(ratio, [0.025, 0.975]))
    assert summary["share"] == pytest.approx(np.mean(ratio >= 1_900))
    # Monte Carlo standard errors: of a mean and a share by formula, of quantiles by
    # the spread of repeated runs (independent seeds).
    assert summary["mean_mcse"] == pytest.approx(np.std(ratio, ddof=1) / np.sqrt(5_000))
    share = summary["share"]
    assert summary["share_mcse"] == pytest.approx(np.sqrt(share * (1 - share) / 5_000))
    medians = [
        br.monte_carlo(ratio_episodes, DISTRIBUTIONS, n=5_000, seed=s)[1]["median"]
        for s in range(40)
    ]
    assert summary["median_mcse"] == pytest.approx(np.std(medians, ddof=1), rel=0.35)
    assert summary["seed"] == 20190901
    assert (draws["infants"] == 326_500).all()
    assert draws["plans_per_year"].between(350, 450).all()


def test_monte_carlo_loops_when_not_vectorized():
    def scalar_only(base_rate, infants, plans_per_year, visible_days):
        assert isinstance(base_rate, float)
        return ratio_episodes(
            base_rate=base_rate,
            infants=infants,
            plans_per_year=plans_per_year,
            visible_days=visible_days,
        )

    looped, _ = br.monte_carlo(scalar_only, DISTRIBUTIONS, n=200, vectorized=False)
    direct, _ = br.monte_carlo(ratio_episodes, DISTRIBUTIONS, n=200)
    assert looped["output"].to_numpy() == pytest.approx(direct["output"].to_numpy())


@pytest.mark.parametrize(
    ("estimate", "low", "upp"), [(0.02, 0.006, 0.053), (0.067, 0.05, 0.087), (0.27, 0.2, 0.35)]
)
def test_beta_from_interval_reproduces_the_quantiles(estimate, low, upp):
    a, b = br.beta_from_interval(estimate, low, upp)
    assert stats.beta.ppf([0.025, 0.975], a, b) == pytest.approx([low, upp], abs=1e-3)
    assert stats.beta.ppf([0.025, 0.975], a, b) == pytest.approx([low, upp], rel=1e-6)


def test_draws_follow_their_specs():
    rng = np.random.default_rng(1)
    x = br.draw(DISTRIBUTIONS["base_rate"], 200_000, rng)
    assert np.quantile(x, [0.025, 0.975]) == pytest.approx([0.006, 0.053], abs=1e-3)
    y = br.draw(DISTRIBUTIONS["visible_days"], 200_000, rng)
    assert np.quantile(y, [0.025, 0.5, 0.975]) == pytest.approx([1, 3, 9], rel=0.03)
    with pytest.raises(ValueError, match="unknown distribution"):
        br.draw({"dist": "normal"}, 10, rng)


# --- Figures ------------------------------------------------------------------------------


def test_figures_write_identical_svgs(tmp_path):
    rho = br.rho_matching(0.067, 7.6, 0.27)
    table = br.one_way(
        functools.partial(br.accidental_to_plans_ratio, unit="point"),
        {"base_rate": (0.006, 0.02, 0.053), "infants": (3e5, 326_500, 3.5e5)}
        | {"plans_per_year": (300, 410, 500)},
    )
    draws, _ = br.monte_carlo(ratio_episodes, DISTRIBUTIONS, n=2_000)
    wide = pd.DataFrame({"x": np.geomspace(1, 1e4, 500)})

    def make(folder):
        folder.mkdir()
        bf.period_prevalence_figure(
            0.067, np.linspace(0, 30, 121), [0.05, rho, 0.5], path=folder / "period.svg"
        )
        bf.tornado_figure(table, table.attrs["base_output"], folder / "tornado.svg", "Ratio")
        bf.monte_carlo_figure(draws, "output", 1_900, folder / "mc.svg", "Ratio")
        bf.monte_carlo_figure(wide, "x", None, folder / "wide.svg", "x")
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    first, second = make(tmp_path / "a"), make(tmp_path / "b")
    assert set(first) == {"period.svg", "tornado.svg", "mc.svg", "wide.svg"}
    assert all(b.startswith(b"<?xml") for b in first.values())
    assert first == second


def test_monte_carlo_inputs_are_independent():
    same = {"dist": "uniform", "low": 0, "high": 1}
    draws, _ = br.monte_carlo(lambda a, b: a - b, {"a": same, "b": same}, n=20_000)
    assert not np.array_equal(draws["a"], draws["b"])
    # Correlation of independent draws: sd 1/sqrt(n) = 0.007.
    assert abs(np.corrcoef(draws["a"], draws["b"])[0, 1]) < 0.03
