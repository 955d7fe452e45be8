"""Pipeline: the passes, in order, from a Python function to its compiled adjoint.

    parse → validate → normalize → activity (and kinds) → reverse → optimize → cse → inplace
    → views → codegen

`TANGENTISH_PRINT_AFTER=normalize,reverse` (or `all`) prints the code after those stages to stderr:
the same view `verbose=1` and the learner get.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable

import gast
import numpy as np

from . import (
    aliasing,
    calls,
    closures,
    codegen,
    cse,
    forward,
    inplace,
    normalize,
    optimize,
    reverse,
    rules,
    runtime,
    structure,
    views,
)
from .activity import Activity, analyze
from .kinds import ARRAY, SCALAR, UNKNOWN, coerce_containers, infer
from .naming import Namer, names_in
from .parse import MISSING, ParsedFunction, location, parse
from .validate import validate
from .variadic import Shape

STAGES = ("normalize", "reverse", "forward", "optimize")

#: `math` functions that never raise on a float, or only where their derivatives raise too
#: (`sin`, `cos` and `tan` at ±inf): a dead call of one need not stay for its error.
_MIRRORED = frozenset(
    {math.sin, math.cos, math.tan, math.tanh, math.atan, math.erf, math.erfc, math.fabs}
)

#: `math` functions whose value is always a float (not `floor`, `factorial`, `isnan`...).
_FLOAT_MATH = frozenset(
    getattr(math, name)
    for name in [
        *("acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "cos", "cosh"),
        *("degrees", "erf", "erfc", "exp", "exp2", "expm1", "fabs", "fmod", "gamma", "hypot"),
        *("lgamma", "log", "log10", "log1p", "log2", "pow", "radians", "remainder", "sin"),
        *("sinh", "sqrt", "tan", "tanh"),
    ]
    if hasattr(math, name)  # cbrt and exp2 are new in Python 3.11
)

rules.load()


@dataclass(frozen=True)
class Options:
    """Everything that changes the generated code: the compile cache's key, with the kinds."""

    wrt: tuple[int, ...]
    optimized: bool = True
    preserve_result: bool = False
    mode: str = "reverse"


def _print_after(stage: str, node: gast.AST) -> None:
    wanted = os.environ.get("TANGENTISH_PRINT_AFTER", "")
    names = {w.strip() for w in wanted.split(",")}
    if stage in names or "all" in names:
        print(f"# --- after {stage} ---\n{gast.unparse(node).strip()}\n", file=sys.stderr)


@dataclass(frozen=True)
class Stages:
    """What every pass produced for one function: the learner's view (`explain`) reads these."""

    parsed: ParsedFunction
    wengert: gast.FunctionDef  # after normalize: the Wengert list
    kinds: dict[str, str]
    activity: Activity
    adjoint: reverse.ReverseResult | None  # reverse mode: the mechanical adjoint
    final: gast.FunctionDef  # after optimize (the same as the mechanical code when not optimized)
    namer: Namer  # the compilation's names: those it made may be folded away
    tangent: forward.ForwardResult | None = None  # forward mode: the mechanical tangent code


def stages(
    fn: Callable[..., Any],
    wrt: tuple[int, ...] = (0,),
    *,
    optimized: bool = True,
    preserve_result: bool = False,
    kinds: tuple[str, ...] | None = None,
    mode: str = "reverse",
    shape: Shape | None = None,
    callee: bool = False,
    floats: frozenset[str] | None = None,
) -> Stages:
    """Run the passes on `fn`, specialized for arguments of `kinds` (generic if None) and, for a
    variadic `fn`, calls of `shape`, in reverse mode (the adjoint) or forward mode (the tangent
    code); a `callee` (called from generated code) may not write into its arguments. Given the
    parameters that are Python `floats`, the adjoint is for the default seed, 1.0, folded away."""
    parsed = parse(fn, shape)
    validate(parsed)
    namer = Namer(
        names_in(parsed.node) | set(parsed.namespace.closure), parsed.namespace.temporaries
    )
    structured = structure.lower(parsed.node, namer, lambda node: location(parsed, node))
    augmented: list[tuple[str, int]] = []
    wengert = normalize.lower(parsed, namer, structured, augmented)
    _print_after("normalize", wengert)
    params = parsed.params
    kinds = kinds or (UNKNOWN,) * len(params)
    kind_of = infer(wengert, dict(zip(params, kinds)), parsed.namespace)
    while coerce_containers(wengert, kind_of, parsed.namespace, namer):  # arrays make arrays
        kind_of = infer(wengert, dict(zip(params, kinds)), parsed.namespace)
    written = aliasing.check(wengert, augmented, parsed, kind_of)
    if callee:
        calls.refuse_argument_writes(wengert, augmented, kind_of, parsed, namer)
    for name in written:
        copy = gast.Call(
            func=gast.Name(
                parsed.namespace.bind("copy_input", runtime.copy_input, namer),
                gast.Load(),
                None,
                None,
            ),
            args=[gast.Name(name, gast.Load(), None, None)],
            keywords=[],
        )
        entry = gast.Assign(
            targets=[gast.Name(name, gast.Store(), None, None)], value=copy, type_comment=None
        )
        wengert.body.insert(0, gast.copy_location(entry, wengert))
    wrt_names = tuple(params[i] for i in wrt)
    activity = analyze(wengert, wrt_names, parsed.namespace)
    if closures.lift(wengert, activity.varied, parsed):
        activity = analyze(wengert, wrt_names, parsed.namespace)
    calls.check_unneeded_calls(wengert, activity, kind_of, parsed)
    if mode == "forward":
        tangent = forward.build(parsed, wengert, activity, kind_of, wrt_names, namer)
        _print_after("forward", tangent.node)
        node = (
            _optimized(tangent.node, parsed, tangent.bindings, "", namer, kind_of)
            if optimized
            else tangent.node
        )
        return Stages(parsed, wengert, kind_of, activity, None, node, namer, tangent)
    result = reverse.build(
        parsed,
        wengert,
        activity,
        kind_of,
        wrt_names,
        namer,
        preserve_result=preserve_result,
        unit_seed=floats is not None,
    )
    _print_after("reverse", result.node)
    node = (
        _optimized(result.node, parsed, result.bindings, result.stack, namer, kind_of, floats)
        if optimized
        else result.node
    )
    return Stages(parsed, wengert, kind_of, activity, result, node, namer)


def _optimized(
    node: gast.FunctionDef,
    parsed: ParsedFunction,
    bindings: dict[str, Any],
    stack: str,
    namer: Namer,
    kinds: dict[str, str],
    floats: frozenset[str] | None = None,
) -> gast.FunctionDef:
    """The optimizer's rewrites, then common calls computed once, adjoint arrays the sweep owns
    accumulated in place, and adjoints spread for an operand spread without a copy."""
    effects = purity(parsed, bindings)
    node = optimize.optimize(
        node, namer.created, effects, stack, namer.derivatives, floats or frozenset()
    )
    cse.eliminate(node, effects, namer.temporary)
    arrays = namer.adjoints_of(p for p, kind in kinds.items() if kind == ARRAY)
    zeros = {name for name, value in bindings.items() if value is runtime.zeros_like}
    inplace.accumulate_in_place(node, arrays, zeros)
    views.spread_operands(node, bindings, lambda name, obj: parsed.namespace.bind(name, obj, namer))
    _print_after("optimize", node)
    return node


def compile_gradient(
    fn: Callable[..., Any],
    wrt: tuple[int, ...] = (0,),
    *,
    optimized: bool = True,
    preserve_result: bool = False,
    kinds: tuple[str, ...] | None = None,
    floats: frozenset[str] | None = None,
) -> codegen.Generated:
    """The reverse-mode adjoint of `fn` as a live function, with its source: `f_grad(*args,
    seed=1.0)`, or, given the parameters that are Python `floats`, `f_grad(*args)` for the
    default seed (dz/dz = 1 multiplies nothing)."""
    done = stages(
        fn, wrt, optimized=optimized, preserve_result=preserve_result, kinds=kinds, floats=floats
    )
    label = f"grad wrt={wrt}"
    defaults = None if floats is None else done.parsed.fn.__defaults__ or ()
    generated = codegen.generate(done.final, done.parsed, done.adjoint.bindings, label, defaults)
    output = done.adjoint.output
    scalar = isinstance(output, gast.Name) and done.kinds.get(output.id) == SCALAR
    return dataclasses.replace(generated, guards=_guards(done), scalar_output=scalar)


def compile_tangent(
    fn: Callable[..., Any],
    wrt: tuple[int, ...] = (0,),
    *,
    optimized: bool = True,
    kinds: tuple[str, ...] | None = None,
    defaults: bool = True,
    shape: Shape | None = None,
) -> codegen.Generated:
    """The forward-mode tangent function of `fn`, `f_jvp(*args, *tangents) -> (value, tangent)`.
    Without `defaults`, it is meant for calls from generated code, which pass every argument."""
    done = stages(
        fn, wrt, optimized=optimized, kinds=kinds, mode="forward", shape=shape, callee=not defaults
    )
    label = f"jvp wrt={wrt}"
    given = (done.parsed.fn.__defaults__ or ()) if defaults else None
    generated = codegen.generate(done.final, done.parsed, done.tangent.bindings, label, given or ())
    return dataclasses.replace(generated, guards=_guards(done))


def _guards(done: Stages) -> tuple[tuple[str, Any], ...]:
    """The module globals naming functions the code was compiled for (their rules or their
    derivatives): if one is rebound later, the code must be compiled again."""
    namespace = done.parsed.namespace
    found = {}
    for node in gast.walk(done.wengert):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            name = node.id
            if namespace.lookup(name) is MISSING or name in namespace.closure:
                continue
            value = namespace.globals.get(name, MISSING)
            if callable(value) and not inspect.ismodule(value) and not inspect.isclass(value):
                found[name] = value
    return tuple(sorted(found.items(), key=lambda item: item[0]))


def purity(parsed: ParsedFunction, bindings: dict[str, Any]) -> optimize.Effects:
    """Calls the optimizer may move or drop (those with rules, NumPy's and our helpers), and
    those that may raise (the `math` module's, outside their domains)."""

    def resolve(expr: gast.expr) -> Any:
        if isinstance(expr, gast.Name) and expr.id in bindings:
            return bindings[expr.id]
        if isinstance(expr, gast.Attribute):
            base = resolve(expr.value)
            return None if base is None else getattr(base, expr.attr, None)
        found = parsed.namespace.resolve(expr)
        return None if found is None else found.value

    def pure(call: gast.Call) -> bool:
        func = call.func
        obj = resolve(func)
        if obj is None:
            if isinstance(func, gast.Attribute):  # a method of a local value
                return rules.lookup_method(func.attr) is not None or rules.is_zero_method(func.attr)
            return False
        if obj is slice or rules.is_zero(obj):
            return True
        if rules.lookup(obj, len(call.args)) is not None:
            return True
        module = getattr(obj, "__module__", None) or ""
        if inspect.getmodule(obj) in (runtime, math) or module.startswith("tangentish"):
            return True
        return isinstance(obj, np.ufunc)

    def may_raise(call: gast.Call) -> bool:
        function = resolve(call.func)
        return inspect.getmodule(function) is math and function not in _MIRRORED

    def floating(call: gast.Call) -> bool:
        function = resolve(call.func)
        if inspect.getmodule(function) is math:
            return function in _FLOAT_MATH
        # NumPy's ufuncs without an integer loop: floats for numbers (complex for complex ones).
        return isinstance(function, np.ufunc) and all(t[-1] in "efdgFDGO" for t in function.types)

    return optimize.Effects(pure, may_raise, floating)
