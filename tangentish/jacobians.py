"""Jacobians and Hessians, made of vector-Jacobian and Jacobian-vector products.

`jacobian(f)` sweeps once per output entry (reverse) or once per input entry (forward) and
stacks the results into an array of shape `output.shape + input.shape`. `hessian(f)` is the
Jacobian of the gradient by forward mode over reverse mode: one Hessian-vector product per input
entry, each the tangent of tangentish's own generated gradient code.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .api import grad, jvp, vjp
from .errors import WrtError


def _one_argument(wrt: Any) -> int | str:
    if isinstance(wrt, tuple):
        if len(wrt) != 1:
            raise WrtError("jacobian and hessian take one `wrt` argument (an int or a name)")
        return wrt[0]
    return wrt


def jacobian(
    f: Callable[..., Any], wrt: Any = 0, mode: str = "reverse"
) -> Callable[..., np.ndarray]:
    """A function returning the Jacobian of `f` with respect to argument `wrt`, as an array of
    shape `output.shape + input.shape`; `mode` is "reverse" (a sweep per output entry) or
    "forward" (one per input entry)."""
    if mode not in ("reverse", "forward"):
        raise ValueError(f'mode is "reverse" or "forward", not {mode!r}')
    position = _one_argument(wrt)
    pullback, pushforward = vjp(f, position), jvp(f, position)

    def jacobian_of(*args: Any) -> np.ndarray:
        names = list(getattr(f, "__code__", None).co_varnames) if hasattr(f, "__code__") else []
        index = names.index(position) if isinstance(position, str) else position
        x = args[index]
        output = f(*args)
        in_shape, out_shape = np.shape(x), np.shape(output)
        result = np.zeros(out_shape + in_shape)
        if mode == "reverse":
            for k in np.ndindex(out_shape):
                seed = np.zeros(out_shape)
                seed[k] = 1.0
                result[k] = pullback(*args, seed=seed if out_shape else 1.0)
        else:
            for k in np.ndindex(in_shape):
                direction = np.zeros(in_shape)
                direction[k] = 1.0
                _, tangent = pushforward(*args, seed=direction if in_shape else 1.0)
                result[(Ellipsis, *k)] = tangent
        return result

    jacobian_of.__name__ = f"{getattr(f, '__name__', 'f')}_jacobian"
    return jacobian_of


def hessian(f: Callable[..., Any], wrt: Any = 0) -> Callable[..., np.ndarray]:
    """A function returning the Hessian of the scalar function `f` with respect to argument
    `wrt` (shape `input.shape + input.shape`), by forward mode over reverse mode."""
    position = _one_argument(wrt)
    return jacobian(grad(f, position), position, mode="forward")
