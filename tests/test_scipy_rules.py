"""End-to-end objectives that call SciPy, against the central-difference oracle.

Each rule is also checked on its own samples by test_rules.py; these check how the rules compose
in objectives people write: likelihoods with `scipy.stats` (parameters by keyword, as SciPy binds
them), `logsumexp` over an axis, a multivariate normal's mean and covariance, special functions in
a log posterior, and Cholesky solves. Skipped when SciPy is not installed.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

pytest.importorskip("scipy")

import scipy.linalg  # noqa: E402
from oracle import call, check_vjp, random_like  # noqa: E402
from scipy import special, stats  # noqa: E402
from scipy.stats import multivariate_normal, norm  # noqa: E402

import tangentish as tg  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")

RNG = np.random.default_rng(20240611)
DATA = RNG.normal(1.0, 2.0, size=20)
COUNTS = RNG.poisson(3.0, size=8).astype(float)


def gaussian_nll(loc, scale, data):
    return -np.sum(norm.logpdf(data, loc=loc, scale=scale))


def mixture_loglik(logits, means, data):
    """A two-component Gaussian mixture: log sum_k w_k N(x | m_k, 1), over the components' axis."""
    log_weights = special.log_softmax(logits)
    components = norm.logpdf(data[:, np.newaxis], means) + log_weights
    return np.sum(special.logsumexp(components, axis=1))


def weighted_logsumexp(a, b):
    return np.sum(special.logsumexp(a, axis=0, b=b, keepdims=True) ** 2)


def mvn_loglik(mean, cov, points):
    return np.sum(multivariate_normal.logpdf(points, mean=mean, cov=cov))


def poisson_gamma_posterior(rates, shape, counts):
    """Poisson counts with a gamma(shape, 1) prior on each rate, written with gammaln and xlogy."""
    likelihood = np.sum(xlogy_counts(counts, rates) - rates - special.gammaln(counts + 1))
    prior = np.sum(special.xlogy(shape - 1, rates) - rates) - rates.size * special.gammaln(shape)
    return likelihood + prior


def xlogy_counts(counts, rates):
    return special.xlogy(counts, rates)


def student_t_and_poisson(df, scale, mu, data, counts):
    return np.sum(stats.t.logpdf(data, df, scale=scale)) + np.sum(stats.poisson.logpmf(counts, mu))


def gaussian_process_fit(log_length, y_obs, x):
    """-log N(y | 0, K) through cho_factor / cho_solve, with K a squared-exponential kernel."""
    length = np.exp(log_length)
    k = np.exp(-((x[:, np.newaxis] - x[np.newaxis, :]) ** 2) / (2 * length**2))
    k = k + 0.1 * np.eye(x.size)
    factor = scipy.linalg.cho_factor(k, lower=True)
    alpha = scipy.linalg.cho_solve(factor, y_obs)
    return 0.5 * np.dot(y_obs, alpha) + np.sum(np.log(np.diag(factor[0])))


def matrix_exponential_loss(a, target):
    return np.sum((scipy.linalg.expm(a) - target) ** 2)


def beta_cdf_objective(a, b, x):
    """Shape parameters of a distribution function: no closed form (by quadrature)."""
    return np.sum(stats.beta.cdf(x, a, b)) + np.sum(stats.gamma.logcdf(x + 1.0, a))


CASES = [
    ("gaussian_nll", gaussian_nll, (0.3, 1.7, DATA), (0, 1)),
    ("mixture_loglik", mixture_loglik, (RNG.normal(size=2), np.array([-1.0, 2.0]), DATA), (0, 1)),
    (
        "weighted_logsumexp",
        weighted_logsumexp,
        (RNG.normal(size=(3, 4)), RNG.uniform(0.5, 2, 4)),
        (0, 1),
    ),
    (
        "mvn_loglik",
        mvn_loglik,
        (
            RNG.normal(size=3),
            np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]]),
            RNG.normal(size=(6, 3)),
        ),
        (0, 1),
    ),
    (
        "poisson_gamma_posterior",
        poisson_gamma_posterior,
        (RNG.uniform(1.0, 4.0, size=8), 2.5, COUNTS),
        (0, 1),
    ),
    (
        "student_t_and_poisson",
        student_t_and_poisson,
        (4.0, 1.5, 2.7, DATA, COUNTS),
        (0, 1, 2),
    ),
    (
        "gaussian_process_fit",
        gaussian_process_fit,
        (0.2, RNG.normal(size=5), np.linspace(0, 2, 5)),
        (0, 1),
    ),
    (
        "matrix_exponential_loss",
        matrix_exponential_loss,
        (0.5 * RNG.normal(size=(3, 3)), np.eye(3)),
        (0,),
    ),
    (
        "beta_cdf_objective",
        beta_cdf_objective,
        (np.array([1.5, 0.7]), 2.2, np.array([0.3, 0.6])),
        (0, 1),
    ),
]


@pytest.mark.parametrize(("fn", "args", "wrt"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_objective_matches_finite_differences(fn, args, wrt):
    grads = tg.grad(fn, wrt=wrt)(*args)
    check_vjp(fn, args, wrt, grads, 1.0)


@pytest.mark.parametrize(
    ("fn", "args", "wrt"), [c[1:] for c in CASES[:4]], ids=[c[0] for c in CASES[:4]]
)
def test_vjp_with_a_random_seed(fn, args, wrt):
    rng = np.random.default_rng(zlib.crc32(fn.__name__.encode()))
    seed = random_like(rng, call(fn, args))
    check_vjp(fn, args, wrt, tg.vjp(fn, wrt=wrt)(*args, seed=seed), seed, rng=rng)


def nll_scale_only(scale, data):
    return -np.sum(norm.logpdf(data, scale=scale))


def test_keyword_parameters_bind_by_name():
    """`scale=` binds to the rule's `scale` (loc takes SciPy's default 0), and the gradient of a
    float argument is a float."""
    grad = tg.grad(nll_scale_only)(1.3, DATA)
    expected = np.sum(1 / 1.3 - DATA**2 / 1.3**3)
    assert np.ndim(grad) == 0
    np.testing.assert_allclose(grad, expected, rtol=1e-12)


def test_generated_code_reads_like_the_derivative():
    source = tg.source(tg.grad(gaussian_nll, wrt=(0, 1)))
    assert "(data - loc) / scale ** 2" in source
    assert "norm.logpdf(data, loc=loc, scale=scale)" in source
