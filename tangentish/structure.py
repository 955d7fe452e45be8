"""Structure: early `return`, `break`, `continue` and loop `else` → single-exit structured code.

After this pass a function has one `return`, at its end; loops have no `continue` and no `else`,
and a loop that breaks does so only through one `if <flag>: break` as the last statement of its
body. The reverse sweep then only needs, per iteration, the branches taken and the trip count:
a partial iteration is a normal iteration whose remaining statements sat in a branch not taken.

Where one branch of an `if` always leaves the block, the statements after the `if` move into the
other branch (no flag); otherwise they are guarded by a flag.

>>> import gast
>>> from tangentish.naming import Namer
>>> tree = gast.parse('''
... def f(x):
...     if x > 0:
...         return x
...     y = -x
...     return y
... ''').body[0]
>>> print(gast.unparse(lower(tree, Namer({"x", "y"}), lambda node: {})).strip())
def f(x):
    if x > 0:
        _result = x
    else:
        y = -x
        _result = y
    return _result
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import gast

from .errors import UnsupportedSyntaxError
from .naming import Namer

_JUMPS = (gast.Return, gast.Break, gast.Continue)


@dataclass
class _Loop:
    """The flags of one loop being structured: set when its body breaks (or returns), and set
    when the rest of the current iteration is to be skipped."""

    broke: str
    skip: str
    used_broke: bool = False
    used_skip: bool = False


class _Structurer:
    def __init__(self, namer: Namer) -> None:
        self.namer = namer
        self.result = ""
        self.returned = ""

    def result_name(self) -> str:
        self.result = self.result or self.namer.claim("_result")
        return self.result

    def returned_name(self) -> str:
        self.returned = self.returned or self.namer.claim("_returned")
        return self.returned

    def block(self, statements: list[gast.stmt], loops: list[_Loop]) -> tuple[list[gast.stmt], str]:
        """The structured block and how it ends: "never", "maybe" or "always" leaving early."""
        out: list[gast.stmt] = []
        for index, statement in enumerate(statements):
            rest = statements[index + 1 :]
            if isinstance(statement, _JUMPS):
                out += self.jump(statement, loops)
                return out, "always"
            if isinstance(statement, gast.If) and _jumps(statement):
                body_source, else_source = statement.body, statement.orelse
                if _always(body_source) and not _always(else_source):
                    else_source, rest = else_source + rest, []  # the rest runs only there
                elif _always(else_source) and not _always(body_source):
                    body_source, rest = body_source + rest, []
                body, body_exit = self.block(body_source, loops)
                orelse, else_exit = self.block(else_source, loops)
                node = gast.If(test=statement.test, body=body, orelse=orelse)
                out.append(gast.copy_location(node, statement))
                if body_exit == else_exit == "always":
                    return out, "always"
                if not rest:
                    return out, "maybe"
                return self.guard(out, rest, loops, statement)
            if isinstance(statement, gast.If):  # no jump leaves it; a loop inside may jump
                node = copy.copy(statement)
                node.body, _ = self.block(statement.body, loops)
                node.orelse, _ = self.block(statement.orelse, loops)
                out.append(node)
                continue
            if isinstance(statement, (gast.For, gast.While)):
                out += self.loop(statement, loops)
                if _returns(statement):
                    return self.guard(out, rest, loops, statement, after_loop=True)
                continue
            out.append(statement)
        return out, "never"

    def guard(self, out, rest, loops, anchor, after_loop=False):
        """Run `rest` only if nothing jumped: `if not flag: rest`."""
        if after_loop and loops:  # a `return` inside an inner loop also leaves the outer one
            loop = loops[-1]
            flag = gast.Name(self.returned_name(), gast.Load(), None, None)
            loop.used_broke = loop.used_skip = True
            mark = [_set(loop.broke, True, anchor), _set(loop.skip, True, anchor)]
            out.append(gast.copy_location(gast.If(test=flag, body=mark, orelse=[]), anchor))
        if not rest:
            return out, "maybe"
        if loops:
            loops[-1].used_skip = True
            flag_name = loops[-1].skip
        else:
            flag_name = self.returned_name()
        tail, tail_exit = self.block(rest, loops)
        test = gast.UnaryOp(op=gast.Not(), operand=gast.Name(flag_name, gast.Load(), None, None))
        out.append(gast.copy_location(gast.If(test=test, body=tail, orelse=[]), anchor))
        if not loops and tail_exit == "always":
            return out, "always"  # in the function's body only `return` jumps: all paths return
        return out, "maybe"

    def jump(self, statement: gast.stmt, loops: list[_Loop]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        if isinstance(statement, gast.Return):
            out.append(gast.copy_location(_assign(self.result_name(), statement.value), statement))
            out.append(_set(self.returned_name(), True, statement))
            if not loops:
                return out
        loop = loops[-1]
        if not isinstance(statement, gast.Continue):
            loop.used_broke = True
            out.append(_set(loop.broke, True, statement))
        loop.used_skip = True
        out.append(_set(loop.skip, True, statement))
        return out

    def loop(self, statement: gast.For | gast.While, loops: list[_Loop]) -> list[gast.stmt]:
        loop = _Loop(self.namer.claim("_broke"), self.namer.claim("_skip"))
        body, _ = self.block(statement.body, [*loops, loop])
        if loop.used_skip:
            body.insert(0, _set(loop.skip, False, statement))
        if loop.used_broke:
            test = gast.Name(loop.broke, gast.Load(), None, None)
            body.append(
                gast.copy_location(gast.If(test=test, body=[gast.Break()], orelse=[]), statement)
            )
        node = copy.copy(statement)
        node.body, node.orelse = body, []
        out = [_set(loop.broke, False, statement)] if loop.used_broke else []
        out.append(node)
        if statement.orelse:
            orelse, _ = self.block(statement.orelse, loops)
            if loop.used_broke:
                test = gast.UnaryOp(
                    op=gast.Not(), operand=gast.Name(loop.broke, gast.Load(), None, None)
                )
                out.append(
                    gast.copy_location(gast.If(test=test, body=orelse, orelse=[]), statement)
                )
            else:
                out += orelse
        return out


def _assign(name: str, value: gast.expr) -> gast.Assign:
    return gast.Assign(
        targets=[gast.Name(name, gast.Store(), None, None)], value=value, type_comment=None
    )


def _set(name: str, value: bool, anchor: gast.AST) -> gast.Assign:
    return gast.copy_location(_assign(name, gast.Constant(value, None)), anchor)


def _jumps(node: gast.AST) -> bool:
    """True if `node` contains a jump that leaves it (not one inside a nested loop, except
    `return`, which leaves every loop)."""
    if isinstance(node, _JUMPS):
        return True
    if isinstance(node, (gast.For, gast.While)):
        return _returns(node)
    return any(
        _jumps(child) for child in gast.iter_child_nodes(node) if isinstance(child, gast.stmt)
    )


def _always(statements: list[gast.stmt]) -> bool:
    """True if the block leaves early on every path (its last statement jumps, or is an `if`
    whose branches both always do)."""
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, _JUMPS):
        return True
    return isinstance(last, gast.If) and _always(last.body) and _always(last.orelse)


def _returns(node: gast.AST) -> bool:
    return any(isinstance(n, gast.Return) for n in gast.walk(node))


def lower(
    fn: gast.FunctionDef, namer: Namer, where: Callable[[gast.AST], dict]
) -> gast.FunctionDef:
    """`fn` in single-exit form, with structured loops. `where(node)` locates errors."""
    body = [s for s in fn.body if not _is_docstring(s)]
    last = body[-1] if body else None
    single_exit = isinstance(last, gast.Return) and not any(_returns(s) for s in body[:-1])
    loops = (gast.For, gast.While, gast.Return)
    if single_exit and not any(isinstance(n, loops) for s in body[:-1] for n in gast.walk(s)):
        return fn
    structurer = _Structurer(namer)
    if single_exit:  # keep the function's own `return` as it is
        new_body, _ = structurer.block(body[:-1], [])
        new_body.append(last)
    else:
        new_body, exit_kind = structurer.block(body, [])
        if exit_kind != "always":
            raise UnsupportedSyntaxError(
                f"{fn.name} can reach its end without `return`: every path must return a value",
                construct="missing return",
                **where(body[-1] if body else fn),
            )
        result = gast.Name(structurer.result, gast.Load(), None, None)
        new_body.append(gast.copy_location(gast.Return(value=result), body[-1]))
    node = copy.copy(fn)
    node.body = new_body
    flag = structurer.returned
    if flag and any(
        isinstance(n, gast.Name) and n.id == flag and isinstance(n.ctx, gast.Load)
        for n in gast.walk(node)
    ):
        new_body.insert(0, _set(flag, False, fn))
    elif flag:
        _drop_assignments(node, flag)
    return node


def _drop_assignments(node: gast.AST, name: str) -> None:
    """Remove `name = ...` everywhere under `node` (a flag nothing reads)."""
    for child in gast.walk(node):
        for field in ("body", "orelse"):
            statements = getattr(child, field, None)
            if isinstance(statements, list):
                statements[:] = [
                    s
                    for s in statements
                    if not (
                        isinstance(s, gast.Assign) and getattr(s.targets[0], "id", None) == name
                    )
                ]


def _is_docstring(statement: gast.stmt) -> bool:
    return isinstance(statement, gast.Expr) and isinstance(statement.value, gast.Constant)
