"""Structural NumPy rules: reductions, products, shape functions and indexing.

Each rule returns one adjoint per differentiable input, written with the keyword-only `g` (the
output's adjoint) and `y` (the output). Array methods (`x.sum()`, `x.T`) share the function's rule.
"""

from __future__ import annotations

import operator

import numpy as np

from .. import adjoints, linear, multilinear
from .adjoint_ops import (
    concatenate_adjoint,
    dot_adjoint_a,
    dot_adjoint_b,
    extremum_adjoint,
    getitem_adjoint,
    matmul_adjoint_a,
    matmul_adjoint_b,
    mean_adjoint,
    prod_adjoint,
    stack_adjoint,
    sum_adjoint,
    transpose_adjoint,
)
from .shape_ops import ravel_adjoint


def _arrays(*shapes):
    """Samples: one call per shape, a random array of that shape as the only argument."""

    def samples(rng):
        return [((rng.normal(size=shape),), {}) for shape in shapes]

    return samples


def _reductions(rng):
    a = rng.normal(size=(3, 4))
    return [
        ((a,), {}),
        ((a,), {"axis": 0}),
        ((a,), {"axis": 1, "keepdims": True}),
        ((a,), {"axis": (0, 1)}),
        ((rng.normal(size=5),), {"axis": -1}),
    ]


def _pairs(*shape_pairs):
    def samples(rng):
        return [((rng.normal(size=sa), rng.normal(size=sb)), {}) for sa, sb in shape_pairs]

    return samples


_PRODUCTS = ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4))


@adjoints(np.sum, samples=_reductions, methods=("sum",))
def reduce_sum(a, axis=None, dtype=None, out=None, keepdims=False, *, g):
    return sum_adjoint(g, a, axis, keepdims)


@adjoints(np.mean, samples=_reductions, methods=("mean",))
def reduce_mean(a, axis=None, dtype=None, out=None, keepdims=False, *, g):
    return mean_adjoint(g, a, axis, keepdims)


@adjoints(np.prod, samples=_reductions, methods=("prod",))
def reduce_prod(a, axis=None, dtype=None, out=None, keepdims=False, *, g, y):
    return prod_adjoint(g, a, y, axis, keepdims)


@adjoints(np.max, np.amax, samples=_reductions, methods=("max",))
def reduce_max(a, axis=None, out=None, keepdims=False, *, g, y):
    return extremum_adjoint(g, a, y, axis, keepdims)


@adjoints(np.min, np.amin, samples=_reductions, methods=("min",))
def reduce_min(a, axis=None, out=None, keepdims=False, *, g, y):
    return extremum_adjoint(g, a, y, axis, keepdims)


@adjoints(
    np.dot,
    samples=_pairs(*_PRODUCTS, ((), (3,)), ((2, 2), ()), ((2, 3, 4), (4,)), ((2, 3), (4, 3, 2))),
    methods=("dot",),
)
def dot(a, b, *, g):
    return dot_adjoint_a(g, a, b), dot_adjoint_b(g, a, b)


_MATMUL = (operator.matmul, np.matmul) + (
    (np.linalg.matmul,) if hasattr(np.linalg, "matmul") else ()
)
_OUTER = (np.outer,) + ((np.linalg.outer,) if hasattr(np.linalg, "outer") else ())


@adjoints(*_MATMUL, samples=_pairs(*_PRODUCTS, ((2, 2, 3), (3, 2)), ((3,), (2, 3, 2))))
def matmul(a, b, *, g):
    return matmul_adjoint_a(g, a, b), matmul_adjoint_b(g, a, b)


@adjoints(*_OUTER, samples=_pairs(((3,), (2,)), ((4,), (3,))))
def outer(a, b, *, g):
    return (
        np.reshape(g @ np.ravel(b), np.shape(a)),
        np.reshape(np.ravel(a) @ g, np.shape(b)),
    )


@adjoints(np.transpose, samples=_arrays((3,), (2, 3), (2, 3, 4)))
def transpose(a, axes=None, *, g):
    return transpose_adjoint(g, axes)


@adjoints(samples=_arrays((2, 3)), methods=("transpose",))
def transpose_method(a, *axes, g):
    return transpose_adjoint(g, axes)


@adjoints(samples=_arrays((2, 3)), methods=("T",))
def T(a, *, g):
    return np.transpose(g)


@adjoints(
    np.reshape,
    samples=lambda rng: [
        ((rng.normal(size=(2, 3)), (3, 2)), {}),
        ((rng.normal(size=(2, 3)), -1), {"order": "F"}),
    ],
)
def reshape(a, shape=None, order="C", newshape=None, copy=None, *, g):
    """`shape` is NumPy 2's name for the new shape, `newshape` NumPy 1's."""
    return np.reshape(g, np.shape(a), order=order)


@adjoints(
    samples=lambda rng: [((rng.normal(size=(2, 3)), 3, 2), {}), ((rng.normal(size=(2, 3)), 6), {})],
    methods=("reshape",),
)
def reshape_method(a, *shape, g):
    """`a.reshape(2, 3)` or `a.reshape((2, 3))`: the shape as separate arguments (order C)."""
    return np.reshape(g, np.shape(a))


@adjoints(samples=_arrays((2, 1, 3), (2, 3)), methods=("squeeze", "copy"))
def same_entries_method(a, *args, g):
    """Methods that keep every entry in C order: `g` in `a`'s shape."""
    return np.reshape(g, np.shape(a))


@adjoints(
    np.ravel,
    samples=lambda rng: [
        ((rng.normal(size=(2, 3)),), {}),
        ((rng.normal(size=(2, 3)), "F"), {}),
        ((rng.normal(size=(2, 3)), "K"), {}),
    ],
    methods=("ravel", "flatten"),
)
def ravel(a, order="C", *, g):
    return ravel_adjoint(g, a, order)


@adjoints(np.squeeze, samples=_arrays((2, 1, 3), (1, 3)))
def squeeze(a, axis=None, *, g):
    return np.reshape(g, np.shape(a))


@adjoints(np.expand_dims, samples=lambda rng: [((rng.normal(size=(2, 3)), 1), {})])
def expand_dims(a, axis, *, g):
    return np.reshape(g, np.shape(a))


@adjoints(
    np.concatenate,
    samples=lambda rng: [
        (([rng.normal(size=(2, 3)), rng.normal(size=(1, 3))],), {}),
        (([rng.normal(size=(2, 3)), rng.normal(size=(2, 2))],), {"axis": 1}),
    ],
)
def concatenate(arrays, axis=0, *, g):
    return concatenate_adjoint(g, arrays, axis)


@adjoints(
    np.stack,
    samples=lambda rng: [
        (([rng.normal(size=3), rng.normal(size=3)],), {}),
        (([rng.normal(size=(2, 3)), rng.normal(size=(2, 3))],), {"axis": 2}),
    ],
)
def stack(arrays, axis=0, *, g):
    return stack_adjoint(g, arrays, axis)


@adjoints(
    operator.getitem,
    samples=lambda rng: [
        ((rng.normal(size=5), 2), {}),
        ((rng.normal(size=5), slice(1, 3)), {}),
        ((rng.normal(size=(3, 4)), (slice(None), 0)), {}),
        ((rng.normal(size=(3, 4)), (Ellipsis, None, 1)), {}),
        ((rng.normal(size=4), np.array([0, 2, 2])), {}),
        ((rng.normal(size=4), np.array([True, False, True, True])), {}),
        ((rng.normal(size=(3, 4)), (np.array([0, 2, 0]), np.array([1, 1, 3]))), {}),
        ((rng.normal(size=(3, 4)), (slice(None, None, -1), np.array([-1, 0]))), {}),
    ],
)
def getitem(a, index, *, g):
    return getitem_adjoint(g, a, index), None


linear(
    reduce_sum,
    reduce_mean,
    transpose,
    transpose_method,
    T,
    reshape,
    reshape_method,
    same_entries_method,
    ravel,
    squeeze,
    expand_dims,
    concatenate,
    stack,
    getitem,
)
multilinear(dot, matmul, outer)
