"""Binomial-normal random-effects meta-analysis of single proportions (a GLMM).

Each study i has x_i events of n_i with logit(p_i) = mu + b_i, b_i ~ N(0, tau^2)
(Stijnen, Hamza & Ozdemir 2010, Statistics in Medicine 29:3046-3067; Hamza, van
Houwelingen & Stijnen 2008, J Clin Epidemiol 61:41-51). The binomial likelihood is
used as it is, so studies with few or no events need no continuity correction and
no normal approximation of their within-study variance, which is why this is the
model recommended for rare proportions and few studies (Schwarzer et al. 2019,
Research Synthesis Methods 10:476-483).

mu and tau are estimated by maximum likelihood. Each study's marginal likelihood
integral over b_i is evaluated by adaptive Gauss-Hermite quadrature: the nodes are
centred at the mode of the integrand and scaled by its curvature there (Pinheiro &
Bates 1995, J Comput Graph Stat 4:12-35), with `N_NODES` = 7 nodes as in lme4's
`glmer(nAGQ = 7)`, which R's `metafor::rma.glmm(measure = "PLO")` calls by
default. With the same rule the two compute the same approximation of the
likelihood; more nodes change the estimates here by far less than 1e-6.

The standard error of mu comes from the observed information of (mu, tau) (the
inverse Hessian of the log-likelihood, by central differences), as lme4 does; the
interval is Wald's on the logit scale, back-transformed. When tau is estimated at
0 the model is the fixed-effect binomial model and the standard error is that
model's.

The likelihood-ratio test of tau^2 = 0 compares the maximised log-likelihoods of
the random-effects and the fixed-effect binomial model. tau^2 = 0 lies on the
boundary of the parameter space, so the statistic's null distribution is the
50:50 mixture of chi-square(0) and chi-square(1) (Self & Liang 1987, JASA
82:605-610): p = P(chi-square(1) >= LR) / 2 (`lrt_p`). metafor reports the test
against chi-square(1) without halving (as its `anova` does); that p is given as
`lrt_p_chi2` beside it.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import optimize, special, stats

from triennial.stats.meta import transform, typical_variance

N_NODES = 7  # lme4's nAGQ in metafor::rma.glmm's default control
MODE_TOL = 1e-12
OPT_TOL = 1e-10
HESSIAN_STEP = 1e-4


def _check(count, nobs):
    x = np.atleast_1d(np.asarray(count, dtype=float))
    n = np.atleast_1d(np.asarray(nobs, dtype=float))
    if x.shape != n.shape or x.ndim != 1 or len(x) == 0:
        raise ValueError("count (events) and nobs must be 1-d and of the same, non-zero length")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= count (events) <= nobs and nobs > 0")
    return x, n


def _log_binomial(x, n, eta):
    """log Bin(x | n, expit(eta)), with the binomial coefficient (as glm's logLik)."""
    log_choose = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    # x log p + (n - x) log(1 - p) = x eta - n log(1 + e^eta)
    return log_choose + x * eta - n * np.logaddexp(0.0, eta)


def _modes(x, n, mu, tau):
    """Each study's mode u of h(u) = log Bin(x | n, expit(mu + tau u)) - u^2/2, and -h''."""
    u = np.zeros_like(x)
    for _ in range(100):
        p = special.expit(mu + tau * u)
        grad = tau * (x - n * p) - u
        curv = tau**2 * n * p * (1 - p) + 1  # -h''(u) > 0: h is concave
        step = grad / curv
        u = u + step
        if np.max(np.abs(step)) < MODE_TOL:
            break
    p = special.expit(mu + tau * u)
    return u, tau**2 * n * p * (1 - p) + 1


def log_likelihood(mu: float, tau: float, count, nobs, n_nodes: int = N_NODES) -> float:
    """Marginal log-likelihood of (mu, tau) by adaptive Gauss-Hermite quadrature.

    For tau = 0 it is the fixed-effect binomial log-likelihood exactly.
    """
    x, n = _check(count, nobs)
    return _log_likelihood(mu, tau, x, n, n_nodes)


def _log_likelihood(mu, tau, x, n, n_nodes):
    """log_likelihood on checked arrays (the optimiser calls it thousands of times)."""
    if tau == 0:
        return float(np.sum(_log_binomial(x, n, np.full_like(x, mu))))
    nodes, half_square, log_weights = _quadrature_rule(n_nodes)
    mode, curv = _modes(x, n, mu, tau)
    scale = 1 / np.sqrt(curv)
    u = mode[:, None] + scale[:, None] * nodes[None, :]
    # integrand / N(0,1) density of the adaptive node, times the node's weight
    log_f = _log_binomial(x[:, None], n[:, None], mu + tau * u) - u**2 / 2
    log_terms = log_f + half_square[None, :] + log_weights[None, :]
    return float(np.sum(np.log(scale) + _logsumexp_rows(log_terms)))


def _logsumexp_rows(a: np.ndarray) -> np.ndarray:
    """scipy.special.logsumexp(a, axis=1), the same operations in the same order (the
    largest terms kept out of the sum, log1p of the rest), without its input handling,
    which costs more than the sum here: the optimiser calls this thousands of times."""
    top = a.max(axis=1, keepdims=True)
    at_top = a == top
    ties = at_top.sum(axis=1, keepdims=True).astype(float)
    rest = np.where(at_top, 0.0, np.exp(a - top)).sum(axis=1, keepdims=True)
    return (np.log1p(rest / ties) + np.log(ties) + top)[:, 0]


@functools.cache
def _quadrature_rule(n_nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes for the N(0, 1) density, u^2/2 at each (the density's
    exponent, taken out: the adaptive rule evaluates the integrand itself), and the
    log weights."""
    nodes, weights = special.roots_hermitenorm(n_nodes)
    return nodes, nodes**2 / 2, np.log(weights / np.sqrt(2 * np.pi))


def _fixed_effect(x, n):
    """The fixed-effect binomial model: mu = logit(sum x / sum n), its se and log-likelihood."""
    total_x, total_n = x.sum(), n.sum()
    if total_x in (0, total_n):
        raise ValueError("the GLMM needs at least one event and one non-event over the studies")
    mu = float(special.logit(total_x / total_n))
    p = total_x / total_n
    se = float(1 / np.sqrt(total_n * p * (1 - p)))
    return mu, se, float(np.sum(_log_binomial(x, n, np.full_like(x, mu))))


def _profile(tau, x, n, n_nodes, start):
    """max over mu of the log-likelihood at this tau: (mu, log-likelihood)."""
    fit = optimize.minimize_scalar(
        lambda m: -_log_likelihood(m, tau, x, n, n_nodes),
        bracket=(start - 1, start + 1),
        tol=1e-12,
    )
    return float(fit.x), -float(fit.fun)


def _hessian(f, theta, h=HESSIAN_STEP):
    """Central-difference Hessian of f at theta."""
    theta = np.asarray(theta, dtype=float)
    k = len(theta)
    out = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            out[i, j] = out[j, i] = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h * h)
    return out


def glmm_proportions(count, nobs, alpha: float = 0.05, n_nodes: int = N_NODES) -> dict:
    """Fit the binomial-normal model by ML; everything on the logit scale plus proportions.

    Returns: k, count, nobs (totals); estimate, ci_low, ci_upp (proportions, expit of the logit
    values); y_estimate, y_se, y_ci_low, y_ci_upp (logit scale, Wald z interval);
    tau2, and i2 = tau2 / (tau2 + s2) with s2 the typical within-study variance of the
    logit-transformed proportions (as metafor reports for this model; NaN for one
    study); loglik and loglik_fixed (random- and fixed-effect models); lrt (the
    likelihood-ratio statistic of tau^2 = 0), lrt_p (chi-square(0):chi-square(1)
    mixture) and lrt_p_chi2 (chi-square(1), metafor's convention); n_nodes; note.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha!r}")
    x, n = _check(count, nobs)
    k = len(x)
    mu_fe, se_fe, ll_fe = _fixed_effect(x, n)
    notes = []

    def neg_profile(tau):
        return -_profile(tau, x, n, n_nodes, mu_fe)[1]

    # The profile in tau is smooth and, for these data, unimodal: bound it by the
    # spread of the study logits (plus a margin) and search that interval.
    logits = special.logit((x + 0.5) / (n + 1))
    upper = 3 * float(np.std(logits)) + 1.0
    fit = optimize.minimize_scalar(
        neg_profile, bounds=(0.0, upper), method="bounded", options={"xatol": OPT_TOL}
    )
    tau = float(fit.x)
    if k == 1 or -fit.fun <= ll_fe + 1e-12 or tau < 1e-6:
        tau, mu, se, ll = 0.0, mu_fe, se_fe, ll_fe
        notes.append("tau2 estimated at 0: the fixed-effect binomial model")
    else:
        mu, ll = _profile(tau, x, n, n_nodes, mu_fe)
        info = -_hessian(lambda t: _log_likelihood(t[0], t[1], x, n, n_nodes), [mu, tau])
        se = float(np.sqrt(np.linalg.inv(info)[0, 0]))
    if tau >= upper * 0.999:
        notes.append("tau at the search bound: check the data")
    z = stats.norm.isf(alpha / 2)
    lrt = max(0.0, 2 * (ll - ll_fe))
    p_chi2 = float(stats.chi2.sf(lrt, 1))
    return {
        "k": k,
        "count": int(x.sum()),
        "nobs": int(n.sum()),
        "estimate": float(special.expit(mu)),
        "ci_low": float(special.expit(mu - z * se)),
        "ci_upp": float(special.expit(mu + z * se)),
        "y_estimate": mu,
        "y_se": se,
        "y_ci_low": mu - z * se,
        "y_ci_upp": mu + z * se,
        "tau2": tau**2,
        "i2": tau**2 / (tau**2 + typical_variance(transform(x, n, "logit")[1]))
        if k > 1
        else np.nan,
        "loglik": ll,
        "loglik_fixed": ll_fe,
        "lrt": lrt,
        "lrt_p": p_chi2 / 2 if lrt > 0 else 1.0,
        "lrt_p_chi2": p_chi2,
        "n_nodes": n_nodes,
        "note": "; ".join(notes),
    }
