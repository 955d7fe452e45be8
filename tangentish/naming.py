"""Naming: fresh, deterministic names that never collide with a name already in scope.

Temporaries are Wengert's w_i, spelled `_v1, _v2, ...`; adjoints are `x_bar`, tangents `x_dot`.
When a wanted name is taken (as in `grad(grad(f))`, whose code already has `seed` and `x_bar`), the
new name gets the first free numeric suffix, counted per compilation, so the same function always
gives the same names.

>>> namer = Namer({"x", "x_bar", "seed"})
>>> namer.temporary(), namer.temporary()
('_v1', '_v2')
>>> namer.adjoint("x"), namer.adjoint("x"), namer.claim("seed")
('x_bar_1', 'x_bar_1', 'seed_1')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import gast


class Namer:
    """Hands out names that are unique within one compilation."""

    def __init__(self, taken: Iterable[str], created: set[str] | None = None) -> None:
        self._taken = set(taken)
        self.created: set[str] = set() if created is None else created  # every name handed out
        self._count = 0
        self._adjoints: dict[str, str] = {}
        self._tangents: dict[str, str] = {}

    def claim(self, wanted: str) -> str:
        """`wanted`, or `wanted_1`, `wanted_2`, ... whichever is free first; it is then taken."""
        name, suffix = wanted, 0
        while name in self._taken:
            suffix += 1
            name = f"{wanted}_{suffix}"
        self._taken.add(name)
        self.created.add(name)
        return name

    def temporary(self) -> str:
        """The next Wengert temporary, `_v<n>`."""
        while True:
            self._count += 1
            name = f"_v{self._count}"
            if name not in self._taken:
                self._taken.add(name)
                self.created.add(name)
                return name

    def tangent(self, primal: str) -> str:
        """The tangent name of `primal` (`x` → `x_dot`), the same one every time."""
        if primal not in self._tangents:
            self._tangents[primal] = self.claim(f"{primal}_dot")
        return self._tangents[primal]

    @property
    def derivatives(self) -> frozenset[str]:
        """Every adjoint and tangent name handed out so far (the optimizer simplifies those)."""
        return frozenset(self._adjoints.values()) | frozenset(self._tangents.values())

    @property
    def adjoints(self) -> frozenset[str]:
        """Every adjoint name handed out so far."""
        return frozenset(self._adjoints.values())

    def adjoints_of(self, primals: Iterable[str]) -> set[str]:
        """The adjoint names handed out for these primals (none is claimed)."""
        return {self._adjoints[p] for p in primals if p in self._adjoints}

    def adjoint(self, primal: str) -> str:
        """The adjoint name of `primal` (`x` → `x_bar`), the same one every time it is asked for."""
        if primal not in self._adjoints:
            self._adjoints[primal] = self.claim(f"{primal}_bar")
        return self._adjoints[primal]


def names_in(node: gast.AST) -> set[str]:
    """Every identifier a tree mentions: the names a new name must not collide with."""
    found = {child.id for child in gast.walk(node) if isinstance(child, gast.Name)}
    found |= {child.name for child in gast.walk(node) if isinstance(child, gast.FunctionDef)}
    return found


def store_counts(node: gast.AST) -> Counter[str]:
    """How many places in a tree assign each name (a name assigned once holds one value)."""
    return Counter(
        n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    )


def parameters(names: Iterable[str], defaults: list[gast.expr] | None = None) -> gast.arguments:
    """The plain positional parameters `names` of a generated function or lambda."""
    return gast.arguments(
        args=[gast.Name(name, gast.Param(), None, None) for name in names],
        posonlyargs=[],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=defaults or [],
    )
