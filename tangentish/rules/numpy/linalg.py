"""Linear algebra: products (`vdot`, `inner`, `tensordot`, `einsum`, `kron`, `cross`, ...) and
`numpy.linalg` (`inv`, `det`, `slogdet`, `solve`, `cholesky`, `eigh`, ...). `dot`, `matmul` and
`outer` are in `structural`.

Functions returning several arrays (`slogdet`, `eigh`) get `g` as a tuple with one adjoint per
output (zeros for outputs the program does not use). The computations live in `linalg_ops`.
"""

from __future__ import annotations

import numpy as np

from .. import adjoints, multilinear
from .linalg_ops import (
    cholesky_adjoint,
    cross_adjoint,
    det_adjoint,
    eigh_adjoint,
    einsum_adjoint,
    inner_adjoint,
    inv_adjoint,
    kron_adjoint,
    matrix_power_adjoint,
    matvec_adjoint,
    multi_dot_adjoint,
    slogdet_adjoint,
    solve_adjoint,
    svdvals_adjoint,
    tensordot_adjoint,
    vecdot_adjoint,
    vecmat_adjoint,
)
from .samples import arrays, of, pairs, spd, well_conditioned


@adjoints(np.vdot, samples=pairs(((3,), (3,)), ((2, 3), (3, 2))))
def vdot(a, b, *, g):
    """The dot product of the flattened arrays (real operands)."""
    return np.reshape(g * np.ravel(b), np.shape(a)), np.reshape(g * np.ravel(a), np.shape(b))


@adjoints(np.inner, samples=pairs(((3,), (3,)), ((2, 3), (4, 3)), ((), (3,)), ((2, 2, 3), (3,))))
def inner(a, b, *, g):
    return inner_adjoint(g, a, b, True), inner_adjoint(g, a, b, False)


def _tensordot(rng):
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 4, 5))
    return [
        ((a, b), {}),
        ((a, rng.normal(size=(4, 2))), {"axes": 1}),
        ((a, b), {"axes": ([1, 2], [0, 1])}),
        ((a, rng.normal(size=(4, 2, 3))), {"axes": ([2, 1], [0, 2])}),
        ((rng.normal(size=3), rng.normal(size=2)), {"axes": 0}),
    ]


_TENSORDOT = (np.tensordot,) + ((np.linalg.tensordot,) if hasattr(np.linalg, "tensordot") else ())


@adjoints(*_TENSORDOT, samples=_tensordot)
def tensordot(a, b, axes=2, *, g):
    return tensordot_adjoint(g, a, b, axes, True), tensordot_adjoint(g, a, b, axes, False)


def _einsum(rng):
    def n(*shape):
        return rng.normal(size=shape)

    return [
        (("ij,jk->ik", n(2, 3), n(3, 4)), {}),
        (("ij,jk", n(2, 3), n(3, 4)), {}),
        (("i,i", n(3), n(3)), {}),
        (("ii->", n(3, 3)), {}),
        (("ii->i", n(3, 3)), {}),
        (("ij->", n(2, 3)), {}),
        (("ij,k->ijk", n(2, 3), n(2)), {}),
        (("ij,j->", n(2, 3), n(3)), {"optimize": True}),
        (("...ij,...jk->...ik", n(2, 2, 3), n(3, 4)), {}),
        (("bi,bj,bk->ijk", n(4, 2), n(4, 3), n(4, 2)), {}),
        (("ij,jk,kl,lm->im", n(2, 3), n(3, 2), n(2, 2), n(2, 3)), {}),
        (("i,ij->j", n(3), n(3, 2)), {}),
    ]


@adjoints(np.einsum, samples=_einsum)
def einsum(
    subscripts, a, b=None, c=None, d=None, e=None, out=None, optimize=False, dtype=None, *, g
):
    """Up to five operands, in the subscripts form (`einsum('ij,jk->ik', a, b)`)."""
    return (
        None,
        einsum_adjoint(g, subscripts, (a, b, c, d, e), 0),
        einsum_adjoint(g, subscripts, (a, b, c, d, e), 1),
        einsum_adjoint(g, subscripts, (a, b, c, d, e), 2),
        einsum_adjoint(g, subscripts, (a, b, c, d, e), 3),
        einsum_adjoint(g, subscripts, (a, b, c, d, e), 4),
    )


@adjoints(np.kron, samples=pairs(((2, 3), (2, 2)), ((3,), (2,)), ((2,), (2, 3)), ((2, 2), ())))
def kron(a, b, *, g):
    return kron_adjoint(g, a, b, True), kron_adjoint(g, a, b, False)


def _cross(rng):
    return [
        ((rng.normal(size=3), rng.normal(size=3)), {}),
        ((rng.normal(size=(4, 3)), rng.normal(size=3)), {}),
        ((rng.normal(size=(2,)), rng.normal(size=(2,))), {}),
        ((rng.normal(size=(4, 2)), rng.normal(size=(4, 3))), {}),
        ((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), {"axis": 0}),
        ((rng.normal(size=(3, 2)), rng.normal(size=(2, 3))), {"axisa": 0, "axisc": 0}),
    ]


_CROSS = (np.cross,) + ((np.linalg.cross,) if hasattr(np.linalg, "cross") else ())


@adjoints(*_CROSS, samples=_cross)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None, *, g):
    """`numpy.linalg.cross(x1, x2, axis=...)` (3-vectors only) shares this rule."""
    return (
        cross_adjoint(g, a, b, axisa, axisb, axisc, axis, True),
        cross_adjoint(g, a, b, axisa, axisb, axisc, axis, False),
    )


if hasattr(np, "vecdot"):  # NumPy >= 2.0

    @adjoints(
        np.vecdot,
        np.linalg.vecdot,
        samples=of(pairs(((3,), (3,)), ((2, 3), (3,))), pairs(((3, 2), (3, 2)), axis=0)),
    )
    def vecdot(x1, x2, axis=-1, *, g):
        return vecdot_adjoint(g, x1, x2, axis, True), vecdot_adjoint(g, x1, x2, axis, False)

    @adjoints(np.matrix_transpose, np.linalg.matrix_transpose, samples=arrays((2, 3), (2, 3, 4)))
    def matrix_transpose(x, *, g):
        return np.swapaxes(g, -1, -2)

    @adjoints(samples=arrays((2, 3), (2, 3, 4)), methods=("mT",))
    def mT(a, *, g):
        return np.swapaxes(g, -1, -2)


if hasattr(np, "matvec"):  # NumPy >= 2.2

    @adjoints(np.matvec, samples=pairs(((2, 3), (3,)), ((4, 2, 3), (3,)), ((2, 3), (4, 3))))
    def matvec(x1, x2, *, g):
        return matvec_adjoint(g, x1, x2, True), matvec_adjoint(g, x1, x2, False)

    @adjoints(np.vecmat, samples=pairs(((2,), (2, 3)), ((2,), (4, 2, 3)), ((4, 2), (2, 3))))
    def vecmat(x1, x2, *, g):
        return vecmat_adjoint(g, x1, x2, True), vecmat_adjoint(g, x1, x2, False)


def _square(rng):
    return [((well_conditioned(rng, 3),), {}), ((well_conditioned(rng, 2, (2,)),), {})]


def _symmetric(rng):
    return [((spd(rng, 3),), {}), ((spd(rng, 2, (2,)),), {}), ((spd(rng, 3), "U"), {})]


@adjoints(np.linalg.inv, samples=_square)
def inv(a, *, g, y):
    return inv_adjoint(g, y)


@adjoints(np.linalg.det, samples=_square)
def det(a, *, g):
    """Through the cofactor matrix, so singular matrices have their derivative too."""
    return det_adjoint(g, a)


@adjoints(np.linalg.slogdet, samples=_square)
def slogdet(a, *, g):
    """`g` is (sign_bar, logabsdet_bar); the sign is piecewise constant."""
    return slogdet_adjoint(g, a)


def _solve(rng):
    a = well_conditioned(rng, 3)
    return [
        ((a, rng.normal(size=3)), {}),
        ((a, rng.normal(size=(3, 2))), {}),
        ((well_conditioned(rng, 3, (2,)), rng.normal(size=(2, 3, 2))), {}),
        ((well_conditioned(rng, 3, (2,)), rng.normal(size=3)), {}),
    ]


@adjoints(np.linalg.solve, samples=_solve)
def solve(a, b, *, g, y):
    return solve_adjoint(g, a, b, y, True), solve_adjoint(g, a, b, y, False)


def _cholesky(rng):
    return [((spd(rng, 3),), {}), ((spd(rng, 2, (2,)),), {}), ((spd(rng, 3),), {"upper": True})]


@adjoints(np.linalg.cholesky, samples=_cholesky)
def cholesky(a, upper=False, *, g, y):
    """NumPy reads the lower (with `upper=True` the upper) triangle of `a` only."""
    return cholesky_adjoint(g, y, upper)


@adjoints(np.linalg.eigh, samples=_symmetric)
def eigh(a, UPLO="L", *, g, y):
    """`g` is (w_bar, v_bar); NumPy reads one triangle of `a`, chosen by `UPLO`."""
    return eigh_adjoint(g, a, y, UPLO)


@adjoints(np.linalg.eigvalsh, samples=_symmetric)
def eigvalsh(a, UPLO="L", *, g):
    return eigh_adjoint(g, a, None, UPLO)


if hasattr(np.linalg, "svdvals"):  # NumPy >= 2.0

    @adjoints(np.linalg.svdvals, samples=arrays((3, 3), (2, 4), (2, 4, 3)))
    def svdvals(x, *, g):
        return svdvals_adjoint(g, x)


def _powers(rng):
    a = well_conditioned(rng, 3) / 2
    return [((a, 1), {}), ((a, 3), {}), ((a, -2), {})]


@adjoints(np.linalg.matrix_power, samples=_powers)
def matrix_power(a, n, *, g):
    return matrix_power_adjoint(g, a, n), None


def _multi_dot(rng):
    def n(*shape):
        return rng.normal(size=shape)

    return [
        (([n(2, 3), n(3, 4), n(4, 2)],), {}),
        (([n(3), n(3, 4), n(4)],), {}),
        (([n(3), n(3, 4), n(4, 2), n(2, 2)],), {}),
    ]


@adjoints(np.linalg.multi_dot, samples=_multi_dot)
def multi_dot(arrays, out=None, *, g):
    return multi_dot_adjoint(g, arrays)


multilinear(vdot, inner, tensordot, kron, cross)
