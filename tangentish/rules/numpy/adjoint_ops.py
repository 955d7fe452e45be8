"""The adjoint computations behind NumPy's structural rules, called from generated code.

Each takes the output's adjoint `g` first and returns the adjoint of one input, with that input's
shape. They are plain NumPy, so generated code that calls them stays differentiable.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Union

import numpy as np

from ... import kinds
from ...runtime import unbroadcast, zeros_like

Axis = Optional[Union[int, tuple[int, ...]]]


def _shape(a: Any) -> tuple[int, ...]:
    return np.shape(a)


def restore_axes(g: Any, a: Any, axis: Axis, keepdims: bool) -> Any:
    """`g` of a reduction's output, with the reduced axes put back as length-1 axes."""
    if axis is None or keepdims or np.ndim(a) == 0:
        return g
    return np.expand_dims(g, axis)


def sum_adjoint(g: Any, a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Spread the adjoint of `sum(a, axis)` back over the summed axes. A Python number (the
    default seed 1.0) is spread in `a`'s float dtype, as NumPy's arithmetic would keep it: a
    float32 array gets a float32 gradient."""
    if _shape(a) == ():
        return g
    return sum_adjoint_view(g, a, axis, keepdims).copy()


def sum_adjoint_view(g: Any, a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """`sum_adjoint` as a read-only broadcast of `g`, with no array of `a`'s size: for an operand
    of arithmetic, which makes its own array (`sum_adjoint_view(g, e, 1, True) * e`)."""
    shape = _shape(a)
    if shape == ():
        return g
    if isinstance(g, (float, int)) and not isinstance(g, np.generic):
        return np.broadcast_to(np.asarray(g, dtype=kinds.float_dtype(a)), shape)
    return np.broadcast_to(restore_axes(g, a, axis, keepdims), shape)


def _share(g: Any, a: Any, axis: Axis) -> Any:
    """Each entry's share of the adjoint of `mean(a, axis)`, `g / count`: divided at the reduced
    shape, and counted from `a`'s shape (the mean itself is not needed). With nothing averaged
    (count 0) `g` is left as is."""
    shape = _shape(a)
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    count = math.prod(shape[ax] for ax in axes)
    if isinstance(g, (list, tuple)):  # a seed given as a list: NumPy's view of it, as sum's
        g = np.asarray(g, dtype=kinds.float_dtype(a))
    return g / count if count else g


def mean_adjoint(g: Any, a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """Spread the adjoint of `mean(a, axis)` back, each entry's share `g / count` (an empty
    adjoint where nothing is averaged)."""
    return sum_adjoint(_share(g, a, axis), a, axis, keepdims)


def mean_adjoint_view(g: Any, a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """`mean_adjoint` as a read-only broadcast, for an operand of arithmetic."""
    return sum_adjoint_view(_share(g, a, axis), a, axis, keepdims)


#: Helpers whose value is an array of the operand's size that a variant gives as a read-only
#: broadcast: where the value is only an operand of arithmetic, the variant saves the copy.
VIEWS = {sum_adjoint: sum_adjoint_view, mean_adjoint: mean_adjoint_view}


def prod_adjoint(g: Any, a: Any, y: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """d prod / d a_i is the product of the others: exclusive cumulative products, zeros allowed."""
    a = np.asarray(a)
    if a.ndim == 0:
        return g
    if a.size == 0:  # the product of nothing is 1, and nothing has an adjoint
        return np.zeros(a.shape, dtype=np.result_type(a.dtype, float))
    axes = tuple(range(a.ndim)) if axis is None else np.atleast_1d(axis).tolist()
    axes = tuple(ax % a.ndim for ax in axes)
    kept = [ax for ax in range(a.ndim) if ax not in axes]
    moved = np.transpose(a, kept + list(axes))
    flat = moved.reshape(moved.shape[: len(kept)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (left * right).reshape(moved.shape)
    others = np.transpose(others, np.argsort(kept + list(axes)))
    return sum_adjoint(g, a, axis, keepdims) * others


def extremum_adjoint(g: Any, a: Any, y: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The adjoint of `max`/`min`: to the extreme entries, shared evenly where they tie. Each
    slice's share is divided out at the reduced shape, so only the final product is `a`-sized;
    the ties are counted in `a`'s float dtype, so float32 stays float32."""
    if np.ndim(a) == 0:
        return g
    hit = a == restore_axes(y, a, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=True, dtype=kinds.float_dtype(a))
    return hit * (restore_axes(g, a, axis, keepdims) / count)


def matmul_adjoint(g: Any, a: Any, b: Any, first: bool) -> Any:
    """The adjoint of `a @ b` with respect to `a` (`first`) or `b`, for 1-D, 2-D and stacks."""
    a2 = np.asarray(a)[np.newaxis, :] if np.ndim(a) == 1 else np.asarray(a)
    b2 = np.asarray(b)[:, np.newaxis] if np.ndim(b) == 1 else np.asarray(b)
    g2 = np.asarray(g)
    if np.ndim(b) == 1:  # the output lost b's column axis, then a's row axis: put them back
        g2 = np.expand_dims(g2, -1)
    if np.ndim(a) == 1:
        g2 = np.expand_dims(g2, -2)
    if first:
        grad = g2 @ np.swapaxes(b2, -1, -2)
        grad = grad[..., 0, :] if np.ndim(a) == 1 else grad
        return unbroadcast(grad, a)
    grad = np.swapaxes(a2, -1, -2) @ g2
    grad = grad[..., 0] if np.ndim(b) == 1 else grad
    return unbroadcast(grad, b)


def _matrices(g: Any, a: Any, b: Any) -> bool:
    """Three 2-D arrays: `g @ b.T` and `a.T @ g` are the whole adjoint, with nothing to reshape
    or reduce (the common case, taken without `matmul_adjoint`'s general bookkeeping)."""
    arrays = g.__class__ is a.__class__ is b.__class__ is np.ndarray
    return arrays and g.ndim == a.ndim == b.ndim == 2


def matmul_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of `a @ b` with respect to `a` (`b` is read; `a` only for its shape)."""
    return g @ b.T if _matrices(g, a, b) else matmul_adjoint(g, a, b, True)


def matmul_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of `a @ b` with respect to `b` (`a` is read; `b` only for its shape)."""
    return a.T @ g if _matrices(g, a, b) else matmul_adjoint(g, a, b, False)


def dot_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of `np.dot(a, b)` with respect to `a`."""
    return dot_adjoint(g, a, b, True)


def dot_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of `np.dot(a, b)` with respect to `b`."""
    return dot_adjoint(g, a, b, False)


def dot_adjoint(g: Any, a: Any, b: Any, first: bool) -> Any:
    """The adjoint of `np.dot(a, b)`: a product with a scalar, else a `tensordot` over the last
    axis of `a` and the second-to-last (or only) axis of `b`."""
    from .linalg_ops import tensordot_adjoint

    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * (b if first else a), a if first else b)
    axes = ([np.ndim(a) - 1], [max(np.ndim(b) - 2, 0)])
    return tensordot_adjoint(g, a, b, axes, first)


def getitem_adjoint(g: Any, a: Any, index: Any) -> Any:
    """The adjoint of `a[index]`: `g` scattered into zeros shaped like `a`, summed at repeats."""
    if isinstance(a, dict):
        return {**zeros_like(a), index: g}
    if isinstance(a, (list, tuple)):
        parts = [zeros_like(item) for item in a]
        if isinstance(index, slice):
            for i, gi in zip(range(*index.indices(len(a))), g):
                parts[i] = gi
        else:
            parts[index] = g
        return type(a)(parts) if not hasattr(a, "_fields") else tuple(parts)  # namedtuples
    grad = zeros_like(a)
    np.add.at(grad, index, g)
    return grad


def concatenate_adjoint(g: Any, arrays: Any, axis: int | None = 0) -> list[Any]:
    """Cut `g` back into the pieces `np.concatenate(arrays, axis)` joined."""
    if axis is None:
        sizes = np.cumsum([np.size(a) for a in arrays])[:-1]
        return [np.reshape(p, np.shape(a)) for p, a in zip(np.split(g, sizes), arrays)]
    sizes = np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]
    return list(np.split(g, sizes, axis=axis))


def stack_adjoint(g: Any, arrays: Any, axis: int = 0) -> list[Any]:
    """Take `g` apart along the axis `np.stack(arrays, axis)` made."""
    return [np.take(g, i, axis=axis) for i in range(len(arrays))]


def transpose_adjoint(g: Any, axes: tuple[int, ...] | None = None) -> Any:
    """Undo `np.transpose(a, axes)` on the adjoint."""
    if axes is None or len(axes) == 0:
        return np.transpose(g)
    if len(axes) == 1 and not isinstance(axes[0], int):  # `x.transpose((1, 0))`
        axes = tuple(axes[0])
    return np.transpose(g, np.argsort(axes))
