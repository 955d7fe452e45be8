"""Primitives: what one Wengert-list statement computes, as a primal function and its operands.

`classify` is the one place that maps the IR's syntax to the keys of the rule tables: `a * b` is
`operator.mul(a, b)`, `x[i]` is `operator.getitem(x, i)`, `np.sin(x)` is `numpy.sin(x)`, and
`x.sum(axis=0)` is the array method `sum` of `x`.

>>> import gast, operator
>>> from tangentish.parse import Namespace
>>> p = classify(gast.parse("a * 2").body[0].value, Namespace({}, {}, frozenset({"a"})))
>>> p.function is operator.mul, [gast.unparse(a).strip() for a in p.args]
(True, ['a', '2'])
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

import gast

from .parse import Namespace

_OPERATORS: dict[type, Any] = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
    gast.Pow: operator.pow,
    gast.FloorDiv: operator.floordiv,
    gast.Mod: operator.mod,
    gast.MatMult: operator.matmul,
    gast.USub: operator.neg,
    gast.UAdd: operator.pos,
    gast.Not: operator.not_,
    gast.Eq: operator.eq,
    gast.NotEq: operator.ne,
    gast.Lt: operator.lt,
    gast.LtE: operator.le,
    gast.Gt: operator.gt,
    gast.GtE: operator.ge,
}


@dataclass(frozen=True)
class Primitive:
    """One statement's computation. Exactly one of `function`/`method` is set for an operation;
    neither for a copy (`v = a`) or a container (`v = (a, b)`)."""

    kind: str  # "copy", "container", "dict", "call", "method", "function" (a lambda), "unknown"
    args: list[gast.expr]
    keywords: dict[str, gast.expr] = field(default_factory=dict)
    function: Any = None
    method: str | None = None
    callee: gast.expr | None = None  # the call's function expression, for messages


def classify(value: gast.expr, namespace: Namespace) -> Primitive:
    """The primitive a Wengert-list right-hand side computes."""
    if isinstance(value, gast.Lambda):
        return Primitive("function", [])
    if isinstance(value, (gast.Name, gast.Constant)):
        return Primitive("copy", [value])
    if isinstance(value, (gast.Tuple, gast.List)):
        return Primitive("container", list(value.elts))
    if isinstance(value, gast.Dict):
        keywords = {f"{i}": k for i, k in enumerate(value.keys)}  # the keys, by position
        return Primitive("dict", list(value.values), keywords)
    if isinstance(value, gast.BinOp):
        return Primitive("call", [value.left, value.right], function=_OPERATORS[type(value.op)])
    if isinstance(value, gast.UnaryOp):
        return Primitive("call", [value.operand], function=_OPERATORS[type(value.op)])
    if isinstance(value, gast.Compare):
        args = [value.left, value.comparators[0]]
        return Primitive("call", args, function=_OPERATORS[type(value.ops[0])])
    if isinstance(value, gast.Subscript):
        return Primitive("call", [value.value, value.slice], function=operator.getitem)
    if isinstance(value, gast.Attribute):
        if namespace.resolve(value) is not None:
            return Primitive("copy", [value])
        return Primitive("method", [value.value], method=value.attr, callee=value)
    if isinstance(value, gast.Call):
        keywords = {k.arg: k.value for k in value.keywords}
        resolved = namespace.resolve(value.func)
        if resolved is not None:
            return Primitive(
                "call", list(value.args), keywords, function=resolved.value, callee=value.func
            )
        if isinstance(value.func, gast.Attribute):
            args = [value.func.value, *value.args]
            return Primitive("method", args, keywords, method=value.func.attr, callee=value.func)
        return Primitive("unknown", list(value.args), keywords, callee=value.func)
    return Primitive("unknown", [])


def operand_names(expr: gast.expr) -> list[str]:
    """The local names an operand or index expression reads, in order (not those a lambda reads
    when it is called)."""
    if isinstance(expr, gast.Lambda):
        return []
    return [n.id for n in gast.walk(expr) if isinstance(n, gast.Name)]
