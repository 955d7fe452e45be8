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

from . import runtime
from .desugar import Desugaring
from .errors import InternalError
from .naming import Namer, names_in
from .parse import ParsedFunction, location
from .wengert import check as wengert_check


def lower(
    parsed: ParsedFunction,
    namer: Namer,
    node: gast.FunctionDef | None = None,
    augmented: list[tuple[str, int]] | None = None,
) -> gast.FunctionDef:
    """The Wengert list of `node` (by default the parsed function, which must already be in the
    single-exit form `structure` makes), checked by `wengert.check`. The `x += y` statements it
    lowered to `x = x + y` are added to `augmented`: on an aliased array they would differ."""
    source = node or parsed.node
    lowering = _Lowering(parsed, namer)
    body = lowering.block(source.body)
    if augmented is not None:
        augmented += lowering.augmented
    wengert = gast.FunctionDef(
        name=source.name,
        args=copy.deepcopy(source.args),
        body=body,
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(wengert, source)
    wengert_check(wengert, parsed)
    return wengert


class _Lowering(Desugaring):
    def __init__(self, parsed: ParsedFunction, namer: Namer) -> None:
        self.parsed, self.namer = parsed, namer
        self.out: list[gast.stmt] = []
        self.anchor: gast.stmt = parsed.node
        #: Updates Python makes in place that are lowered to rebinding: `x += y` and a list's
        #: `append`/`extend`/`pop`, as (name, line).
        self.augmented: list[tuple[str, int]] = []
        #: The lists `for` loops being lowered iterate over: updating one is refused.
        self.iterated: list[str] = []

    def block(self, statements: list[gast.stmt]) -> list[gast.stmt]:
        """Lower a list of statements; a body that lowers to nothing becomes `pass`."""
        saved, anchor = self.out, self.anchor
        self.out = []
        for statement in statements:
            self.statement(statement)
        lowered, self.out, self.anchor = self.out, saved, anchor
        return lowered

    def nested(self, statements: list[gast.stmt]) -> list[gast.stmt]:
        return self.block(statements) or [gast.copy_location(gast.Pass(), self.anchor)]

    def statement(self, node: gast.stmt) -> None:
        self.anchor = node
        if isinstance(node, gast.Assign):
            self.assign(node.targets[0], node.value)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Subscript):
            index = self.index(node.target.slice)  # evaluated once, as Python does
            array = gast.Name(node.target.value.id, gast.Load(), None, None)
            old = gast.Subscript(value=array, slice=index, ctx=gast.Load())
            value = gast.BinOp(left=self.name_of(old), op=node.op, right=node.value)
            self.write(array.id, index, value)
        elif isinstance(node, gast.AugAssign):
            target = gast.Name(node.target.id, gast.Load(), None, None)
            self.augmented.append((node.target.id, node.lineno))
            self.assign(node.target, gast.BinOp(left=target, op=node.op, right=node.value))
        elif isinstance(node, gast.Return):
            self.emit(gast.Return(value=self.name_of(node.value)))
        elif isinstance(node, gast.Expr):
            value = self.primitive(node.value)
            if not isinstance(value, gast.Constant):  # docstrings go, and `items.append(v)`'s None
                self.emit(gast.Expr(value=value))
        elif isinstance(node, gast.If):
            test = self.name_of(node.test)
            body, orelse = self.nested(node.body), self.block(node.orelse)
            self.anchor = node
            self.emit(gast.If(test=test, body=body, orelse=orelse))
        elif isinstance(node, gast.While):
            self.loop_while(node)
        elif isinstance(node, gast.For):
            self.loop_for(node)
        elif isinstance(node, gast.Break):
            self.emit(gast.Break())
        elif isinstance(node, gast.FunctionDef):  # made at run time, differentiated when called
            self.emit(copy.deepcopy(node))
        elif not isinstance(node, gast.Pass):
            raise InternalError(f"normalize met {type(node).__name__}", **self.where(node))

    def loop_while(self, node: gast.While) -> None:
        """`while test:` → `c = test; while c: body; c = test` (the test recomputed at the end).
        Only a test that is a bare name needs no recomputing: `a and b`, `a < b < c` and `x if c
        else y` lower to statements that leave their value in a name, which must rerun too."""
        before = len(self.out)
        test = self.primitive(node.test)
        if self.is_operand(test) and len(self.out) == before:
            body = self.nested(node.body)
        else:
            condition = self.namer.temporary()
            self.emit(_assign(_store(condition), test))
            body = self.block(node.body)
            saved, self.out = self.out, body
            self.anchor = node
            self.emit(_assign(_store(condition), self.primitive(node.test)))
            self.out = saved
            test = gast.Name(condition, gast.Load(), None, None)
        self.anchor = node
        self.emit(gast.While(test=test, body=body, orelse=[]))

    def loop_for(self, node: gast.For) -> None:
        """`for i in range(...)` stays native; any other iteration walks an index, so that the
        adjoint of each element flows back through `sequence[k]`."""
        iterable = node.iter
        function = self.resolve_call(iterable)
        if function is range and isinstance(node.target, gast.Name):
            self.emit_for(node, node.target.id, self.name_of(iterable), [])
            return
        if function is enumerate and not iterable.keywords and len(iterable.args) in (1, 2):
            sequences = [self.sequence(iterable.args[0])]
            start = self.name_of(iterable.args[1]) if len(iterable.args) == 2 else None
        elif function is zip and iterable.args and not iterable.keywords:
            sequences = [self.sequence(a) for a in iterable.args]
            start = None
        else:
            sequences, start, function = [self.sequence(iterable)], None, None
        walked = iterable.args if function in (enumerate, zip) else [iterable]
        iterated = [a.id for a in walked if isinstance(a, gast.Name)]
        index = self.namer.temporary()
        lengths = [
            gast.Call(func=self.helper("len", len), args=[s], keywords=[]) for s in sequences
        ]
        count = (
            lengths[0]
            if len(lengths) == 1
            else gast.Call(
                func=self.helper("min", min), args=[self.name_of(n) for n in lengths], keywords=[]
            )
        )
        trips = self.name_of(
            gast.Call(func=self.helper("range", range), args=[self.name_of(count)], keywords=[])
        )
        element = [gast.Subscript(value=s, slice=_load(index), ctx=gast.Load()) for s in sequences]
        if function is enumerate:
            position = (
                _load(index)
                if start is None
                else gast.BinOp(left=_load(index), op=gast.Add(), right=start)
            )
            prologue = (
                [(node.target.elts[0], position), (node.target.elts[1], element[0])]
                if isinstance(node.target, gast.Tuple)
                else [(node.target, gast.Tuple(elts=[position, element[0]], ctx=gast.Load()))]
            )
        elif function is zip:
            prologue = (
                list(zip(node.target.elts, element))
                if isinstance(node.target, gast.Tuple) and len(node.target.elts) == len(element)
                else [(node.target, gast.Tuple(elts=element, ctx=gast.Load()))]
            )
        else:
            prologue = [(node.target, element[0])]
        self.iterated += iterated
        self.emit_for(node, index, trips, prologue)
        del self.iterated[len(self.iterated) - len(iterated) :]

    def emit_for(self, node: gast.For, target: str, iterable: gast.expr, prologue: list) -> None:
        saved, self.out = self.out, []
        for name, value in prologue:
            self.assign(name, value)
        head = self.out
        self.out = saved
        body = head + self.block(node.body)
        self.anchor = node
        self.emit(
            gast.For(
                target=_store(target),
                iter=iterable,
                body=body or [gast.Pass()],
                orelse=[],
                type_comment=None,
            )
        )

    def sequence(self, iterable: gast.expr) -> gast.Name:
        """`as_sequence(iterable)` as a name: lists, tuples, arrays and ranges as they are."""
        helper = self.helper("as_sequence", runtime.as_sequence)
        return self.name_of(gast.Call(func=helper, args=[self.name_of(iterable)], keywords=[]))

    def helper(self, wanted: str, obj: Any) -> gast.Name:
        """A name under which the generated code reads `obj` (a builtin or a runtime helper)."""
        return _load(self.parsed.namespace.bind(wanted, obj, self.namer))

    def resolve_call(self, node: gast.expr):
        if isinstance(node, gast.Call):
            found = self.parsed.namespace.resolve(node.func)
            return None if found is None else found.value
        return None

    def write(self, array: str, index: gast.expr, value: gast.expr) -> None:
        """`array[index] = value`, the value lowered to an operand."""
        target = gast.Subscript(value=_load(array), slice=index, ctx=gast.Store())
        self.emit(_assign(target, self.name_of(value)))

    def assign(self, target: gast.expr, value: gast.expr) -> None:
        if isinstance(target, gast.Subscript):
            index = self.index(target.slice)
            self.write(target.value.id, index, value)
            return
        if isinstance(target, (gast.Tuple, gast.List)):
            self.unpack(target.elts, value)
            return
        rhs = self.primitive(value)
        if isinstance(rhs, gast.Name) and rhs.id == target.id:
            return  # `x = x` does nothing; its copy's adjoint would move x_bar onto itself
        if target.id in _operand_names(rhs) and not isinstance(rhs, gast.Name):
            temporary = self.namer.temporary()
            self.emit(_assign(_store(temporary), rhs))
            rhs = gast.Name(temporary, gast.Load(), None, None)
        self.emit(_assign(_store(target.id), rhs))

    def unpack(self, targets: list[gast.expr], value: gast.expr) -> None:
        """`a, b = value` as one unpacking into names, in which each name appears once: Python
        assigns the targets left to right, so where a name repeats (`u, u = t, x`) only its last
        occurrence counts, and the earlier ones unpack into temporaries nothing reads. A nested
        tuple target unpacks into a temporary, then is assigned in turn, and so is a name such an
        earlier target mentions (`(b, c), b = v` leaves b the second value)."""
        source = self.name_of(value)
        names: list[str] = []
        later: list[tuple[gast.expr, str]] = []  # targets assigned after the unpacking
        for element in targets:
            mentioned = {n for t, _ in later for n in _operand_names(t)}
            if isinstance(element, gast.Name) and element.id not in mentioned:
                names.append(element.id)
            else:
                names.append(self.namer.temporary())
                later.append((element, names[-1]))
        names = [
            self.namer.temporary() if name in names[i + 1 :] else name
            for i, name in enumerate(names)
        ]
        if isinstance(source, gast.Name) and source.id in names:  # `a, b = a`: read a first
            temporary = self.namer.temporary()
            self.emit(_assign(_store(temporary), source))
            source = _load(temporary)
        stores = [_store(n) for n in names]
        self.emit(_assign(gast.Tuple(elts=stores, ctx=gast.Store()), source))
        for element, name in later:
            self.assign(element, _load(name))

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
        if isinstance(node, gast.Lambda):  # a function value, differentiated when called
            return copy.deepcopy(node)
        if self.is_list_update(node):
            return self.list_update(node)
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            return self.comprehension(node)
        if isinstance(node, gast.Dict):
            keys = [self.name_of(k) for k in node.keys]
            return gast.Dict(keys=keys, values=[self.name_of(v) for v in node.values])
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
            operand = node.operand
            number = isinstance(operand, gast.Constant) and type(operand.value) in (int, float)
            if isinstance(node.op, gast.USub) and number:  # `-1` is a constant
                return gast.Constant(-operand.value, None)
            return gast.UnaryOp(op=node.op, operand=self.name_of(node.operand))
        if isinstance(node, gast.Compare):
            if len(node.ops) > 1:
                return self.chained_comparison(node)
            return gast.Compare(
                left=self.name_of(node.left),
                ops=node.ops,
                comparators=[self.name_of(node.comparators[0])],
            )
        if isinstance(node, gast.BoolOp):
            return self.boolean(node)
        if isinstance(node, gast.IfExp):
            return self.conditional(node)
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


def _load(name: str) -> gast.Name:
    return gast.Name(name, gast.Load(), None, None)


def _store(name: str) -> gast.Name:
    return gast.Name(name, gast.Store(), None, None)


def _assign(target: gast.expr, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[target], value=value, type_comment=None)


def _operand_names(node: gast.expr) -> set[str]:
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}


def lower_function(fn: Callable[..., Any]) -> str:
    """The Wengert list of a Python function, as source: what every later pass starts from."""
    from .parse import parse
    from .validate import validate

    parsed = parse(fn)
    validate(parsed)
    return gast.unparse(lower(parsed, Namer(names_in(parsed.node)))).strip() + "\n"
