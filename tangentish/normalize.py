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
from .errors import InternalError
from .naming import Namer, names_in
from .parse import MISSING, ParsedFunction, location


def lower(
    parsed: ParsedFunction,
    namer: Namer,
    node: gast.FunctionDef | None = None,
    augmented: list[tuple[str, int]] | None = None,
) -> gast.FunctionDef:
    """The Wengert list of `node` (by default the parsed function, which must already be in the
    single-exit form `structure` makes), checked by `check_wengert`. The `x += y` statements it
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
    check_wengert(wengert, parsed)
    return wengert


class _Lowering:
    def __init__(self, parsed: ParsedFunction, namer: Namer) -> None:
        self.parsed, self.namer = parsed, namer
        self.out: list[gast.stmt] = []
        self.anchor: gast.stmt = parsed.node
        #: Updates Python makes in place that are lowered to rebinding: `x += y` and a list's
        #: `append`/`extend`/`pop`, as (name, line).
        self.augmented: list[tuple[str, int]] = []

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
        """`while test:` → `c = test; while c: body; c = test` (the test recomputed at the end)."""
        test = self.primitive(node.test)
        if self.is_operand(test):
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
        self.emit_for(node, index, trips, prologue)

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

    def is_list_update(self, node: gast.expr) -> bool:
        """`items.append(v)`, `items.extend(vs)`, `items.pop(i)` on a local list."""
        func = getattr(node, "func", None)
        return (
            isinstance(node, gast.Call)
            and isinstance(func, gast.Attribute)
            and func.attr in _LIST_UPDATES
            and isinstance(func.value, gast.Name)
            and self.parsed.namespace.lookup(func.value.id) is MISSING
        )

    def list_update(self, node: gast.Call) -> gast.expr:
        """A list update, lowered to rebinding the list to an updated copy, so every earlier
        version stays readable for the reverse sweep: `items = list_append(items, v)`."""
        items, method = node.func.value.id, node.func.attr
        args = [self.name_of(a) for a in node.args]
        value: gast.expr = gast.Constant(None, None)
        if method == "pop":
            index = args[0] if args else gast.Constant(-1, None)
            value = self.name_of(gast.Subscript(value=_load(items), slice=index, ctx=gast.Load()))
            args = [index]
        helper = self.helper(f"list_{method}", _LIST_UPDATES[method])
        self.assign(_store(items), gast.Call(func=helper, args=[_load(items), *args], keywords=[]))
        self.augmented.append((items, self.anchor.lineno))
        return value

    def comprehension(self, node: gast.ListComp | gast.GeneratorExp) -> gast.Name:
        """`[e for t in it if c]` → a loop appending to a new list, with the comprehension's
        variables renamed (they do not leak into the function, as in Python)."""
        renames = {
            n.id: self.namer.claim(n.id)
            for gen in node.generators
            for n in gast.walk(gen.target)
            if isinstance(n, gast.Name)
        }
        rename = _Rename(renames)
        result = self.namer.temporary()
        self.emit(_assign(_store(result), gast.List(elts=[], ctx=gast.Load())))
        helper = self.helper("list_append", runtime.list_append)
        element = rename.visit(copy.deepcopy(node.elt))
        append = gast.Call(func=helper, args=[_load(result), element], keywords=[])
        loop: gast.stmt = gast.copy_location(_assign(_store(result), append), self.anchor)
        for depth, gen in reversed(list(enumerate(node.generators))):
            body = [loop]
            for condition in reversed(gen.ifs):
                test = rename.visit(copy.deepcopy(condition))
                body = [gast.copy_location(gast.If(test=test, body=body, orelse=[]), self.anchor)]
            iterable = gen.iter if depth == 0 else rename.visit(copy.deepcopy(gen.iter))
            target = rename.visit(copy.deepcopy(gen.target))
            loop = gast.For(target=target, iter=iterable, body=body, orelse=[], type_comment=None)
            loop = gast.copy_location(loop, self.anchor)
        anchor = self.anchor
        self.statement(loop)
        self.anchor = anchor
        return _load(result)

    def lazily(self, result: str, value: gast.expr) -> list[gast.stmt]:
        """The statements of `result = value`, collected to run only inside a branch."""
        saved, self.out = self.out, []
        self.emit(_assign(_store(result), self.primitive(value)))
        body, self.out = self.out, saved
        return body

    def boolean(self, node: gast.BoolOp) -> gast.Name:
        """`a and b` → `v = a; if v: v = b` (and `or` on the other branch): lazy, as Python is."""
        result = self.namer.temporary()
        self.emit(_assign(_store(result), self.primitive(node.values[0])))
        self._chain(result, node.values[1:], isinstance(node.op, gast.And))
        return _load(result)

    def _chain(self, result: str, values: list[gast.expr], conjunction: bool) -> None:
        if not values:
            return
        saved, self.out = self.out, []
        self.emit(_assign(_store(result), self.primitive(values[0])))
        self._chain(result, values[1:], conjunction)
        branch, self.out = self.out, saved
        if conjunction:
            self.emit(gast.If(test=_load(result), body=branch, orelse=[]))
        else:
            self.emit(gast.If(test=_load(result), body=[gast.Pass()], orelse=branch))

    def conditional(self, node: gast.IfExp) -> gast.Name:
        """`a if c else b` → `if c: v = a else: v = b`."""
        test = self.name_of(node.test)
        result = self.namer.temporary()
        body, orelse = self.lazily(result, node.body), self.lazily(result, node.orelse)
        self.emit(gast.If(test=test, body=body, orelse=orelse))
        return _load(result)

    def chained_comparison(self, node: gast.Compare) -> gast.Name:
        """`a < b < c` → `v = a < b; if v: v = b < c`, each operand evaluated once."""
        operands = [self.name_of(node.left)]
        result = self.namer.temporary()
        first = gast.Compare(
            left=operands[0], ops=node.ops[:1], comparators=[self.name_of(node.comparators[0])]
        )
        operands.append(first.comparators[0])
        self.emit(_assign(_store(result), first))
        self._compare_chain(result, operands[-1], node.ops[1:], node.comparators[1:])
        return _load(result)

    def _compare_chain(self, result: str, left: gast.expr, ops: list, rights: list) -> None:
        if not ops:
            return
        saved, self.out = self.out, []
        right = self.name_of(rights[0])
        self.emit(
            _assign(_store(result), gast.Compare(left=left, ops=[ops[0]], comparators=[right]))
        )
        self._compare_chain(result, right, ops[1:], rights[1:])
        branch, self.out = self.out, saved
        self.emit(gast.If(test=_load(result), body=branch, orelse=[]))

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


#: A local list's in-place updates, and the helpers that make the updated copy.
_LIST_UPDATES = {
    "append": runtime.list_append,
    "push": runtime.list_append,  # the recording stack of generated code, differentiated again
    "extend": runtime.list_extend,
    "pop": runtime.list_pop,
}


class _Rename(gast.NodeTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: gast.Name) -> gast.Name:
        if node.id in self.names:
            return gast.Name(self.names[node.id], node.ctx, None, None)
        return node


def _load(name: str) -> gast.Name:
    return gast.Name(name, gast.Load(), None, None)


def _store(name: str) -> gast.Name:
    return gast.Name(name, gast.Store(), None, None)


def _assign(target: gast.expr, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[target], value=value, type_comment=None)


def _operand_names(node: gast.expr) -> set[str]:
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}


def check_wengert(node: gast.FunctionDef, parsed: ParsedFunction) -> None:
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
                fail(f"{name!r} is used before it is assigned", statement)

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


def lower_function(fn: Callable[..., Any]) -> str:
    """The Wengert list of a Python function, as source: what every later pass starts from."""
    from .parse import parse
    from .validate import validate

    parsed = parse(fn)
    validate(parsed)
    return gast.unparse(lower(parsed, Namer(names_in(parsed.node)))).strip() + "\n"
