"""The adjoints behind `scipy.linalg`'s rules, called from generated code.

LAPACK's triangular solves and Cholesky factorizations read one triangle of their matrix only, so
these adjoints live on that triangle: they are exact for the function SciPy computes, whatever
the other triangle holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

from ..numpy.linalg_ops import cholesky_adjoint


def _mT(a: Any) -> Any:
    return np.swapaxes(a, -1, -2)


def _outer(u: Any, v: Any, vector: bool) -> Any:
    """u v^T for vectors (`vector`) or for matrices of columns."""
    return u[..., :, np.newaxis] * v[..., np.newaxis, :] if vector else u @ _mT(v)


def _transposed(trans: Any) -> bool:
    return trans in (1, 2, "T", "C")


def solve_triangular_adjoint(
    g: Any,
    a: Any,
    b: Any,
    y: Any,
    trans: Any = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    first: bool = True,
) -> Any:
    """The adjoint of `y = solve_triangular(a, b, trans, lower, unit_diagonal)` for `a` (`first`)
    or `b`. With op(a) y = b: b_bar = op(a)^-T g and op(a)_bar = -b_bar y^T, on a's triangle
    (without its diagonal when `unit_diagonal`: that diagonal is taken to be ones)."""
    b_bar = scipy.linalg.solve_triangular(
        a, g, trans=0 if _transposed(trans) else 1, lower=lower, unit_diagonal=unit_diagonal
    )
    if not first:
        return b_bar
    op_bar = -_outer(b_bar, np.asarray(y), np.ndim(b) == np.ndim(a) - 1)
    a_bar = _mT(op_bar) if _transposed(trans) else op_bar
    k = 1 if unit_diagonal else 0
    return np.tril(a_bar, -k) if lower else np.triu(a_bar, k)


def cho_factor_adjoint(g: Any, y: Any, a: Any) -> Any:
    """The adjoint of `cho_factor(a, lower) = (c, lower)`: c holds the factor on one triangle.
    Its other triangle holds a's own entries, which pass through, in the SciPy versions that
    copy them there; newer ones leave zeros, which carry no derivative."""
    (g_c, _), (c, lower) = g, y
    if lower:
        other = np.triu(g_c, 1) if np.array_equal(np.triu(c, 1), np.triu(a, 1)) else 0.0
        return cholesky_adjoint(np.tril(g_c), np.tril(c)) + other
    other = np.tril(g_c, -1) if np.array_equal(np.tril(c, -1), np.tril(a, -1)) else 0.0
    return cholesky_adjoint(np.triu(g_c), np.triu(c), True) + other


def cho_solve_adjoint(g: Any, c_and_lower: Any, y: Any) -> tuple[Any, float]:
    """The adjoint of `y = cho_solve((c, lower), b)` for the factor: with a = L L^T (or U^T U),
    a_bar = -a^-1 g y^T, and L_bar = (a_bar + a_bar^T) L (U_bar = U (a_bar + a_bar^T)), on the
    factor's triangle. The flag `lower` has no derivative."""
    c, lower = c_and_lower
    b_bar = scipy.linalg.cho_solve(c_and_lower, g)
    a_bar = -_outer(b_bar, np.asarray(y), np.ndim(y) == np.ndim(c) - 1)
    both = a_bar + _mT(a_bar)
    if lower:
        return np.tril(both @ np.tril(c)), 0.0
    return np.triu(np.triu(c) @ both), 0.0


def expm_adjoint(g: Any, a: Any) -> Any:
    """The adjoint of `expm(a)`: the upper right block of expm([[a^T, g], [0, a^T]]) (the Frechet
    derivative of expm at a^T in the direction g), for a matrix or a stack of them."""
    a = np.asarray(a, dtype=float)
    n = a.shape[-1]
    block = np.zeros(a.shape[:-2] + (2 * n, 2 * n))
    block[..., :n, :n] = _mT(a)
    block[..., n:, n:] = _mT(a)
    block[..., :n, n:] = g
    return scipy.linalg.expm(block)[..., :n, n:]
