"""Simplify: the algebra a person does on an adjoint expression, done on the generated one.

Constant folding, `x * 1 → x`, `x + 0 → x`, `-(-x) → x`, and a negation a sum absorbs
(`-a + b → b - a`), on the statements that compute adjoints only: the primal's `x * 1.0` makes a
new float array, and the function may rely on that. A float `1.0` goes only where the other side
is provably a float, so the seed 1.0 folds away without making an integer's gradient one.

>>> import gast
>>> from tangentish.optimize import Effects
>>> tree = gast.parse('''
... def f_grad(a, x):
...     a_bar = -a * 1 + x * 0.5 * 1.0
...     return a_bar
... ''')
>>> simplify(tree.body[0], frozenset({"a_bar"}), frozenset({"x"}), Effects(lambda call: True))
>>> print(gast.unparse(tree).strip().splitlines()[1])
    a_bar = x * 0.5 - a
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING

import gast

from .naming import store_counts

if TYPE_CHECKING:
    from .optimize import Effects

_COMPOUND = (gast.If, gast.For, gast.While)


def simplify(
    fn: gast.FunctionDef, adjoints: frozenset[str], floats: frozenset[str], effects: Effects
) -> None:
    """Simplify, in place, the statements of `fn` that assign an adjoint; `floats` names the
    parameters known to be Python floats."""
    simplifier = _Simplify(adjoints | floats, fn, effects)

    def visit(body: list[gast.stmt]) -> None:
        for i, statement in enumerate(body):
            if isinstance(statement, _COMPOUND):
                visit(statement.body)
                visit(statement.orelse)
            elif (
                isinstance(statement, gast.Assign)
                and isinstance(statement.targets[0], gast.Name)
                and statement.targets[0].id in adjoints
            ):
                body[i] = simplifier.visit(statement)

    visit(fn.body)


_FOLDABLE = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul}


class _Simplify(gast.NodeTransformer):
    """Constant folding (`2 - 1 → 1`) and `x * 1 → x`, `x ** 1 → x`, `x + 0 → x`, `-(-x) → x`,
    `x * -1 → -x`, and a negation a sum absorbs: `-a + b → b - a`, `b + x * -y → b - x * y`.
    A float `1.0` or `-1.0` goes only from a product whose other side is provably a float (of
    `floats`, adjoints among them), since `1.0 * n` makes an integer a float."""

    def __init__(self, floats: frozenset[str], fn: gast.FunctionDef, effects: Effects) -> None:
        self.floats, self.fn, self.effects = floats, fn, effects
        self.open: set[str] = set()  # the names whose values are being judged

    @functools.cached_property
    def values(self) -> dict[str, gast.expr]:
        """The names the function assigns once, by `name = value`, each with its value: what
        such a name holds wherever it is read (parameters hold their argument first)."""
        fn = self.fn
        stores = store_counts(fn)
        params = {a.id for a in fn.args.args}
        return {
            s.targets[0].id: s.value
            for s in gast.walk(fn)
            if isinstance(s, gast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], gast.Name)
            and stores[s.targets[0].id] == 1
            and s.targets[0].id not in params
        }

    def is_float(self, node: gast.expr) -> bool:
        """Whether `node` is provably a float (or complex) number or array, so `1.0 * node`
        has its type and value."""
        if isinstance(node, gast.Constant):
            return type(node.value) is float
        if isinstance(node, gast.Name):
            if node.id in self.floats:
                return True
            if node.id not in self.values or node.id in self.open:
                return False
            self.open.add(node.id)
            found = self.is_float(self.values[node.id])
            self.open.discard(node.id)
            return found
        if isinstance(node, gast.BinOp):
            arithmetic = isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow))
            return arithmetic and (self.is_float(node.left) or self.is_float(node.right))
        if isinstance(node, gast.UnaryOp):
            return isinstance(node.op, (gast.USub, gast.UAdd)) and self.is_float(node.operand)
        if isinstance(node, gast.Call):
            return self.effects.floating(node)
        return False

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = node.left, node.right
        a, b = number(left), number(right)
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
                if isinstance(b, gast.BinOp) and isinstance(b.op, gast.Div) and number(b.left) == 1:
                    return gast.BinOp(left=a, op=gast.Div(), right=b.right)  # a * (1 / b) → a / b
                unit = number(b)
                if unit in (1, -1) and (type(unit) is int or self.is_float(a)):
                    return a if unit == 1 else gast.UnaryOp(op=gast.USub(), operand=a)
        if isinstance(node.op, (gast.Add, gast.Sub)) and number(right) == 0:
            return left
        if isinstance(node.op, gast.Add) and number(left) == 0:
            return right
        if isinstance(node.op, (gast.Add, gast.Sub)):  # a negation the sum absorbs
            flipped = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            positive = _positive(right)
            if positive is not None:  # b + x * -y → b - x * y; b - -y → b + y
                return gast.BinOp(left=left, op=flipped, right=positive)
            positive = _positive(left) if isinstance(node.op, gast.Add) else None
            if positive is not None:  # -a + b → b - a
                return gast.BinOp(left=right, op=gast.Sub(), right=positive)
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


def _positive(node: gast.expr) -> gast.expr | None:
    """`e` for an expression that is exactly `-e`: `-e`, a negative number, or a product or
    quotient with such a factor (the sign of a product is the signs' product, so
    `b + x * -y` and `b - x * y` are equal bit for bit). None for any other."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return node.operand
    value = number(node)
    if value is not None:
        return gast.Constant(-value, None) if value < 0 else None
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        left = _positive(node.left)
        if left is not None:
            return gast.BinOp(left=left, op=node.op, right=node.right)
        right = _positive(node.right)
        if right is not None:
            return gast.BinOp(left=node.left, op=node.op, right=right)
    return None


def number(node: gast.expr) -> float | None:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None
