"""`scipy.special`: elementwise special functions (partials, with `y` their output), and the
structural rules of `polygamma`, `multigammaln`, `logsumexp`, `softmax` and `log_softmax`.

SciPy's ufuncs take their operands by position only, so two-operand rules name them `x1`, `x2`
(`y` is the templates' name for the output).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ...runtime import unbroadcast
from .. import Domain, adjoints, partials
from .samples import PROBABILITY, TWO, positive
from .special_ops import (
    betainc_da,
    betainc_db,
    gammainc_da,
    log_softmax_adjoint,
    logsumexp_adjoint,
    multigammaln_derivative,
    softmax_adjoint,
)

R, P, U, NZ = Domain.REAL, Domain.POSITIVE, Domain.UNIT, Domain.NONZERO

# -- gamma and beta functions ----------------------------------------------------------------------


@partials(special.gammaln, special.loggamma, domains=(P,))
def gammaln(x):
    """log|Gamma(x)|; `loggamma` is its analytic (complex) continuation, real for x > 0."""
    return special.digamma(x)


@partials(special.gamma, domains=(P,))
def gamma(x, *, y):
    return y * special.digamma(x)


@partials(special.rgamma, domains=(P,))
def rgamma(x, *, y):
    """1 / Gamma(x)."""
    return -y * special.digamma(x)


@partials(special.digamma, domains=(P,))
def digamma(x):
    """`psi` is the same function."""
    return special.polygamma(1, x)


@partials(special.betaln, domains=(P, P))
def betaln(x1, x2):
    return (
        special.digamma(x1) - special.digamma(x1 + x2),
        special.digamma(x2) - special.digamma(x1 + x2),
    )


@partials(special.beta, domains=(P, P))
def beta(x1, x2, *, y):
    return (
        y * (special.digamma(x1) - special.digamma(x1 + x2)),
        y * (special.digamma(x2) - special.digamma(x1 + x2)),
    )


@partials(special.gammainc, domains=(P, P))
def gammainc(x1, x2):
    """P(a, x): d/dx is the gamma(a) density at x; d/da has no closed form (by quadrature)."""
    return gammainc_da(x1, x2), np.exp((x1 - 1) * np.log(x2) - x2 - special.gammaln(x1))


@partials(special.gammaincc, domains=(P, P))
def gammaincc(x1, x2):
    """Q(a, x) = 1 - P(a, x)."""
    return -gammainc_da(x1, x2), -np.exp((x1 - 1) * np.log(x2) - x2 - special.gammaln(x1))


@partials(special.betainc, domains=(P, P, PROBABILITY))
def betainc(x1, x2, x3):
    """I_x(a, b): d/dx is the beta(a, b) density at x; d/da and d/db by quadrature."""
    return (
        betainc_da(x1, x2, x3),
        betainc_db(x1, x2, x3),
        np.exp(special.xlogy(x1 - 1, x3) + special.xlog1py(x2 - 1, -x3) - special.betaln(x1, x2)),
    )


def _polygamma(rng):
    return [((n, positive(rng, *shape)), {}) for n, shape in ((0, (3,)), (1, ()), (3, (2, 3)))]


@adjoints(special.polygamma, samples=_polygamma)
def polygamma(n, x, *, g):
    """The n-th derivative of digamma; the order `n` is an integer."""
    return None, unbroadcast(g * special.polygamma(n + 1, x), x)


@adjoints(
    special.multigammaln,
    samples=lambda rng: [((2.0 + positive(rng), 1), {}), ((2.0 + positive(rng, 3), 3), {})],
)
def multigammaln(a, d, *, g):
    """log Gamma_d(a) = d (d - 1) / 4 log(pi) + sum_{j < d} gammaln(a - j / 2)."""
    return g * multigammaln_derivative(a, d), None


# -- error functions and the normal distribution -------------------------------------------------


@partials(special.erf)
def erf(x):
    return 2 / np.sqrt(np.pi) * np.exp(-x * x)


@partials(special.erfc)
def erfc(x):
    return -2 / np.sqrt(np.pi) * np.exp(-x * x)


@partials(special.erfcx)
def erfcx(x, *, y):
    """exp(x^2) erfc(x)."""
    return 2 * x * y - 2 / np.sqrt(np.pi)


@partials(special.erfinv, domains=(U,))
def erfinv(x, *, y):
    return np.sqrt(np.pi) / 2 * np.exp(y * y)


@partials(special.erfcinv, domains=(TWO,))
def erfcinv(x, *, y):
    return -np.sqrt(np.pi) / 2 * np.exp(y * y)


@partials(special.ndtr)
def ndtr(x):
    """The standard normal distribution function."""
    return np.exp(-x * x / 2) / np.sqrt(2 * np.pi)


@partials(special.log_ndtr)
def log_ndtr(x, *, y):
    """The density over the distribution function, in logs (stable far in the left tail)."""
    return np.exp(-x * x / 2 - y) / np.sqrt(2 * np.pi)


@partials(special.ndtri, domains=(PROBABILITY,))
def ndtri(x, *, y):
    """The inverse of `ndtr`: one over the density at y."""
    return np.sqrt(2 * np.pi) * np.exp(y * y / 2)


# -- logistic functions and entropies -------------------------------------------------------------


@partials(special.expit)
def expit(x, *, y):
    return y * (1 - y)


@partials(special.logit, domains=(PROBABILITY,))
def logit(x):
    return 1 / (x * (1 - x))


if hasattr(special, "log_expit"):  # SciPy >= 1.8

    @partials(special.log_expit)
    def log_expit(x):
        return special.expit(-x)


if hasattr(special, "softplus"):  # SciPy >= 1.15

    @partials(special.softplus)
    def softplus(x):
        return special.expit(x)


@partials(special.xlogy, domains=(R, P))
def xlogy(x1, x2):
    """x1 log(x2), which is 0 where x1 is 0."""
    return np.log(x2), x1 / x2


@partials(special.xlog1py, domains=(R, P))
def xlog1py(x1, x2):
    """x1 log1p(x2), which is 0 where x1 is 0."""
    return np.log1p(x2), x1 / (1 + x2)


@partials(special.entr, domains=(P,))
def entr(x):
    """-x log(x)."""
    return -np.log(x) - 1


@partials(special.rel_entr, domains=(P, P))
def rel_entr(x1, x2):
    """x1 log(x1 / x2)."""
    return np.log(x1 / x2) + 1, -x1 / x2


@partials(special.kl_div, domains=(P, P))
def kl_div(x1, x2):
    """x1 log(x1 / x2) - x1 + x2."""
    return np.log(x1 / x2), 1 - x1 / x2


# -- Bessel functions and elementary functions ----------------------------------------------------


@partials(special.i0)
def i0(x):
    return special.i1(x)


@partials(special.i1)
def i1(x):
    """I1' = (I0 + I2) / 2, which has no 1 / x to divide by 0."""
    return (special.i0(x) + special.iv(2, x)) / 2


@partials(special.i0e, domains=(NZ,))
def i0e(x, *, y):
    """exp(-|x|) I0(x)."""
    return special.i1e(x) - np.sign(x) * y


@partials(special.i1e, domains=(NZ,))
def i1e(x, *, y):
    """exp(-|x|) I1(x)."""
    return (special.i0e(x) + special.ive(2, x)) / 2 - np.sign(x) * y


@partials(special.log1p, domains=(P,))
def log1p(x):
    return 1 / (1 + x)


@partials(special.expm1)
def expm1(x, *, y):
    return y + 1


@partials(special.cosm1)
def cosm1(x):
    """cos(x) - 1."""
    return -np.sin(x)


@partials(special.exp2)
def exp2(x, *, y):
    return y * np.log(2.0)


@partials(special.exp10)
def exp10(x, *, y):
    return y * np.log(10.0)


@partials(special.cbrt, domains=(NZ,))
def cbrt(x, *, y):
    return 1 / (3 * y * y)


# -- reductions -----------------------------------------------------------------------------------


def _logsumexp(rng):
    a = rng.normal(size=(3, 4))
    b = positive(rng, 3, 4)
    return [
        ((a,), {}),
        ((a,), {"axis": 0}),
        ((a, 1), {"keepdims": True}),
        ((a,), {"axis": (0, 1)}),
        ((a,), {"axis": -1, "b": b}),
        ((a,), {"axis": 0, "b": b[0]}),
        ((a,), {"b": b, "return_sign": True}),
        ((a,), {"axis": 1, "b": -b, "return_sign": True}),
        ((rng.normal(size=5),), {"b": 2.0}),
        ((rng.normal(),), {}),
    ]


@adjoints(special.logsumexp, samples=_logsumexp)
def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, *, g, y):
    """log(sum(b exp(a))) over `axis`; `return_sign=True` returns (that, its sign)."""
    return (
        logsumexp_adjoint(g, a, y, axis, b, keepdims, return_sign, True),
        None,
        logsumexp_adjoint(g, a, y, axis, b, keepdims, return_sign, False),
    )


def _softmax(rng):
    x = rng.normal(size=(3, 4))
    return [((x,), {}), ((x,), {"axis": 0}), ((x, 1), {}), ((x,), {"axis": (0, 1)}), ((x[0],), {})]


@adjoints(special.softmax, samples=_softmax)
def softmax(x, axis=None, *, g, y):
    return softmax_adjoint(g, y, axis)


@adjoints(special.log_softmax, samples=_softmax)
def log_softmax(x, axis=None, *, g, y):
    return log_softmax_adjoint(g, y, axis)
