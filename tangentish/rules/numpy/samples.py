"""Sample inputs for structural rules (`samples=`): each builder returns a function
rng → [(args, kwargs), ...], the calls on which the tests check a rule against finite differences.

Samples avoid the points where a rule has no derivative (ties, zeros of a norm, singular or
indefinite matrices), so that central differences are a valid oracle there.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

Call = tuple[tuple[Any, ...], dict[str, Any]]
Samples = Callable[[np.random.Generator], list[Call]]

#: The axis variants every reduction is checked on, for a (3, 4) matrix and a vector.
REDUCTION_KWARGS: tuple[dict[str, Any], ...] = (
    {},
    {"axis": 0},
    {"axis": 1, "keepdims": True},
    {"axis": (0, 1)},
)


def arrays(*shapes: tuple[int, ...], **kwargs: Any) -> Samples:
    """One call per shape: a random normal array of that shape, and `kwargs`."""

    def samples(rng: np.random.Generator) -> list[Call]:
        return [((rng.normal(size=shape),), dict(kwargs)) for shape in shapes]

    return samples


def positive(*shapes: tuple[int, ...], **kwargs: Any) -> Samples:
    """One call per shape: a random array with entries in [0.5, 2], and `kwargs`."""

    def samples(rng: np.random.Generator) -> list[Call]:
        return [((rng.uniform(0.5, 2.0, size=shape),), dict(kwargs)) for shape in shapes]

    return samples


def calls(
    shape: tuple[int, ...],
    *args: Any,
    variants: tuple[dict[str, Any], ...] | None = None,
    **kwargs: Any,
) -> Samples:
    """A random array of `shape` with the extra positional `args`: one call with `kwargs`, or one
    per keyword dictionary in `variants`."""

    def samples(rng: np.random.Generator) -> list[Call]:
        return [((rng.normal(size=shape), *args), dict(kw)) for kw in variants or (kwargs,)]

    return samples


def reductions(*extra: dict[str, Any]) -> Samples:
    """A reduction's samples: every `REDUCTION_KWARGS` variant on a (3, 4) matrix (merged with
    each of `extra`), and the last axis of a vector."""
    merged = [{**kw, **e} for kw in REDUCTION_KWARGS for e in (extra or ({},))]

    def samples(rng: np.random.Generator) -> list[Call]:
        matrix = rng.normal(size=(3, 4))
        return [((matrix,), kw) for kw in merged] + [((rng.normal(size=5),), {"axis": -1})]

    return samples


def pairs(*shape_pairs: tuple[tuple[int, ...], tuple[int, ...]], **kwargs: Any) -> Samples:
    """One call per pair of shapes: two random normal arrays, and `kwargs`."""

    def samples(rng: np.random.Generator) -> list[Call]:
        return [
            ((rng.normal(size=sa), rng.normal(size=sb)), dict(kwargs)) for sa, sb in shape_pairs
        ]

    return samples


def spd(rng: np.random.Generator, n: int, batch: tuple[int, ...] = ()) -> Any:
    """A random symmetric positive definite matrix (or stack of them) with distinct eigenvalues."""
    m = rng.normal(size=batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def well_conditioned(rng: np.random.Generator, n: int, batch: tuple[int, ...] = ()) -> Any:
    """A random nonsingular matrix (or stack): the identity scaled, plus noise."""
    return 2 * np.eye(n) + 0.5 * rng.normal(size=batch + (n, n))


def distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    """A random array without ties: a shuffled, jittered range (for sorts and order statistics)."""
    size = int(np.prod(shape))
    values = rng.permutation(size) + rng.uniform(0.1, 0.9, size=size)
    return np.reshape(values, shape)


def of(*builders: Samples) -> Samples:
    """The samples of several builders, concatenated."""

    def samples(rng: np.random.Generator) -> list[Call]:
        return [call for build in builders for call in build(rng)]

    return samples
