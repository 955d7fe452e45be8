"""The adjoints behind NumPy's shape functions, called from generated code; plain NumPy.

A shape function moves, copies or drops entries without arithmetic, so its adjoint moves `g` back:
entries that were copied (`tile`, `repeat`, `broadcast_to`, `pad` by reflection) sum their
adjoints, entries that were dropped (`delete`, the padding itself) get none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from ...errors import MissingRuleError
from ...runtime import unbroadcast


def ravel_adjoint(g: Any, a: Any, order: str = "C") -> Any:
    """The adjoint of `ravel(a, order)` (and `flatten`): `g` put back where each entry came from.

    'A' is 'F' for a Fortran-contiguous `a`, else 'C'; 'K' (memory order) is read off an index
    array laid out like `a` (`empty_like` keeps its layout).
    """
    a = np.asarray(a)
    order = ("F" if np.isfortran(a) else "C") if order == "A" else order
    index = np.empty_like(a, dtype=np.intp)
    index[...] = np.reshape(np.arange(index.size), index.shape)
    grad = np.zeros(index.size)
    grad[np.ravel(index, order=order)] = np.ravel(g)
    return np.reshape(grad, np.shape(a))


def moveaxis_adjoint(g: Any, source: Any, destination: Any) -> Any:
    """Undo `moveaxis(a, source, destination)` on the adjoint."""
    return np.moveaxis(g, destination, source)


def rollaxis_adjoint(g: Any, a: Any, axis: int, start: int = 0) -> Any:
    """Undo `rollaxis(a, axis, start)`: it is `moveaxis` to `start`, or `start - 1` past `axis`."""
    ndim = np.ndim(a)
    axis, start = axis % ndim, start + ndim if start < 0 else start
    return np.moveaxis(g, start - 1 if axis < start else start, axis)


def tile_adjoint(g: Any, a: Any, reps: Any) -> Any:
    """The adjoint of `tile(a, reps)`: the copies' adjoints summed."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    ndim = max(len(reps), np.ndim(a))
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - np.ndim(a)) + np.shape(a)
    pairs = np.reshape(g, [n for pair in zip(reps, shape) for n in pair])
    return np.reshape(np.sum(pairs, axis=tuple(range(0, 2 * ndim, 2))), np.shape(a))


def repeat_adjoint(g: Any, a: Any, repeats: Any, axis: int | None = None) -> Any:
    """The adjoint of `repeat(a, repeats, axis)`: each entry gets its copies' adjoints, summed."""
    if axis is None:
        size = int(np.size(a))
        source = np.repeat(np.arange(size), repeats)
        return np.reshape(np.bincount(source, np.ravel(g), minlength=size), np.shape(a))
    length = np.shape(a)[axis]
    moved = np.moveaxis(np.asarray(g), axis, 0)
    grad = np.zeros((length,) + moved.shape[1:])
    np.add.at(grad, np.repeat(np.arange(length), repeats), moved)
    return np.moveaxis(grad, 0, axis)


def roll_adjoint(g: Any, shift: Any, axis: Any = None) -> Any:
    """Undo `roll(a, shift, axis)`: roll `g` back."""
    return np.roll(g, np.negative(shift), axis)


def pad_adjoint(
    g: Any,
    array: Any,
    pad_width: Any,
    mode: str = "constant",
    reflect_type: str = "even",
    part: int = 0,
) -> Any:
    """The adjoint of `pad(array, pad_width, mode)` for `array` (`part` 0) or the scalar
    `constant_values` (`part` 1). Modes that copy entries (edge, reflect, symmetric, wrap) are
    undone by padding an index array the same way and summing `g` per source index; modes
    computed from statistics or ramps, and reflect_type='odd', have no rule."""
    shape = np.shape(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (len(shape), 2))
    inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, shape))
    g = np.asarray(g)
    if mode == "constant":
        return g[inner].copy() if part == 0 else np.sum(g) - np.sum(g[inner])
    if mode not in ("edge", "reflect", "symmetric", "wrap") or reflect_type != "even":
        raise MissingRuleError(
            f"tangentish has no derivative rule for np.pad with mode={mode!r}, "
            f"reflect_type={reflect_type!r}; modes that copy entries (constant, edge, reflect, "
            "symmetric, wrap) are supported",
            construct="numpy.pad",
        )
    index = np.reshape(np.arange(int(np.prod(shape))), shape)
    source = np.pad(index, widths, mode=mode)
    return np.reshape(np.bincount(np.ravel(source), np.ravel(g), minlength=index.size), shape)


def diag_adjoint(g: Any, v: Any, k: int = 0) -> Any:
    """The adjoint of `diag(v, k)`: the diagonal of `g` for a built matrix, `g` laid on the
    diagonal for an extracted one."""
    from .reduction_ops import diagonal_adjoint

    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    return diagonal_adjoint(g, v, k)


def split_adjoint(g: Sequence[Any], ary: Any, axis: int = 0) -> Any:
    """The adjoint of `split`-like functions: the pieces' adjoints joined back, in `ary`'s shape."""
    return np.reshape(np.concatenate([np.asarray(p) for p in g], axis=axis), np.shape(ary))


def hsplit_axis(ary: Any) -> int:
    """The axis `hsplit` cuts: the second, or the first of a 1-D array."""
    return 0 if np.ndim(ary) == 1 else 1


def _column(a: Any) -> Any:
    """How `column_stack` sees one input: 1-D (and 0-d) inputs become columns."""
    return np.asarray(a).reshape(-1, 1) if np.ndim(a) < 2 else np.asarray(a)


_PROMOTE: dict[str, tuple[Callable[[Any], Any], int]] = {
    "hstack": (np.atleast_1d, 1),
    "vstack": (np.atleast_2d, 0),
    "dstack": (np.atleast_3d, 2),
    "column_stack": (_column, 1),
}


def joined_adjoint(g: Any, arrays: Sequence[Any], how: str) -> list[Any]:
    """The adjoints of `hstack`, `vstack`, `dstack` or `column_stack` (`how`): each input is
    promoted as the function promotes it, then `g` is cut along the joining axis."""
    promote, axis = _PROMOTE[how]
    parts = [promote(a) for a in arrays]
    if how == "hstack" and parts and parts[0].ndim == 1:
        axis = 0
    cuts = np.cumsum([p.shape[axis] for p in parts])[:-1]
    return [np.reshape(p, np.shape(a)) for p, a in zip(np.split(g, cuts, axis=axis), arrays)]


def append_adjoint(
    g: Any, arr: Any, values: Any, axis: int | None = None, first: bool = True
) -> Any:
    """The adjoint of `append(arr, values, axis)`: `g` cut where `values` begins."""
    if axis is None:
        head, tail = np.split(np.ravel(g), [np.size(arr)])
        return np.reshape(head, np.shape(arr)) if first else np.reshape(tail, np.shape(values))
    head, tail = np.split(g, [np.shape(arr)[axis]], axis=axis)
    return head if first else tail


def delete_adjoint(g: Any, arr: Any, obj: Any, axis: int | None = None) -> Any:
    """The adjoint of `delete(arr, obj, axis)`: `g` to the entries kept, zeros to those dropped."""
    if axis is None:
        kept = np.delete(np.arange(np.size(arr)), obj)
        grad = np.zeros(np.size(arr))
        grad[kept] = np.ravel(g)
        return np.reshape(grad, np.shape(arr))
    kept = np.delete(np.arange(np.shape(arr)[axis]), obj)
    grad = np.zeros(np.shape(arr))
    np.moveaxis(grad, axis, 0)[kept] = np.moveaxis(np.asarray(g), axis, 0)
    return grad


def meshgrid_adjoint(g: Sequence[Any], xs: Sequence[Any], which: int, indexing: str = "xy") -> Any:
    """The adjoint of input `which` of `meshgrid`: its grid's adjoint summed over the other axes.
    With indexing='xy' the first two inputs run along the second and first axes."""
    along = which
    if indexing == "xy" and len([x for x in xs if x is not None]) > 1 and which < 2:
        along = 1 - which
    grid = np.asarray(g[which])
    others = tuple(i for i in range(grid.ndim) if i != along)
    return np.reshape(np.sum(grid, axis=others), np.shape(xs[which]))


def array_adjoint(g: Any, obj: Any) -> Any:
    """The adjoint of `np.array(obj)` / `np.asarray(obj)`: `g` in `obj`'s shape, and for a (nested)
    list or tuple of values, a list or tuple of their adjoints."""
    if isinstance(obj, (list, tuple)):
        return type(obj)(array_adjoint(g[i], item) for i, item in enumerate(obj))
    if isinstance(obj, np.ndarray):
        return np.reshape(np.asarray(g, dtype=obj.dtype), obj.shape)
    return np.reshape(g, np.shape(obj))


def astype_adjoint(g: Any, a: Any) -> Any:
    """The adjoint of a cast: `g` cast back to `a`'s floating type."""
    return np.asarray(g, dtype=np.result_type(a, np.float16))


def item_adjoint(g: Any, a: Any, args: tuple[Any, ...] = ()) -> Any:
    """The adjoint of `a.item(*args)`: `g` at the one entry it read (a flat index or an index per
    axis; none for a one-entry array)."""
    grad = np.zeros(np.shape(a))
    if not args:
        grad[...] = g
    elif len(args) == 1 and np.ndim(args[0]) == 0:
        grad.flat[args[0]] = g
    else:
        grad[tuple(args[0]) if len(args) == 1 else args] = g
    return grad


def linspace_adjoint(
    g: Any,
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    axis: int = 0,
    first: bool = True,
) -> Any:
    """The adjoint of `linspace(start, stop, num)` for `start` (`first`) or `stop`: the samples are
    start + t (stop - start) with t = i / (num - 1) (or i / num without the endpoint)."""
    g, g_step = (g[0], g[1]) if retstep else (g, 0.0)
    div = max(num - 1 if endpoint else num, 1)
    t = np.arange(num) / div
    moved = np.moveaxis(np.asarray(g), axis, -1)
    weight = (1 - t) if first else t
    grad = np.sum(moved * weight, axis=-1) + (-1 if first else 1) * np.asarray(g_step) / div
    return unbroadcast(grad, start if first else stop)


def arange_adjoint(g: Any, start: Any, stop: Any = None, step: Any = None, part: int = 0) -> Any:
    """The adjoint of `arange`'s entries start + i step for `start` (`part` 0) or `step` (2).
    The number of entries, and so the entries' dependence on `stop`, is piecewise constant; with
    one argument it is the stop."""
    if part == 1 or (part == 0 and stop is None):
        return 0.0
    if part == 0:
        return np.sum(g)
    return np.sum(np.asarray(g) * np.arange(np.size(g)))
