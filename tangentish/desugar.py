"""Desugaring: the syntax that lowers to control flow and calls rather than to one primitive.

Part of normalize (its `_Lowering` class inherits these methods): `a and b` and `a or b` and
`x if c else y` become `if` statements (lazy, as in Python), `a < b < c` becomes `a < b and b < c`
with `b` evaluated once, comprehensions become loops that append to a new list, and a local list's
`append`/`extend`/`pop` becomes rebinding to an updated copy, so that every earlier version of the
list stays readable for the reverse sweep.
"""

from __future__ import annotations

import copy
from typing import Any

import gast

from . import runtime
from .errors import UnsupportedSyntaxError
from .parse import MISSING, location


class Desugaring:
    """Methods of normalize's lowering (which provides `primitive`, `name_of`, `emit`, ...)."""

    parsed: Any
    namer: Any
    out: list[gast.stmt]
    anchor: gast.stmt
    augmented: list[tuple[str, int]]
    iterated: list[str]

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
        if items in self.iterated:  # Python's loop would go on to the entries added
            raise UnsupportedSyntaxError(
                f"`{items}.{method}(...)` changes `{items}` while a `for` loop walks over it: "
                f"Python's loop would see the change; loop over a copy (`list({items})`)",
                construct=f"list.{method} during iteration",
                **location(self.parsed, node),
            )
        args = [self.name_of(a) for a in node.args]
        value: gast.expr = gast.Constant(None, None)
        if method == "pop":
            index = args[0] if args else gast.Constant(-1, None)
            value = self.name_of(gast.Subscript(value=_name(items), slice=index, ctx=gast.Load()))
            args = [index]
        helper = self.helper(f"list_{method}", _LIST_UPDATES[method])
        update = gast.Call(func=helper, args=[_name(items), *args], keywords=[])
        self.assign(_name_store(items), update)
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
        self.emit(_assignment(_name_store(result), gast.List(elts=[], ctx=gast.Load())))
        helper = self.helper("list_append", runtime.list_append)
        element = rename.visit(copy.deepcopy(node.elt))
        append = gast.Call(func=helper, args=[_name(result), element], keywords=[])
        loop: gast.stmt = gast.copy_location(_assignment(_name_store(result), append), self.anchor)
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
        return _name(result)

    def lazily(self, result: str, value: gast.expr) -> list[gast.stmt]:
        """The statements of `result = value`, collected to run only inside a branch."""
        saved, self.out = self.out, []
        self.emit(_assignment(_name_store(result), self.primitive(value)))
        body, self.out = self.out, saved
        return body

    def boolean(self, node: gast.BoolOp) -> gast.Name:
        """`a and b` → `v = a; if v: v = b` (and `or` on the other branch): lazy, as Python is."""
        result = self.namer.temporary()
        self.emit(_assignment(_name_store(result), self.primitive(node.values[0])))
        self._chain(result, node.values[1:], isinstance(node.op, gast.And))
        return _name(result)

    def _chain(self, result: str, values: list[gast.expr], conjunction: bool) -> None:
        if not values:
            return
        saved, self.out = self.out, []
        self.emit(_assignment(_name_store(result), self.primitive(values[0])))
        self._chain(result, values[1:], conjunction)
        branch, self.out = self.out, saved
        if conjunction:
            self.emit(gast.If(test=_name(result), body=branch, orelse=[]))
        else:
            self.emit(gast.If(test=_name(result), body=[gast.Pass()], orelse=branch))

    def conditional(self, node: gast.IfExp) -> gast.Name:
        """`a if c else b` → `if c: v = a else: v = b`."""
        test = self.name_of(node.test)
        result = self.namer.temporary()
        body, orelse = self.lazily(result, node.body), self.lazily(result, node.orelse)
        self.emit(gast.If(test=test, body=body, orelse=orelse))
        return _name(result)

    def chained_comparison(self, node: gast.Compare) -> gast.Name:
        """`a < b < c` → `v = a < b; if v: v = b < c`, each operand evaluated once."""
        operands = [self.name_of(node.left)]
        result = self.namer.temporary()
        first = gast.Compare(
            left=operands[0], ops=node.ops[:1], comparators=[self.name_of(node.comparators[0])]
        )
        operands.append(first.comparators[0])
        self.emit(_assignment(_name_store(result), first))
        self._compare_chain(result, operands[-1], node.ops[1:], node.comparators[1:])
        return _name(result)

    def _compare_chain(self, result: str, left: gast.expr, ops: list, rights: list) -> None:
        if not ops:
            return
        saved, self.out = self.out, []
        right = self.name_of(rights[0])
        compare = gast.Compare(left=left, ops=[ops[0]], comparators=[right])
        self.emit(_assignment(_name_store(result), compare))
        self._compare_chain(result, right, ops[1:], rights[1:])
        branch, self.out = self.out, saved
        self.emit(gast.If(test=_name(result), body=branch, orelse=[]))


def _name(name: str) -> gast.Name:
    return gast.Name(name, gast.Load(), None, None)


def _name_store(name: str) -> gast.Name:
    return gast.Name(name, gast.Store(), None, None)


def _assignment(target: gast.expr, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[target], value=value, type_comment=None)


#: A local list's in-place updates, and the helpers that make the updated copy.
_LIST_UPDATES = {
    "append": runtime.list_append,
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
