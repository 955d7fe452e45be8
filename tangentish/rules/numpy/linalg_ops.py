"""The adjoints behind NumPy's products and `numpy.linalg`, called from generated code.

Products (`tensordot`, `einsum`, `kron`, `cross`, ...) are linear in each operand: an operand's
adjoint is the same kind of product of `g` with the other operands. Factorizations follow the
matrix-calculus results of Giles (2008) and Murray (2016). NumPy's `cholesky` and `eigh` read one
triangle of their input only, so their adjoints are exact for that function: they live on that
triangle, with the symmetric adjoint's off-diagonal entries doubled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import MissingRuleError
from ...runtime import unbroadcast


def _mT(a: Any) -> Any:
    """The matrix transpose of (a stack of) matrices."""
    return np.swapaxes(a, -1, -2)


def tensordot_adjoint(g: Any, a: Any, b: Any, axes: Any = 2, first: bool = True) -> Any:
    """The adjoint of `tensordot(a, b, axes)` for `a` (`first`) or `b`: `g` contracted with the
    other operand over that operand's free axes, then put back in the operand's axis order."""
    na, nb = np.ndim(a), np.ndim(b)
    if np.ndim(axes) == 0:
        a_axes, b_axes = list(range(na - axes, na)), list(range(axes))
    else:
        a_axes = [ax % na for ax in np.atleast_1d(axes[0]).tolist()]
        b_axes = [ax % nb for ax in np.atleast_1d(axes[1]).tolist()]
    free_a = [i for i in range(na) if i not in a_axes]
    free_b = [j for j in range(nb) if j not in b_axes]
    g = np.asarray(g)
    if first:
        grad = np.tensordot(g, b, axes=(list(range(len(free_a), g.ndim)), free_b))
        order = free_a + [a_axes[b_axes.index(j)] for j in sorted(b_axes)]
    else:
        grad = np.tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
        order = [b_axes[a_axes.index(i)] for i in sorted(a_axes)] + free_b
    return np.transpose(grad, np.argsort(order)) if order else grad


def inner_adjoint(g: Any, a: Any, b: Any, first: bool = True) -> Any:
    """The adjoint of `inner(a, b)`: a product with a scalar, else a `tensordot` over both last
    axes."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(np.asarray(g) * (b if first else a), a if first else b)
    return tensordot_adjoint(g, a, b, ([-1], [-1]), first)


def _tokens(spec: str, ndim: int) -> list[str]:
    """A subscript's labels, one per axis; an ellipsis's axes are labelled `.n`, ..., `.1`."""
    head, dots, tail = spec.partition("...")
    if not dots:
        return list(spec)
    count = ndim - len(head) - len(tail)
    return list(head) + [f".{count - i}" for i in range(count)] + list(tail)


def einsum_adjoint(g: Any, subscripts: str, operands: Sequence[Any], which: int) -> Any:
    """The adjoint of `einsum(subscripts, *operands)` for operand `which`.

    It is the einsum of `g` with the other operands, written to that operand's labels. Labels the
    operand repeats (a diagonal, `'ii->'`) are written once and laid back on the diagonal; labels
    only it has (summed away) are broadcast back; broadcast ellipsis axes are summed down.
    """
    operands = [np.asarray(op) for op in operands if op is not None]
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    specs = inputs.split(",")
    if len(specs) != len(operands):
        raise MissingRuleError(
            f"tangentish differentiates einsum with up to 5 operands, not {len(specs)}",
            construct="numpy.einsum",
        )
    if not arrow:
        letters = [c for c in inputs if c.isalpha()]
        output = ("..." if "..." in inputs else "") + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1)
        )
    mine = specs[which]
    others = [(s, op) for i, (s, op) in enumerate(zip(specs, operands)) if i != which]
    seen = set(output) | {c for s, _ in others for c in s}
    ellipsis = "..." in mine and "..." in output + "".join(s for s, _ in others)
    letters = [c for c in dict.fromkeys(mine) if c.isalpha() and c in seen]
    target = ("..." if ellipsis else "") + "".join(letters)
    result = np.einsum(
        ",".join([output] + [s for s, _ in others]) + "->" + target,
        g,
        *[op for _, op in others],
    )
    operand = operands[which]
    labels = _tokens(mine, operand.ndim)
    sizes = dict(zip(labels, operand.shape))
    dots = [t for t in dict.fromkeys(labels) if t.startswith(".")]
    if ellipsis:  # sum broadcast ellipsis axes down to this operand's
        kept = [sizes[t] for t in dots] + list(result.shape[result.ndim - len(letters) :])
        result = unbroadcast(result, np.empty(kept))
    have = (dots if ellipsis else []) + letters
    missing = [t for t in dict.fromkeys(labels) if t not in have]
    result = np.broadcast_to(
        np.reshape(result, result.shape + (1,) * len(missing)),
        result.shape + tuple(sizes[t] for t in missing),
    )
    have = have + missing
    if len(set(labels)) == len(labels):
        return np.transpose(result, [have.index(t) for t in labels]).copy()
    grad = np.zeros(operand.shape)
    index = tuple(
        np.reshape(np.arange(sizes[t]), [-1 if h == t else 1 for h in have]) for t in labels
    )
    grad[index] = result
    return grad


def kron_adjoint(g: Any, a: Any, b: Any, first: bool = True) -> Any:
    """The adjoint of `kron(a, b)`: `g` split into (a-index, b-index) axis pairs, contracted with
    the other operand."""
    ndim = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (ndim - np.ndim(a)) + np.shape(a)
    sb = (1,) * (ndim - np.ndim(b)) + np.shape(b)
    pairs = np.reshape(g, [n for pair in zip(sa, sb) for n in pair])
    if first:
        other = np.reshape(b, [n for s in sb for n in (1, s)])
        return np.reshape(np.sum(pairs * other, axis=tuple(range(1, 2 * ndim, 2))), np.shape(a))
    other = np.reshape(a, [n for s in sa for n in (s, 1)])
    return np.reshape(np.sum(pairs * other, axis=tuple(range(0, 2 * ndim, 2))), np.shape(b))


def cross_adjoint(
    g: Any,
    a: Any,
    b: Any,
    axisa: int = -1,
    axisb: int = -1,
    axisc: int = -1,
    axis: int | None = None,
    first: bool = True,
) -> Any:
    """The adjoint of `cross(a, b)`: <g, a x b> = <a, b x g> = <b, g x a>. Two-component vectors
    are vectors in the plane (z = 0); two of them give the scalar z-component."""
    if axis is not None:
        axisa = axisb = axisc = axis
    am, bm = np.moveaxis(np.asarray(a), axisa, -1), np.moveaxis(np.asarray(b), axisb, -1)
    mine = am if first else bm
    if am.shape[-1] == 2 and bm.shape[-1] == 2:
        other = bm if first else am
        g = np.asarray(g)[..., np.newaxis]
        sign = np.array([1.0, -1.0]) if first else np.array([-1.0, 1.0])
        grad = g * other[..., ::-1] * sign
    else:
        a3, b3 = (_in_space(v) for v in (am, bm))
        gm = np.moveaxis(np.asarray(g), axisc, -1)
        grad = np.cross(b3, gm) if first else np.cross(gm, a3)
        grad = grad[..., : mine.shape[-1]]
    return np.moveaxis(unbroadcast(grad, mine), -1, axisa if first else axisb)


def _in_space(v: Any) -> Any:
    """Vectors in the last axis with a zero z-component appended to the two-component ones."""
    return np.concatenate([v, np.zeros(v.shape[:-1] + (1,))], -1) if v.shape[-1] == 2 else v


def vecdot_adjoint(g: Any, x1: Any, x2: Any, axis: int = -1, first: bool = True) -> Any:
    """The adjoint of `vecdot(x1, x2, axis) = sum(x1 * x2, axis)` (real operands)."""
    ndim = max(np.ndim(x1), np.ndim(x2))
    spread = np.expand_dims(g, axis % ndim - ndim)
    return unbroadcast(spread * (x2 if first else x1), x1 if first else x2)


def matvec_adjoint(g: Any, a: Any, v: Any, first: bool = True) -> Any:
    """The adjoint of `matvec(a, v) = a @ v` over the last axes, for `a` (`first`) or `v`."""
    g = np.asarray(g)
    if first:
        return unbroadcast(g[..., :, np.newaxis] * np.asarray(v)[..., np.newaxis, :], a)
    return unbroadcast((g[..., np.newaxis, :] @ a)[..., 0, :], v)


def vecmat_adjoint(g: Any, v: Any, a: Any, first: bool = True) -> Any:
    """The adjoint of `vecmat(v, a) = v @ a` over the last axes, for `v` (`first`) or `a`."""
    g = np.asarray(g)
    if first:
        return unbroadcast((a @ g[..., :, np.newaxis])[..., 0], v)
    return unbroadcast(np.asarray(v)[..., :, np.newaxis] * g[..., np.newaxis, :], a)


def inv_adjoint(g: Any, y: Any) -> Any:
    """The adjoint of `inv(a)`, with `y = inv(a)`: -y^T g y^T."""
    return -(_mT(y) @ g @ _mT(y))


def _exclusive_products(x: Any) -> Any:
    """prod_{j != i} x_j along the last axis, exact where entries are zero."""
    ones = np.ones(x.shape[:-1] + (1,))
    left = np.cumprod(np.concatenate([ones, x[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, x[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return left * right


def det_adjoint(g: Any, a: Any) -> Any:
    """The adjoint of `det(a)`: `g` times the cofactor matrix, adj(a)^T.

    With a = U diag(s) V^T, adj(a) = det(U) det(V) V diag(prod_{j != i} s_j) U^T, which exists for
    singular matrices too (where inv(a) does not).
    """
    u, s, vt = np.linalg.svd(a)
    signs = np.linalg.det(u) * np.linalg.det(vt)
    cofactor = (u * _exclusive_products(s)[..., np.newaxis, :]) @ vt
    return (np.asarray(g) * signs)[..., np.newaxis, np.newaxis] * cofactor


def slogdet_adjoint(g: Sequence[Any], a: Any) -> Any:
    """The adjoint of `slogdet(a) = (sign, log|det a|)`: only the log flows, as g * inv(a)^T.
    Exact for nonsingular `a` (a singular one has log|det| = -inf and no derivative)."""
    return np.asarray(g[1])[..., np.newaxis, np.newaxis] * _mT(np.linalg.inv(a))


def solve_adjoint(g: Any, a: Any, b: Any, y: Any, first: bool = True) -> Any:
    """The adjoint of `y = solve(a, b)`: b_bar = solve(a^T, g), a_bar = -b_bar y^T."""
    vector = np.ndim(y) == np.ndim(a) - 1
    g2 = np.asarray(g)[..., np.newaxis] if vector else np.asarray(g)
    b_bar = np.linalg.solve(_mT(a), g2)
    if not first:
        return unbroadcast(b_bar[..., 0] if vector else b_bar, b)
    y2 = np.asarray(y)[..., np.newaxis] if vector else np.asarray(y)
    return unbroadcast(-(b_bar @ _mT(y2)), a)


def _on_triangle(s: Any, upper: bool) -> Any:
    """A symmetric adjoint's action on the triangle a function reads: off-diagonal entries of
    S + S^T there, the diagonal of S, zeros on the other triangle."""
    both = s + _mT(s)
    off = np.triu(both, 1) if upper else np.tril(both, -1)
    return off + np.eye(s.shape[-1]) * s


def cholesky_adjoint(g: Any, y: Any, upper: bool = False) -> Any:
    """The adjoint of `cholesky(a)` (Murray 2016): with L = y and P = Phi(L^T g) (the lower
    triangle with a halved diagonal), S = L^{-T} P L^{-1}; NumPy reads one triangle of `a`."""
    low, g_low = (_mT(y), _mT(g)) if upper else (y, g)
    inner = np.tril(_mT(low) @ g_low)
    inner = inner - 0.5 * np.eye(low.shape[-1]) * inner
    inv = np.linalg.inv(low)
    return _on_triangle(_mT(inv) @ inner @ inv, upper)


def eigh_adjoint(g: Any, a: Any, y: Sequence[Any] | None = None, UPLO: str = "L") -> Any:
    """The adjoint of `eigh(a) = (w, v)` (Giles 2008), or of `eigvalsh(a) = w` when `y` is None:
    v (diag(w_bar) + F o (v^T v_bar)) v^T with F_ij = 1 / (w_j - w_i). Where eigenvalues repeat,
    the eigenvectors are not unique and F is set to 0 there: exact when the result does not depend
    on the basis chosen in a repeated eigenspace (as with eigenvalues only); otherwise there is no
    derivative. Eigenvectors are defined up to sign, so only sign-invariant uses of them have one.
    """
    if y is None:
        (w, v), (g_w, g_v) = np.linalg.eigh(a, UPLO), (g, None)
    else:
        (w, v), (g_w, g_v) = (y[0], y[1]), (g[0], g[1])
    inner = np.eye(np.shape(w)[-1]) * np.asarray(g_w)[..., np.newaxis, :]
    if g_v is not None:
        gap = w[..., np.newaxis, :] - w[..., :, np.newaxis]
        scale = np.max(np.abs(w), axis=-1, keepdims=True)[..., np.newaxis]
        tie = np.abs(gap) <= 1e-12 * scale
        inner = inner + np.where(tie, 0.0, 1.0 / np.where(tie, 1.0, gap)) * (_mT(v) @ g_v)
    return _on_triangle(v @ inner @ _mT(v), UPLO == "U")


def svdvals_adjoint(g: Any, x: Any) -> Any:
    """The adjoint of the singular values: u diag(g) v^T (thin SVD); exact for distinct values."""
    u, _, vt = np.linalg.svd(x, full_matrices=False)
    return (u * np.asarray(g)[..., np.newaxis, :]) @ vt


def _power_adjoint(g: Any, a: Any, n: int) -> Any:
    """sum_{k < n} (a^T)^k g (a^T)^(n-1-k): the adjoint of a^n for n >= 0."""
    powers = [np.eye(np.shape(a)[-1])]
    for _ in range(n - 1):
        powers.append(powers[-1] @ a)
    return sum(
        (_mT(powers[k]) @ g @ _mT(powers[n - 1 - k]) for k in range(n)), np.zeros(np.shape(a))
    )


def matrix_power_adjoint(g: Any, a: Any, n: int) -> Any:
    """The adjoint of `matrix_power(a, n)`; for n < 0, through b = inv(a) and b^(-n)."""
    if n >= 0:
        return _power_adjoint(g, a, n)
    b = np.linalg.inv(a)
    return inv_adjoint(_power_adjoint(g, b, -n), b)


def multi_dot_adjoint(g: Any, arrays: Sequence[Any]) -> list[Any]:
    """The adjoints of `multi_dot(arrays)`: for each factor, (left product)^T g (right product)^T,
    with a 1-D first factor a row and a 1-D last factor a column."""
    mats = [np.asarray(m, dtype=float) for m in arrays]
    mats[0] = np.atleast_2d(mats[0])
    if np.ndim(arrays[-1]) == 1:
        mats[-1] = mats[-1][:, np.newaxis]
    g2 = np.reshape(g, (mats[0].shape[0], mats[-1].shape[1]))
    left = [np.eye(mats[0].shape[0])]
    for m in mats[:-1]:
        left.append(left[-1] @ m)
    right = [np.eye(mats[-1].shape[1])]
    for m in mats[:0:-1]:
        right.append(m @ right[-1])
    right = right[::-1]
    return [
        np.reshape(_mT(lft) @ g2 @ _mT(rgt), np.shape(m))
        for lft, rgt, m in zip(left, right, arrays)
    ]
