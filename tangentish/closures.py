"""Closure conversion: a function made inside the differentiated one gets the variables it reads
from the enclosing function as arguments, at each of its calls.

To the chain rule, `def g(t): return t * k` with `k = 2 * x` outside is a function of `k` as well
as of `t`. Its calls are rewritten to pass `k` (`def g(k, t)`, `g(x)` → `g(k, x)`), and the
ordinary call machinery sends an adjoint back to `k` like to any argument. Python reads a
closure's variables when it is called, and the rewritten call passes them at that moment too, so
a variable rebound between the `def` and the call is read as Python reads it.

Variables that do not vary are passed too: a call's derivative runs after the call, when the
closure would read a later value. A function that escapes (passed to another function, returned,
stored) cannot have its calls rewritten: it keeps its closure, and reading a varied variable there
is an error; so is a default value that varies, which would need its value at the `def`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Union

import gast

from .errors import UnsupportedSyntaxError
from .naming import names_in
from .parse import ParsedFunction, location

Definition = Union[gast.FunctionDef, gast.Lambda]


def lift(fn: gast.FunctionDef, varied: frozenset[str], parsed: ParsedFunction) -> bool:
    """Pass to each function defined in `fn` the variables it reads from `fn`, at every call;
    True if `fn` changed (its activity must then be analyzed again). Variables that do not vary
    are passed too where they can be: a call's derivative runs after the call, when a closure
    would read the variable's later value."""
    for node in _scope(fn.body):
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            _check_defaults(node, varied, parsed)
        elif isinstance(node, gast.Call):
            _check_partial(node, varied, parsed)
    changed = False
    local = {a.id for a in fn.args.args}
    local |= {n.id for n in _scope(fn.body) if isinstance(n, gast.Name) and not _loads(n, n.id)}
    for name, definition in _definitions(fn.body):
        free = _free(definition) - {name}
        closed = sorted(free & varied)
        passed = sorted(free & local)
        if not passed:
            continue
        own = name in names_in(parsed.node)  # not a name the compiler gave an inline lambda
        what = _describe(name, definition) if own else "a lambda passed as a value"
        scope = list(_scope(fn.body))
        calls = [node for node in scope if _calls(node, name)]
        called = {id(call.func) for call in calls}
        escaping = [node for node in scope if _loads(node, name) and id(node) not in called]
        escaping += [
            node
            for node in scope
            if isinstance(node, (gast.FunctionDef, gast.Lambda))
            and node is not definition
            and name in _free(node)
        ]
        bindings = [node for node in scope if _binds(node, name)]
        problem = ""
        if not own:
            problem = "tangentish can pass it only at calls it sees"
        elif name in parsed.params or len(bindings) != 1:
            problem = f"`{name}` is bound more than once"
        elif escaping:
            problem = f"`{name}` is used as a value (passed, returned or stored), not only called"
        elif name in _free(definition):
            problem = f"{what} calls itself"
        if problem and not closed:
            continue  # a closure over values that stay the same: it reads them itself
        if problem:
            raise UnsupportedSyntaxError(
                f"{what} reads `{closed[0]}` from the enclosing function, which varies with the "
                f"differentiated inputs, and {problem}: tangentish passes `{closed[0]}` at each "
                f"call it sees, so call it directly, or pass `{closed[0]}` to it as an argument",
                construct="closure over a differentiated variable",
                **location(parsed, escaping[0] if escaping else definition),
            )
        params = [gast.Name(k, gast.Param(), None, None) for k in passed]
        definition.args.args[:0] = params
        for call in calls:
            call.args[:0] = [gast.Name(k, gast.Load(), None, None) for k in passed]
        changed = True
    return changed


def _definitions(body: list[gast.stmt]) -> Iterator[tuple[str, Definition]]:
    """`def name` statements and `name = lambda ...` assignments of the enclosing function."""
    for statement in _statements(body):
        if isinstance(statement, gast.FunctionDef):
            yield statement.name, statement
        elif (
            isinstance(statement, gast.Assign)
            and isinstance(statement.value, gast.Lambda)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], gast.Name)
        ):
            yield statement.targets[0].id, statement.value


def _statements(body: list[gast.stmt]) -> Iterator[gast.stmt]:
    """The statements of the enclosing function, through its blocks, not into nested functions."""
    for statement in body:
        yield statement
        if isinstance(statement, (gast.If, gast.For, gast.While)):
            yield from _statements(statement.body)
            yield from _statements(statement.orelse)


def _scope(body: list[gast.stmt]) -> Iterator[gast.AST]:
    """Every node of the enclosing function's own scope: functions made in it are yielded, their
    bodies are not entered. A node without a source position gets its statement's, for errors."""
    stack: list[tuple[gast.AST, gast.AST]] = [(statement, statement) for statement in body]
    while stack:
        node, where = stack.pop()
        if not hasattr(node, "lineno"):
            gast.copy_location(node, where)
        yield node
        if not isinstance(node, (gast.FunctionDef, gast.Lambda)):
            stack.extend((child, node) for child in gast.iter_child_nodes(node))


def _free(definition: Definition) -> set[str]:
    """Names `definition`'s body reads but neither takes as a parameter nor assigns."""
    body = definition.body if isinstance(definition, gast.FunctionDef) else [definition.body]
    args = definition.args
    params = {a.id for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    params |= {a.id for a in (args.vararg, args.kwarg) if a is not None}
    names = [n for b in body for n in gast.walk(b) if isinstance(n, gast.Name)]
    stored = {n.id for n in names if not isinstance(n.ctx, gast.Load)}
    stored |= {n.name for b in body for n in gast.walk(b) if isinstance(n, gast.FunctionDef)}
    return {n.id for n in names if isinstance(n.ctx, gast.Load)} - params - stored


def _check_defaults(definition: Definition, varied: frozenset[str], parsed: ParsedFunction) -> None:
    """A default is computed once, at the `def`: one that varies would need its adjoint there."""
    args = definition.args
    for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
        read = sorted(
            n.id for n in gast.walk(default) if isinstance(n, gast.Name) and n.id in varied
        )
        if read:
            raise UnsupportedSyntaxError(
                f"a default value reads `{read[0]}`, which varies with the differentiated "
                f"inputs; pass `{read[0]}` as an argument at the call instead",
                construct="default value of a differentiated variable",
                **location(parsed, default),
            )


def _check_partial(call: gast.Call, varied: frozenset[str], parsed: ParsedFunction) -> None:
    """`functools.partial(g, k)` keeps the value of `k` it was made with, like a default."""
    found = parsed.namespace.resolve(call.func)
    if found is None or found.value is not functools.partial:
        return
    bound = [a.id for a in call.args[1:] if isinstance(a, gast.Name) and a.id in varied]
    bound += [
        k.value.id for k in call.keywords if isinstance(k.value, gast.Name) and k.value.id in varied
    ]
    if bound:
        raise UnsupportedSyntaxError(
            f"functools.partial binds `{bound[0]}`, which varies with the differentiated inputs; "
            "pass it when calling instead",
            construct="partial over a differentiated variable",
            **location(parsed, call),
        )


def _describe(name: str, definition: Definition) -> str:
    return f"the lambda {name}" if isinstance(definition, gast.Lambda) else f"the function {name}"


def _loads(node: gast.AST, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name and isinstance(node.ctx, gast.Load)


def _calls(node: gast.AST, name: str) -> bool:
    return isinstance(node, gast.Call) and _loads(node.func, name)


def _binds(node: gast.AST, name: str) -> bool:
    if isinstance(node, gast.FunctionDef):
        return node.name == name
    return isinstance(node, gast.Name) and node.id == name and isinstance(node.ctx, gast.Store)
