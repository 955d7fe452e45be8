"""Symbolic: the derivative as an expression of the inputs, read from the optimized adjoint.

Where the optimized code is straight-line, every assignment is substituted into the ones after it
and the seed is set to 1 (dz/dz), leaving one expression per input: for `x1 * x2 + np.sin(x1)`,
`x2 + math.cos(x1)` and `x1`. This is the answer to "symbols or values?": tangentish manipulates
symbols (code) once, at compile time, and the generated code then computes with values. Code with
control flow has no single expression (the derivative depends on the path): `inline` returns {}.
In forward mode, `inline_tangent` does the same for the tangent code, its tangent parameters (the
seeds) set to their values: along x1 (x1_dot = 1, x2_dot = 0), `x2 + math.cos(x1)`.

>>> f = gast.parse('''
... def f_grad(x, y, seed=1.0):
...     a = x * y
...     x_bar = seed * y + seed * a
...     return x_bar''').body[0]
>>> {k: gast.unparse(v).strip() for k, v in inline(f, ("x",)).items()}
{'x': 'y + x * y'}
"""

from __future__ import annotations

import copy
import operator
from typing import Any

import gast

#: Expressions longer than this, once inlined, read better as the code itself.
LONGEST = 160

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul}


def inline(node: gast.FunctionDef, names: tuple[str, ...]) -> dict[str, gast.expr]:
    """The derivative with respect to each of `names` as one expression, or {} if there is none."""
    known = _straight(node, {node.args.args[-1].id: gast.Constant(1.0, None)})
    if known is None:
        return {}
    returned = node.body[-1].value
    grads = returned.elts if isinstance(returned, gast.Tuple) and len(names) > 1 else [returned]
    found = {name: _simplify(_substitute(g, known)) for name, g in zip(names, grads)}
    if any(len(gast.unparse(e)) > LONGEST for e in found.values()):
        return {}
    return found


def inline_tangent(node: gast.FunctionDef, seeds: tuple[Any, ...]) -> gast.expr | None:
    """The output's tangent as one expression of the inputs, the last parameters (the tangents)
    set to `seeds`; None if there is none (control flow, array seeds, too long)."""
    if not all(isinstance(s, (int, float)) for s in seeds):
        return None
    tangents = node.args.args[len(node.args.args) - len(seeds) :]
    known = _straight(node, {t.id: gast.Constant(s, None) for t, s in zip(tangents, seeds)})
    if known is None:
        return None
    found = _simplify(_substitute(node.body[-1].value.elts[1], known))
    return None if len(gast.unparse(found)) > LONGEST else found


def _straight(node: gast.FunctionDef, known: dict[str, gast.expr]) -> dict[str, gast.expr] | None:
    """Every name the straight-line `node` assigns, as an expression of its parameters (`known`
    gives some their values); None if `node` has control flow."""
    for statement in node.body[:-1]:
        if isinstance(statement, gast.Expr):  # a check that does not compute a value
            continue
        if not (isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Name)):
            return None
        known[statement.targets[0].id] = _substitute(statement.value, known)
    return known


def _substitute(expr: gast.expr, known: dict[str, gast.expr]) -> gast.expr:
    class Substitute(gast.NodeTransformer):
        def visit_Name(self, name: gast.Name) -> gast.expr:
            return copy.deepcopy(known[name.id]) if name.id in known else name

    return Substitute().visit(copy.deepcopy(expr))


def _is(node: gast.expr, number: float) -> bool:
    return (
        isinstance(node, gast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
        and node.value == number
    )


def _simplify(expr: gast.expr) -> gast.expr:
    """Drop the seed's traces: `1.0 * a` is `a`, `0.0 * a` is 0, `a ** 1` is `a`, `-(-a)` is `a`,
    `2 - 1` is 1."""

    class Simplify(gast.NodeTransformer):
        def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
            self.generic_visit(node)
            left, right, op = node.left, node.right, type(node.op)
            if op is gast.Mult and (_is(left, 0) or _is(right, 0)):
                return gast.Constant(0, None)
            if op is gast.Div and _is(left, 0):
                return gast.Constant(0, None)
            if op is gast.Sub and _is(left, 0):
                return gast.UnaryOp(op=gast.USub(), operand=right)
            if op is gast.Mult and _is(left, 1):
                return right
            if op in (gast.Mult, gast.Div, gast.Pow) and _is(right, 1):
                return left
            if op in (gast.Add, gast.Sub) and _is(right, 0):
                return left
            if op is gast.Add and _is(left, 0):
                return right
            both = all(isinstance(s, gast.Constant) for s in (left, right))
            if op in _FOLD and both and _is(left, left.value) and _is(right, right.value):
                return gast.Constant(_FOLD[op](left.value, right.value), None)
            return node

        def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
            self.generic_visit(node)
            inner = node.operand
            negated = isinstance(inner, gast.UnaryOp) and isinstance(inner.op, gast.USub)
            return inner.operand if isinstance(node.op, gast.USub) and negated else node

    return Simplify().visit(expr)
