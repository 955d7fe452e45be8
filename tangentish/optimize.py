"""Optimize: fold the mechanical adjoint into what a person would write.

Three rewrites run to a fixed point over straight-line code:
- copy propagation: after `a = b`, read `b` for `a` (until either is reassigned);
- forward substitution: a generated name (`_v3`, `x_bar`) used exactly once is folded into its use,
  so `x_bar = c1; x_bar = c2 + x_bar` becomes `x_bar = c2 + c1`;
- dead-code elimination: pure assignments nobody reads are dropped (primal values the adjoint
  does not need go with them).
plus algebraic simplification of the results (`x * 1`, `0 + x`, `-(-x)`). User variables keep their
names, results are never folded into `return`, and calls that may have side effects (anything
without a derivative rule, such as `print`) are never moved or dropped.

>>> import gast
>>> tree = gast.parse('''
... def f_grad(x, seed=1.0):
...     _v1 = x * x
...     _v1_bar = seed
...     x_bar = _v1_bar * x
...     x_bar = _v1_bar * x + x_bar
...     return x_bar
... ''').body[0]
>>> print(gast.unparse(optimize(tree, {"_v1", "_v1_bar", "x_bar"}, lambda call: True)).strip())
def f_grad(x, seed=1.0):
    x_bar = seed * x + seed * x
    return x_bar
"""

from __future__ import annotations

import copy
import operator
from typing import Callable

import gast

#: Decides whether a call expression is free of side effects (it has a derivative rule, say).
PureCall = Callable[[gast.Call], bool]

#: The most syntax nodes a folded statement may have: beyond it, lines stop reading like math.
FOLD_LIMIT = 30


def optimize(fn: gast.FunctionDef, generated: set[str], pure_call: PureCall) -> gast.FunctionDef:
    """Copy propagation, forward substitution and dead-code elimination, to a fixed point."""
    fn = copy.deepcopy(fn)
    body = fn.body
    changed = True
    while changed:
        changed = False
        for i in range(len(body)):
            if _substitute(body, i, generated, pure_call):
                changed = True
                break
        if _eliminate_dead(body, pure_call):
            changed = True
    fn.body = [_Simplify().visit(s) for s in body]
    return fn


def _target(statement: gast.stmt) -> str | None:
    if isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Name):
        return statement.targets[0].id
    return None


def _loads(node: gast.AST) -> list[gast.Name]:
    return [n for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


def _stores(node: gast.AST) -> set[str]:
    return {
        n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }


def _is_atom(node: gast.expr) -> bool:
    if isinstance(node, (gast.Name, gast.Constant)):
        return True
    return isinstance(node, gast.Attribute) and _is_atom(node.value)


def _is_pure(node: gast.expr, pure_call: PureCall) -> bool:
    return all(pure_call(n) for n in gast.walk(node) if isinstance(n, gast.Call))


def _substitute(body: list[gast.stmt], i: int, generated: set[str], pure_call: PureCall) -> bool:
    """Put `body[i]`'s value in place of every use of its target, and drop it; True if done.

    An atom (a name or constant) goes everywhere; any other pure expression only into the single
    use of a generated name. Every use must see the same operand values as the definition did, no
    use may be a `return` (results keep their names), and a non-atom never moves past a statement
    with side effects.
    """
    name = _target(body[i])
    if name is None:
        return False
    value = body[i].value
    atom = _is_atom(value)
    if not atom and (name not in generated or not _is_pure(value, pure_call)):
        return False
    reads = {n.id for n in _loads(value)}
    uses: list[tuple[int, gast.Name]] = []
    blocked = False
    for j in range(i + 1, len(body)):
        statement = body[j]
        here = [n for n in _loads(statement) if n.id == name]
        if here:
            if blocked or isinstance(statement, gast.Return):
                return False
            uses += [(j, n) for n in here]
        stored = _stores(statement)
        if name in stored:
            break
        if reads & stored or not (atom or _is_pure_statement(statement, pure_call)):
            blocked = True
    if not uses or (not atom and len(uses) != 1):
        return False
    if not atom and _size(value) + _size(body[uses[0][0]]) > FOLD_LIMIT:
        return False  # a person would keep this one on its own line
    for j, use in uses:
        _replace(body[j], use, value)
    del body[i]
    return True


def _size(node: gast.AST) -> int:
    return sum(1 for n in gast.walk(node) if isinstance(n, (gast.expr, gast.stmt)))


def _is_pure_statement(statement: gast.stmt, pure_call: PureCall) -> bool:
    return isinstance(statement, gast.Assign) and _is_pure(statement.value, pure_call)


def _replace(statement: gast.stmt, old: gast.Name, new: gast.expr) -> None:
    class Replace(gast.NodeTransformer):
        def visit_Name(self, node: gast.Name) -> gast.expr:
            return copy.deepcopy(new) if node is old else node

    Replace().visit(statement)


def _eliminate_dead(body: list[gast.stmt], pure_call: PureCall) -> bool:
    """Drop pure assignments whose value nobody reads before the name is assigned again."""
    changed = False
    live: set[str] = set()
    kept: list[gast.stmt] = []
    for statement in reversed(body):
        stores = _stores(statement)
        dead = (
            isinstance(statement, gast.Assign)
            and not (stores & live)
            and _is_pure(statement.value, pure_call)
        )
        if dead:
            changed = True
            continue
        live = (live - stores) | {n.id for n in _loads(statement)}
        kept.append(statement)
    body[:] = reversed(kept)
    return changed


_FOLDABLE = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul}


class _Simplify(gast.NodeTransformer):
    """Constant folding (`2 - 1 → 1`) and `x * 1 → x`, `x ** 1 → x`, `x + 0 → x`, `-(-x) → x`,
    `x * -1 → -x`."""

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = node.left, node.right
        a, b = _number(left), _number(right)
        if a is not None and b is not None and type(node.op) in _FOLDABLE:
            folded = _FOLDABLE[type(node.op)](a, b)
            return (
                gast.Constant(folded, None)
                if folded >= 0
                else gast.UnaryOp(op=gast.USub(), operand=gast.Constant(-folded, None))
            )
        if isinstance(node.op, gast.Pow) and b == 1:
            return left
        if isinstance(node.op, gast.Mult):
            for a, b in ((left, right), (right, left)):
                if _number(b) == 1:
                    return a
                if _number(b) == -1:
                    return gast.UnaryOp(op=gast.USub(), operand=a)
        if isinstance(node.op, (gast.Add, gast.Sub)) and _number(right) == 0:
            return left
        if isinstance(node.op, gast.Add) and _number(left) == 0:
            return right
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        inner = node.operand
        if (
            isinstance(node.op, gast.USub)
            and isinstance(inner, gast.UnaryOp)
            and isinstance(inner.op, gast.USub)
        ):
            return inner.operand
        return node


def _number(node: gast.expr) -> float | None:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None
