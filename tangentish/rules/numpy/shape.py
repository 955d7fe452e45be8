"""Shape functions: axes (`swapaxes`, `moveaxis`), copies (`tile`, `repeat`, `broadcast_to`),
joins and splits (`hstack`, `split`, ...), flips and rolls, padding, diagonals and triangles,
conversions (`array`, `asarray`, `astype`) and the constructors whose entries depend on their
arguments (`full`, `linspace`, `arange`). `reshape`, `transpose`, `squeeze`, `expand_dims`,
`concatenate` and `stack` are in `structural`.

A function returning several arrays (`split`, `broadcast_arrays`, `meshgrid`) gets `g` as a
sequence with one adjoint per output. The computations live in `shape_ops`.
"""

from __future__ import annotations

import numpy as np

from ...runtime import unbroadcast, zeros_like
from .. import adjoints, linear
from .reduction_ops import diagonal_adjoint
from .samples import arrays, calls, of
from .shape_ops import (
    append_adjoint,
    arange_adjoint,
    array_adjoint,
    astype_adjoint,
    delete_adjoint,
    diag_adjoint,
    hsplit_axis,
    item_adjoint,
    joined_adjoint,
    linspace_adjoint,
    meshgrid_adjoint,
    moveaxis_adjoint,
    pad_adjoint,
    repeat_adjoint,
    roll_adjoint,
    rollaxis_adjoint,
    split_adjoint,
    tile_adjoint,
)

_3D = (2, 3, 4)


@adjoints(np.swapaxes, samples=calls(_3D, 0, 2), methods=("swapaxes",))
def swapaxes(a, axis1, axis2, *, g):
    return np.swapaxes(g, axis1, axis2)


@adjoints(np.moveaxis, samples=of(calls(_3D, 0, -1), calls(_3D, (0, 1), (2, 0))))
def moveaxis(a, source, destination, *, g):
    return moveaxis_adjoint(g, source, destination)


@adjoints(np.rollaxis, samples=of(calls(_3D, 2), calls(_3D, 0, 2), calls(_3D, 1, -1)))
def rollaxis(a, axis, start=0, *, g):
    return rollaxis_adjoint(g, a, axis, start)


@adjoints(np.broadcast_to, samples=of(calls((3,), (2, 3)), calls((2, 1), (4, 2, 3))))
def broadcast_to(array, shape, subok=False, *, g):
    return unbroadcast(g, array)


def _broadcast_arrays(rng):
    return [
        ((rng.normal(size=(2, 1)), rng.normal(size=3)), {}),
        ((rng.normal(size=3), rng.normal(size=(2, 3)), rng.normal(size=(4, 1, 1))), {}),
    ]


@adjoints(np.broadcast_arrays, samples=_broadcast_arrays)
def broadcast_arrays(a, b=None, c=None, d=None, subok=False, *, g):
    """Up to four arrays; `g` holds one adjoint per output."""
    return unbroadcast(g[0], a), unbroadcast(g[1], b), unbroadcast(g[2], c), unbroadcast(g[3], d)


@adjoints(np.tile, samples=of(calls((2, 3), 2), calls((2, 3), (2, 1, 2)), calls((3,), (2, 2))))
def tile(A, reps, *, g):
    return tile_adjoint(g, A, reps)


@adjoints(
    np.repeat,
    samples=of(calls((2, 3), 2), calls((2, 3), [1, 0, 2], axis=1), calls((2, 3), 3, axis=0)),
    methods=("repeat",),
)
def repeat(a, repeats, axis=None, *, g):
    return repeat_adjoint(g, a, repeats, axis)


@adjoints(np.atleast_1d, np.atleast_2d, np.atleast_3d, samples=arrays((), (3,), (2, 3)))
def atleast_nd(a, *, g):
    """One array at a time: the result only gains length-1 axes."""
    return np.reshape(g, np.shape(a))


def _joinable(rng):
    return [
        (([rng.normal(size=3), rng.normal(size=2)],), {}),
        (([rng.normal(size=(2, 3)), rng.normal(size=(2, 1))],), {}),
    ]


def _rows(rng):
    return [
        (([rng.normal(size=3), rng.normal(size=3)],), {}),
        (([rng.normal(size=(2, 3)), rng.normal(size=3)],), {}),
    ]


@adjoints(np.hstack, samples=_joinable)
def hstack(tup, dtype=None, casting="same_kind", *, g):
    return joined_adjoint(g, tup, "hstack")


@adjoints(np.vstack, samples=_rows)
def vstack(tup, dtype=None, casting="same_kind", *, g):
    return joined_adjoint(g, tup, "vstack")


@adjoints(np.dstack, samples=_rows)
def dstack(tup, *, g):
    return joined_adjoint(g, tup, "dstack")


@adjoints(np.column_stack, samples=_rows)
def column_stack(tup, *, g):
    return joined_adjoint(g, tup, "column_stack")


def _append(rng):
    return [
        ((rng.normal(size=(2, 3)), rng.normal(size=2)), {}),
        ((rng.normal(size=(2, 3)), rng.normal(size=(1, 3))), {"axis": 0}),
    ]


@adjoints(np.append, samples=_append)
def append(arr, values, axis=None, *, g):
    return append_adjoint(g, arr, values, axis, True), append_adjoint(g, arr, values, axis, False)


if hasattr(np, "unstack"):  # NumPy >= 2.1

    @adjoints(np.unstack, samples=of(arrays((3, 2)), calls((3, 2), axis=1)))
    def unstack(x, axis=0, *, g):
        return np.stack(g, axis)


@adjoints(
    np.split,
    np.array_split,
    samples=of(calls((4, 3), 2), calls((4, 3), [1, 3]), calls((2, 6), 3, axis=1)),
)
def split(ary, indices_or_sections, axis=0, *, g):
    return split_adjoint(g, ary, axis)


@adjoints(np.hsplit, samples=of(calls((2, 4), 2), calls((6,), [2, 3])))
def hsplit(ary, indices_or_sections, *, g):
    return split_adjoint(g, ary, hsplit_axis(ary))


@adjoints(np.vsplit, samples=calls((4, 3), 2))
def vsplit(ary, indices_or_sections, *, g):
    return split_adjoint(g, ary, 0)


@adjoints(np.dsplit, samples=calls((2, 3, 4), 2))
def dsplit(ary, indices_or_sections, *, g):
    return split_adjoint(g, ary, 2)


@adjoints(np.flip, samples=of(arrays((3,), (2, 3)), calls((2, 3), 1), calls(_3D, (0, 2))))
def flip(m, axis=None, *, g):
    return np.flip(g, axis)


@adjoints(np.fliplr, samples=arrays((2, 3)))
def fliplr(m, *, g):
    return np.fliplr(g)


@adjoints(np.flipud, samples=arrays((3,), (2, 3)))
def flipud(m, *, g):
    return np.flipud(g)


@adjoints(np.rot90, samples=of(arrays((2, 3)), calls((2, 3), 3), calls(_3D, 2, (1, 2))))
def rot90(m, k=1, axes=(0, 1), *, g):
    return np.rot90(g, -k, axes)


@adjoints(np.roll, samples=of(calls((5,), 2), calls((2, 3), -1, 1), calls((2, 3), (1, 2), (0, 1))))
def roll(a, shift, axis=None, *, g):
    return roll_adjoint(g, shift, axis)


def _pad(rng):
    a = rng.normal(size=(3, 4))
    return [
        ((a, 1), {}),
        ((a, ((1, 0), (2, 1))), {"constant_values": 0.5}),
        ((a, 2), {"mode": "edge"}),
        ((a, ((2, 1), (1, 3))), {"mode": "reflect"}),
        ((a, 2), {"mode": "symmetric"}),
        ((rng.normal(size=3), (2, 5)), {"mode": "wrap"}),
    ]


@adjoints(np.pad, samples=_pad)
def pad(array, pad_width, mode="constant", constant_values=0, reflect_type="even", *, g):
    """Modes that copy entries; `constant_values` as one number."""
    return (
        pad_adjoint(g, array, pad_width, mode, reflect_type, 0),
        None,
        None,
        pad_adjoint(g, array, pad_width, mode, reflect_type, 1),
    )


@adjoints(np.diag, samples=of(arrays((3,), (3, 3), (2, 4)), calls((3,), 1), calls((3, 4), -1)))
def diag(v, k=0, *, g):
    return diag_adjoint(g, v, k)


@adjoints(np.diagflat, samples=of(arrays((3,), (2, 2)), calls((3,), -1)))
def diagflat(v, k=0, *, g):
    return np.reshape(np.diagonal(g, k), np.shape(v))


@adjoints(
    np.diagonal,
    samples=of(arrays((3, 3), (2, 4)), calls(_3D, 1, 0, 2), calls((3, 4), -1)),
    methods=("diagonal",),
)
def diagonal(a, offset=0, axis1=0, axis2=1, *, g):
    return diagonal_adjoint(g, a, offset, axis1, axis2)


if hasattr(np.linalg, "diagonal"):  # NumPy >= 2.0

    @adjoints(np.linalg.diagonal, samples=of(arrays((3, 3), _3D), calls((3, 4), offset=1)))
    def linalg_diagonal(x, offset=0, *, g):
        """`numpy.linalg.diagonal` takes the diagonals of the last two axes."""
        return diagonal_adjoint(g, x, offset, -2, -1)


@adjoints(np.triu, samples=of(arrays((3, 3), (2, 3, 4), (3,)), calls((3, 4), -1)))
def triu(m, k=0, *, g):
    """A 1-D `m` is a row repeated: the rows' adjoints are summed."""
    return unbroadcast(np.triu(g, k), m)


@adjoints(np.tril, samples=of(arrays((3, 3), (2, 3, 4), (3,)), calls((3, 4), 1)))
def tril(m, k=0, *, g):
    return unbroadcast(np.tril(g, k), m)


def _conversions(rng):
    return [
        ((rng.normal(size=(2, 3)),), {}),
        (([rng.normal(), rng.normal(size=()), rng.normal()],), {}),
        (([rng.normal(size=2), rng.normal(size=2)],), {}),
    ]


@adjoints(np.array, np.asarray, np.asanyarray, np.ascontiguousarray, samples=_conversions)
def array(a, dtype=None, copy=True, order="K", subok=False, ndmin=0, like=None, *, g):
    """A list of numbers or arrays gets a list of their adjoints (`np.array([x, y])`)."""
    return array_adjoint(g, a)


@adjoints(np.copy, np.asfortranarray, samples=arrays((), (2, 3)))
def copy(a, order="K", subok=False, *, g):
    return array_adjoint(g, a)


_ASTYPE = (np.astype,) if hasattr(np, "astype") else ()


@adjoints(*_ASTYPE, samples=calls((2, 3), np.float64), methods=("astype",))
def astype(a, dtype, order="K", casting="unsafe", subok=True, copy=True, *, g):
    """`np.astype(x, dtype)` (NumPy >= 2.1) and `x.astype(dtype)`: `g` cast back."""
    return astype_adjoint(g, a)


@adjoints(samples=of(arrays((1, 1)), calls((2, 3), 4), calls((2, 3), (1, 2))), methods=("item",))
def item(a, *args, g):
    return item_adjoint(g, a, args)


@adjoints(samples=arrays((2, 3)), methods=("conj", "conjugate", "real"))
def identity_method(a, *args, g):
    """For real arrays `conj()`, `conjugate()` and `.real` are the array itself."""
    return g


def _delete(rng):
    return [
        ((rng.normal(size=(3, 4)), 1), {}),
        ((rng.normal(size=(3, 4)), [0, 2]), {"axis": 1}),
        ((rng.normal(size=(3, 4)), slice(0, 2)), {"axis": 0}),
    ]


@adjoints(np.delete, samples=_delete)
def delete(arr, obj, axis=None, *, g):
    return delete_adjoint(g, arr, obj, axis)


def _meshgrid(rng):
    x, y, z = rng.normal(size=3), rng.normal(size=2), rng.normal(size=4)
    return [
        ((x, y), {}),
        ((x, y), {"indexing": "ij"}),
        ((x, y, z), {}),
        ((x, y), {"sparse": True}),
        ((x,), {}),
    ]


@adjoints(np.meshgrid, samples=_meshgrid)
def meshgrid(x1, x2=None, x3=None, copy=True, sparse=False, indexing="xy", *, g):
    """Up to three coordinate vectors; `g` holds one adjoint per grid."""
    return (
        meshgrid_adjoint(g, (x1, x2, x3), 0, indexing),
        meshgrid_adjoint(g, (x1, x2, x3), 1, indexing),
        meshgrid_adjoint(g, (x1, x2, x3), 2, indexing),
    )


def _linspace(rng):
    a, b = rng.normal(), rng.normal()
    return [
        ((a, b), {}),
        ((a, b, 5), {"endpoint": False}),
        ((a, b, 4), {"retstep": True}),
        ((rng.normal(size=2), rng.normal(size=(3, 2)), 4), {"axis": 1}),
    ]


@adjoints(np.linspace, samples=_linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, g):
    """Equally spaced points: linear in `start` and `stop`."""
    return (
        linspace_adjoint(g, start, stop, num, endpoint, retstep, axis, True),
        linspace_adjoint(g, start, stop, num, endpoint, retstep, axis, False),
    )


def _arange(rng):
    return [((0.5, 3.2, 0.7), {}), ((rng.uniform(0, 1), 2.0), {})]


@adjoints(np.arange, samples=_arange)
def arange(start, stop=None, step=None, dtype=None, *, g):
    """Entries start + i step: their count (so `stop`) is piecewise constant."""
    return (
        arange_adjoint(g, start, stop, step, 0),
        arange_adjoint(g, start, stop, step, 1),
        arange_adjoint(g, start, stop, step, 2),
    )


@adjoints(
    np.full, samples=lambda rng: [(((2, 3), rng.normal()), {}), ((3, rng.normal(size=3)), {})]
)
def full(shape, fill_value, dtype=None, order="C", *, g):
    return None, unbroadcast(g, fill_value)


@adjoints(
    np.full_like,
    samples=lambda rng: [((rng.normal(size=(2, 3)), rng.normal()), {})],
)
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, g):
    """The entries do not depend on `a`'s values, only on its shape."""
    return zeros_like(a), unbroadcast(g, fill_value)


linear(
    swapaxes,
    moveaxis,
    rollaxis,
    broadcast_to,
    broadcast_arrays,
    tile,
    repeat,
    atleast_nd,
    hstack,
    vstack,
    dstack,
    column_stack,
    append,
    split,
    hsplit,
    vsplit,
    dsplit,
    flip,
    fliplr,
    flipud,
    rot90,
    roll,
    pad,
    diag,
    diagflat,
    diagonal,
    triu,
    tril,
    array,
    copy,
    astype,
    item,
    identity_method,
    delete,
    meshgrid,
    linspace,
    full,
    full_like,
)
