"""Rules for the adjoint helpers themselves, so that generated code can be differentiated again.

`grad(grad(f))` and `jvp(grad(f))` (Hessian-vector products) differentiate tangentish's own
output, which calls the helpers of `adjoint_ops` (`sum_adjoint`, `matmul_adjoint_a`, ...). Each is
linear in the adjoint it spreads, so its reverse rule is the matching reduction or product.
"""

from __future__ import annotations

import numpy as np

from .. import adjoints, linear, multilinear
from .adjoint_ops import (
    dot_adjoint_a,
    dot_adjoint_b,
    getitem_adjoint,
    matmul_adjoint_a,
    matmul_adjoint_b,
    mean_adjoint,
    mean_adjoint_view,
    sum_adjoint,
    sum_adjoint_view,
    transpose_adjoint,
)


def _products(rng):
    return [
        ((rng.normal(size=(2, 4)), rng.normal(size=(2, 3)), rng.normal(size=(3, 4))), {}),
        ((rng.normal(size=2), rng.normal(size=(2, 3)), rng.normal(size=3)), {}),
    ]


@adjoints(matmul_adjoint_a, samples=_products)
def matmul_adjoint_a_rule(x, a, b, *, g):
    return np.matmul(g, b), None, matmul_adjoint_b(x, g, b)


@adjoints(matmul_adjoint_b, samples=_products)
def matmul_adjoint_b_rule(x, a, b, *, g):
    return np.matmul(a, g), matmul_adjoint_a(x, a, g), None


@adjoints(dot_adjoint_a, samples=_products)
def dot_adjoint_a_rule(x, a, b, *, g):
    return np.dot(g, b), None, dot_adjoint_b(x, g, b)


@adjoints(dot_adjoint_b, samples=_products)
def dot_adjoint_b_rule(x, a, b, *, g):
    return np.dot(a, g), dot_adjoint_a(x, a, g), None


@adjoints(
    sum_adjoint,
    sum_adjoint_view,
    samples=lambda rng: [
        ((rng.normal(size=3), rng.normal(size=(2, 3)), 0, False), {}),
        ((rng.normal(), rng.normal(size=(2, 3))), {}),
    ],
)
def sum_adjoint_rule(x, a, axis=None, keepdims=False, *, g):
    return np.reshape(np.sum(g, axis=axis, keepdims=keepdims), np.shape(x)), None


@adjoints(
    mean_adjoint,
    mean_adjoint_view,
    samples=lambda rng: [
        ((rng.normal(size=3), rng.normal(size=(2, 3)), 0, False), {}),
        ((rng.normal(size=(2, 1)), rng.normal(size=(2, 3)), -1, True), {}),
        ((rng.normal(), rng.normal(size=(2, 3))), {}),
    ],
)
def mean_adjoint_rule(x, a, axis=None, keepdims=False, *, g):
    return np.reshape(np.mean(g, axis=axis, keepdims=keepdims), np.shape(x)), None


@adjoints(
    getitem_adjoint,
    samples=lambda rng: [((rng.normal(size=2), rng.normal(size=5), slice(1, 3)), {})],
)
def getitem_adjoint_rule(x, a, index, *, g):
    return g[index], None, None


@adjoints(transpose_adjoint, samples=lambda rng: [((rng.normal(size=(2, 3)),), {})])
def transpose_adjoint_rule(x, axes=None, *, g):
    return np.transpose(g, axes), None


linear(
    sum_adjoint_rule,
    mean_adjoint_rule,
    getitem_adjoint_rule,
    transpose_adjoint_rule,
)
multilinear(matmul_adjoint_a_rule, matmul_adjoint_b_rule, dot_adjoint_a_rule, dot_adjoint_b_rule)
