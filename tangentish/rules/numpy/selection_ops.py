"""The adjoints behind NumPy's selections: gathers (`take`, `compress`, `sort`), order statistics
(`quantile`, `median`), masks (`clip`, `select`) and interpolation. Called from generated code.

A gather's adjoint scatters `g` back with `np.add.at`, so an entry read twice (a repeated index)
gets the sum of both adjoints. Where the selection itself is not differentiable (ties in `sort` or
`median`, `clip` at its bounds) the adjoint follows the entry NumPy picked: a one-sided derivative.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import MissingRuleError
from ...runtime import unbroadcast
from .adjoint_ops import Axis


def clip_partial(
    a: Any, a_min: Any = None, a_max: Any = None, which: int = 0, low: Any = None, high: Any = None
) -> Any:
    """The partial of `clip(a, a_min, a_max) = minimum(maximum(a, a_min), a_max)` for `a` (`which`
    0), the lower bound (1) or the upper one (2), as NumPy computes it: where the bounds cross, the
    upper one wins. A missing bound (None) is no bound; ties go as in `maximum` and `minimum`.
    `low` and `high` are the bounds when given as NumPy 2's `min=` and `max=`."""
    low = (-np.inf if a_min is None else a_min) if low is None else low
    high = (np.inf if a_max is None else a_max) if high is None else high
    raised = np.maximum(a, low)
    inside = raised <= high
    if which == 0:
        return ((a >= low) & inside) * 1.0
    if which == 1:
        return ((a < low) & inside) * 1.0
    return (raised > high) * 1.0


def clip_adjoint(g: Any, a: Any, low: Any, high: Any, which: int) -> Any:
    """The adjoint of `a.clip(low, high)` for `a` (0), `low` (1) or `high` (2)."""
    operand = (a, low, high)[which]
    return unbroadcast(g * clip_partial(a, low, high, which), operand)


def take_adjoint(g: Any, a: Any, indices: Any, axis: int | None = None, mode: str = "raise") -> Any:
    """The adjoint of `take(a, indices, axis, mode)`: `g` added at the indices read."""
    a = np.asarray(a)
    length = a.size if axis is None else a.shape[axis]
    indices = np.asarray(indices, dtype=np.intp)
    if mode == "wrap":
        indices = np.mod(indices, length)
    elif mode == "clip":
        indices = np.clip(indices, 0, length - 1)
    if axis is None:
        grad = np.zeros(a.size)
        np.add.at(grad, indices, g)
        return np.reshape(grad, a.shape)
    axis = axis % a.ndim
    grad = np.zeros(a.shape)
    moved = np.moveaxis(
        np.asarray(g), list(range(axis, axis + indices.ndim)), list(range(indices.ndim))
    )
    np.add.at(np.moveaxis(grad, axis, 0), indices, moved)
    return grad


def take_along_axis_adjoint(g: Any, arr: Any, indices: Any, axis: int | None = -1) -> Any:
    """The adjoint of `take_along_axis(arr, indices, axis)`: `g` added where each entry was read."""
    arr = np.asarray(arr)
    if axis is None:
        grad = np.zeros(arr.size)
        np.add.at(grad, indices, g)
        return np.reshape(grad, arr.shape)
    axis = axis % arr.ndim
    index = tuple(
        indices
        if d == axis
        else np.reshape(np.arange(n), [-1 if i == d else 1 for i in range(arr.ndim)])
        for d, n in enumerate(arr.shape)
    )
    grad = np.zeros(arr.shape)
    np.add.at(grad, index, g)
    return grad


def sort_adjoint(g: Any, a: Any, axis: int | None = -1) -> Any:
    """The adjoint of `sort(a, axis)`: `g` sent back through the sorting permutation. Tied entries
    are equal, so which of them gets which adjoint is a choice (NumPy's stable order)."""
    a = np.asarray(a)
    if axis is None:
        grad = np.zeros(a.size)
        grad[np.argsort(a, axis=None, kind="stable")] = np.ravel(g)
        return np.reshape(grad, a.shape)
    grad = np.zeros(a.shape)
    np.put_along_axis(grad, np.argsort(a, axis=axis, kind="stable"), g, axis)
    return grad


def compress_adjoint(g: Any, condition: Any, a: Any, axis: int | None = None) -> Any:
    """The adjoint of `compress(condition, a, axis)`: `g` to the entries kept."""
    kept = np.nonzero(np.ravel(condition))[0]
    if axis is None:
        grad = np.zeros(np.size(a))
        grad[kept] = np.ravel(g)
        return np.reshape(grad, np.shape(a))
    grad = np.zeros(np.shape(a))
    np.moveaxis(grad, axis, 0)[kept] = np.moveaxis(np.asarray(g), axis, 0)
    return grad


def select_adjoint(
    g: Any, condlist: Sequence[Any], choicelist: Sequence[Any], default: Any, which: int
) -> Any:
    """The adjoint of `select(condlist, choicelist, default)` for choice `which` (-1: default):
    `g` where that choice was the first whose condition held."""
    labels = [np.full(np.shape(c), i) for i, c in enumerate(choicelist)]
    chosen = np.select(condlist, labels, default=-1)
    operand = default if which == -1 else choicelist[which]
    return unbroadcast(g * (chosen == which), operand)


def select_choices_adjoint(
    g: Any, condlist: Sequence[Any], choicelist: Sequence[Any], default: Any
) -> list[Any]:
    """The adjoints of every entry of `choicelist` in `select`."""
    return [select_adjoint(g, condlist, choicelist, default, i) for i in range(len(choicelist))]


def quantile_adjoint(
    g: Any,
    a: Any,
    q: Any,
    axis: Axis = None,
    method: str = "linear",
    keepdims: bool = False,
    first: bool = True,
    scale: float = 1.0,
) -> Any:
    """The adjoint of `quantile(a, q, axis)` (`percentile` with scale=100, `median` with q=0.5)
    for `a` (`first`) or `q`, with NumPy's default linear interpolation between order statistics:
    the sorted entries at floor and ceil of q (n - 1) get weights 1 - frac and frac."""
    if method != "linear":
        raise MissingRuleError(
            f"tangentish differentiates quantiles with method='linear' only, not {method!r}",
            construct="numpy.quantile",
        )
    a = np.asarray(a, dtype=float)
    axes = list(range(a.ndim)) if axis is None else [x % a.ndim for x in np.atleast_1d(axis)]
    rest = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, rest + axes)
    x = np.reshape(moved, moved.shape[: len(rest)] + (-1,))
    n = x.shape[-1]
    qs = np.ravel(np.asarray(q, dtype=float) / scale)
    position = qs * (n - 1)
    low = np.clip(np.floor(position), 0, n - 1).astype(np.intp)
    high = np.minimum(low + 1, n - 1)
    frac = position - low
    order = np.argsort(x, axis=-1, kind="stable")
    gq = np.reshape(g, (len(qs),) + x.shape[:-1])
    if not first:
        values = np.take_along_axis(x, order, axis=-1)
        slope = (values[..., high] - values[..., low]) * (n - 1) / scale
        batch = tuple(range(x.ndim - 1))
        per_q = np.sum(gq * np.moveaxis(slope, -1, 0), axis=tuple(b + 1 for b in batch))
        return np.reshape(per_q, np.shape(q))
    rank = np.argsort(order, axis=-1)
    grad = np.zeros(x.shape)
    for i in range(len(qs)):
        weight = (rank == low[i]) * (1 - frac[i]) + (rank == high[i]) * frac[i]
        grad = grad + gq[i][..., np.newaxis] * weight
    grad = np.reshape(grad, moved.shape)
    return np.transpose(grad, np.argsort(rest + axes))


def median_adjoint(g: Any, a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The adjoint of `median`: the middle entry, or the two middle ones halved."""
    return quantile_adjoint(np.asarray(g)[np.newaxis], a, 0.5, axis, "linear", keepdims)


def interp_adjoint(
    g: Any,
    x: Any,
    xp: Any,
    fp: Any,
    left: Any = None,
    right: Any = None,
    period: Any = None,
    part: int = 0,
) -> Any:
    """The adjoint of `interp(x, xp, fp, left, right)` for `x` (`part` 0), `xp` (1), `fp` (2),
    `left` (3) or `right` (4). Inside the segment [xp_j, xp_j+1], y = fp_j + s (x - xp_j) with slope
    s; outside, y is the end value (or `left`/`right`). Periodic interpolation has no rule."""
    if period is not None:
        raise MissingRuleError(
            "tangentish has no derivative rule for np.interp with period=", construct="numpy.interp"
        )
    x, xp, fp, g = (np.asarray(v, dtype=float) for v in (x, xp, fp, g))
    n = xp.size
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, n - 2)
    width = xp[j + 1] - xp[j]
    t = (x - xp[j]) / width
    slope = (fp[j + 1] - fp[j]) / width
    below, above = x < xp[0], x > xp[-1]
    inside = ~below & ~above
    if part == 0:
        return g * slope * inside
    if part == 3:
        return np.sum(g * below)
    if part == 4:
        return np.sum(g * above)
    if part == 1:
        to_low, to_high = slope * (t - 1) * inside, -slope * t * inside
    else:
        to_low = (1 - t) * inside + below * (left is None)
        to_high = t * inside + above * (right is None)
    weights = np.concatenate([np.ravel(g * to_low), np.ravel(g * to_high)])
    return np.bincount(np.concatenate([np.ravel(j), np.ravel(j + 1)]), weights, minlength=n)
