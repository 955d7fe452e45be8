"""User-defined derivative rules: declare a function a primitive and say how to differentiate it.

Three ways, from the simplest:

    tg.register_partials(fn, dfn_dx1, dfn_dx2, ...)
        fn is elementwise; each partial takes fn's arguments and returns ∂fn/∂x_i (an array of
        the output's shape, or None for an argument with no derivative). Both modes follow.

    @tg.adjoint(fn)
    def fn_vjp(g, y, x1, x2): return x1_bar, x2_bar
        the reverse rule: the output's adjoint `g` and the output `y`, then fn's arguments; one
        adjoint per positional argument (None where there is none). Forward mode then uses it one
        sweep per output entry, unless a tangent rule is given too:

    @tg.tangent(fn)
    def fn_jvp(tangents, y, x1, x2): return y_dot
        the forward rule: the arguments' tangents (a tuple, zeros for arguments without one).

Generated code calls these functions by name (they are bound in its closure), so they may be any
Python callables: NumPy code, a C extension, a solver. They are checked when registered: fn's
positional arity fixes how many partials or adjoints there are.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import gast

from ..errors import TangentishError
from ..templates import Template
from . import Rule, _register, describe


class RuleError(TangentishError):
    """A user-defined rule that does not fit the function it is for."""


def _arity(fn: Callable[..., Any], what: str, count: int | None = None) -> list[str]:
    """The positional parameters of `fn`; for one that takes `*args` (a C function, an
    `np.vectorize`), `count` parameters named x0, x1, ..., as many as the rule has."""
    if not callable(fn):
        raise RuleError(f"{what} must be callable, not {fn!r}")
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = [inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL)]
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in parameters if p.kind in kinds]
    if not names and any(p.kind is p.VAR_POSITIONAL for p in parameters) and count:
        return [f"x{i}" for i in range(count)]
    return names


def _accepts(fn: Callable[..., Any], count: int, what: str) -> None:
    if not callable(fn):
        raise RuleError(f"{what} must be callable, not {fn!r}")
    try:
        inspect.signature(fn).bind(*range(count))
    except TypeError as error:
        raise RuleError(f"{what} must accept {count} positional arguments: {error}") from None
    except ValueError:
        return  # a builtin without a signature: trust it


def _label(fn: Callable[..., Any], fallback: str) -> str:
    """The name generated code calls a rule by: its own, where that is an identifier."""
    name = getattr(fn, "__name__", "")
    return name if name.isidentifier() and not name.startswith("_") else fallback


def _name(identifier: str) -> gast.Name:
    return gast.Name(identifier, gast.Load(), None, None)


def _call(function: str, args: list[str]) -> gast.Call:
    return gast.Call(func=_name(function), args=[_name(a) for a in args], keywords=[])


def register_partials(fn: Callable[..., Any], *partials: Callable[..., Any] | None) -> None:
    """Treat the elementwise function `fn` as a primitive with these partial derivatives, one per
    positional argument of `fn`, each called with fn's arguments (None: no derivative)."""
    params = _arity(fn, "the function", len(partials))
    if len(partials) != len(params):
        raise RuleError(
            f"{describe(fn)} takes {len(params)} arguments {params}, so it needs "
            f"{len(params)} partials, not {len(partials)}"
        )
    outputs, found = [], {}
    for i, partial in enumerate(partials):
        if partial is None:
            outputs.append(None)
            continue
        _accepts(partial, len(params), f"the partial for {params[i]}")
        label = _label(partial, f"partial_{params[i]}")
        found[label] = partial
        outputs.append(_call(label, params))
    template = Template(describe(fn), tuple(params), {}, None, ("y",), tuple(outputs), found)
    _register(Rule("partials", fn, (fn,), built=template), first=True)


def adjoint(fn: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the reverse rule of `fn`, `rule(g, y, *args) -> (adjoint per argument)`."""

    def register(rule: Callable[..., Any]) -> Callable[..., Any]:
        params = _arity(fn, "the function", len(_arity(rule, "the rule")) - 2)
        _accepts(rule, len(params) + 2, f"the adjoint rule of {describe(fn)} (g, y, *args)")
        label = _label(rule, "vjp")
        call = _call(label, ["g", "y", *params])
        outputs = tuple(
            gast.Subscript(value=call, slice=gast.Constant(i, None), ctx=gast.Load())
            for i in range(len(params))
        )
        template = Template(
            describe(fn), tuple(params), {}, None, ("g", "y"), outputs, {label: rule}
        )
        tangent = _TANGENTS.get(fn)
        _register(Rule("adjoints", fn, (fn,), built=template, tangent=tangent), first=True)
        return rule

    return register


#: Tangent rules given before (or without) the adjoint rule of their function.
_TANGENTS: dict[Any, Template] = {}


def tangent(fn: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the forward rule of `fn`, `rule(tangents, y, *args) -> y_dot`, where
    `tangents` has one tangent per argument of `fn` (zeros where it has none)."""

    def register(rule: Callable[..., Any]) -> Callable[..., Any]:
        params = _arity(fn, "the function", len(_arity(rule, "the rule")) - 2)
        _accepts(rule, len(params) + 2, f"the tangent rule of {describe(fn)} (tangents, y, *args)")
        dots = gast.Tuple(elts=[_name(f"{p}_dot") for p in params], ctx=gast.Load())
        label = _label(rule, "jvp")
        call = gast.Call(
            func=_name(label), args=[dots, _name("y"), *[_name(p) for p in params]], keywords=[]
        )
        template = Template(describe(fn), tuple(params), {}, None, ("y",), (call,), {label: rule})
        _TANGENTS[fn] = template
        from . import lookup

        existing = lookup(fn, len(params))
        built = existing.built if existing is not None and existing.built is not None else None
        tier = existing.tier if built is not None else "adjoints"
        rule_entry = Rule(tier, fn, (fn,), built=built or _no_adjoint(params), tangent=template)
        _register(rule_entry, first=True)
        return rule

    return register


def _no_adjoint(params: list[str]) -> Template:
    """A rule with a tangent only: reverse mode reports that it has no rule."""
    return Template("no adjoint", tuple(params), {}, None, ("g", "y"), (None,) * len(params), {})
