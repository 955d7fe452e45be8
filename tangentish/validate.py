"""Validate: an allow-list of the syntax tangentish differentiates, checked before anything else.

Anything outside the list raises `UnsupportedSyntaxError` naming the user's file, line, column and
the construct, so no later pass ever sees a node it does not handle.

>>> import gast
>>> from tangentish.parse import parse
>>> def f(x):
...     with open("log") as log:
...         x = x / 2
...     return x
>>> validate(parse(f))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
tangentish.errors.UnsupportedSyntaxError: ...: a `with` statement is not supported (...)
"""

from __future__ import annotations

import builtins

import gast

from .errors import UnsupportedSyntaxError
from .parse import ParsedFunction, location

STATEMENTS = (
    gast.Assign,
    gast.AugAssign,
    gast.Return,
    gast.Expr,
    gast.Pass,
    gast.If,
    gast.For,
    gast.While,
    gast.Break,
    gast.Continue,
    gast.FunctionDef,
)
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
    gast.BoolOp,
    gast.IfExp,
    gast.Lambda,
    gast.ListComp,
    gast.GeneratorExp,
    gast.comprehension,
    gast.Dict,
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
    gast.Not,
    gast.And,
    gast.Or,
)
CONTEXTS = (gast.Load, gast.Store, gast.keyword)
#: Builtins that run code tangentish never sees (its derivative would silently be zero), or that
#: see the generated function's own variables (temporaries, adjoints) rather than the user's.
HIDDEN = {
    builtins.eval: "it runs code tangentish never sees, so its derivative would silently be zero",
    builtins.exec: "it runs code tangentish never sees, so its derivative would silently be zero",
    builtins.locals: "in generated code it would see tangentish's variables, not yours",
}

#: What to call a rejected node in a message, and which issue brings it, where one does.
_NAMES = {
    gast.Try: "a `try` statement",
    gast.With: "a `with` statement",
    gast.Global: "a `global` declaration",
    gast.Nonlocal: "a `nonlocal` declaration",
    gast.ClassDef: "a class definition",
    gast.Yield: "`yield` (generators)",
    gast.YieldFrom: "`yield from` (generators)",
    gast.ListComp: "a list comprehension",
    gast.Starred: "star-unpacking",
    gast.NamedExpr: "an assignment expression (walrus)",
    gast.AsyncFunctionDef: "an `async def`",
    gast.AsyncFor: "an `async for` loop",
    gast.AsyncWith: "an `async with` statement",
    gast.Await: "`await`",
}


def validate(parsed: ParsedFunction) -> None:
    """Raise `UnsupportedSyntaxError` at the first construct outside the allow-list."""
    node = parsed.node
    _check_signature(parsed, node)
    if not any(isinstance(n, gast.Return) for n in gast.walk(node)):
        _reject(parsed, node, f"{node.name} must return a value", "missing return")
    _check_block(parsed, node.body)


def _check_signature(parsed: ParsedFunction, node: gast.FunctionDef | gast.Lambda) -> None:
    args = node.args
    name = node.name if isinstance(node, gast.FunctionDef) else "a lambda"
    for extra, what in (
        (args.vararg, "*args"),
        (args.kwarg, "**kwargs"),
        (args.kwonlyargs, "keyword-only parameters"),
        (args.posonlyargs, "positional-only parameters"),
    ):
        if extra:
            _reject(parsed, node, f"{what} in the signature of {name}", what)


def _check_nested(parsed: ParsedFunction, node: gast.FunctionDef | gast.Lambda) -> None:
    """A function made inside the differentiated one, by the same rules: its source is part of
    the generated code (a `nonlocal` there would name a variable the compiler renamed), and it
    is differentiated by them when called."""
    _check_signature(parsed, node)
    for default in node.args.defaults:
        _check_expression(parsed, default, node)
    if isinstance(node, gast.Lambda):
        _check_expression(parsed, node.body, node)
    else:
        for decorator in node.decorator_list:
            _check_expression(parsed, decorator, node)
        _check_block(parsed, node.body)


def _check_block(parsed: ParsedFunction, body: list[gast.stmt]) -> None:
    for statement in body:
        _check_statement(parsed, statement)


def _check_statement(parsed: ParsedFunction, statement: gast.stmt) -> None:
    if not isinstance(statement, STATEMENTS):
        _reject_node(parsed, statement)
    if isinstance(statement, gast.FunctionDef):
        _check_nested(parsed, statement)
        return
    if isinstance(statement, gast.Return) and statement.value is None:
        _reject(parsed, statement, "`return` without a value", "return without value")
    if isinstance(statement, (gast.If, gast.For, gast.While)):
        if isinstance(statement, gast.For):
            _check_target(parsed, statement.target)
            _check_expression(parsed, statement.iter, statement)
        else:
            _check_expression(parsed, statement.test, statement)
        _check_block(parsed, statement.body)
        _check_block(parsed, statement.orelse)
        return
    if isinstance(statement, gast.Assign):
        if len(statement.targets) != 1:
            _reject(parsed, statement, "chained assignment `a = b = ...`", "chained assignment")
        target = statement.targets[0]
        if not _is_subscript_of_name(target):
            _check_target(parsed, target)
    if isinstance(statement, gast.AugAssign):
        if not isinstance(statement.op, OPERATORS):
            _reject_node(parsed, statement.op, anchor=statement)
        target = statement.target
        if not isinstance(target, gast.Name) and not _is_subscript_of_name(target):
            _check_target(parsed, target)
    for child in gast.iter_child_nodes(statement):
        if isinstance(child, gast.expr):
            _check_expression(parsed, child, statement)


def _check_expression(parsed: ParsedFunction, expression: gast.expr, statement: gast.AST) -> None:
    for child in _walk_outside_lambdas(expression):
        if isinstance(child, gast.Lambda):
            _check_nested(parsed, child)
        if isinstance(
            child, (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)
        ):
            if not isinstance(child, OPERATORS + CONTEXTS):
                _reject_node(parsed, child, anchor=statement)
        elif isinstance(child, gast.keyword):
            if child.arg is None:
                _reject(parsed, child.value, "`**kwargs` in a call", "**kwargs call")
        elif isinstance(child, (gast.Name, gast.Attribute)) and isinstance(child.ctx, gast.Load):
            _check_hidden_code(parsed, child)
        elif not isinstance(child, EXPRESSIONS):
            _reject_node(parsed, child, anchor=statement)


def _check_hidden_code(parsed: ParsedFunction, node: gast.Name | gast.Attribute) -> None:
    """`eval`, `exec`, `locals` called, or named to be called later (`run = eval`)."""
    found = parsed.namespace.resolve(node)
    if found is None:
        return
    why = next((why for fn, why in HIDDEN.items() if fn is found.value), None)  # unhashables
    if why is not None:
        name = found.value.__name__
        _reject(parsed, node, f"`{name}` is not supported: {why}; write the computation out", name)


def _walk_outside_lambdas(node: gast.AST) -> list[gast.AST]:
    """The nodes of an expression, not descending into lambdas (`_check_nested` checks them)."""
    found = [node]
    if not isinstance(node, gast.Lambda):
        for child in gast.iter_child_nodes(node):
            found += _walk_outside_lambdas(child)
    return found


def _check_target(parsed: ParsedFunction, target: gast.expr) -> None:
    if isinstance(target, gast.Name):
        return
    if isinstance(target, (gast.Tuple, gast.List)):
        for element in target.elts:
            _check_target(parsed, element)
        return
    what = {gast.Subscript: "a nested subscript", gast.Attribute: "an attribute"}.get(
        type(target), type(target).__name__
    )
    _reject(parsed, target, f"assignment into {what} is not supported", "assignment target")


def _is_subscript_of_name(target: gast.expr) -> bool:
    """`a[i] = v` and `a[i, j] += v`: an in-place write into a local array."""
    return isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)


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
    where = node if hasattr(node, "lineno") else anchor
    _reject(
        parsed,
        where,
        f"{name} is not supported (tangentish does not differentiate it)",
        type(node).__name__,
    )


def _reject(parsed: ParsedFunction, node: gast.AST, message: str, construct: str) -> None:
    raise UnsupportedSyntaxError(message, construct=construct, **location(parsed, node))
