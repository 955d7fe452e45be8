"""`scipy.stats.multivariate_normal`: `logpdf` and `pdf` with respect to the points, the mean and
the covariance (a matrix, a vector of variances or one variance), in `stats_ops`.
"""

from __future__ import annotations

from scipy import stats

from .. import adjoints
from .samples import positive, spd
from .stats_ops import mvn_logpdf_adjoint


def _mvn(rng):
    cov, mean = spd(rng, 3), rng.normal(size=3)
    return [
        ((rng.normal(size=3), mean, cov), {}),
        ((rng.normal(size=(4, 3)), mean, cov), {}),
        ((rng.normal(size=(2, 2, 3)),), {"mean": mean, "cov": cov}),
        ((rng.normal(size=(1, 3)), mean), {"cov": positive(rng, 3)}),
        ((rng.normal(size=(4, 3)),), {"mean": mean, "cov": 1.5}),
        ((rng.normal(size=3), mean, 0.7), {}),
        ((rng.normal(size=4), 0.5, 2.0), {}),
        ((rng.normal(), rng.normal(size=1)), {"cov": positive(rng, 1, 1)}),
    ]


@adjoints(stats.multivariate_normal.logpdf, samples=_mvn)
def mvn_logpdf(x, mean=None, cov=1, allow_singular=False, *, g):
    return (
        mvn_logpdf_adjoint(g, x, mean, cov, 0),
        mvn_logpdf_adjoint(g, x, mean, cov, 1),
        mvn_logpdf_adjoint(g, x, mean, cov, 2),
    )


@adjoints(stats.multivariate_normal.pdf, samples=_mvn)
def mvn_pdf(x, mean=None, cov=1, allow_singular=False, *, g, y):
    return (
        mvn_logpdf_adjoint(g, x, mean, cov, 0, y),
        mvn_logpdf_adjoint(g, x, mean, cov, 1, y),
        mvn_logpdf_adjoint(g, x, mean, cov, 2, y),
    )
