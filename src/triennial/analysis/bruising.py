"""What a bruise implies: point and period prevalence, ratios, predictive values.

Bilson & Image-Flower (2023, Family Law) argue that accidental bruising in
non-mobile infants is not rare: between 0.6% and 5.3% of them have a bruise on a
single look, so that "between 1 960 and 17 300 infants had an accidental bruise on
any one day", against about 410 child protection plans a year for physical abuse of
infants. Both ends imply about 326,500 non-mobile infants (derived here, not printed:
1,960 / 0.006 and 17,300 / 0.053). A talk by Bilson claims a ratio of accidental
bruises to plans of at least 1900 to 1. Kemp et al. (2015, weekly observations)
report that 6.7% of premobile weekly observations had a bruise; Bilson (2018) adds
that 27% of premobile children in that study were bruised over an average of 7.6
weekly observations, a figure the study's abstract does not print.

This module makes every step of that arithmetic a function whose assumptions are
arguments, so each can be varied:

- point vs period prevalence: `period_prevalence_independent`,
  `period_prevalence_betabinomial`, `rho_matching`;
- implication arithmetic in three counting units (point prevalence on one day,
  period prevalence over a year, bruising episodes): `infants_bruised_on_a_day`,
  `accidental_to_plans_ratio`, `holds_at_least`, the break-even functions and
  `ratio_scenarios`;
- what "any bruise" says about abuse: `ppv_any_bruise`, `likelihood_ratio`;
- sensitivity analyses: `one_way` (for a tornado plot) and `monte_carlo`.

Functions are pure; those taking numbers accept numpy arrays and broadcast, and
return a float when every argument is a scalar.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from triennial.analysis.bruising_terms import MC_QUANTILES, POOLED

DAYS_PER_YEAR = 365  # as in Bilson & Image-Flower's arithmetic
UNITS = ("point", "period", "episodes")
DISTRIBUTIONS = (
    "beta_from_interval", "lognormal_from_interval", "logit_normal", "uniform", "fixed"
)  # fmt: skip


def _out(x):
    """A float for a 0-d result, the array otherwise."""
    x = np.asarray(x)
    return x.item() if x.ndim == 0 else x


# --- Point vs period prevalence -----------------------------------------------------------


def period_prevalence_independent(p, k):
    """P(at least one bruise in k observations) if each shows a bruise independently: 1 - (1-p)^k.

    `p` is the point prevalence (share of single observations with a bruise); `k`
    may be non-integer (Kemp's average of 7.6 observations).
    """
    p, k = _check_p_k(p, k)
    # -expm1(k log1p(-p)) keeps precision when p or k is small.
    return _out(-np.expm1(k * np.log1p(-p)))


def period_prevalence_betabinomial(p, k, rho):
    """P(at least one bruise in k observations) when infants differ in their bruising rate.

    Each infant's per-observation probability q is Beta(a, b) with mean p and
    intra-infant correlation rho = 1 / (a + b + 1), so a = p(1 - rho)/rho and
    b = (1 - p)(1 - rho)/rho. Given q, observations are independent, so
    P(no bruise in k) = E[(1 - q)^k] = B(a, b + k) / B(a, b), which holds for
    non-integer k. For integer k it is the beta-binomial probability of zero.

    rho = 0 (every infant alike) is independence, returned exactly. For k > 1 the
    period prevalence falls as rho rises (bruises concentrate in fewer infants),
    towards p as rho -> 1; for k < 1 the order reverses.
    """
    p, k = _check_p_k(p, k)
    rho = np.asarray(rho, dtype=float)
    if np.any((rho < 0) | (rho >= 1)):
        raise ValueError("rho must satisfy 0 <= rho < 1")
    p, k, rho = np.broadcast_arrays(p, k, rho)
    # A degenerate Beta (rho = 0, or p at 0 or 1) is independence; other values are
    # substituted before the formula only to keep it finite, then discarded.
    degenerate = (rho == 0) | (p == 0) | (p == 1)
    r = np.where(degenerate, 0.5, rho)
    q = np.where(degenerate, 0.5, p)
    a = q * (1 - r) / r
    b = (1 - q) * (1 - r) / r
    mixed = -np.expm1(special.betaln(a, b + k) - special.betaln(a, b))
    with np.errstate(divide="ignore"):  # p = 1: log1p(-1) = -inf, giving 1 as it should
        independent = -np.expm1(k * np.log1p(-p))
    return _out(np.where(degenerate, independent, mixed))


def beta_parameters(p, rho):
    """The Beta(a, b) with mean p and intra-infant correlation rho; returns (a, b)."""
    p, rho = np.asarray(p, dtype=float), np.asarray(rho, dtype=float)
    if np.any((p <= 0) | (p >= 1)) or np.any((rho <= 0) | (rho >= 1)):
        raise ValueError("need 0 < p < 1 and 0 < rho < 1")
    return _out(p * (1 - rho) / rho), _out((1 - p) * (1 - rho) / rho)


def rho_matching(p: float, k: float, target: float, xtol: float = 1e-12) -> float:
    """The rho at which the beta-binomial period prevalence equals `target`.

    E.g. p = 0.067, k = 7.6, target = 0.27 (Kemp 2015). Found by Brent's method on
    [0, 1 - 1e-9]; rho = 0 gives independence and rho -> 1 gives p, so for k > 1 a
    solution exists only for p < target <= 1 - (1 - p)^k. Raises ValueError otherwise.
    """
    p, k, target = float(p), float(k), float(target)
    if not 0 < p < 1:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p!r}")
    hi = 1 - 1e-9

    def gap(rho):
        return period_prevalence_betabinomial(p, k, rho) - target

    at_zero, at_hi = gap(0.0), gap(hi)
    if at_zero == 0:
        return 0.0
    if np.sign(at_zero) == np.sign(at_hi):
        raise ValueError(
            f"no rho in [0, 1) gives period prevalence {target:g} for p = {p:g}, k = {k:g}: "
            f"the beta-binomial spans {target + at_hi:.4g} (rho -> 1) to "
            f"{target + at_zero:.4g} (rho = 0, independence)"
        )
    return float(optimize.brentq(gap, 0.0, hi, xtol=xtol))


def _check_p_k(p, k):
    p, k = np.asarray(p, dtype=float), np.asarray(k, dtype=float)
    if np.any((p < 0) | (p > 1)) or np.any(k < 0):
        raise ValueError("need 0 <= p <= 1 and k >= 0")
    return p, k


# --- Implication arithmetic ---------------------------------------------------------------


def infants_bruised_on_a_day(base_rate, infants):
    """Infants with an accidental bruise on a given day: point prevalence x population.

    Bilson & Image-Flower: 0.006 x 326,500 = 1,959 (printed 1 960) and
    0.053 x 326,500 = 17,305 (printed 17 300).
    """
    base_rate, infants = np.asarray(base_rate, dtype=float), np.asarray(infants, dtype=float)
    if np.any((base_rate < 0) | (base_rate > 1)) or np.any(infants < 0):
        raise ValueError("need 0 <= base_rate <= 1 and infants >= 0")
    return _out(base_rate * infants)


def accidental_to_plans_ratio(
    base_rate, infants, plans_per_year, unit, visible_days=1.0, correlation=0.0
):
    """Accidental bruising per child protection plan a year, counted in one of three units.

    unit = "point": infants with a visible accidental bruise on one day per plan a
        year, base_rate x infants / plans_per_year (Bilson & Image-Flower's 1,960
        on any one day against 410 plans a year).
    unit = "period": infants bruised at least once in a year per plan, infants x
        P(at least one bruise in 365 / visible_days looks) / plans_per_year, each
        look a fresh window of `visible_days` and infants differing in their rate
        (beta-binomial with intra-infant `correlation`; 0 is independence). It can
        never exceed infants / plans_per_year.
    unit = "episodes": distinct bruising episodes a year per plan,
        base_rate x infants x 365 / visible_days / plans_per_year. In a steady state
        point prevalence = incidence x duration, so a bruise visible for d days is
        counted once. With visible_days = 1 this is the talk's count of infant-days.

    base_rate is the point prevalence of accidental bruising; infants the number of
    non-mobile infants at any time; plans_per_year the plans starting a year for
    infants because of physical abuse (410). As every physical-abuse plan is
    counted, whether or not a bruise led to it, the denominator is generous to
    "leading to plans" and the ratio a lower bound in that respect.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    base_rate = np.asarray(base_rate, dtype=float)
    plans = np.asarray(plans_per_year, dtype=float)
    days = np.asarray(visible_days, dtype=float)
    if np.any(plans <= 0) or np.any(days <= 0):
        raise ValueError("plans_per_year and visible_days must be positive")
    on_a_day = np.asarray(infants_bruised_on_a_day(base_rate, infants))
    if unit == "point":
        counted = on_a_day
    elif unit == "episodes":
        counted = on_a_day * DAYS_PER_YEAR / days
    else:
        looks = DAYS_PER_YEAR / days
        share = period_prevalence_betabinomial(base_rate, looks, correlation)
        counted = np.asarray(infants, dtype=float) * np.asarray(share)
    return _out(counted / plans)


def holds_at_least(ratio, threshold: float):
    """Whether a ratio is at least `threshold` (e.g. the talk's 1,900 to 1)."""
    return _out(np.asarray(ratio, dtype=float) >= threshold)


def _root(f, low: float, high: float) -> float:
    """Where increasing f crosses 0 in [low, high]; inf when f(high) < 0, low when f(low) >= 0."""
    if f(high) < 0:
        return np.inf
    if f(low) >= 0:
        return low
    return float(optimize.brentq(f, low, high, xtol=1e-14, rtol=1e-12))


def break_even_base_rate(
    infants, plans_per_year, unit, visible_days=1.0, correlation=0.0, *, threshold
):
    """Smallest base rate at which the ratio is still >= threshold; inf if none does.

    Closed form for "point" and "episodes"; a root of the increasing period
    prevalence for "period".
    """
    args = np.broadcast_arrays(*(np.asarray(a) for a in (infants, plans_per_year, unit,
                                                          visible_days, correlation)))  # fmt: skip
    out = np.empty(args[0].shape, dtype=float)
    for i, (n, plans, u, d, rho) in enumerate(zip(*(a.ravel() for a in args), strict=True)):

        def excess(r, n=n, plans=plans, u=u, d=d, rho=rho):
            return accidental_to_plans_ratio(r, n, plans, str(u), d, rho) - threshold

        out.flat[i] = _root(excess, 0.0, 1.0)
    return _out(out)


def break_even_plans(base_rate, infants, unit, visible_days=1.0, correlation=0.0, *, threshold):
    """Largest number of plans a year at which the ratio is still >= threshold."""
    per_plan = np.vectorize(accidental_to_plans_ratio, otypes=[float])
    return _out(per_plan(base_rate, infants, 1.0, unit, visible_days, correlation) / threshold)


def break_even_visible_days(
    base_rate, infants, plans_per_year, unit, correlation=0.0, *, threshold
):
    """Longest visible duration (days) at which the ratio is still >= threshold.

    "point" does not depend on duration: inf if the ratio holds, 0 if it does not.
    "episodes" in closed form; "period" by a root (the ratio falls as d grows);
    0 when even one-day windows fall short.
    """
    args = np.broadcast_arrays(*(np.asarray(a) for a in (base_rate, infants, plans_per_year,
                                                          unit, correlation)))  # fmt: skip
    out = np.empty(args[0].shape, dtype=float)
    for i, (r, n, plans, u, rho) in enumerate(zip(*(a.ravel() for a in args), strict=True)):
        u = str(u)
        if u == "point":
            holds = accidental_to_plans_ratio(r, n, plans, u) >= threshold
            out.flat[i] = np.inf if holds else 0.0
        elif u == "episodes":
            out.flat[i] = r * n * DAYS_PER_YEAR / (plans * threshold)
        else:

            def excess(log_d, r=r, n=n, plans=plans, u=u, rho=rho):  # increasing in -log d
                return accidental_to_plans_ratio(r, n, plans, u, np.exp(-log_d), rho) - threshold

            root = _root(excess, -np.log(DAYS_PER_YEAR), 0.0)
            out.flat[i] = 0.0 if not np.isfinite(root) else float(np.exp(-root))
    return _out(out)


def assumption_grid(**axes) -> pd.DataFrame:
    """Every combination of the given assumption values, one row each.

    E.g. assumption_grid(base_rate=[0.006, 0.053], infants=[326_500],
    plans_per_year=[410], unit=["infant_days", "episodes"], visible_days=[1, 7]).
    """
    values = [list(np.atleast_1d(v)) for v in axes.values()]
    index = pd.MultiIndex.from_product(values, names=list(axes))
    return index.to_frame(index=False)


def ratio_scenarios(scenarios: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """For each row of assumptions: the ratio, whether it reaches `threshold`, and break-evens.

    `scenarios` has columns base_rate, infants, plans_per_year, unit and optionally
    visible_days (default 1) and correlation (default 0). Adds ratio, holds,
    min_base_rate, max_plans_per_year and max_visible_days (see the break_even_*
    functions), each with the other assumptions of its row held fixed.
    """
    out = scenarios.copy()
    if "visible_days" not in out:
        out["visible_days"] = 1.0
    if "correlation" not in out:
        out["correlation"] = 0.0
    r, n, plans = (out[c].to_numpy(float) for c in ("base_rate", "infants", "plans_per_year"))
    unit, days = out["unit"].to_numpy(str), out["visible_days"].to_numpy(float)
    rho = out["correlation"].to_numpy(float)
    ratio = np.array(
        [
            accidental_to_plans_ratio(ri, ni, pi, ui, di, ci)
            for ri, ni, pi, ui, di, ci in zip(r, n, plans, unit, days, rho, strict=True)
        ],
        dtype=float,
    )
    out["ratio"] = ratio
    out["holds"] = ratio >= threshold
    out["min_base_rate"] = break_even_base_rate(n, plans, unit, days, rho, threshold=threshold)
    out["max_plans_per_year"] = break_even_plans(r, n, unit, days, rho, threshold=threshold)
    out["max_visible_days"] = break_even_visible_days(r, n, plans, unit, rho, threshold=threshold)
    return out


# --- What any bruise says about abuse -----------------------------------------------------


def ppv_any_bruise(prior, sensitivity, base_rate):
    """P(abuse | any bruise) by Bayes' theorem.

    prior: share of the infants examined who are abused; sensitivity: P(bruise |
    abuse); base_rate: P(bruise | not abused), the accidental point prevalence.
    PPV = sens x prior / (sens x prior + base_rate x (1 - prior)).
    """
    prior, sens, fpr = (np.asarray(x, dtype=float) for x in (prior, sensitivity, base_rate))
    if any(np.any((x < 0) | (x > 1)) for x in (prior, sens, fpr)):
        raise ValueError("prior, sensitivity and base_rate must lie in [0, 1]")
    true_pos = sens * prior
    return _out(true_pos / (true_pos + fpr * (1 - prior)))


def likelihood_ratio(sensitivity, base_rate):
    """Positive likelihood ratio of "any bruise": P(bruise | abuse) / P(bruise | not abused).

    Posterior odds = prior odds x this ratio.
    """
    return _out(np.asarray(sensitivity, dtype=float) / np.asarray(base_rate, dtype=float))


# --- Sensitivity analyses -----------------------------------------------------------------


def one_way(func: Callable[..., float], inputs: Mapping[str, tuple]) -> pd.DataFrame:
    """One-way sensitivity: each input at its low and high, the others at base.

    `inputs` maps argument name -> (low, base, high); `func` takes them as keyword
    arguments and returns a number (fix other arguments with functools.partial).
    Returns one row per input: input, low, base_case, high, output_low, output_base,
    output_high, swing = |output_high - output_low|, largest swing first (the
    order of a tornado plot). The base output is also in `.attrs["base_output"]`.
    """
    base = {name: spec[1] for name, spec in inputs.items()}
    base_output = float(func(**base))
    rows = []
    for name, (low, mid, high) in inputs.items():
        out_low = float(func(**{**base, name: low}))
        out_high = float(func(**{**base, name: high}))
        rows.append(
            {
                "input": name,
                "low": low,
                "base_case": mid,
                "high": high,
                "output_low": out_low,
                "output_base": base_output,
                "output_high": out_high,
                "swing": abs(out_high - out_low),
            }
        )
    table = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    table = table.reset_index(drop=True)
    table.attrs["base_output"] = base_output
    return table


def beta_from_interval(estimate: float, ci_low: float, ci_upp: float, alpha: float = 0.05):
    """Beta(a, b) whose alpha/2 and 1 - alpha/2 quantiles match (ci_low, ci_upp).

    Least squares on the two quantiles, on the logit scale (so narrow intervals
    near 0 are fitted as closely as wide ones), over log a and log b, started from
    the method-of-moments Beta with mean `estimate` and sd (ci_upp - ci_low) / 3.92.
    Two quantiles fix two parameters, so the fit is exact up to the solver's
    tolerance; the fitted mean need not equal `estimate` when the interval is
    asymmetric. Returns (a, b).
    """
    if not 0 < ci_low <= estimate <= ci_upp < 1 or ci_low == ci_upp:
        raise ValueError("need 0 < ci_low <= estimate <= ci_upp < 1 and ci_low < ci_upp")
    z = stats.norm.isf(alpha / 2)
    sd = (ci_upp - ci_low) / (2 * z)
    size = estimate * (1 - estimate) / sd**2 - 1
    size = size if size > 0 else 2.0
    start = np.log([estimate * size, (1 - estimate) * size])
    target = special.logit([ci_low, ci_upp])
    levels = np.array([alpha / 2, 1 - alpha / 2])

    def residuals(log_ab):
        a, b = np.exp(log_ab)
        return special.logit(stats.beta.ppf(levels, a, b)) - target

    fit = optimize.least_squares(residuals, start, xtol=1e-14, ftol=1e-14, gtol=1e-14)
    a, b = np.exp(fit.x)
    fitted = stats.beta.ppf(levels, a, b)
    if np.max(np.abs(fitted - [ci_low, ci_upp])) > 1e-6:
        raise ValueError(f"no Beta matches the interval ({ci_low}, {ci_upp}); got {fitted}")
    return float(a), float(b)


def lognormal_from_interval(estimate: float, ci_low: float, ci_upp: float, alpha: float = 0.05):
    """Lognormal (mu, sigma) whose alpha/2 and 1 - alpha/2 quantiles are (ci_low, ci_upp).

    Closed form: mu = (log ci_low + log ci_upp) / 2, sigma = (log ci_upp - log ci_low) / 2z.
    The median exp(mu) is the geometric mean of the limits, which equals `estimate`
    when the interval is symmetric on the log scale (as for ratio estimates).
    """
    if not 0 < ci_low <= estimate <= ci_upp or ci_low == ci_upp:
        raise ValueError("need 0 < ci_low <= estimate <= ci_upp and ci_low < ci_upp")
    z = stats.norm.isf(alpha / 2)
    low, upp = np.log(ci_low), np.log(ci_upp)
    return float((low + upp) / 2), float((upp - low) / (2 * z))


def draw(spec: Mapping, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws from one distribution spec (see `monte_carlo`)."""
    kind = spec.get("dist")
    if kind in ("beta_from_interval", "lognormal_from_interval"):
        interval = [spec[key] for key in ("estimate", "ci_low", "ci_upp")]
        level = spec.get("alpha", 0.05)
    if kind == "beta_from_interval":
        return rng.beta(*beta_from_interval(*interval, level), n)
    if kind == "lognormal_from_interval":
        return rng.lognormal(*lognormal_from_interval(*interval, level), n)
    if kind == "logit_normal":
        return special.expit(rng.normal(spec["mean"], spec["sd"], n))
    if kind == "uniform":
        return rng.uniform(spec["low"], spec["high"], n)
    if kind == "fixed":
        return np.full(n, spec["value"], dtype=float)
    raise ValueError(f"unknown distribution {kind!r}; expected one of {DISTRIBUTIONS}")


def monte_carlo(
    func: Callable[..., np.ndarray],
    distributions: Mapping[str, Mapping],
    n: int = 10_000,
    seed: int = 20190901,
    *,
    condition: Callable[[np.ndarray], np.ndarray] | None = None,
    output: str = "output",
    vectorized: bool = True,
) -> tuple[pd.DataFrame, dict]:
    """Probabilistic sensitivity analysis: draw every input, evaluate `func` on each draw.

    `distributions` maps argument name -> spec, one of
      {"dist": "beta_from_interval", "estimate", "ci_low", "ci_upp"[, "alpha"]},
      {"dist": "lognormal_from_interval", "estimate", "ci_low", "ci_upp"[, "alpha"]},
      {"dist": "logit_normal", "mean", "sd"} (expit of a normal: a pooled logit estimate
        and its standard error, the estimate's sampling distribution),
      {"dist": "uniform", "low", "high"},
      {"dist": "fixed", "value"}.
    Inputs are independent. Each input draws from its own generator, seeded by
    (seed, CRC-32 of its name), so adding or reordering inputs leaves the others'
    draws unchanged. `func` takes the inputs as keyword arrays (vectorized=True)
    or one draw at a time as floats (vectorized=False).

    Returns (draws, summary): draws has a column per input and `output`; summary
    has draws (n), seed, mean, median, q025, q975 of the output, each with its Monte Carlo
    standard error (`mean_mcse`, ...; see `mcse_quantile`) and, if `condition` (a
    function of the output array returning booleans, e.g. lambda r: r >= 1900) is
    given, `share`, the proportion of draws where it holds, with `share_mcse`.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    draws = pd.DataFrame(
        {name: draw(spec, n, _generator(seed, name)) for name, spec in distributions.items()}
    )
    if vectorized:
        values = func(**{name: draws[name].to_numpy() for name in draws})
        values = np.broadcast_to(np.asarray(values, dtype=float), (n,))
    else:
        values = np.array([func(**row) for row in draws.to_dict("records")], dtype=float)
    draws[output] = values
    summary = {"draws": n, "seed": seed, "mean": float(np.mean(values))}
    summary["mean_mcse"] = float(np.std(values, ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    for name, q in (("median", 0.5), *zip(("q025", "q975"), MC_QUANTILES, strict=True)):
        summary[name] = float(np.quantile(values, q))
        summary[f"{name}_mcse"] = mcse_quantile(values, q)
    if condition is not None:
        share = float(np.mean(np.asarray(condition(values), dtype=bool)))
        summary["share"] = share
        summary["share_mcse"] = float(np.sqrt(share * (1 - share) / n))
    return draws, summary


def mcse_quantile(values, q: float, alpha: float = 0.05) -> float:
    """Monte Carlo standard error of the q-quantile of `values`.

    From the distribution-free interval of the order statistics: the number of
    draws below the true quantile is Binomial(n, q), so the draws at ranks
    n q -/+ z sqrt(n q (1 - q)) bound it with probability 1 - alpha; the standard
    error is that interval's width over 2z (as in Vehtari et al. 2021, Bayesian
    Analysis 16:667-718, for independent draws).
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    z = stats.norm.isf(alpha / 2)
    half = z * np.sqrt(n * q * (1 - q))
    low = int(np.clip(np.floor(n * q - half), 0, n - 1))
    upp = int(np.clip(np.ceil(n * q + half), 0, n - 1))
    return float((x[upp] - x[low]) / (2 * z))


def _generator(seed: int, name: str) -> np.random.Generator:
    # CRC-32, unlike hash(), is the same in every Python process.
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))


# --- The analyses the report shows ----------------------------------------------------------

RATIO_INPUTS = {  # the inputs each counting unit depends on
    "point": ("base_rate", "infants", "plans_per_year"),
    "period": ("base_rate", "infants", "plans_per_year", "visible_days", "correlation"),
    "episodes": ("base_rate", "infants", "plans_per_year", "visible_days"),
}
PPV_INPUTS = ("prior", "sensitivity", "base_rate")


def base_rate_scenarios(study_rates: Mapping[str, float], pooled: Mapping) -> dict[str, float]:
    """The base rates examined: each pooled study's own rate, and the pooled estimate.

    No interval limit is a scenario: the pooled estimate's uncertainty enters the
    Monte Carlo analysis through its sampling distribution instead.
    """
    return dict(study_rates) | {POOLED: float(pooled["estimate"])}


def scenarios(inputs: Mapping, unit_days: list[float], rates: dict, threshold: float):
    """The ratio under each base rate, unit and visible duration, with break-evens.

    A point prevalence does not depend on the visible duration, so only the first
    applies to it. The period unit uses the configured intra-infant correlation.
    """
    grid = assumption_grid(
        base_rate=list(rates.values()),
        infants=[inputs["infants"]["value"]],
        plans_per_year=[inputs["plans_per_year"]["value"]],
        unit=list(UNITS),
        visible_days=unit_days,
        correlation=[inputs["correlation"]["value"]],
    )
    grid = grid[(grid["unit"] != "point") | (grid["visible_days"] == unit_days[0])]
    names = {v: k for k, v in rates.items()}
    out = ratio_scenarios(grid.reset_index(drop=True), threshold)
    out.insert(0, "scenario", [names[r] for r in out["base_rate"]])
    return out


def ppv_table(inputs: Mapping, rates: dict) -> pd.DataFrame:
    """PPV of any bruise for abuse, and the likelihood ratio, at each base rate."""
    prior, sens = inputs["prior"]["value"], inputs["sensitivity"]["value"]
    return pd.DataFrame(
        {
            "scenario": list(rates),
            "base_rate": list(rates.values()),
            "prior": prior,
            "sensitivity": sens,
            "likelihood_ratio": [likelihood_ratio(sens, r) for r in rates.values()],
            "ppv": [ppv_any_bruise(prior, sens, r) for r in rates.values()],
        }
    )


def with_pooled_rate(inputs: Mapping, pooled: Mapping) -> dict:
    """The inputs with the base rate set to the pooled estimate and its confidence interval.

    The one-way analysis moves the base rate between the interval's limits (the
    pooled estimate's sampling uncertainty); the Monte Carlo draws it from the
    estimate's sampling distribution (logit-normal, `rate_distribution`).
    """
    rate = {"value": float(pooled["estimate"]), "low": float(pooled["ci_low"])}
    rate |= {"high": float(pooled["ci_upp"]), "source": "the pooled estimate"}
    return dict(inputs) | {"base_rate": rate}


def rate_distribution(pooled: Mapping) -> dict:
    """The pooled estimate's sampling distribution: expit of N(logit estimate, se)."""
    return {
        "dist": "logit_normal",
        "mean": float(pooled["y_estimate"]),
        "sd": float(pooled["y_se"]),
    }


def spans(inputs: Mapping, names) -> dict[str, tuple]:
    """(low, base, high) for one-way sensitivity; inputs without an interval stay fixed."""
    out = {}
    for n in names:
        value = inputs[n]["value"]
        out[n] = (inputs[n].get("low", value), value, inputs[n].get("high", value))
    return out


def distributions(inputs: Mapping, names) -> dict[str, dict]:
    """Uniform between low and high where given (an assumption, stated in the report)."""
    out = {}
    for n in names:
        i = inputs[n]
        if "low" in i and i["low"] != i["high"]:
            out[n] = {"dist": "uniform", "low": i["low"], "high": i["high"]}
        else:
            out[n] = {"dist": "fixed", "value": i["value"]}
    return out
