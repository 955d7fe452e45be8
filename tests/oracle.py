"""A float64 central-difference oracle for gradients, independent of tangentish.

Everything here is plain NumPy: it calls the function being differentiated and nothing else, so it
can judge what tangentish returns. For a random output cotangent `u` it computes, entry by entry,
the vector-Jacobian product `u^T J` of each `wrt` argument by central differences (step 1e-6
scaled by max(1, |x|)), and the directional derivative `<u, J v>` for random directions `v` (the
dot-product test, which also catches a gradient that is right entry by entry but transposed).

Every function is called with fresh copies of its array arguments, so a function that writes into
its arguments does not corrupt the reference values.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

STEP = 1e-6
RTOL = 1e-5
ATOL = 1e-7


def positions(fn: Callable[..., Any], wrt: Any) -> tuple[int, ...]:
    """`wrt` (an int, a parameter name, or a tuple of them) as parameter positions."""
    params = list(inspect.signature(fn).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    return tuple(params.index(w) if isinstance(w, str) else w % len(params) for w in items)


def call(fn: Callable[..., Any], args: Sequence[Any]) -> Any:
    """`fn(*args)` on deep copies of the arguments."""
    return fn(*copy.deepcopy(list(args)))


def _with(args: Sequence[Any], i: int, value: Any) -> list[Any]:
    moved = list(args)
    moved[i] = value
    return moved


def _shifted(x: Any, direction: Any, h: float) -> Any:
    """`x + h * direction` as a float: a Python float for a Python number, an array otherwise."""
    moved = np.array(x, dtype=np.float64, order="K")  # keeps a Fortran or strided layout
    moved += h * np.asarray(direction, dtype=np.float64)
    if isinstance(x, np.ndarray):
        return moved  # a 0-d array stays a 0-d array
    return float(moved)


def inner(a: Any, b: Any) -> float:
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def random_like(rng: np.random.Generator, value: Any) -> Any:
    """A random float64 value of `value`'s shape (a Python float for a scalar)."""
    shape = np.shape(value)
    sample = rng.normal(size=shape)
    return float(sample) if shape == () and not isinstance(value, np.ndarray) else sample


def numeric_vjp(
    fn: Callable[..., Any], args: Sequence[Any], wrt: tuple[int, ...], u: Any
) -> list[np.ndarray]:
    """`u^T J` for each argument in `wrt`, entry by entry, by central differences."""
    result = []
    for i in wrt:
        x = np.asarray(args[i], dtype=np.float64)
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            e = np.zeros(x.shape)
            e[index] = 1.0
            h = STEP * max(1.0, abs(float(x[index])))
            plus = call(fn, _with(args, i, _shifted(args[i], e, h)))
            minus = call(fn, _with(args, i, _shifted(args[i], e, -h)))
            grad[index] = (inner(u, plus) - inner(u, minus)) / (2 * h)
        result.append(grad)
    return result


def numeric_directional(
    fn: Callable[..., Any], args: Sequence[Any], wrt: tuple[int, ...], u: Any, v: Sequence[Any]
) -> float:
    """`<u, J v>`: the derivative of `<u, f>` along the directions `v` (one per `wrt` argument)."""
    scale = max([1.0] + [float(np.max(np.abs(np.asarray(args[i], dtype=float)))) for i in wrt])
    h = STEP * scale

    def at(sign: float) -> float:
        moved = list(args)
        for i, d in zip(wrt, v):
            moved[i] = _shifted(args[i], d, sign * h)
        return inner(u, call(fn, moved))

    return (at(1.0) - at(-1.0)) / (2 * h)


def _close(actual: Any, expected: Any, rtol: float, atol: float) -> bool:
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    return bool(np.all(np.abs(actual - expected) <= atol + rtol * np.abs(expected)))


def check_vjp(
    fn: Callable[..., Any],
    args: Sequence[Any],
    wrt: Any,
    grads: Any,
    u: Any,
    *,
    rng: np.random.Generator | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    nonzero: bool = True,
) -> list[np.ndarray]:
    """Assert that `grads` (one per `wrt` argument, or a bare value for one) is `u^T J` of `fn`.

    Checks each argument's shape, each entry against central differences, and the dot-product
    test `<u, J v> = sum_i <grads_i, v_i>`; with `nonzero`, also that the expected gradient is not
    all zeros (so a library returning zeros cannot pass). Returns the numeric gradients.
    """
    wrt = positions(fn, wrt)
    grads = tuple(grads) if len(wrt) > 1 else (grads,)
    assert len(grads) == len(wrt), f"expected {len(wrt)} gradients, got {len(grads)}"
    expected = numeric_vjp(fn, args, wrt, u)
    if nonzero:
        assert_nonzero(expected)
    for i, g, e in zip(wrt, grads, expected):
        assert np.shape(g) == np.shape(args[i]), (
            f"gradient for argument {i} has shape {np.shape(g)}, the argument {np.shape(args[i])}"
        )
        assert _close(g, e, rtol, atol), (
            f"gradient for argument {i}:\n  got      {np.asarray(g)!r}\n  expected {e!r}"
        )
    rng = rng or np.random.default_rng(1)
    v = [rng.normal(size=np.shape(args[i])) for i in wrt]
    fd = numeric_directional(fn, args, wrt, u, v)
    ad = sum(inner(g, d) for g, d in zip(grads, v))
    assert _close(ad, fd, rtol, atol * 10), (
        f"dot-product test: <vjp(u), v> = {ad!r}, <u, Jv> = {fd!r}"
    )
    return expected


def assert_nonzero(expected: Sequence[Any], tol: float = 1e-6) -> None:
    """The guard against a test that zeros would pass: some expected entry is clearly nonzero."""
    biggest = max(float(np.max(np.abs(e))) if np.size(e) else 0.0 for e in expected)
    assert biggest > tol, "the expected gradient is all zeros: this case cannot catch a zero bug"
