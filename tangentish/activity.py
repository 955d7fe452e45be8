"""Activity: which variables vary with the `wrt` inputs and influence the output.

A variable is *varied* when it depends on a `wrt` input through a differentiable operation, *useful*
when the returned value depends on it, and *active* when both: only active variables get adjoints,
and only active operands get partials. The analysis joins over every assignment to a name, so it
holds for straight-line code and, unchanged, for loops and branches.

>>> import gast
>>> from tangentish.parse import parse
>>> from tangentish.normalize import lower
>>> from tangentish.naming import Namer
>>> def f(x, n):
...     k = n * 2
...     return x * k
>>> act = analyze(lower(parse(f), Namer(set())), ("x",), parse(f).namespace)
>>> sorted(act.active)
['_v1', 'x']
"""

from __future__ import annotations

from dataclasses import dataclass

import gast

from . import rules
from .parse import Namespace
from .primitives import Primitive, classify, operand_names


@dataclass(frozen=True)
class Activity:
    """The result of the analysis: the varied, useful and active names."""

    varied: frozenset[str]
    useful: frozenset[str]

    @property
    def active(self) -> frozenset[str]:
        return self.varied & self.useful

    def is_active(self, name: str) -> bool:
        return name in self.varied and name in self.useful


@dataclass(frozen=True)
class Assignment:
    """One way a Wengert list gives names values. A `for` loop assigns its target an element of
    its iterable, written `iterable[...]`; a write `a[i] = v` (`write`) gives `a` a value made of
    `a` and `v`, written `(a, v)`."""

    targets: list[str]
    value: gast.expr
    write: bool = False
    unpacks: bool = False  # `a, b = t` (also `a, = t`): the targets take the entries of `t`


def assignments(body: list[gast.stmt]) -> list[Assignment]:
    """Every assignment of a Wengert list, in order, nested blocks included."""
    found: list[Assignment] = []
    for statement in body:
        if isinstance(statement, gast.Assign) and is_write(statement):
            array = statement.targets[0].value
            value = gast.Tuple(elts=[array, statement.value], ctx=gast.Load())
            found.append(Assignment([array.id], value, write=True))
        elif isinstance(statement, gast.Assign):
            target = statement.targets[0]
            names = [n.id for n in gast.walk(target) if isinstance(n, gast.Name)]
            found.append(
                Assignment(names, statement.value, unpacks=not isinstance(target, gast.Name))
            )
        elif isinstance(statement, gast.For):
            element = gast.Subscript(
                value=statement.iter, slice=gast.Constant(Ellipsis, None), ctx=gast.Load()
            )
            found.append(Assignment([statement.target.id], element))
        for field in ("body", "orelse"):
            found += assignments(getattr(statement, field, []))
    return found


def is_write(statement: gast.stmt) -> bool:
    """True for `a[i] = v`: an in-place write into an array."""
    return isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Subscript)


def carries_derivative(primitive: Primitive) -> bool:
    """False for operations whose output never has a derivative (comparisons, floor, `.shape`)."""
    if primitive.kind == "call":
        return not rules.is_zero(primitive.function)
    if primitive.kind == "method":
        return not rules.is_zero_method(primitive.method or "")
    return True


def analyze(fn: gast.FunctionDef, wrt: tuple[str, ...], namespace: Namespace) -> Activity:
    """Varied and useful names of the Wengert list `fn` for inputs `wrt`."""
    pairs = [(a.targets, a.value, classify(a.value, namespace)) for a in assignments(fn.body)]
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for targets, value, primitive in pairs:
            if set(targets) <= varied or not carries_derivative(primitive):
                continue
            if varied.intersection(operand_names(value)):
                varied.update(targets)
                changed = True
    useful = {
        name
        for statement in gast.walk(fn)
        if isinstance(statement, gast.Return)
        for name in operand_names(statement.value)
    }
    changed = True
    while changed:
        changed = False
        for targets, value, _ in reversed(pairs):
            if useful.intersection(targets):
                reads = set(operand_names(value)) - useful
                if reads:
                    useful |= reads
                    changed = True
    return Activity(frozenset(varied), frozenset(useful))
