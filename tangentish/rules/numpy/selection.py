"""Selections: gathers (`take`, `take_along_axis`, `compress`, `extract`), `sort`, order
statistics (`median`, `quantile`, `percentile`), `clip` as a method, `select`, `bincount` and
`interp`. `where` and `clip` are elementwise (in `elementwise`), indexing is in `structural`.

The computations live in `selection_ops`; their docstrings say what happens at ties.
"""

from __future__ import annotations

import numpy as np

from .. import adjoints, linear
from .samples import distinct
from .selection_ops import (
    clip_adjoint,
    compress_adjoint,
    interp_adjoint,
    median_adjoint,
    quantile_adjoint,
    select_adjoint,
    select_choices_adjoint,
    sort_adjoint,
    take_adjoint,
    take_along_axis_adjoint,
)


def _clip(rng):
    a = rng.normal(size=(3, 4))
    return [((a, -0.5, 0.5), {}), ((a, rng.normal(size=4) - 1, 1.0), {}), ((a, None, 0.2), {})]


@adjoints(samples=_clip, methods=("clip",))
def clip_method(a, min=None, max=None, out=None, *, g):
    """`a.clip(min, max)`; `np.clip` is elementwise."""
    return (
        clip_adjoint(g, a, min, max, 0),
        clip_adjoint(g, a, min, max, 1),
        clip_adjoint(g, a, min, max, 2),
    )


def _take(rng):
    a = rng.normal(size=(3, 4))
    return [
        ((a, [0, 5, 5, 11]), {}),
        ((a, np.array([[0, 2], [2, 2]])), {"axis": 1}),
        ((a, 1), {"axis": 0}),
        ((a, [-1, 4]), {"axis": 0, "mode": "wrap"}),
        ((a, [0, 7]), {"axis": 1, "mode": "clip"}),
    ]


@adjoints(np.take, samples=_take, methods=("take",))
def take(a, indices, axis=None, out=None, mode="raise", *, g):
    """Repeated indices sum their adjoints."""
    return take_adjoint(g, a, indices, axis, mode), None


def _take_along_axis(rng):
    a = rng.normal(size=(3, 4))
    return [
        ((a, np.array([[0, 0], [3, 1], [2, 2]]), 1), {}),
        ((a, np.array([[2, 0, 1, 1]]), 0), {}),
        ((rng.normal(size=5), np.array([4, 0, 4]), None), {}),
    ]


@adjoints(np.take_along_axis, samples=_take_along_axis)
def take_along_axis(arr, indices, axis=-1, *, g):
    return take_along_axis_adjoint(g, arr, indices, axis), None


def _sort(rng):
    return [
        ((distinct(rng, (5,)),), {}),
        ((distinct(rng, (3, 4)),), {"axis": 0}),
        ((distinct(rng, (3, 4)),), {"axis": None}),
        ((distinct(rng, (3, 4)),), {}),
    ]


@adjoints(np.sort, samples=_sort)
def sort(a, axis=-1, kind=None, order=None, stable=None, *, g):
    return sort_adjoint(g, a, axis)


def _compress(rng):
    a = rng.normal(size=(3, 4))
    return [
        (([True, False, True], a, 0), {}),
        ((np.array([False, True, True, True]), a), {"axis": 1}),
        (([True, False, False, True, True], a), {}),
    ]


@adjoints(np.compress, samples=_compress)
def compress(condition, a, axis=None, out=None, *, g):
    return None, compress_adjoint(g, condition, a, axis)


def _compress_method(rng):
    return [((a, c), kw) for (c, a, *axis), kw in _compress(rng) if not axis]


@adjoints(samples=_compress_method, methods=("compress",))
def compress_method(a, condition, axis=None, out=None, *, g):
    return compress_adjoint(g, condition, a, axis), None


@adjoints(np.extract, samples=lambda rng: [((np.eye(3, dtype=bool), rng.normal(size=(3, 3))), {})])
def extract(condition, arr, *, g):
    return None, compress_adjoint(g, condition, arr)


def _select(rng):
    x = rng.normal(size=(2, 3))
    return [
        (([x < -0.5, x > 0.5], [x * 2, rng.normal(size=3)]), {}),
        (([x < 0, x < 1], [rng.normal(size=(2, 3)), rng.normal(size=(2, 3))], rng.normal()), {}),
    ]


@adjoints(np.select, samples=_select)
def select(condlist, choicelist, default=0, *, g):
    """The first choice whose condition holds gets the adjoint, the default where none does."""
    return (
        None,
        select_choices_adjoint(g, condlist, choicelist, default),
        select_adjoint(g, condlist, choicelist, default, -1),
    )


def _order_statistics(rng):
    return [
        ((distinct(rng, (5,)),), {}),
        ((distinct(rng, (4,)),), {}),
        ((distinct(rng, (3, 4)),), {"axis": 1}),
        ((distinct(rng, (3, 4)),), {"axis": 0, "keepdims": True}),
        ((distinct(rng, (2, 3, 4)),), {"axis": (0, 2)}),
    ]


@adjoints(np.median, samples=_order_statistics)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False, *, g):
    """The middle entry, or the mean of the two middle entries (ties: NumPy's stable order)."""
    return median_adjoint(g, a, axis, keepdims)


def _quantiles(scale):
    def samples(rng):
        return [
            ((distinct(rng, (5,)), 0.3 * scale), {}),
            ((distinct(rng, (3, 4)), np.array([0.1, 0.55]) * scale), {"axis": 1}),
            ((distinct(rng, (3, 4)), 0.7 * scale), {"axis": 0, "keepdims": True}),
            ((distinct(rng, (6,)), np.array([[0.25, 0.9]]) * scale), {}),
        ]

    return samples


@adjoints(np.quantile, samples=_quantiles(1.0))
def quantile(
    a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, g
):
    """Linear interpolation between order statistics; differentiable in `q` too."""
    return (
        quantile_adjoint(g, a, q, axis, method, keepdims, True),
        quantile_adjoint(g, a, q, axis, method, keepdims, False),
    )


@adjoints(np.percentile, samples=_quantiles(100.0))
def percentile(
    a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, g
):
    return (
        quantile_adjoint(g, a, q, axis, method, keepdims, True, 100.0),
        quantile_adjoint(g, a, q, axis, method, keepdims, False, 100.0),
    )


def _bincount(rng):
    return [
        ((np.array([0, 2, 2, 3]), rng.normal(size=4)), {}),
        ((np.array([1, 1]), rng.normal(size=2), 4), {}),
    ]


@adjoints(np.bincount, samples=_bincount)
def bincount(x, weights=None, minlength=0, *, g):
    """Weighted counts: each weight's adjoint is its bin's."""
    return None, np.asarray(g)[x]


def _interp(rng):
    xp = np.sort(rng.uniform(-2, 2, size=5))
    xp[1:] += np.arange(1, 5) * 0.2
    x = np.array([-2.5, -1.0, 0.3, 1.7, 3.9])
    return [
        ((x, xp, rng.normal(size=5)), {}),
        ((0.4, xp, rng.normal(size=5)), {"left": -3.0, "right": 2.0}),
        ((x[1:4], xp, rng.normal(size=5)), {}),
    ]


@adjoints(np.interp, samples=_interp)
def interp(x, xp, fp, left=None, right=None, period=None, *, g):
    """Piecewise linear: outside [xp_0, xp_-1] the value is the end value, `left` or `right`."""
    return (
        interp_adjoint(g, x, xp, fp, left, right, period, 0),
        interp_adjoint(g, x, xp, fp, left, right, period, 1),
        interp_adjoint(g, x, xp, fp, left, right, period, 2),
        interp_adjoint(g, x, xp, fp, left, right, period, 3),
        interp_adjoint(g, x, xp, fp, left, right, period, 4),
    )


linear(take, take_along_axis, compress, compress_method, extract, select, bincount)
