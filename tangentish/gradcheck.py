"""`check_grads`: derivatives against float64 central finite differences.

Per `wrt` argument and mode:
- reverse: J^T u (for a random output direction u) entry by entry against central differences,
  so that a failure names the worst entry, then the dot-product test ⟨u, J v⟩ = ⟨J^T u, v⟩;
- forward: J v (for a random input direction v) against the central difference along v.
With `order=k`, the gradient (a function of the same arguments) is checked again, to order k-1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .api import Wrt, _positions, grad, jvp, vjp
from .errors import TangentishError, WrtError

MODES = ("reverse", "forward")


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
    differences. `wrt=None` checks every float or float-array argument; `modes` are "reverse"
    and "forward"; `order` checks derivatives of derivatives up to that order."""
    for mode in modes:
        if mode not in MODES:
            raise TangentishError(f"mode {mode!r} is not available; modes are {MODES}")
    if order < 1:
        raise TangentishError(f"order={order}: check derivatives of order 1 or more")
    if wrt is None:
        positions = tuple(i for i, a in enumerate(args) if _is_variable(a))
        if not positions:
            raise WrtError("check_grads found no float or float-array argument to check")
    else:
        positions = _positions(f, wrt)
    checker = _Checker(f, args, positions, step, rtol, atol, np.random.default_rng(seed))
    if "reverse" in modes:
        checker.reverse()
    if "forward" in modes:
        checker.forward()
    if order > 1:
        if np.ndim(f(*args)) != 0:
            raise TangentishError("order > 1 checks the gradient, which needs a scalar output")
        for position in positions:  # each gradient, as a function of the same arguments
            gradient = grad(f, position)
            check_grads(
                gradient,
                *args,
                wrt=positions,
                modes=modes,
                order=order - 1,
                step=step,
                rtol=rtol * 10,
                atol=atol * 10,
                seed=seed + 1,
            )


class _Checker:
    def __init__(self, f, args, positions, step, rtol, atol, rng) -> None:  # noqa: ANN001
        self.f, self.args, self.positions = f, args, positions
        self.step, self.rtol, self.atol, self.rng = step, rtol, atol, rng
        self.name = getattr(f, "__name__", "f")

    def moved(self, i: int, direction: Any, h: float) -> Any:
        """`f` at the arguments with argument `i` moved by `h * direction`."""
        args = list(self.args)
        args[i] = np.asarray(self.args[i], dtype=float) + h * direction
        if np.ndim(self.args[i]) == 0:
            args[i] = float(args[i])
        return self.f(*args)

    def along(self, i: int, direction: Any) -> Any:
        """The central difference of `f` along `direction` in argument `i`."""
        plus, minus = self.moved(i, direction, self.step), self.moved(i, direction, -self.step)
        return (np.asarray(plus, dtype=float) - np.asarray(minus, dtype=float)) / (2 * self.step)

    def reverse(self) -> None:
        output = self.f(*self.args)
        u = self.rng.normal(size=np.shape(output))
        u = float(u) if np.ndim(output) == 0 else u
        grads = vjp(self.f, self.positions)(*self.args, seed=u)
        grads = grads if len(self.positions) > 1 else (grads,)
        for i, g in zip(self.positions, grads):
            shape = np.shape(self.args[i])
            if np.shape(g) != shape:
                raise AssertionError(
                    f"the gradient of {self.name} for argument {i} has shape {np.shape(g)}, "
                    f"but the argument has shape {shape}"
                )
            worst: tuple[float, Any, float, float] = (-np.inf, None, 0.0, 0.0)
            for index in np.ndindex(shape):
                e = np.zeros(shape)
                e[index] = 1.0
                fd = _inner(u, self.along(i, e))
                ad = float(np.asarray(g, dtype=float)[index])
                error = abs(ad - fd) - (self.atol + self.rtol * abs(fd))
                if error > worst[0]:
                    worst = (error, index, ad, fd)
            error, index, ad, fd = worst
            if error > 0:
                where = f"[{', '.join(map(str, index))}]" if index else ""
                raise AssertionError(
                    f"{self.name}: reverse-mode derivative for argument {i}{where} is {ad!r}, "
                    f"central differences give {fd!r}"
                )
            v = self.rng.normal(size=shape)
            self.compare(
                _inner(g, v), _inner(u, self.along(i, v)), f"dot-product test, argument {i}"
            )

    def forward(self) -> None:
        for i in self.positions:
            v = self.rng.normal(size=np.shape(self.args[i]))
            v = float(v) if np.ndim(self.args[i]) == 0 else v
            _, tangent = jvp(self.f, i)(*self.args, seed=v)
            expected = self.along(i, v)
            if np.shape(tangent) != np.shape(expected):
                raise AssertionError(
                    f"{self.name}: forward-mode tangent for argument {i} has shape "
                    f"{np.shape(tangent)}, the output {np.shape(expected)}"
                )
            errors = np.abs(np.asarray(tangent, dtype=float) - expected) - (
                self.atol + self.rtol * np.abs(expected)
            )
            if np.max(errors, initial=-np.inf) > 0:
                index = (
                    np.unravel_index(np.argmax(errors), np.shape(errors)) if np.ndim(errors) else ()
                )
                where = f"[{', '.join(map(str, index))}]" if index else ""
                raise AssertionError(
                    f"{self.name}: forward-mode tangent for argument {i} is "
                    f"{np.asarray(tangent)[index]!r} at output{where}, central differences give "
                    f"{expected[index]!r}"
                )

    def compare(self, ad: float, fd: float, what: str) -> None:
        if not abs(ad - fd) <= self.atol + self.rtol * abs(fd):
            raise AssertionError(
                f"{self.name}: {what}: AD gives {ad!r}, central differences {fd!r}"
            )
