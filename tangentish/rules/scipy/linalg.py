"""`scipy.linalg`: triangular solves, Cholesky factorizations and solves, the matrix exponential,
`inv` and `det`. The computations live in `linalg_ops` (and `numpy.linalg_ops` for what NumPy's
rules already do). `cho_factor` returns the pair (c, lower), so its `g` and `y` are pairs, and
`cho_solve` takes that pair: its adjoint is a pair too.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .. import adjoints
from ..numpy.linalg_ops import cholesky_adjoint, det_adjoint, inv_adjoint
from .linalg_ops import (
    cho_factor_adjoint,
    cho_solve_adjoint,
    expm_adjoint,
    solve_triangular_adjoint,
)
from .samples import spd, well_conditioned


def _triangular(rng):
    a = well_conditioned(rng, 3)
    return [
        ((a, rng.normal(size=3)), {}),
        ((a, rng.normal(size=(3, 2))), {"lower": True}),
        ((a, rng.normal(size=3)), {"trans": 1}),
        ((a, rng.normal(size=(3, 2))), {"trans": "T", "lower": True}),
        ((a, rng.normal(size=3), 2), {"unit_diagonal": True}),
        ((a, rng.normal(size=(3, 2))), {"lower": True, "unit_diagonal": True}),
    ]


@adjoints(scipy.linalg.solve_triangular, samples=_triangular)
def solve_triangular(
    a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True, *, g, y
):
    """Only `a`'s `lower` (else upper) triangle is read."""
    return (
        solve_triangular_adjoint(g, a, b, y, trans, lower, unit_diagonal, True),
        solve_triangular_adjoint(g, a, b, y, trans, lower, unit_diagonal, False),
    )


def _cholesky(rng):
    return [((spd(rng, 3),), {}), ((spd(rng, 3),), {"lower": True}), ((spd(rng, 2), True), {})]


@adjoints(scipy.linalg.cholesky, samples=_cholesky)
def cholesky(a, lower=False, overwrite_a=False, check_finite=True, *, g, y):
    """SciPy's factor is upper triangular unless `lower`; it reads that triangle of `a`."""
    return cholesky_adjoint(g, y, not lower)


@adjoints(scipy.linalg.cho_factor, samples=_cholesky)
def cho_factor(a, lower=False, overwrite_a=False, check_finite=True, *, g, y):
    return cho_factor_adjoint(g, y, a)


def _cho_solve(rng):
    a = spd(rng, 3)
    upper, lower = scipy.linalg.cho_factor(a), scipy.linalg.cho_factor(a, lower=True)
    return [
        ((upper, rng.normal(size=3)), {}),
        ((lower, rng.normal(size=(3, 2))), {}),
    ]


@adjoints(scipy.linalg.cho_solve, samples=_cho_solve)
def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True, *, g, y):
    """Solves a x = b from a's factor: `c_and_lower` is `cho_factor`'s (c, lower)."""
    return cho_solve_adjoint(g, c_and_lower, y), scipy.linalg.cho_solve(c_and_lower, g)


def _expm(rng):
    return [
        ((rng.normal(size=(3, 3)),), {}),
        ((0.5 * rng.normal(size=(2, 2)),), {}),
        ((rng.normal(size=(2, 3, 3)),), {}),
        ((np.diag(rng.normal(size=3)),), {}),
    ]


@adjoints(scipy.linalg.expm, samples=_expm)
def expm(A, *, g):
    return expm_adjoint(g, A)


def _square(rng):
    return [((well_conditioned(rng, 3),), {}), ((well_conditioned(rng, 2),), {})]


@adjoints(scipy.linalg.inv, samples=_square)
def inv(a, overwrite_a=False, check_finite=True, *, g, y):
    return inv_adjoint(g, y)


@adjoints(scipy.linalg.det, samples=_square)
def det(a, overwrite_a=False, check_finite=True, *, g):
    return det_adjoint(g, a)
