"""Reductions beyond `sum`/`mean`/`prod`/`max`/`min` (in `structural`): spread, NaN-skipping
reductions, running sums and products, differences, averages, traces and norms.

Each rule returns one adjoint per differentiable input in terms of `g` (the output's adjoint) and
`y` (the output); the computations live in `reduction_ops`.
"""

from __future__ import annotations

import numpy as np

from .. import adjoints, linear
from .adjoint_ops import extremum_adjoint, prod_adjoint, sum_adjoint
from .reduction_ops import (
    average_adjoint,
    cumprod_adjoint,
    cumsum_adjoint,
    diff_adjoint,
    matrix_norm_adjoint,
    nanmean_adjoint,
    norm_adjoint,
    ptp_adjoint,
    std_adjoint,
    trace_adjoint,
    variance_adjoint,
    vector_norm_adjoint,
)
from .samples import arrays, calls, of, reductions


def _nans(calls):
    """`calls` with a NaN on the diagonal of each matrix, and in the middle of each vector: no
    row or column is all NaN."""
    marked = []
    for (a, *rest), kwargs in calls:
        a = a.copy()
        a[(1, 2) if a.ndim == 2 else 2] = np.nan
        a[(0, 0) if a.ndim == 2 else 0] = np.nan
        marked.append(((a, *rest), kwargs))
    return marked


def _with_nans(rng):
    """Reductions' samples with NaNs, for the NaN-skipping reductions."""
    return _nans(reductions()(rng))


def _running(rng):
    a = rng.normal(size=(3, 4))
    with_zero = a.copy()
    with_zero[1, 2] = 0.0
    return [((a,), {}), ((a,), {"axis": 0}), ((a,), {"axis": 1}), ((with_zero,), {"axis": 1})]


@adjoints(np.std, samples=reductions({}, {"ddof": 1}), methods=("std",))
def reduce_std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, g, y):
    return std_adjoint(g, a, y, axis, ddof, keepdims)


@adjoints(np.var, samples=reductions({}, {"ddof": 1}), methods=("var",))
def reduce_var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, g):
    return variance_adjoint(g, a, axis, ddof, keepdims)


@adjoints(np.nanstd, samples=_with_nans)
def reduce_nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, g, y):
    return std_adjoint(g, a, y, axis, ddof, keepdims, True)


@adjoints(np.nanvar, samples=_with_nans)
def reduce_nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, g):
    return variance_adjoint(g, a, axis, ddof, keepdims, True)


@adjoints(np.nansum, samples=_with_nans)
def reduce_nansum(a, axis=None, dtype=None, out=None, keepdims=False, *, g):
    """NaNs are skipped: they count as 0, so they get no adjoint."""
    return sum_adjoint(g, a, axis, keepdims) * ~np.isnan(a)


@adjoints(np.nanmean, samples=_with_nans)
def reduce_nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, g):
    return nanmean_adjoint(g, a, axis, keepdims)


@adjoints(np.nanprod, samples=_with_nans)
def reduce_nanprod(a, axis=None, dtype=None, out=None, keepdims=False, *, g, y):
    """NaNs count as 1: the product of the other entries, with NaNs replaced by 1."""
    return prod_adjoint(g, np.where(np.isnan(a), 1.0, a), y, axis, keepdims) * ~np.isnan(a)


@adjoints(np.nanmax, np.nanmin, samples=_with_nans)
def reduce_nanextremum(a, axis=None, out=None, keepdims=False, *, g, y):
    """A NaN never equals the extreme value, so it gets no adjoint."""
    return extremum_adjoint(g, a, y, axis, keepdims)


@adjoints(np.ptp, samples=reductions())
def reduce_ptp(a, axis=None, out=None, keepdims=False, *, g):
    return ptp_adjoint(g, a, axis, keepdims)


@adjoints(np.cumsum, samples=_running, methods=("cumsum",))
def cumsum(a, axis=None, dtype=None, out=None, *, g):
    return cumsum_adjoint(g, a, axis)


@adjoints(np.cumprod, samples=_running, methods=("cumprod",))
def cumprod(a, axis=None, dtype=None, out=None, *, g):
    return cumprod_adjoint(g, a, axis)


@adjoints(np.nancumsum, samples=lambda rng: _nans(_running(rng)))
def nancumsum(a, axis=None, dtype=None, out=None, *, g):
    return cumsum_adjoint(g, a, axis, False, True)


@adjoints(np.nancumprod, samples=lambda rng: _nans(_running(rng)))
def nancumprod(a, axis=None, dtype=None, out=None, *, g):
    return cumprod_adjoint(g, a, axis, False, True)


if hasattr(np, "cumulative_sum"):  # NumPy >= 2.1

    @adjoints(
        np.cumulative_sum,
        samples=of(
            arrays((5,)),
            calls((3, 4), variants=({"axis": 0}, {"axis": 1, "include_initial": True})),
        ),
    )
    def cumulative_sum(x, axis=None, dtype=None, out=None, include_initial=False, *, g):
        return cumsum_adjoint(g, x, axis, include_initial)

    @adjoints(
        np.cumulative_prod,
        samples=of(
            arrays((5,)),
            calls((3, 4), variants=({"axis": 0}, {"axis": 1, "include_initial": True})),
        ),
    )
    def cumulative_prod(x, axis=None, dtype=None, out=None, include_initial=False, *, g):
        return cumprod_adjoint(g, x, axis, include_initial)


@adjoints(
    np.trace,
    samples=of(arrays((3, 3), (3, 4)), calls((2, 3, 3), 1, 1, 2), calls((3, 4), -1)),
    methods=("trace",),
)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None, *, g):
    return trace_adjoint(g, a, offset, axis1, axis2)


@adjoints(np.linalg.trace, samples=of(arrays((3, 3), (2, 3, 4)), calls((3, 4), offset=1)))
def linalg_trace(x, offset=0, dtype=None, *, g):
    """`numpy.linalg.trace` sums the diagonals of the last two axes."""
    return trace_adjoint(g, x, offset, -2, -1)


def _average(rng):
    a = rng.normal(size=(3, 4))
    w = rng.uniform(0.5, 2.0, size=(3, 4))
    return [
        ((a,), {}),
        ((a,), {"axis": 1}),
        ((a,), {"weights": w}),
        ((a, 0), {"weights": w[:, 0]}),
        ((a,), {"axis": 1, "weights": w[0], "returned": True}),
    ]


@adjoints(np.average, samples=_average)
def average(a, axis=None, weights=None, returned=False, keepdims=False, *, g):
    return (
        average_adjoint(g, a, axis, weights, returned, keepdims, True),
        None,
        average_adjoint(g, a, axis, weights, returned, keepdims, False),
    )


def _diff(rng):
    a = rng.normal(size=(3, 4))
    return [
        ((rng.normal(size=5),), {}),
        ((a,), {"axis": 0}),
        ((a, 2), {}),
        ((a,), {"prepend": 0.5, "append": rng.normal(size=(3, 2))}),
    ]


@adjoints(np.diff, samples=_diff)
def diff(a, n=1, axis=-1, prepend=None, append=None, *, g):
    return (
        diff_adjoint(g, a, n, axis, prepend, append, 0),
        None,
        None,
        diff_adjoint(g, a, n, axis, prepend, append, 1),
        diff_adjoint(g, a, n, axis, prepend, append, 2),
    )


def _norms(rng):
    v, m = rng.normal(size=4), rng.normal(size=(3, 4))
    vector_ords = [None, 1, 2, 3, np.inf, -np.inf]
    matrix_ords = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]
    return (
        [((v, o), {}) for o in vector_ords]
        + [((m, o), {}) for o in matrix_ords]
        + [((m,), {"axis": 1}), ((m, 1), {"axis": 0, "keepdims": True})]
        + [((rng.normal(size=(2, 3, 4)),), {"axis": (2, 1), "ord": "nuc"})]
        + [((rng.normal(size=(2, 3, 4)),), {})]
    )


@adjoints(np.linalg.norm, samples=_norms)
def norm(x, ord=None, axis=None, keepdims=False, *, g, y):
    return norm_adjoint(g, x, y, ord, axis, keepdims)


if hasattr(np.linalg, "vector_norm"):  # NumPy >= 2.0

    @adjoints(
        np.linalg.vector_norm,
        samples=of(
            arrays((4,), (2, 3)),
            calls((3, 4), variants=({"ord": 1, "axis": 1}, {"ord": np.inf}, {"ord": 3})),
        ),
    )
    def vector_norm(x, axis=None, keepdims=False, ord=2, *, g, y):
        return vector_norm_adjoint(g, x, y, ord, axis, keepdims)

    @adjoints(
        np.linalg.matrix_norm,
        samples=of(arrays((3, 4), (2, 3, 3)), calls((3, 4), variants=({"ord": 2}, {"ord": 1}))),
    )
    def matrix_norm(x, keepdims=False, ord="fro", *, g, y):
        return matrix_norm_adjoint(g, x, y, ord, (-2, -1), keepdims)


linear(cumsum, trace, linalg_trace, diff)
