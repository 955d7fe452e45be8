"""Elementwise NumPy rules that have no `math` twin, and NumPy's zero-derivative functions.

The twins (`np.sin` beside `math.sin`, ...) share their entry in `rules/builtins.py`.
"""

from __future__ import annotations

import numpy as np

from .. import Domain, partials, zero

R, P, U, NZ = Domain.REAL, Domain.POSITIVE, Domain.UNIT, Domain.NONZERO


@partials(np.square)
def square(x):
    return 2 * x


@partials(np.reciprocal, domains=(NZ,))
def reciprocal(x, *, y):
    return -y * y


@partials(np.cbrt, domains=(P,))
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
def where(condition, x, y):
    return None, np.where(condition, 1.0, 0.0), np.where(condition, 0.0, 1.0)


@partials(np.clip, domains=(R, R, R))
def clip(a, a_min, a_max):
    return (np.clip(a, a_min, a_max) == a) * 1.0, (a < a_min) * 1.0, (a > a_max) * 1.0


@partials(np.deg2rad, np.radians)
def deg2rad(x):
    return np.pi / 180


@partials(np.rad2deg, np.degrees)
def rad2deg(x):
    return 180 / np.pi


@partials(np.sinc, domains=(NZ,))
def sinc(x, *, y):
    return (np.cos(np.pi * x) - y) / x


zero(np.sign, np.floor, np.ceil, np.round, np.rint, np.trunc, np.fix, np.heaviside)
zero(np.isnan, np.isinf, np.isfinite, np.signbit, np.argmax, np.argmin, np.argsort)
zero(np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal)
zero(np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.floor_divide)
zero(np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.full_like)
zero(np.zeros, np.ones, np.empty, np.full, np.arange, np.linspace, np.eye, np.identity)
zero(methods=("argmax", "argmin", "argsort", "shape", "ndim", "size", "dtype", "nonzero"))
