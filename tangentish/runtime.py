"""Runtime: the few helpers generated code calls. Plain Python, so generated code stays
differentiable, and none of them is called by code specialized for Python floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeMismatchError


def unbroadcast(g: Any, a: Any) -> Any:
    """Sum `g` down to the shape of `a`: the adjoint of NumPy's implicit broadcasting."""
    shape = np.shape(a)
    if np.shape(g) == shape:
        return g
    if shape == ():
        return np.sum(g)
    extra = np.ndim(g) - len(shape)
    g = np.sum(g, axis=tuple(range(extra))) if extra else g
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return np.sum(g, axis=ones, keepdims=True) if ones else g


def zeros_like(a: Any) -> Any:
    """A zero adjoint for `a`: 0.0 for numbers, float zeros of `a`'s shape and structure else."""
    if isinstance(a, (list, tuple)):
        return type(a)(zeros_like(item) for item in a)
    if isinstance(a, np.ndarray):
        dtype = a.dtype if np.issubdtype(a.dtype, np.inexact) else np.float64
        return np.zeros(a.shape, dtype)
    if isinstance(a, np.generic):
        return np.zeros((), a.dtype if np.issubdtype(a.dtype, np.inexact) else np.float64)[()]
    return 0.0


class Stack(list):  # type: ignore[type-arg]
    """The values the primal replay records for the reverse sweep, last in first out.

    A list whose `push` is `list.append` itself: recording costs what appending costs.
    """

    push = list.append


def as_sequence(iterable: Any) -> Any:
    """What a `for` loop walks by index: sequences as they are, other iterables as a list."""
    if isinstance(iterable, (list, tuple, range, np.ndarray)):
        return iterable
    return list(iterable)


def copy_input(value: Any) -> Any:
    """A copy of an argument the function writes into, so the caller's value stays as it was."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, dict)):
        return type(value)(value)
    return value


def zero_at(g: Any, index: Any) -> Any:
    """A copy of the adjoint `g` with zeros at `index`: the adjoint of an array before a write
    into `index` replaced those entries. A copy, because `g` may be shared with other adjoints."""
    g = np.array(g, dtype=np.result_type(g, np.float64))
    g[index] = 0.0
    return g


def snapshot(value: Any) -> Any:
    """A copy of what a write is about to overwrite, for the reverse sweep to put back."""
    return np.copy(value) if isinstance(value, np.ndarray) else value


def add_adjoints(a: Any, b: Any) -> Any:
    """`a + b` for adjoints, entry by entry for tuples and lists (whose `+` would concatenate)."""
    if type(a) in (list, tuple) or isinstance(a, (list, tuple)):
        return type(a)(add_adjoints(x, y) for x, y in zip(a, b))
    return a + b


def check_seed(value: Any, seed: Any) -> None:
    """A seed is the output's adjoint: it must have the output's shape (and a scalar by default)."""
    if np.shape(value) == np.shape(seed):
        return
    if np.shape(seed) == () and isinstance(seed, float) and seed == 1.0:
        raise ShapeMismatchError(
            f"the function returns a value of shape {np.shape(value)}, not a scalar: a gradient "
            "needs a scalar output. Pass seed= (the output's adjoint, an array of that shape) "
            "to get a vector-Jacobian product, or reduce the output (np.sum) first"
        )
    raise ShapeMismatchError(
        f"seed has shape {np.shape(seed)} but the output has shape {np.shape(value)}: the seed is "
        "the output's adjoint and must have the output's shape"
    )
