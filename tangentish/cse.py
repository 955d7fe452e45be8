"""CSE: a call computed twice from the same values is computed once (never `cos(x)` twice).

The adjoint recomputes what the primal replay already has (`sin(x)` folded into the sweep beside
the `sin(x)` of `cos`'s derivative), and the sweep repeats partials. Within a run of statements
with no loop or branch between them, a pure call that occurs again while none of the names it
reads has been assigned is read from a name: the one the first occurrence assigned
(`_v2 = np.cos(x)` ... `np.cos(x)` → `_v2`), or a new temporary assigned just before the
statement of the first occurrence.

Only occurrences that are operands (of arithmetic, a comparison or a call) are replaced, so no
two names come to share one array that either could hand out; a function that writes into an
array or attribute anywhere is left as it is, as a write through another name could change what
a call reads. Calls under a conditional expression, `and`/`or` or a lambda are not hoisted out.

>>> import gast
>>> from tangentish.optimize import Effects
>>> tree = gast.parse('''
... def f_grad(x):
...     x_bar = math.sin(x) * -math.sin(x)
...     x_bar = math.cos(x) * math.cos(x) + x_bar
...     return x_bar
... ''').body[0]
>>> names = iter(["_v1", "_v2"])
>>> eliminate(tree, Effects(lambda call: True), lambda: next(names))
>>> print(gast.unparse(tree).strip())
def f_grad(x):
    _v1 = math.sin(x)
    x_bar = _v1 * -_v1
    _v2 = math.cos(x)
    x_bar = _v2 * _v2 + x_bar
    return x_bar
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import gast

from .optimize import Effects, size
from .recording import loads

_COMPOUND = (gast.If, gast.For, gast.While)
#: Statements a run may hold; any other (a loop, a branch, a nested def) ends it.
_STRAIGHT = (gast.Assign, gast.Expr, gast.Return)
#: Operations that use their operands' values up at once, making a value of their own: an
#: operand read from a name, or an array another name holds, shares nothing through them.
ARITHMETIC = (gast.BinOp, gast.UnaryOp, gast.Compare)
#: Where a call's value is used as an operand: reading it from a name shares nothing.
_OPERAND_OF = (*ARITHMETIC, gast.Call)
#: Expressions whose parts may not all run: a call under them stays where it is.
_CONDITIONAL = (
    gast.IfExp,
    gast.BoolOp,
    gast.Lambda,
    gast.ListComp,
    gast.SetComp,
    gast.DictComp,
    gast.GeneratorExp,
)


def eliminate(fn: gast.FunctionDef, effects: Effects, fresh: Callable[[], str]) -> None:
    """Compute each repeated pure call of `fn` once per run of straight-line statements; `fresh`
    names a new temporary."""
    if any(_writes_in_place(node) for node in gast.walk(fn)):
        return
    _Blocks(effects, fresh).visit(fn.body)


def _writes_in_place(node: gast.AST) -> bool:
    if isinstance(node, gast.AugAssign):
        return True
    return isinstance(node, (gast.Subscript, gast.Attribute)) and isinstance(
        node.ctx, (gast.Store, gast.Del)
    )


@dataclass
class _Occurrence:
    statement: int  # its statement's index in the block
    node: gast.Call
    operand: bool  # used as an operand, so it may be read from a name


@dataclass
class _Group:
    """The occurrences of one call, while what it reads (and the name its first occurrence
    assigned, if any) keeps its value."""

    reads: set[str]
    binding: str | None  # the name the first occurrence is the whole value of
    occurrences: list[_Occurrence] = field(default_factory=list)

    def ends(self, stored: set[str], statement: int) -> bool:
        rebound = self.binding in stored and statement != self.occurrences[0].statement
        return bool(self.reads & stored) or rebound


@dataclass
class _Scan:
    candidates: list[tuple[gast.Call, bool]]  # each with whether it is an operand
    stores: set[str]


@dataclass
class _Blocks:
    effects: Effects
    fresh: Callable[[], str]

    def visit(self, body: list[gast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, _COMPOUND):
                self.visit(statement.body)
                self.visit(statement.orelse)
        while self.rewrite_one(body):
            pass

    def rewrite_one(self, body: list[gast.stmt]) -> bool:
        """Rewrite the first repeated call found (the larger first, so a repeated `f(g(x))`
        goes before its `g(x)`); False when none is left."""
        groups: dict[str, _Group] = {}
        done: list[_Group] = []
        for i, statement in enumerate(body):
            scan = self.scan(statement)
            if scan is None:
                done += groups.values()
                groups = {}
                continue
            for node, operand in scan.candidates:
                key = gast.dump(node)
                if key not in groups:
                    groups[key] = _Group(loads([node]), _assigned_name(statement, node))
                groups[key].occurrences.append(_Occurrence(i, node, operand))
            for key in [k for k, g in groups.items() if g.ends(scan.stores, i)]:
                done.append(groups.pop(key))
        done += groups.values()
        repeated = [g for g in done if any(o.operand for o in g.occurrences[1:])]
        if not repeated:
            return False
        group = max(repeated, key=lambda g: size(g.occurrences[0].node))
        self.rewrite(body, group)
        return True

    def scan(self, statement: gast.stmt) -> _Scan | None:
        """The calls `statement` always evaluates and the names it assigns, in one walk; None
        for a statement that ends every group: a loop, a branch, a nested def, or a call that
        may change what others read (anything impure)."""
        if not isinstance(statement, _STRAIGHT):
            return None
        scan = _Scan([], set())
        impure = False

        def walk(node: gast.AST, parent: gast.AST | None, hoistable: bool) -> bool:
            """Whether `node` holds a conditional part (then no call around it is hoisted)."""
            nonlocal impure
            conditional = isinstance(node, _CONDITIONAL)
            inner = False
            for child in gast.iter_child_nodes(node):
                inner |= walk(child, node, hoistable and not conditional)
            if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
                scan.stores.add(node.id)
            elif isinstance(node, gast.Call):
                if not self.effects.pure(node):
                    impure = True
                elif hoistable and not inner:
                    scan.candidates.append((node, isinstance(parent, _OPERAND_OF)))
            return inner or conditional

        walk(statement, None, True)
        return None if impure else scan

    def rewrite(self, body: list[gast.stmt], group: _Group) -> None:
        first = group.occurrences[0]
        statement = body[first.statement]
        replaced = {id(o.node) for o in group.occurrences[1:] if o.operand}
        target, binding = group.binding, None
        if target is None or target in group.reads:
            target = self.fresh()
            replaced.add(id(first.node))  # it reads the new name; the binding holds the call
            binding = gast.Assign(
                targets=[gast.Name(target, gast.Store(), None, None)],
                value=first.node,
                type_comment=None,
            )
            body.insert(first.statement, gast.copy_location(binding, statement))
        _Replace(replaced, target, skip=binding).visit_statements(body)


def _assigned_name(statement: gast.stmt, node: gast.Call) -> str | None:
    """The name `statement` assigns `node` to, when `node` is its whole value."""
    if (
        isinstance(statement, gast.Assign)
        and statement.value is node
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], gast.Name)
    ):
        return statement.targets[0].id
    return None


class _Replace(gast.NodeTransformer):
    """Replace the calls of `replaced` (by identity) with a load of `name`."""

    def __init__(self, replaced: set[int], name: str, skip: gast.stmt | None) -> None:
        self.replaced, self.name, self.skip = replaced, name, skip

    def visit_statements(self, body: list[gast.stmt]) -> None:
        for statement in body:
            if statement is not self.skip:
                self.visit(statement)

    def visit_Call(self, node: gast.Call) -> gast.expr:
        if id(node) in self.replaced:
            return gast.copy_location(gast.Name(self.name, gast.Load(), None, None), node)
        self.generic_visit(node)
        return node
