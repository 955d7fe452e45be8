"""`check_grads`: derivatives against float64 central finite differences.

Two checks per `wrt` argument: the dot-product test (⟨u, J v⟩ by finite differences against
⟨J^T u, v⟩ by reverse mode, for random u and v), and an entry-by-entry comparison of J^T u, so that
a failure names the worst entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .api import Wrt, _positions, vjp
from .errors import TangentishError, WrtError

MODES = ("reverse",)


def _is_variable(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return False
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f"
    return isinstance(value, (float, np.floating))


def _inner(a: Any, b: Any) -> float:
    return float(np.sum(np.asarray(a, dtype=float) * np.asarray(b, dtype=float)))


def check_grads(
    f: Callable[..., Any],
    *args: Any,
    wrt: Wrt | None = None,
    modes: Sequence[str] = MODES,
    order: int = 1,
    step: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    seed: int = 0,
) -> None:
    """Raise `AssertionError` naming the worst entry where derivatives disagree with finite
    differences. `wrt=None` checks every float or float-array argument."""
    for mode in modes:
        if mode not in MODES:
            raise TangentishError(
                f"mode {mode!r} is not available; modes this version has: {MODES}"
            )
    if order != 1:
        raise TangentishError(
            f"order={order}: derivatives of derivatives need higher-order differentiation, which "
            "this version does not have yet; check order=1"
        )
    if wrt is None:
        positions = tuple(i for i, a in enumerate(args) if _is_variable(a))
        if not positions:
            raise WrtError("check_grads found no float or float-array argument to check")
    else:
        positions = _positions(f, wrt)
    rng = np.random.default_rng(seed)
    output = f(*args)
    u = rng.normal(size=np.shape(output))
    u = float(u) if np.ndim(output) == 0 else u
    grads = vjp(f, positions)(*args, seed=u)
    grads = grads if len(positions) > 1 else (grads,)

    def probe(i: int, direction: Any, h: float) -> float:
        moved = list(args)
        moved[i] = np.asarray(args[i], dtype=float) + h * direction
        if np.ndim(args[i]) == 0:
            moved[i] = float(moved[i])
        return _inner(u, f(*moved))

    name = getattr(f, "__name__", "f")
    for i, g in zip(positions, grads):
        if np.shape(g) != np.shape(args[i]):
            raise AssertionError(
                f"the gradient of {name} for argument {i} has shape {np.shape(g)}, "
                f"but the argument has shape {np.shape(args[i])}"
            )
        worst = (0.0, None, 0.0, 0.0)
        for index in np.ndindex(np.shape(args[i])):
            e = np.zeros(np.shape(args[i]))
            e[index] = 1.0
            fd = (probe(i, e, step) - probe(i, e, -step)) / (2 * step)
            ad = float(np.asarray(g, dtype=float)[index])
            error = abs(ad - fd) - (atol + rtol * abs(fd))
            if worst[1] is None or error > worst[0]:
                worst = (error, index, ad, fd)
        error, index, ad, fd = worst
        if error > 0:
            where = f"[{', '.join(map(str, index))}]" if index else ""
            raise AssertionError(
                f"{name}: reverse-mode derivative for argument {i}{where} is {ad!r}, "
                f"central differences give {fd!r}"
            )
        v = rng.normal(size=np.shape(args[i]))
        fd = (probe(i, v, step) - probe(i, v, -step)) / (2 * step)
        ad = _inner(g, v)
        _compare(ad, fd, rtol, atol, f"{name}: dot-product test for argument {i}")


def _compare(ad: float, fd: float, rtol: float, atol: float, what: str) -> None:
    if not abs(ad - fd) <= atol + rtol * abs(fd):
        raise AssertionError(f"{what}: reverse mode gives {ad!r}, central differences {fd!r}")
