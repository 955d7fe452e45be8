"""Variadic functions: `*args` and `**kwargs` specialized to the shape of one call.

A call fixes how many extra positional arguments a function gets and the names of its extra
keywords. For that shape, `def fwd(x, *args, **kwargs)` is the plain function
`def fwd(x, args_0, args_1, kwargs_scale)` that starts with `args = (args_0, args_1)` and
`kwargs = {'scale': kwargs_scale}`, and forwards `g(*args, **kwargs)` as
`g(args_0, args_1, scale=kwargs_scale)`: every later pass sees ordinary parameters, each with its
own adjoint. Calls pass every parameter by position, defaults filled in, in the order of
`flat_names`.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import gast

from .naming import parameters

T = TypeVar("T")


@dataclass(frozen=True)
class Shape:
    """How one call fills `*args` and `**kwargs`: how many extra positional arguments, and the
    extra keywords' names in the order given."""

    extra: int
    keywords: tuple[str, ...]


def is_variadic(fn: Callable[..., Any]) -> bool:
    return any(
        p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in inspect.signature(fn).parameters.values()
    )


def flatten(
    fn: Callable[..., Any],
    args: Sequence[T],
    keywords: Mapping[str, T],
    default: Callable[[Any], T],
) -> tuple[dict[str, T], Shape | None]:
    """Every parameter of `fn` for a call `fn(*args, **keywords)`, flattened (name → argument,
    defaults as `default(value)`), and the call's shape (None if `fn` is not variadic). Raises
    TypeError when the call does not match the signature, as Python would."""
    signature = inspect.signature(fn)
    bound = signature.bind(*args, **keywords)
    params = list(signature.parameters.values())
    shape = None
    if is_variadic(fn):
        extra: tuple[Any, ...] = ()
        named: dict[str, Any] = {}
        for p in params:
            if p.kind is p.VAR_POSITIONAL:
                extra = bound.arguments.get(p.name, ())
            elif p.kind is p.VAR_KEYWORD:
                named = bound.arguments.get(p.name, {})
        shape = Shape(len(extra), tuple(named))
    flat: dict[str, T] = {}
    for p, name, key in _layout(fn, shape):
        if key is not None:
            flat[name] = bound.arguments[p.name][key]
        elif p.name in bound.arguments:
            flat[name] = bound.arguments[p.name]
        else:
            flat[name] = default(p.default)
    return flat, shape


def flat_names(fn: Callable[..., Any], shape: Shape | None) -> list[str]:
    """The parameters of `fn` specialized to `shape`, in the order calls pass them."""
    return [name for _, name, _ in _layout(fn, shape)]


def specialize(node: gast.FunctionDef, fn: Callable[..., Any], shape: Shape) -> None:
    """Rewrite `fn`'s tree `node` in place into the plain function for calls of `shape`."""
    layout = _layout(fn, shape)
    prefix: list[gast.stmt] = []
    packed: dict[str, list[tuple[str, Any]]] = {}
    for p, name, key in layout:
        if key is not None:
            packed.setdefault(p.name, []).append((name, key))
    for p in inspect.signature(fn).parameters.values():
        items = packed.get(p.name, [])
        if p.kind is p.VAR_POSITIONAL:
            value: gast.expr = gast.Tuple(elts=[_load(n) for n, _ in items], ctx=gast.Load())
        elif p.kind is p.VAR_KEYWORD:
            value = gast.Dict(
                keys=[gast.Constant(k, None) for _, k in items], values=[_load(n) for n, _ in items]
            )
        else:
            continue
        target = gast.Name(p.name, gast.Store(), None, None)
        prefix.append(gast.Assign(targets=[target], value=value, type_comment=None))
        if _only_forwarded(node, p.name, p.kind is p.VAR_KEYWORD):
            _forward(node, p.name, items, p.kind is p.VAR_KEYWORD)
    node.args = parameters(name for _, name, _ in layout)
    for statement in prefix:
        gast.copy_location(statement, node)
    node.body[:0] = prefix


def _layout(
    fn: Callable[..., Any], shape: Shape | None
) -> list[tuple[inspect.Parameter, str, Any]]:
    """(parameter, flat name, index or keyword within `*args`/`**kwargs` or None) in call order:
    the named parameters, then `*args`'s entries, keyword-only parameters, `**kwargs`'s."""
    code = fn.__code__
    taken = {*code.co_varnames, *code.co_names, *code.co_freevars, *code.co_cellvars}
    layout = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            keys: Sequence[Any] = range(shape.extra) if shape else ()
        elif p.kind is p.VAR_KEYWORD:
            keys = shape.keywords if shape else ()
        else:
            layout.append((p, p.name, None))
            continue
        for key in keys:
            name = f"{p.name}_{key}"
            while name in taken:
                name += "_"
            taken.add(name)
            layout.append((p, name, key))
    return layout


def _only_forwarded(node: gast.FunctionDef, name: str, keywords: bool) -> bool:
    """`name` is never rebound, and a `**kwargs` dict is only read or forwarded, so each
    `*name`/`**name` at a call can be spelled out from the parameters."""
    inside = [n for statement in node.body for n in gast.walk(statement)]
    stars = {
        id(n.value)
        for n in inside
        if isinstance(n, gast.Starred) or (isinstance(n, gast.keyword) and n.arg is None)
    }
    subscripted = {id(n.value) for n in inside if isinstance(n, gast.Subscript)}
    for n in inside:
        if not (isinstance(n, gast.Name) and n.id == name):
            continue
        if not isinstance(n.ctx, gast.Load):
            return False
        if keywords and id(n) not in stars | subscripted:
            return False  # `kwargs.pop(...)` and the like change what is forwarded
    return True


def _forward(
    node: gast.FunctionDef, name: str, items: list[tuple[str, Any]], keywords: bool
) -> None:
    """Spell out `*name` (or `**name`) at every call in `node` from the flat parameters."""
    for call in [n for statement in node.body for n in gast.walk(statement)]:
        if not isinstance(call, gast.Call):
            continue
        if keywords:
            spelled = []
            for keyword in call.keywords:
                if keyword.arg is None and _is(keyword.value, name):
                    spelled += [gast.keyword(arg=k, value=_load(n)) for n, k in items]
                else:
                    spelled.append(keyword)
            call.keywords = spelled
        else:
            args: list[gast.expr] = []
            for arg in call.args:
                if isinstance(arg, gast.Starred) and _is(arg.value, name):
                    args += [_load(n) for n, _ in items]
                else:
                    args.append(arg)
            call.args = args


def _is(node: gast.expr, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def _load(name: str) -> gast.Name:
    return gast.Name(name, gast.Load(), None, None)
