"""The adjoints behind NumPy's statistics: spread (`std`, `var`), running (`cumsum`, `cumprod`),
differences, weighted averages, diagonals and norms. Called from generated code; plain NumPy.

Each takes the output's adjoint `g` first and returns the adjoint of one input, with its shape.
Where a derivative does not exist (the spread or the norm of an all-equal or zero vector) they
return the zero subgradient rather than `nan`, and say so in their docstrings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...runtime import unbroadcast
from .adjoint_ops import Axis, extremum_adjoint, restore_axes


def _safe_divide(num: Any, den: Any) -> Any:
    """`num / den`, and 0 where `den` is 0 (the zero subgradient where a derivative is missing)."""
    zero = np.asarray(den) == 0
    return np.where(zero, 0.0, num / np.where(zero, 1.0, den))


def variance_adjoint(
    g: Any, a: Any, axis: Axis = None, ddof: int = 0, keepdims: bool = False, nan: bool = False
) -> Any:
    """The adjoint of `var(a, axis, ddof)`: 2 (a - mean) / (N - ddof), NaNs skipped if `nan`."""
    a = np.asarray(a, dtype=float)
    if nan:
        valid = ~np.isnan(a)
        count = np.sum(valid, axis=axis, keepdims=True)
        centred = np.where(valid, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    else:
        count = a.size / max(np.size(np.sum(a, axis=axis, keepdims=True)), 1)
        centred = a - np.mean(a, axis=axis, keepdims=True)
    return restore_axes(g, a, axis, keepdims) * 2 * centred / (count - ddof)


def std_adjoint(
    g: Any,
    a: Any,
    y: Any,
    axis: Axis = None,
    ddof: int = 0,
    keepdims: bool = False,
    nan: bool = False,
) -> Any:
    """The adjoint of `std = sqrt(var)`. Where the spread is 0 (no derivative), the adjoint is 0."""
    scale = _safe_divide(restore_axes(g, a, axis, keepdims), 2 * restore_axes(y, a, axis, keepdims))
    return variance_adjoint(scale, a, axis, ddof, True, nan)


def nanmean_adjoint(g: Any, a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The adjoint of `nanmean`: spread evenly over each slice's non-NaN entries."""
    valid = ~np.isnan(a)
    count = np.sum(valid, axis=axis, keepdims=True)
    return restore_axes(g, a, axis, keepdims) * _safe_divide(valid * 1.0, count)


def ptp_adjoint(g: Any, a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The adjoint of `max - min`, each shared evenly among tied extreme entries."""
    high = np.max(a, axis=axis, keepdims=keepdims)
    low = np.min(a, axis=axis, keepdims=keepdims)
    return extremum_adjoint(g, a, high, axis, keepdims) - extremum_adjoint(
        g, a, low, axis, keepdims
    )


def cumsum_adjoint(
    g: Any, a: Any, axis: int | None = None, include_initial: bool = False, nan: bool = False
) -> Any:
    """The adjoint of a running sum is the running sum of `g` taken from the end."""
    g = np.asarray(g)
    along = 0 if axis is None else axis
    if include_initial:
        g = np.delete(g, 0, axis=along)
    grad = np.flip(np.cumsum(np.flip(g, along), axis=along), along)
    grad = np.reshape(grad, np.shape(a))
    return grad * ~np.isnan(a) if nan else grad


def cumprod_adjoint(
    g: Any, a: Any, axis: int | None = None, include_initial: bool = False, nan: bool = False
) -> Any:
    """The adjoint of a running product, exact where entries are zero.

    With x = a moved to the last axis, d y_i / d x_j = prod_{k <= i, k != j} x_k, so the adjoint of
    x_j is (prod_{k < j} x_k) * S_j with S_j = g_j + x_{j+1} S_{j+1}. Without zeros this is the
    reversed running sum of g * y, divided by x; with zeros the recursion runs along the axis.
    """
    x = np.asarray(a, dtype=float)
    x = np.where(np.isnan(x), 1.0, x) if nan else x
    g = np.asarray(g)
    along = 0 if axis is None else axis
    if include_initial:
        g = np.delete(g, 0, axis=along)
    flat = np.ravel(x) if axis is None else np.moveaxis(x, axis, -1)
    gm = np.reshape(g, flat.shape) if axis is None else np.moveaxis(g, axis, -1)
    if np.all(flat != 0):
        y = np.cumprod(flat, axis=-1)
        grad = np.flip(np.cumsum(np.flip(gm * y, -1), axis=-1), -1) / flat
    else:
        ones = np.ones(flat.shape[:-1] + (1,))
        before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = np.array(gm, dtype=float)
        for j in range(flat.shape[-1] - 2, -1, -1):
            after[..., j] += flat[..., j + 1] * after[..., j + 1]
        grad = before * after
    grad = np.reshape(grad, np.shape(a)) if axis is None else np.moveaxis(grad, -1, axis)
    return grad * ~np.isnan(a) if nan else grad


def diagonal_adjoint(g: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The adjoint of `diagonal(a, offset, axis1, axis2)`: `g` laid back on that diagonal."""
    shape = np.shape(a)
    ax1, ax2 = axis1 % len(shape), axis2 % len(shape)
    rest = [i for i in range(len(shape)) if i not in (ax1, ax2)]
    grad = np.zeros(tuple(shape[i] for i in rest) + (shape[ax1], shape[ax2]))
    grad[..., np.eye(shape[ax1], shape[ax2], k=offset, dtype=bool)] = g
    return np.transpose(grad, np.argsort(rest + [ax1, ax2]))


def trace_adjoint(g: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The adjoint of `trace`: `g` on every entry of the diagonal it summed."""
    return diagonal_adjoint(np.asarray(g)[..., np.newaxis], a, offset, axis1, axis2)


def average_adjoint(
    g: Any,
    a: Any,
    axis: Axis = None,
    weights: Any = None,
    returned: bool = False,
    keepdims: bool = False,
    first: bool = True,
) -> Any:
    """The adjoint of `average(a, axis, weights)` for `a` (`first`) or for `weights`.

    avg = sum(w a) / sum(w): d avg / d a = w / sum(w), d avg / d w = (a - avg) / sum(w). With
    `returned=True`, `g` is a pair and the sum of the weights' adjoint flows to `weights`.
    """
    g, g_total = (g[0], g[1]) if returned else (g, 0.0)
    a = np.asarray(a, dtype=float)
    w = np.ones(a.shape) if weights is None else np.asarray(weights, dtype=float)
    along = w.shape != a.shape
    if along:  # 1-D weights along `axis`
        w = np.reshape(w, [-1 if i == axis % a.ndim else 1 for i in range(a.ndim)])
    total = np.sum(w * np.ones(a.shape), axis=axis, keepdims=True)
    mean = np.sum(a * w, axis=axis, keepdims=True) / total
    g_mean = restore_axes(g, a, axis, keepdims) / total
    if first:
        return np.broadcast_to(g_mean * w, a.shape).copy()
    grad = g_mean * (a - mean) + restore_axes(g_total, a, axis, keepdims)
    if along:
        return np.sum(grad, axis=tuple(i for i in range(a.ndim) if i != axis % a.ndim))
    return grad


def diff_adjoint(
    g: Any,
    a: Any,
    n: int = 1,
    axis: int = -1,
    prepend: Any = None,
    append: Any = None,
    part: int = 0,
) -> Any:
    """The adjoint of `diff(a, n, axis, prepend, append)` for `a` (`part` 0), `prepend` (1) or
    `append` (2). One difference's adjoint is minus the difference of `g` padded with zeros."""
    grad = np.asarray(g)
    for _ in range(n):
        grad = -np.diff(grad, axis=axis, prepend=0, append=0)
    before = 0 if prepend is None else (np.shape(prepend)[axis] if np.ndim(prepend) else 1)
    size = np.shape(a)[axis]
    pieces = np.split(grad, [before, before + size], axis=axis)
    if part == 0:
        return pieces[1]
    return unbroadcast(pieces[0], prepend) if part == 1 else unbroadcast(pieces[2], append)


def _vector_partial(x: Any, y: Any, ord: Any, axis: Axis) -> Any:
    """d ||x||_ord / d x over the axes `axis`, with `y` the norm restored to x's dimensions."""
    if ord is None or ord == 2:
        return _safe_divide(x, y)
    if ord == 0:
        return np.zeros(x.shape)
    if ord == 1:
        return np.sign(x)
    if ord in (np.inf, -np.inf):
        hit = np.abs(x) == y
        return np.sign(x) * hit / np.sum(hit, axis=axis, keepdims=True)
    return np.sign(x) * _safe_divide(np.abs(x) ** (ord - 1), y ** (ord - 1))


def _matrix_partial(x: Any, y: Any, ord: Any) -> Any:
    """d ||x||_ord / d x for (stacks of) matrices in the last two axes; `y` has shape (..., 1, 1).

    For ord=±2 and 'nuc' this uses the singular vectors: exact where the extreme singular value is
    simple (and, for 'nuc', where x has full rank); at ties it returns one of the subgradients.
    """
    if ord in (None, "fro"):
        return _safe_divide(x, y)
    if ord in ("nuc", 2, -2):
        u, _, vt = np.linalg.svd(x, full_matrices=False)
        if ord == "nuc":
            return u @ vt
        k = 0 if ord == 2 else -1
        return u[..., :, k, np.newaxis] * vt[..., np.newaxis, k, :]
    over, across = (-2, -1) if ord in (1, -1) else (-1, -2)  # 1: column sums; inf: row sums
    sums = np.sum(np.abs(x), axis=over, keepdims=True)
    best = (np.max if ord > 0 else np.min)(sums, axis=across, keepdims=True)
    hit = sums == best
    return np.sign(x) * hit / np.sum(hit, axis=across, keepdims=True)


def vector_norm_adjoint(
    g: Any, x: Any, y: Any, ord: Any = 2, axis: Axis = None, keepdims: bool = False
) -> Any:
    """The adjoint of a vector norm over `axis` (`None`: every entry). Where the norm is not
    differentiable (the 2-norm at 0) the adjoint is the zero subgradient; ties in ord=±inf share
    evenly."""
    x = np.asarray(x, dtype=float)
    g_r, y_r = restore_axes(g, x, axis, keepdims), restore_axes(y, x, axis, keepdims)
    return g_r * _vector_partial(x, y_r, ord, axis)


def matrix_norm_adjoint(
    g: Any,
    x: Any,
    y: Any,
    ord: Any = "fro",
    axis: tuple[int, int] = (-2, -1),
    keepdims: bool = False,
) -> Any:
    """The adjoint of a matrix norm over the axis pair `axis` (see `_matrix_partial` for ties)."""
    x = np.asarray(x, dtype=float)
    rows, cols = axis[0] % x.ndim, axis[1] % x.ndim
    g_r = restore_axes(g, x, (rows, cols), keepdims)
    y_r = np.asarray(restore_axes(y, x, (rows, cols), keepdims), dtype=float)
    moved = np.moveaxis(x, (rows, cols), (-2, -1))
    partial = _matrix_partial(moved, np.moveaxis(y_r, (rows, cols), (-2, -1)), ord)
    return g_r * np.moveaxis(partial, (-2, -1), (rows, cols))


def norm_adjoint(
    g: Any, x: Any, y: Any, ord: Any = None, axis: Axis = None, keepdims: bool = False
) -> Any:
    """The adjoint of `np.linalg.norm(x, ord, axis, keepdims)`: a matrix norm for a 2-D `x` with
    `ord` given or for two axes; a vector norm over one axis, or over every entry without `ord`."""
    if axis is None and ord is not None:
        axis = tuple(range(np.ndim(x)))
    if np.ndim(axis) == 1 and len(axis) == 2:
        return matrix_norm_adjoint(g, x, y, ord, axis, keepdims)
    return vector_norm_adjoint(g, x, y, ord, axis, keepdims)
