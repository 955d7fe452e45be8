"""The derivatives behind `scipy.special`'s rules, called from generated code: the log-sum-exp
family's adjoints, and the derivatives of the regularized incomplete gamma and beta functions with
respect to their parameters, which have no closed form.

Those are computed elementwise by adaptive quadrature of the integrand's derivative (QUADPACK's
QAWS, whose weights t^(a-1) and t^(a-1) log(t) take the endpoint singularity out of the integrand):

    d/da P(a, x) = (1 / Gamma(a)) int_0^x log(t) t^(a-1) e^-t dt - psi(a) P(a, x)

and likewise for I_x(a, b). Against mpmath they agree to 1e-13 or better; each entry costs an
integral (tens of microseconds to a millisecond).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special
from scipy.integrate import quad

from ...runtime import unbroadcast
from ..numpy.adjoint_ops import Axis, restore_axes

#: Tolerances of the quadratures: far below what a derivative's user (or finite differences) sees.
TOLERANCES = {"epsabs": 1e-14, "epsrel": 1e-12, "limit": 200}


def elementwise(function: Any, *args: Any) -> Any:
    """`function` of scalars applied entry by entry (broadcasting), a float for scalar inputs."""
    result = np.vectorize(function, otypes=[float])(*args)
    return result[()] if result.ndim == 0 else result


def _gammainc_da(a: float, x: float) -> float:
    if x > a + 1:  # mostly upper tail: integrate it, where the integrand is smooth and small
        upper = quad(
            lambda t: np.log(t) * np.exp((a - 1) * np.log(t) - t - special.gammaln(a)),
            x,
            np.inf,
            **TOLERANCES,
        )[0]
        return special.digamma(a) * special.gammaincc(a, x) - upper
    lower = quad(
        lambda t: np.exp(-t - special.gammaln(a)),
        0,
        x,
        weight="alg-loga",
        wvar=(a - 1, 0),
        **TOLERANCES,
    )[0]
    return lower - special.digamma(a) * special.gammainc(a, x)


def gammainc_da(a: Any, x: Any) -> Any:
    """d/da of the regularized lower incomplete gamma function P(a, x) (`gammainc`); d/da of
    `gammaincc` is its negative."""
    return elementwise(_gammainc_da, a, x)


def _betainc_lower(a: float, b: float, x: float) -> tuple[float, float]:
    """(d/da, d/db) I_x(a, b) for x <= 1/2, by integrals over [0, x]."""
    scale = np.exp(-special.betaln(a, b))
    value = special.betainc(a, b, x)
    log_t = quad(
        lambda t: (1 - t) ** (b - 1), 0, x, weight="alg-loga", wvar=(a - 1, 0), **TOLERANCES
    )[0]
    log_1mt = quad(
        lambda t: (1 - t) ** (b - 1) * np.log1p(-t),
        0,
        x,
        weight="alg",
        wvar=(a - 1, 0),
        **TOLERANCES,
    )[0]
    both = special.digamma(a + b)
    return (
        scale * log_t - (special.digamma(a) - both) * value,
        scale * log_1mt - (special.digamma(b) - both) * value,
    )


def _betainc_dparams(a: float, b: float, x: float, which: int) -> float:
    if x <= 0.5:
        return _betainc_lower(a, b, x)[which]
    # I_x(a, b) = 1 - I_{1-x}(b, a): the same integrals over [0, 1 - x], parameters swapped
    return -_betainc_lower(b, a, 1 - x)[1 - which]


def betainc_da(a: Any, b: Any, x: Any) -> Any:
    """d/da of the regularized incomplete beta function I_x(a, b) (`betainc`)."""
    return elementwise(_betainc_dparams, a, b, x, 0)


def betainc_db(a: Any, b: Any, x: Any) -> Any:
    """d/db of the regularized incomplete beta function I_x(a, b) (`betainc`)."""
    return elementwise(_betainc_dparams, a, b, x, 1)


def multigammaln_derivative(a: Any, d: int) -> Any:
    """d/da log Gamma_d(a) = sum_{j < d} psi(a - j/2)."""
    return sum(special.digamma(np.asarray(a, dtype=float) - j / 2) for j in range(d))


def logsumexp_adjoint(
    g: Any,
    a: Any,
    y: Any,
    axis: Axis = None,
    b: Any = None,
    keepdims: bool = False,
    return_sign: bool = False,
    first: bool = True,
) -> Any:
    """The adjoint of `logsumexp(a, axis, b)` for `a` (`first`) or for the weights `b`.

    With s = sum(b e^a) = sign e^y: dy/da = sign b e^(a - y), dy/db = sign e^(a - y). With
    `return_sign=True` the output is the pair (y, sign) and only y carries a derivative.
    """
    a_or_b = a if first else b
    if return_sign:
        (g, _), (y, sign) = g, y
    else:
        sign = 1.0
    a = np.asarray(a, dtype=float)
    if b is not None:  # a broadcast against the weights, as logsumexp does
        a = np.broadcast_to(a, np.broadcast_shapes(a.shape, np.shape(b)))
    shared = restore_axes(np.asarray(g) * sign, a, axis, keepdims) * np.exp(
        a - restore_axes(y, a, axis, keepdims)
    )
    return unbroadcast(shared * b if first and b is not None else shared, a_or_b)


def softmax_adjoint(g: Any, y: Any, axis: Axis = None) -> Any:
    """The adjoint of `softmax(x, axis)`, with y its output: y (g - sum(g y))."""
    return y * (g - np.sum(g * y, axis=axis, keepdims=True))


def log_softmax_adjoint(g: Any, y: Any, axis: Axis = None) -> Any:
    """The adjoint of `log_softmax(x, axis)`, with y its output: g - e^y sum(g)."""
    return g - np.exp(y) * np.sum(g, axis=axis, keepdims=True)
