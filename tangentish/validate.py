"""Validate: an allow-list of the syntax tangentish differentiates, checked before anything else.

Anything outside the list raises `UnsupportedSyntaxError` naming the user's file, line, column and
the construct, so no later pass ever sees a node it does not handle.

>>> import gast
>>> from tangentish.parse import parse
>>> def f(x):
...     while x > 1:
...         x = x / 2
...     return x
>>> validate(parse(f))
Traceback (most recent call last):
...
tangentish.errors.UnsupportedSyntaxError: ...: a `while` loop is not supported (...)
"""

from __future__ import annotations

import gast

from .errors import UnsupportedSyntaxError
from .parse import ParsedFunction, location

STATEMENTS = (gast.Assign, gast.AugAssign, gast.Return, gast.Expr, gast.Pass)
EXPRESSIONS = (
    gast.BinOp,
    gast.UnaryOp,
    gast.Call,
    gast.Name,
    gast.Constant,
    gast.Attribute,
    gast.Subscript,
    gast.Slice,
    gast.Tuple,
    gast.List,
    gast.Compare,
)
OPERATORS = (
    gast.Add,
    gast.Sub,
    gast.Mult,
    gast.Div,
    gast.Pow,
    gast.FloorDiv,
    gast.Mod,
    gast.MatMult,
    gast.USub,
    gast.UAdd,
    gast.Eq,
    gast.NotEq,
    gast.Lt,
    gast.LtE,
    gast.Gt,
    gast.GtE,
)
CONTEXTS = (gast.Load, gast.Store, gast.keyword)

#: What to call a rejected node in a message, and which issue brings it, where one does.
_NAMES = {
    gast.If: "an `if` statement",
    gast.For: "a `for` loop",
    gast.While: "a `while` loop",
    gast.Break: "`break`",
    gast.Continue: "`continue`",
    gast.IfExp: "a conditional expression",
    gast.BoolOp: "`and`/`or`",
    gast.Not: "`not`",
    gast.FunctionDef: "a nested function definition",
    gast.Lambda: "a lambda",
    gast.ListComp: "a list comprehension",
    gast.Dict: "a dict literal",
    gast.Starred: "star-unpacking",
    gast.NamedExpr: "an assignment expression (walrus)",
}
_CONTROL_FLOW = (gast.If, gast.For, gast.While, gast.Break, gast.Continue, gast.IfExp, gast.BoolOp)


def validate(parsed: ParsedFunction) -> None:
    """Raise `UnsupportedSyntaxError` at the first construct outside the allow-list."""
    node = parsed.node
    args = node.args
    for extra, what in (
        (args.vararg, "*args"),
        (args.kwarg, "**kwargs"),
        (args.kwonlyargs, "keyword-only parameters"),
        (args.posonlyargs, "positional-only parameters"),
    ):
        if extra:
            _reject(parsed, node, f"{what} in the signature of {node.name}", what)
    body = [s for s in node.body if not _is_docstring(s)]
    if not body or not isinstance(body[-1], gast.Return) or body[-1].value is None:
        _reject(parsed, node, f"{node.name} must end with `return <value>`", "missing return")
    for statement in body:
        _check_statement(parsed, statement, last=statement is body[-1])


def _check_statement(parsed: ParsedFunction, statement: gast.stmt, *, last: bool) -> None:
    if not isinstance(statement, STATEMENTS):
        _reject_node(parsed, statement)
    if isinstance(statement, gast.Return) and not last:
        _reject(parsed, statement, "an early `return` is not supported yet", "early return")
    if isinstance(statement, gast.Assign):
        if len(statement.targets) != 1:
            _reject(parsed, statement, "chained assignment `a = b = ...`", "chained assignment")
        _check_target(parsed, statement.targets[0])
    if isinstance(statement, gast.AugAssign) and not isinstance(statement.target, gast.Name):
        _reject(
            parsed,
            statement,
            "augmented assignment into a subscript or attribute (in-place array writes)",
            "in-place write",
        )
    for child in gast.walk(statement):
        if child is statement or isinstance(child, (gast.stmt, gast.Assign)):
            continue
        if isinstance(child, (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop)):
            if not isinstance(child, OPERATORS + CONTEXTS):
                _reject_node(parsed, child, anchor=statement)
        elif isinstance(child, gast.keyword):
            if child.arg is None:
                _reject(parsed, child.value, "`**kwargs` in a call", "**kwargs call")
        elif not isinstance(child, EXPRESSIONS):
            _reject_node(parsed, child, anchor=statement)


def _check_target(parsed: ParsedFunction, target: gast.expr) -> None:
    if isinstance(target, gast.Name):
        return
    if isinstance(target, (gast.Tuple, gast.List)):
        for element in target.elts:
            _check_target(parsed, element)
        return
    what = "a subscript" if isinstance(target, gast.Subscript) else type(target).__name__
    _reject(
        parsed,
        target,
        f"assignment into {what} (in-place writes) is not supported yet",
        "in-place write",
    )


def _is_docstring(statement: gast.stmt) -> bool:
    return (
        isinstance(statement, gast.Expr)
        and isinstance(statement.value, gast.Constant)
        and isinstance(statement.value.value, str)
    )


def _reject_node(parsed: ParsedFunction, node: gast.AST, anchor: gast.AST = None) -> None:
    name = next(
        (text for kind, text in _NAMES.items() if isinstance(node, kind)),
        f"`{type(node).__name__}`",
    )
    detail = (
        "tangentish does not differentiate control flow yet"
        if isinstance(node, _CONTROL_FLOW)
        else "tangentish does not differentiate it"
    )
    where = node if hasattr(node, "lineno") else anchor
    _reject(parsed, where, f"{name} is not supported ({detail})", type(node).__name__)


def _reject(parsed: ParsedFunction, node: gast.AST, message: str, construct: str) -> None:
    raise UnsupportedSyntaxError(message, construct=construct, **location(parsed, node))
