"""The derivatives behind `scipy.stats`' rules that are too long for a rule's one expression.

For a location-scale family with z = (x - loc) / scale, logpdf(x) = log f(z) - log(scale), so
d/dloc = -d/dx and d/dscale = -(1 + (x - loc) d/dx) / scale; the distribution function F(z) has
d/dx = pdf, d/dloc = -pdf and d/dscale = -pdf z. The rules use these directly; what is here are
the derivatives with respect to shape parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special
from scipy.integrate import quad

from .special_ops import TOLERANCES, elementwise


def _t_score_df(z: Any, df: Any) -> Any:
    """d/d(df) of the standard t distribution's log density at z."""
    return (
        (special.digamma((df + 1) / 2) - special.digamma(df / 2) - 1 / df) / 2
        - np.log1p(z * z / df) / 2
        + (df + 1) * z * z / (2 * df * (df + z * z))
    )


def t_logpdf_ddf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """d/d(df) of `t.logpdf(x, df, loc, scale)`."""
    return _t_score_df((np.asarray(x) - loc) / scale, np.asarray(df, dtype=float))


def _t_cdf_ddf(z: float, df: float) -> float:
    """int_{-inf}^z d/d(df) f(t; df) dt: over the shorter tail (the whole line integrates to 0)."""

    def integrand(t: float) -> float:
        log_density = (
            special.gammaln((df + 1) / 2)
            - special.gammaln(df / 2)
            - np.log(df * np.pi) / 2
            - (df + 1) / 2 * np.log1p(t * t / df)
        )
        return float(np.exp(log_density) * _t_score_df(t, df))

    if z <= 0:
        return quad(integrand, -np.inf, z, **TOLERANCES)[0]
    return -quad(integrand, z, np.inf, **TOLERANCES)[0]


def t_cdf_ddf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """d/d(df) of `t.cdf(x, df, loc, scale)`, by quadrature (it has no closed form)."""
    return elementwise(_t_cdf_ddf, (np.asarray(x) - loc) / scale, df)


def _mvn_parameters(x: Any, mean: Any, cov: Any) -> tuple[Any, Any, Any]:
    """`x` as points along its last axis, `mean` as a vector and `cov` as a matrix, as
    `multivariate_normal` reads them (its dimension is the mean's size, else the covariance's)."""
    mean_v = None if mean is None else np.asarray(mean, dtype=float)
    cov_m = np.asarray(cov, dtype=float)
    dim = cov_m.shape[0] if cov_m.ndim == 2 else 1
    dim = dim if mean_v is None else mean_v.size
    mean_v = np.zeros(dim) if mean_v is None else mean_v.reshape(dim)
    if dim == 1:
        cov_m = cov_m.reshape(1, 1)
    elif cov_m.ndim < 2:
        cov_m = cov_m * np.eye(dim) if cov_m.ndim == 0 else np.diag(cov_m)
    points = np.asarray(x, dtype=float)
    if points.ndim == 0:
        points = points[np.newaxis]
    elif points.ndim == 1:
        points = points[:, np.newaxis] if dim == 1 else points[np.newaxis, :]
    return points, mean_v, cov_m


def mvn_logpdf_adjoint(
    g: Any, x: Any, mean: Any = None, cov: Any = 1, part: int = 0, y: Any = None
) -> Any:
    """The adjoint of `multivariate_normal.logpdf(x, mean, cov)` for `x` (`part` 0), `mean` (1) or
    `cov` (2); with `y` given, of `pdf`, whose adjoint is `g y` through the log density.

    With r = x - mean and C^-1 r = s: d/dx = -s, d/dmean = s, and d/dC = (s s^T - C^-1) / 2,
    summed over the points. SciPy reads the lower triangle of a covariance matrix, so its adjoint
    lives there (off-diagonal entries doubled); a vector is a diagonal, a number a multiple of I.
    """
    points, mean_v, cov_m = _mvn_parameters(x, mean, cov)
    weights = np.reshape(g if y is None else np.asarray(g) * y, points.shape[:-1])
    inverse = np.linalg.inv(np.tril(cov_m) + np.tril(cov_m, -1).T)
    solved = (points - mean_v) @ inverse
    if part == 0:
        return np.reshape(-weights[..., np.newaxis] * solved, np.shape(x))
    if part == 1:
        grad = np.sum(weights[..., np.newaxis] * solved, axis=tuple(range(points.ndim - 1)))
        return np.reshape(grad, np.shape(mean)) if np.ndim(mean) else np.sum(grad)
    flat_w, flat_s = weights.reshape(-1), solved.reshape(-1, solved.shape[-1])
    grad = ((flat_s.T * flat_w) @ flat_s - np.sum(flat_w) * inverse) / 2
    if np.ndim(cov) == 0:
        return np.trace(grad)
    if np.ndim(cov) == 1 or grad.shape == (1, 1):
        return np.reshape(np.diagonal(grad), np.shape(cov))
    return np.tril(grad + grad.T, -1) + np.diag(np.diagonal(grad))
