"""The Wengert list: the grammar of tangentish's IR (DESIGN.md §3), and its checker.

Every statement is one primitive, `v = a`, `v = a op b`, `v = -a`, `v = f(a, k=b)`, `v = a[i]`,
`a[i] = v`, `v = a.attr`, `v = (a, b)`, `a, b = v`, or control flow on names: `if name:`,
`for name in name:`, `while name:`, `break`, and one final `return name`. Operands are local names,
constants or references to non-local objects. `check` raises `InternalError` where a list breaks
the grammar or reads a name no statement assigned before it.

>>> from tangentish.parse import parse
>>> from tangentish.normalize import lower
>>> from tangentish.naming import Namer
>>> def f(x):
...     return x * 2.0 + 1.0
>>> check(lower(parse(f), Namer(set())), parse(f))
"""

from __future__ import annotations

import gast

from .errors import InternalError, UnsupportedSyntaxError
from .parse import MISSING, ParsedFunction, location


def _operand_names(node: gast.expr) -> set[str]:
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}


def check(node: gast.FunctionDef, parsed: ParsedFunction) -> None:
    """Raise `InternalError` unless `node` is a Wengert list (every statement one primitive, or
    `if name`, `for name in name`, `while name`, `break`, `pass`) whose names are assigned before
    they are read (in the text: a loop may read what its previous iteration assigned)."""
    defined = {a.id for a in node.args.args}
    namespace = parsed.namespace

    def fail(message: str, statement: gast.stmt) -> None:
        raise InternalError(message, **location(parsed, statement))

    def check_reads(value: gast.expr, statement: gast.stmt) -> None:
        if isinstance(value, gast.Lambda):
            return  # its names are read when it is called
        for name in _operand_names(value):
            if name not in defined and namespace.lookup(name) is MISSING:
                if name in namespace.temporaries:
                    fail(f"{name!r} is used before it is assigned", statement)
                error = "UnboundLocalError" if name in namespace.locals else "NameError"
                raise UnsupportedSyntaxError(  # the user's name: the user's mistake
                    f"`{name}` is read here before anything is assigned to it: Python raises "
                    f"{error} when this line runs; assign it first",
                    construct="name read before assignment",
                    **location(parsed, statement),
                )

    def check(body: list[gast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, (gast.Break, gast.Pass)):
                continue
            if isinstance(statement, gast.FunctionDef):  # a nested function: its own compile
                defined.add(statement.name)
                continue
            if isinstance(statement, (gast.If, gast.While)):
                if not _is_operand(statement.test):
                    fail("a branch or loop test that is not a name", statement)
                check_reads(statement.test, statement)
                if isinstance(statement, gast.While):  # the next iteration reads this one's
                    defined.update(_assigned(statement.body))
                check(statement.body)
                check(statement.orelse)
                continue
            if isinstance(statement, gast.For):
                if not isinstance(statement.target, gast.Name) or not _is_operand(statement.iter):
                    fail("a `for` loop that is not `for name in name`", statement)
                check_reads(statement.iter, statement)
                defined.add(statement.target.id)
                defined.update(_assigned(statement.body))
                check(statement.body)
                continue
            if isinstance(statement, gast.Assign):
                value, targets = statement.value, statement.targets
            elif isinstance(statement, (gast.Return, gast.Expr)):
                value, targets = statement.value, []
            else:
                fail(f"{type(statement).__name__} in a Wengert list", statement)
            if not _is_primitive(value):
                fail(f"not a primitive: {gast.unparse(value).strip()}", statement)
            check_reads(value, statement)
            if targets and isinstance(targets[0], gast.Subscript):  # `a[i] = v`
                if not _is_operand(value):
                    fail("a write whose value is not a name or constant", statement)
                check_reads(targets[0], statement)
                continue
            for target in targets:
                defined.update(n.id for n in gast.walk(target) if isinstance(n, gast.Name))

    check(node.body)


def _assigned(body: list[gast.stmt]) -> set[str]:
    return {
        n.id
        for s in body
        for n in gast.walk(s)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }


def _is_operand(node: gast.expr | None) -> bool:
    if node is None or isinstance(node, (gast.Name, gast.Constant)):
        return True
    return isinstance(node, gast.Attribute) and _is_operand(node.value)


def _is_primitive(node: gast.expr) -> bool:
    if isinstance(node, gast.Lambda):
        return True
    if isinstance(node, gast.BinOp):
        return _is_operand(node.left) and _is_operand(node.right)
    if isinstance(node, gast.UnaryOp):
        return _is_operand(node.operand)
    if isinstance(node, gast.Compare):
        return _is_operand(node.left) and all(_is_operand(c) for c in node.comparators)
    if isinstance(node, gast.Call):
        return (
            _is_operand(node.func)
            and all(_is_operand(a) for a in node.args)
            and all(_is_operand(k.value) for k in node.keywords)
        )
    if isinstance(node, gast.Subscript):
        return _is_operand(node.value)
    if isinstance(node, (gast.Tuple, gast.List)):
        return all(_is_operand(e) for e in node.elts)
    if isinstance(node, gast.Dict):
        return all(_is_operand(e) for e in node.keys + node.values)
    return _is_operand(node)
