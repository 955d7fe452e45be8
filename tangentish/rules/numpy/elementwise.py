"""Elementwise NumPy rules that have no `math` twin, and NumPy's zero-derivative functions.

The twins (`np.sin` beside `math.sin`, ...) share their entry in `rules/builtins.py`. Elementwise
functions returning a pair (`divmod`, `modf`, `frexp`) are structural rules here: `g` is a pair.
"""

from __future__ import annotations

import numpy as np

from ...runtime import unbroadcast
from .. import Domain, adjoints, partials, zero
from .samples import arrays, positive
from .selection_ops import clip_partial

R, P, U, NZ = Domain.REAL, Domain.POSITIVE, Domain.UNIT, Domain.NONZERO


@partials(np.square)
def square(x):
    return 2 * x


@partials(np.reciprocal, domains=(NZ,))
def reciprocal(x, *, y):
    return -y * y


@partials(np.cbrt, domains=(NZ,))
def cbrt(x, *, y):
    return 1 / (3 * y * y)


@partials(np.exp2)
def exp2(x, *, y):
    return y * np.log(2.0)


@partials(np.logaddexp, domains=(R, R))
def logaddexp(x1, x2, *, y):
    return np.exp(x1 - y), np.exp(x2 - y)


@partials(np.logaddexp2, domains=(R, R))
def logaddexp2(x1, x2, *, y):
    return np.exp2(x1 - y), np.exp2(x2 - y)


@partials(np.where, domains=(R, R, R))
def where(condition, x1, x2):
    """NumPy names the choices `x` and `y`; `y` is the templates' name for the output."""
    return None, np.where(condition, 1.0, 0.0), np.where(condition, 0.0, 1.0)


@partials(np.clip, domains=(R, R, R))
def clip(a, a_min=None, a_max=None, out=None, min=None, max=None):
    """Bounds may be None; NumPy 2 also names them `min` and `max`."""
    return (
        clip_partial(a, a_min, a_max, 0, min, max),
        clip_partial(a, a_min, a_max, 1, min, max),
        clip_partial(a, a_min, a_max, 2, min, max),
        None,
        clip_partial(a, a_min, a_max, 1, min, max),
        clip_partial(a, a_min, a_max, 2, min, max),
    )


@partials(np.deg2rad, np.radians)
def deg2rad(x):
    return np.pi / 180


@partials(np.rad2deg, np.degrees)
def rad2deg(x):
    return 180 / np.pi


@partials(np.sinc)
def sinc(x, *, y):
    """(cos(pi x) - sinc(x)) / x, whose numerator is exactly 0 at x = 0, where the slope is 0."""
    return (np.cos(np.pi * x) - y) / np.where(x == 0, 1.0, x)


@partials(np.float_power, domains=(P, R))
def float_power(x1, x2, *, y):
    return x2 * np.float_power(x1, x2 - 1), np.log(x1) * y


@partials(np.copysign, domains=(NZ, NZ))
def copysign(x1, x2):
    """|x1| with the sign of x2: piecewise constant in x2."""
    return np.copysign(1.0, x1) * np.copysign(1.0, x2), 0.0 * x2


@partials(np.fmod, domains=(R, NZ))
def fmod(x1, x2):
    """x1 - trunc(x1 / x2) x2, C's remainder (NumPy's `mod` floors instead)."""
    return 1, -np.trunc(x1 / x2)


@partials(np.conjugate, np.real)
def conjugate(x):
    """The identity on real numbers."""
    return 1


@partials(np.nan_to_num, domains=(R,))
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Finite entries pass through; the others become the replacement values."""
    return np.isfinite(x) * 1.0, None, np.isnan(x) * 1.0, np.isposinf(x) * 1.0, np.isneginf(x) * 1.0


@adjoints(np.divmod, samples=lambda rng: [((rng.uniform(0.5, 5, size=(2, 3)), 0.7), {})])
def divmod_(x1, x2, *, g, y):
    """(floor(x1 / x2), x1 - floor(x1 / x2) x2): the quotient is piecewise constant."""
    return unbroadcast(g[1], x1), unbroadcast(-g[1] * y[0], x2)


@adjoints(np.modf, samples=arrays((), (2, 3)))
def modf(x, *, g):
    """(fractional part, integral part): only the fractional part varies."""
    return g[0]


@adjoints(np.frexp, samples=positive((), (2, 3)))
def frexp(x, *, g, y):
    """x = m 2^e with the exponent e piecewise constant: dm/dx = 2^-e."""
    return g[0] * np.ldexp(1.0, -y[1])


zero(np.sign, np.floor, np.ceil, np.round, np.rint, np.trunc, np.fix, np.heaviside)
zero(np.isnan, np.isinf, np.isfinite, np.signbit, np.argmax, np.argmin, np.argsort)
zero(np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal)
zero(np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.floor_divide)
zero(np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like)
zero(np.zeros, np.ones, np.empty, np.eye, np.identity, np.tri, np.indices)
zero(np.around, np.isclose, np.allclose, np.array_equal, np.array_equiv, np.isneginf, np.isposinf)
zero(np.isreal, np.iscomplex, np.isrealobj, np.iscomplexobj, np.imag, np.angle, np.spacing)
zero(np.all, np.any, np.count_nonzero, np.nonzero, np.flatnonzero, np.argwhere, np.isin)
zero(np.searchsorted, np.digitize, np.argpartition, np.nanargmax, np.nanargmin, np.lexsort)
zero(np.tril_indices, np.triu_indices, np.diag_indices, np.unravel_index, np.ravel_multi_index)
zero(np.broadcast_shapes, np.gcd, np.lcm, np.invert, np.left_shift, np.right_shift)
zero(np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.linalg.matrix_rank)
zero(methods=("argmax", "argmin", "argsort", "shape", "ndim", "size", "dtype", "nonzero"))
zero(methods=("round", "all", "any", "argpartition", "searchsorted", "imag", "itemsize", "nbytes"))
