"""Sample inputs for SciPy's rules: sampling intervals for elementwise rules whose inputs live where
no `rules.Domain` reaches (probabilities in (0, 1), counts), and builders of structural samples.

An `Interval` is used in `domains=` beside the `Domain` members: it has their `name`, `value` and
`sample(rng, shape)`, which is all the tests read. (A `Domain` member for each of these ranges,
or `domains=` typed to accept any such sampler, would make the cast below unnecessary.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .. import Domain


@dataclass(frozen=True)
class Interval:
    """Where an elementwise rule's input may be sampled: uniform in [low, high], or the integers
    there (as floats) when `integers`."""

    name: str
    low: float
    high: float
    integers: bool = False

    @property
    def value(self) -> tuple[float, float]:
        return (self.low, self.high)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
        if self.integers:
            value = rng.integers(int(self.low), int(self.high) + 1, size=shape).astype(float)
        else:
            value = rng.uniform(self.low, self.high, size=shape)
        return float(value) if shape == () else value


def _as_domain(interval: Interval) -> Domain:
    """`interval` where `rules.partials` expects a `Domain`: it samples the same way."""
    return cast(Domain, interval)


#: Probabilities, away from 0 and 1 (`logit`, `ndtri`, `beta`'s values).
PROBABILITY = _as_domain(Interval("PROBABILITY", 0.05, 0.95))
#: The argument of `erfcinv`, in (0, 2).
TWO = _as_domain(Interval("TWO", 0.1, 1.9))
#: Counts, for `poisson`: 0, 1, ..., 6 as floats.
COUNT = _as_domain(Interval("COUNT", 0, 6, integers=True))
#: Locations and scales for which `loc + scale * PROBABILITY` stays inside (0, 1): `beta`'s loc
#: and scale, so that its value (sampled as a PROBABILITY) is inside the support.
SMALL_LOC = _as_domain(Interval("SMALL_LOC", -0.05, 0.0))
WIDE_SCALE = _as_domain(Interval("WIDE_SCALE", 1.1, 1.2))


def spd(rng: np.random.Generator, n: int) -> Any:
    """A random symmetric positive definite matrix with distinct eigenvalues."""
    m = rng.normal(size=(n, n))
    return m @ m.T + n * np.eye(n)


def well_conditioned(rng: np.random.Generator, n: int) -> Any:
    """A random nonsingular matrix: the identity scaled, plus noise (not symmetric, not
    triangular, so a rule that reads one triangle is checked to ignore the other)."""
    return 2 * np.eye(n) + 0.5 * rng.normal(size=(n, n))


def positive(rng: np.random.Generator, *shape: int) -> Any:
    return rng.uniform(0.5, 2.0, size=shape)
