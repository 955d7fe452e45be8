"""Aliasing: refuse in-place updates whose effect through another name the adjoint would miss.

Python's `a[i] = v`, and `a += b` on an array, change the array object, so every other name bound
to it (`b = a`, a view `b = a[1:]`, `a.T`, ...) sees the change. tangentish differentiates writes
into arrays the function made itself (`np.zeros`, arithmetic, `.copy()`), lowers `x += y` to
`x = x + y`, and checks here that no other name could observe the difference: an alias of an
array read after the array was updated, or a write into an array that may be the caller's or a
view. Anything else raises `UnsupportedSyntaxError` naming the line; it never differentiates
wrongly.

>>> import numpy as np
>>> from tangentish.parse import parse
>>> from tangentish.normalize import lower
>>> from tangentish.naming import Namer
>>> def f(x):
...     a = x * 1.0
...     a[0] = 2.0
...     b = x
...     b[1] = 3.0
...     return a + b
>>> check(lower(parse(f), Namer(set())), [], parse(f), {})  # `x` is copied on entry
['x']
"""

from __future__ import annotations

import gast
import numpy as np

from . import rules, runtime
from .activity import is_write
from .errors import UnsupportedSyntaxError
from .kinds import CONTAINER, SCALAR
from .parse import ParsedFunction, location
from .primitives import classify

#: NumPy functions whose result is a new array, never a view of an argument.
FRESH = frozenset(
    {
        np.zeros,
        np.ones,
        np.empty,
        np.full,
        np.zeros_like,
        np.ones_like,
        np.empty_like,
        np.full_like,
        np.array,
        np.copy,
        np.arange,
        np.linspace,
        np.eye,
        np.identity,
        np.concatenate,
        np.stack,
        np.hstack,
        np.vstack,
        np.outer,
        np.dot,
        np.matmul,
        np.cumsum,
        np.cumprod,
        np.tile,
        np.repeat,
        runtime.zeros_like,
        runtime.copy_input,
        runtime.list_append,
        runtime.list_extend,
        runtime.list_pop,
    }
)
_COPYING_METHODS = frozenset({"copy", "astype", "flatten", "cumsum", "cumprod", "round"})


def _statements(body: list[gast.stmt]) -> list[tuple[gast.stmt, tuple[int, ...]]]:
    """Every simple statement in order, with the loops (by position) that contain it."""
    out: list[tuple[gast.stmt, tuple[int, ...]]] = []

    def walk(statements: list[gast.stmt], loops: tuple[int, ...]) -> None:
        for statement in statements:
            if isinstance(statement, (gast.For, gast.While)):
                walk(statement.body, (*loops, len(out)))
            elif isinstance(statement, gast.If):
                walk(statement.body, loops)
                walk(statement.orelse, loops)
            else:
                out.append((statement, loops))

    walk(body, ())
    return out


def _fresh(value: gast.expr, parsed: ParsedFunction) -> bool:
    """True when `value` certainly makes a new array (or a number)."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Constant, gast.Dict)):
        return True
    if isinstance(value, (gast.List, gast.Tuple)):  # a new container (of possibly shared items)
        return True
    primitive = classify(value, parsed.namespace)
    if primitive.kind == "method":
        return primitive.method in _COPYING_METHODS
    if primitive.kind != "call" or isinstance(value, gast.Subscript):
        return False
    function = primitive.function
    if function in FRESH or isinstance(function, np.ufunc):
        return True
    rule = rules.lookup(function, len(primitive.args))
    return rule is not None and rule.tier == "partials"


def _aliases(value: gast.expr, parsed: ParsedFunction, kinds: dict[str, str]) -> set[str]:
    """Local names whose array the value may share memory with (a copy, a view, a container).
    An entry read from a list or dict shares nothing with the list itself."""
    if _fresh(value, parsed):
        return set()
    if isinstance(value, gast.Subscript) and kinds.get(getattr(value.value, "id", "")) == CONTAINER:
        return set()
    primitive = classify(value, parsed.namespace)
    if primitive.kind == "call" and rules.is_zero(primitive.function):
        return set()  # lengths, shapes, comparisons: new values
    operands = primitive.args[:1] if isinstance(value, gast.Subscript) else primitive.args
    return {a.id for a in operands if isinstance(a, gast.Name)}


def check(
    wengert: gast.FunctionDef,
    augmented: list[tuple[str, int]],
    parsed: ParsedFunction,
    kinds: dict[str, str] | None = None,
) -> list[str]:
    """Raise `UnsupportedSyntaxError` where an alias could observe an in-place update. Returns
    the parameters written into in place: the generated code copies them on entry, so that the
    caller's arrays are never modified."""
    statements = _statements(wengert.body)
    params = {a.id for a in wengert.args.args}
    augmented_lines = set(augmented)
    updates: list[tuple[str, int, gast.stmt]] = []  # (array, position, statement)
    for position, (statement, _) in enumerate(statements):
        if is_write(statement):
            updates.append((statement.targets[0].value.id, position, statement))
        elif isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Name):
            name = statement.targets[0].id
            scalar = (kinds or {}).get(name) == SCALAR  # numbers are immutable: `+=` rebinds
            augments = (name, statement.lineno) in augmented_lines
            if augments and not scalar:
                updates.append((name, position, statement))
    if not updates:
        return []
    origins: dict[str, set[str]] = {}  # name → local names it may be derived from (a view...)
    bound_to: dict[str, set[str]] = {}  # name → local names it is a plain copy of (`b = a`)
    definitions: dict[str, list[gast.expr]] = {}
    for statement, _ in statements:
        if isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Name):
            name = statement.targets[0].id
            definitions.setdefault(name, []).append(statement.value)
            if (kinds or {}).get(name) != SCALAR:  # a number shares no memory
                table = bound_to if isinstance(statement.value, gast.Name) else origins
                table.setdefault(name, set()).update(_aliases(statement.value, parsed, kinds or {}))
        elif isinstance(statement, gast.Assign) and not is_write(statement):
            source = statement.value  # `a, b = t`; a constant there fails as Python fails
            for target in gast.walk(statement.targets[0]):
                if isinstance(target, gast.Name) and isinstance(source, gast.Name):
                    origins.setdefault(target.id, set()).add(source.id)
    copies: set[str] = set()
    uses = _Uses(statements)
    for array, position, statement in updates:
        where = location(parsed, statement)
        if is_write(statement):
            roots = _roots(array, definitions, params, parsed, set())
            if roots is None:
                raise UnsupportedSyntaxError(
                    f"a write into `{array}`, which may be a view of another array: write "
                    f"into a copy instead (`{array} = {array}.copy()`)",
                    construct="in-place write into a view",
                    **where,
                )
            copies |= roots
        for alias in sorted(_aliases_of(array, origins, bound_to)):
            if uses.read_after(alias, position):
                raise UnsupportedSyntaxError(
                    f"`{array}` is updated in place here, and `{alias}` may share its memory "
                    f"and is used afterwards; tangentish cannot follow the change through "
                    f"`{alias}`: make `{array}` a copy (`.copy()`) where it is assigned, or "
                    f"write `{array} = {array} + ...`",
                    construct="in-place update of an aliased array",
                    **where,
                )
    return sorted(copies)


def _roots(
    array: str,
    definitions: dict[str, list[gast.expr]],
    params: set[str],
    parsed: ParsedFunction,
    seen: set[str],
) -> set[str] | None:
    """The parameters whose arrays a write into `array` may reach (through plain copies `b = a`),
    or None if `array` may be a view (`a[1:]`, `a.T`, ...) of another array."""
    if array in seen:
        return set()
    seen.add(array)
    found = {array} if array in params else set()
    for value in definitions.get(array, []):
        if isinstance(value, gast.Name):
            inner = _roots(value.id, definitions, params, parsed, seen)
            if inner is None:
                return None
            found |= inner
        elif not _fresh(value, parsed):
            return None
    return found


def _aliases_of(
    array: str, origins: dict[str, set[str]], bound_to: dict[str, set[str]]
) -> set[str]:
    """Every other name that may share memory with `array`: names bound to the same object
    (through plain copies `b = a`, either way), and anything derived from those (views,
    containers holding them), through any chain."""
    same = {array}
    changed = True
    while changed:
        grown = same | {n for n, sources in bound_to.items() if sources & same}
        grown |= {source for n in same for source in bound_to.get(n, ())}
        changed, same = grown != same, grown
    found = set(same)
    changed = True
    while changed:
        grown = found | {n for n, sources in origins.items() if sources & found}
        changed, found = grown != found, grown
    return found - {array}


class _Uses:
    """Where each name is read and assigned, by position among the simple statements."""

    def __init__(self, statements: list[tuple[gast.stmt, tuple[int, ...]]]) -> None:
        self.statements = statements
        self.loads: dict[str, list[int]] = {}
        self.stores: dict[str, list[int]] = {}
        self.bodies: dict[int, set[int]] = {}  # loop (by position) → the positions in it
        for position, (statement, loops) in enumerate(statements):
            for node in gast.walk(statement):
                if isinstance(node, gast.Name):
                    table = self.stores if isinstance(node.ctx, gast.Store) else self.loads
                    table.setdefault(node.id, []).append(position)
            for loop in loops:
                self.bodies.setdefault(loop, set()).add(position)

    def read_after(self, name: str, update: int) -> bool:
        """True if a read of `name` can follow the update at position `update` with no
        assignment to `name` in between: later in the text, or in the next iteration of a loop
        around both."""
        assigned = self.stores.get(name, [])
        update_loops = set(self.statements[update][1])
        for read in self.loads.get(name, []):
            if read > update and not any(update < d < read for d in assigned):
                return True
            shared = set(self.statements[read][1]) & update_loops
            if read <= update and shared:
                body = self.bodies[max(shared)]  # the innermost loop around both
                if not any(d in body and (d > update or d < read) for d in assigned):
                    return True
        return False
