"""Normalize: lower a validated function to its Wengert list (three-address code, DESIGN.md §3).

Every statement becomes one primitive: `v = a`, `v = a op b`, `v = -a`, `v = f(a, k=b)`, `v = a[i]`,
`v = a.attr`, `v = (a, b)`, `a, b = v`, and a final `return v`. Operands are names, constants, or
references to non-local objects (`np.pi`, `math.sin`). Nested expressions get temporaries `_v1,
_v2, ...` (Wengert's w_i); user variables keep their names. A target never appears among its own
operands (`y = y * y` becomes `_v1 = y * y; y = _v1`), so an adjoint never reads a value its own
statement overwrote. Math stays as the user wrote it: `x / y` stays a division.

>>> import numpy as np
>>> from tangentish.parse import parse
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> print(gast.unparse(lower(parse(f), Namer(set()))).strip())
def f(x1, x2):
    _v1 = x1 * x2
    _v2 = np.sin(x1)
    _v3 = _v1 + _v2
    return _v3
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import gast

from .errors import InternalError, UnsupportedSyntaxError
from .naming import Namer, names_in
from .parse import MISSING, ParsedFunction, location


def lower(parsed: ParsedFunction, namer: Namer) -> gast.FunctionDef:
    """The Wengert list of `parsed`: a new `FunctionDef`, checked by `check_wengert`."""
    lowering = _Lowering(parsed, namer)
    body: list[gast.stmt] = []
    for statement in parsed.node.body:
        body.extend(lowering.statement(statement))
    node = gast.FunctionDef(
        name=parsed.node.name,
        args=copy.deepcopy(parsed.node.args),
        body=body,
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(node, parsed.node)
    check_wengert(node, parsed)
    return node


class _Lowering:
    def __init__(self, parsed: ParsedFunction, namer: Namer) -> None:
        self.parsed, self.namer = parsed, namer
        self.out: list[gast.stmt] = []
        self.anchor: gast.stmt = parsed.node

    def statement(self, node: gast.stmt) -> list[gast.stmt]:
        self.out, self.anchor = [], node
        if isinstance(node, gast.Assign):
            self.assign(node.targets[0], node.value)
        elif isinstance(node, gast.AugAssign):
            target = gast.Name(node.target.id, gast.Load(), None, None)
            self.assign(node.target, gast.BinOp(left=target, op=node.op, right=node.value))
        elif isinstance(node, gast.Return):
            self.emit(gast.Return(value=self.name_of(node.value)))
        elif isinstance(node, gast.Expr):
            if not isinstance(node.value, gast.Constant):  # docstrings go
                self.emit(gast.Expr(value=self.primitive(node.value)))
        elif not isinstance(node, gast.Pass):
            raise InternalError(f"normalize met {type(node).__name__}", **self.where(node))
        return self.out

    def assign(self, target: gast.expr, value: gast.expr) -> None:
        if isinstance(target, (gast.Tuple, gast.List)):
            source = self.name_of(value)
            names = [self.unpack_target(t) for t in target.elts]
            self.emit(_assign(gast.Tuple(elts=names, ctx=gast.Store()), source))
            for element, name in zip(target.elts, names):
                if not isinstance(element, gast.Name):
                    self.assign(element, gast.Name(name.id, gast.Load(), None, None))
            return
        rhs = self.primitive(value)
        if target.id in _operand_names(rhs) and not isinstance(rhs, gast.Name):
            temporary = self.namer.temporary()
            self.emit(_assign(_store(temporary), rhs))
            rhs = gast.Name(temporary, gast.Load(), None, None)
        self.emit(_assign(_store(target.id), rhs))

    def unpack_target(self, target: gast.expr) -> gast.Name:
        return _store(target.id if isinstance(target, gast.Name) else self.namer.temporary())

    def name_of(self, value: gast.expr) -> gast.expr:
        """Lower `value` to an operand: a local name, a constant or a non-local reference."""
        rhs = self.primitive(value)
        if self.is_operand(rhs):
            return rhs
        temporary = self.namer.temporary()
        self.emit(_assign(_store(temporary), rhs))
        return gast.Name(temporary, gast.Load(), None, None)

    def is_operand(self, node: gast.expr) -> bool:
        if isinstance(node, (gast.Name, gast.Constant)):
            return True
        return isinstance(node, gast.Attribute) and self.parsed.namespace.resolve(node) is not None

    def primitive(self, node: gast.expr) -> gast.expr:
        """Lower `node` to one primitive whose operands are all operands."""
        if isinstance(node, (gast.Name, gast.Constant)):
            return (
                gast.Name(node.id, gast.Load(), None, None) if isinstance(node, gast.Name) else node
            )
        if isinstance(node, gast.Attribute):
            if self.is_operand(node):
                return node
            return gast.Attribute(value=self.name_of(node.value), attr=node.attr, ctx=gast.Load())
        if isinstance(node, gast.BinOp):
            return gast.BinOp(
                left=self.name_of(node.left), op=node.op, right=self.name_of(node.right)
            )
        if isinstance(node, gast.UnaryOp):
            if isinstance(node.op, gast.UAdd):
                return self.primitive(node.operand)
            return gast.UnaryOp(op=node.op, operand=self.name_of(node.operand))
        if isinstance(node, gast.Compare):
            if len(node.ops) > 1:
                raise UnsupportedSyntaxError(
                    "a chained comparison is not supported yet (it needs `and`)",
                    construct="chained comparison",
                    **self.where(node),
                )
            return gast.Compare(
                left=self.name_of(node.left),
                ops=node.ops,
                comparators=[self.name_of(node.comparators[0])],
            )
        if isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and not self.is_operand(func):
                func = gast.Attribute(
                    value=self.name_of(func.value), attr=func.attr, ctx=gast.Load()
                )
            elif not self.is_operand(func):
                func = self.name_of(func)
            args = [self.name_of(a) for a in node.args]
            keywords = [gast.keyword(arg=k.arg, value=self.name_of(k.value)) for k in node.keywords]
            return gast.Call(func=func, args=args, keywords=keywords)
        if isinstance(node, gast.Subscript):
            return gast.Subscript(
                value=self.name_of(node.value), slice=self.index(node.slice), ctx=gast.Load()
            )
        if isinstance(node, (gast.Tuple, gast.List)):
            return type(node)(elts=[self.name_of(e) for e in node.elts], ctx=gast.Load())
        raise InternalError(f"normalize met {type(node).__name__}", **self.where(node))

    def index(self, node: gast.expr) -> gast.expr:
        """Lower an index, keeping slices and tuples of them in place (`x[1:n, 0]`)."""
        if isinstance(node, gast.Slice):
            return gast.Slice(
                *(
                    None if part is None else self.name_of(part)
                    for part in (node.lower, node.upper, node.step)
                )
            )
        if isinstance(node, gast.Tuple):
            return gast.Tuple(elts=[self.index(e) for e in node.elts], ctx=gast.Load())
        return self.name_of(node)

    def emit(self, statement: gast.stmt) -> None:
        gast.copy_location(statement, self.anchor)
        statement.end_lineno = getattr(self.anchor, "end_lineno", None)
        self.out.append(statement)

    def where(self, node: gast.AST | None) -> dict:
        return location(self.parsed, node if hasattr(node, "lineno") else self.anchor)


def _store(name: str) -> gast.Name:
    return gast.Name(name, gast.Store(), None, None)


def _assign(target: gast.expr, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[target], value=value, type_comment=None)


def _operand_names(node: gast.expr) -> set[str]:
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}


def check_wengert(node: gast.FunctionDef, parsed: ParsedFunction) -> None:
    """Raise `InternalError` unless `node` is a Wengert list whose names are defined before use."""
    defined = {a.id for a in node.args.args}
    namespace = parsed.namespace
    for statement in node.body:
        if isinstance(statement, gast.Assign):
            value, targets = statement.value, statement.targets
        elif isinstance(statement, (gast.Return, gast.Expr)):
            value, targets = statement.value, []
        else:
            raise InternalError(
                f"{type(statement).__name__} in a Wengert list", **location(parsed, statement)
            )
        if not _is_primitive(value):
            raise InternalError(
                f"not a primitive: {gast.unparse(value).strip()}", **location(parsed, statement)
            )
        for name in _operand_names(value):
            if name not in defined and namespace.lookup(name) is MISSING:
                raise InternalError(
                    f"{name!r} is used before it is defined", **location(parsed, statement)
                )
        for target in targets:
            defined |= {n.id for n in gast.walk(target) if isinstance(n, gast.Name)}


def _is_operand(node: gast.expr | None) -> bool:
    if node is None or isinstance(node, (gast.Name, gast.Constant)):
        return True
    return isinstance(node, gast.Attribute) and _is_operand(node.value)


def _is_primitive(node: gast.expr) -> bool:
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
    return _is_operand(node)


def lower_function(fn: Callable[..., Any]) -> str:
    """The Wengert list of a Python function, as source: what every later pass starts from."""
    from .parse import parse
    from .validate import validate

    parsed = parse(fn)
    validate(parsed)
    return gast.unparse(lower(parsed, Namer(names_in(parsed.node)))).strip() + "\n"
