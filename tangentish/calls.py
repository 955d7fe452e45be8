"""Calls: the derivatives of the user's own functions, called from differentiated code.

A call `y = f(a, b)` to a Python function without a derivative rule is differentiated through
`f`'s own source, not inlined: `f` gets a forward function, which runs it and returns its value and
a tape (what its adjoint sweep will read), and a backward function, which takes the tape and `y`'s
adjoint and returns the adjoints of the arguments that were active at the call. Both are
generated once per function and specialization and cached; a function that calls itself finds its
own entry while it is being compiled, so recursion works to any depth.
"""

from __future__ import annotations

import functools
import inspect
import linecache
import threading
from typing import Any, Callable

import gast

from . import codegen, runtime, variadic
from . import kinds as kind_module
from .activity import Activity, is_write
from .errors import InternalError, TangentishError, UnsupportedSyntaxError
from .naming import Namer, parameters
from .parse import ParsedFunction, location
from .variadic import Shape

_LOCK = threading.RLock()


def is_user_function(obj: Any) -> bool:
    """A plain Python function of the user's (not NumPy's, SciPy's or tangentish's own helpers)."""
    if not inspect.isfunction(obj):
        return False
    module = getattr(obj, "__module__", None) or ""
    return not module.startswith(("numpy", "scipy", "tangentish."))


CHANGED_ARGUMENT = "in-place change of an argument of a called function"


def refuse_argument_writes(
    wengert: gast.FunctionDef,
    augmented: list[tuple[str, int]],
    kinds: dict[str, str],
    parsed: ParsedFunction,
    namer: Namer,
) -> None:
    """Refuse a called function that changes an argument in place: a write into it (`q[0] = v`),
    an update Python makes in place and tangentish lowers to rebinding (`q += v` on an array,
    `items.append(v)`), directly or through a name bound to it (`b = q`). Python's caller sees
    the change, which the caller's derivative does not follow. (The differentiated function
    itself copies such arguments instead, so that its caller's values stay as they were.)
    Where the argument's kind is not known, `q += v` gets a check that refuses it at run time
    on an array or a list (on a number it rebinds)."""
    updates = {(name, line) for name, line in augmented if kinds.get(name) != kind_module.SCALAR}
    changes: dict[int, tuple[gast.stmt, str, list[gast.stmt]]] = {}
    params = {a.id: a.id for a in wengert.args.args}
    _follow_arguments(wengert.body, params, updates, changes)
    guards = []
    for statement, name, body in sorted(changes.values(), key=lambda c: c[0].lineno):
        error = UnsupportedSyntaxError(
            f"a called function, {parsed.node.name}, changes its argument `{name}` in place: "
            "its caller would see the change, which tangentish does not follow through a call; "
            f"work on a copy (`{name} = {name}.copy()`, `{name} = {name} + ...`) and return it",
            construct=CHANGED_ARGUMENT,
            **location(parsed, statement),
        )
        target = statement.targets[0]
        changed = target.id if isinstance(target, gast.Name) else ""
        if kinds.get(changed, "") != kind_module.UNKNOWN:
            raise error  # a write, or an update of an array or a list: in place for certain
        guards.append((statement, changed, body, runtime.InPlaceGuard(error)))
    for statement, changed, body, guard in guards:  # `q += v` on an argument of unknown kind
        check = parsed.namespace.bind(f"check_{changed}", guard, namer)
        call = gast.Call(
            func=gast.Name(check, gast.Load(), None, None),
            args=[gast.Name(changed, gast.Load(), None, None)],
            keywords=[],
        )
        body.insert(body.index(statement), gast.copy_location(gast.Expr(value=call), statement))


def _follow_arguments(
    body: list[gast.stmt],
    holds: dict[str, str],
    updates: set[tuple[str, int]],
    changes: dict[int, tuple[gast.stmt, str, list[gast.stmt]]],
) -> dict[str, str]:
    """The names that may hold an argument's object after `body` (name → the argument), given
    `holds` before it; the statements of `body` that change such an object in place go into
    `changes`, with the argument they change and the block they are in."""
    for statement in body:
        if isinstance(statement, gast.If):
            taken = _follow_arguments(statement.body, dict(holds), updates, changes)
            holds = {**_follow_arguments(statement.orelse, dict(holds), updates, changes), **taken}
        elif isinstance(statement, (gast.For, gast.While)):
            if isinstance(statement, gast.For) and statement.iter.id in holds:
                holds[statement.target.id] = holds[statement.iter.id]  # an entry of a list
            before: set[str] = set()
            while before != set(holds):
                before = set(holds)
                holds = {
                    **_follow_arguments(statement.body, dict(holds), updates, changes),
                    **holds,
                }
        elif is_write(statement):
            array = statement.targets[0].value.id
            if array in holds:
                changes[id(statement)] = (statement, holds[array], body)
        elif isinstance(statement, gast.Assign):
            targets = [n.id for n in gast.walk(statement.targets[0]) if isinstance(n, gast.Name)]
            for target in targets:
                if target in holds and (target, statement.lineno) in updates:
                    changes[id(statement)] = (statement, holds[target], body)
            value = statement.value
            base = value.value if isinstance(value, (gast.Subscript, gast.Attribute)) else value
            origin = holds.get(base.id) if isinstance(base, gast.Name) else None
            for target in targets:  # a copy, an entry or a view of an argument still holds it
                if origin is None:
                    holds.pop(target, None)
                else:
                    holds[target] = origin
    return holds


def check_unneeded_calls(
    wengert: gast.FunctionDef, activity: Activity, kinds: dict[str, str], parsed: ParsedFunction
) -> None:
    """A call to a user function whose value the derivative does not need is not differentiated,
    yet the function may change a varied argument in place (`helper(items, x)` appending to
    `items`); its derivative is compiled all the same, which refuses that."""
    for node in gast.walk(wengert):
        if isinstance(node, gast.Assign) and isinstance(node.value, gast.Call):
            targets = {n.id for n in gast.walk(node.targets[0]) if isinstance(n, gast.Name)}
            call = node.value
        elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
            targets, call = set(), node.value
        else:
            continue
        found = parsed.namespace.resolve(call.func)
        fn = found.value if found is not None else None
        varied = [
            a
            for a in [*call.args, *(k.value for k in call.keywords)]
            if isinstance(a, gast.Name) and a.id in activity.varied
        ]
        if not is_user_function(fn) or not varied or targets & activity.active:
            continue
        try:
            arguments, shape = variadic.flatten(
                fn, call.args, {k.arg: k.value for k in call.keywords}, lambda _: None
            )
        except TypeError:
            continue  # Python raises when the call runs
        given = {
            name: kind_module.operand_kind(node, kinds, parsed.namespace)
            for name, node in arguments.items()
            if isinstance(node, gast.Name)
        }
        try:
            derive(fn, (), given, location(parsed, node), shape)
        except TangentishError as error:
            if error.construct == CHANGED_ARGUMENT or isinstance(error, InternalError):
                raise
            # Anything else tangentish could not differentiate is no matter: the call runs as
            # plain Python, its value not needed.


class Callee:
    """The split derivative of one function for one specialization.

    `forward(*args)` returns `(value, tape)`; `backward(tape, seed)` returns a tuple of the active
    arguments' adjoints, in the order of the function's parameters.
    """

    def __init__(self, name: str, active: tuple[str, ...]) -> None:
        self.name, self.active = name, active
        self.forward: Callable[..., Any] = self._not_ready
        self.backward: Callable[..., Any] = self._not_ready
        self.source = ""

    def _not_ready(self, *args: Any) -> Any:

        raise InternalError(f"the derivative of {self.name} was called before it was compiled")

    def __repr__(self) -> str:
        return f"<tangentish derivative of {self.name} w.r.t. {self.active}>"


def derive(
    fn: Callable[..., Any],
    active: tuple[str, ...],
    kinds: dict[str, str],
    where: dict[str, Any],
    shape: Shape | None = None,
) -> Callee:
    """The (cached) derivative of `fn` with respect to the parameters named in `active`, for
    arguments of `kinds` (parameter name → kind; missing ones are generic) and, for a variadic
    `fn`, calls of `shape`."""
    params, signature = _specialization(fn, kinds, shape)
    key = (active, signature, shape)
    with _LOCK:
        per_function = codegen.cache_of(fn, "derivative")
        if key in per_function:
            return per_function[key]
        callee = Callee(fn.__qualname__, active)
        per_function[key] = callee
        try:
            _compile(fn, callee, params, signature, shape)
        except BaseException:
            del per_function[key]
            raise
    return callee


def _specialization(
    fn: Callable[..., Any], kinds: dict[str, str], shape: Shape | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`fn`'s parameters for calls of `shape`, and the kind of each: given, else its default's."""
    defaults = {
        p.name: p.default
        for p in inspect.signature(fn).parameters.values()
        if p.default is not p.empty
    }
    params = tuple(variadic.flat_names(fn, shape))
    signature = tuple(
        kinds.get(name)
        or (kind_module.of_value(defaults[name]) if name in defaults else "")
        or kind_module.UNKNOWN
        for name in params
    )
    return params, signature


def _compile(
    fn: Callable[..., Any],
    callee: Callee,
    params: tuple[str, ...],
    signature: tuple[str, ...],
    shape: Shape | None,
) -> None:
    from . import optimize, pipeline, recording

    positions = tuple(params.index(name) for name in callee.active)
    done = pipeline.stages(
        fn, positions, optimized=False, kinds=signature, shape=shape, callee=True
    )
    result, namer = done.adjoint, done.namer
    returned = gast.Return(value=gast.Tuple(elts=list(result.grads), ctx=gast.Load()))
    local = recording.assigned(result.primal) | set(params)  # globals and helpers are not taped
    tape_names = sorted(optimize.live_in([*result.sweep, returned], set()) & local)
    tape = namer.claim("_tape")

    def names(ctx: gast.expr_context) -> gast.Tuple:
        return gast.Tuple(elts=[gast.Name(n, ctx, None, None) for n in tape_names], ctx=ctx)

    value = gast.Tuple(elts=[result.output, names(gast.Load())], ctx=gast.Load())
    certain = recording.certainly_assigned(result.primal) | set(params)
    unset = [  # tape entries some paths never assign (a branch not taken)
        gast.Assign(
            targets=[gast.Name(n, gast.Store(), None, None)],
            value=gast.Constant(None, None),
            type_comment=None,
        )
        for n in tape_names
        if n not in certain
    ]
    body = [*unset, *result.primal, gast.Return(value=value)]
    forward = _function(f"{done.parsed.node.name}_forward", done.wengert.args, body, fn)
    unpack = gast.Assign(
        targets=[names(gast.Store())],
        value=gast.Name(tape, gast.Load(), None, None),
        type_comment=None,
    )
    backward = _function(
        f"{done.parsed.node.name}_backward",
        parameters([tape, result.seed]),
        [unpack, *result.sweep, returned],
        fn,
    )
    purity = pipeline.purity(done.parsed, result.bindings)
    made = []
    given = () if shape else fn.__defaults__ or ()  # a variadic call passes every parameter
    for node, defaults in ((forward, given), (backward, ())):
        node = optimize.optimize(node, namer.created, purity, result.stack, namer.adjoints)
        made.append(codegen.generate(node, done.parsed, result.bindings, "derivative", defaults))
    callee.forward, callee.backward = made[0].function, made[1].function
    callee.source = made[0].source + "\n" + made[1].source


def _function(
    name: str, args: gast.arguments, body: list[gast.stmt], fn: Callable[..., Any]
) -> gast.FunctionDef:
    node = gast.FunctionDef(
        name=name,
        args=args,
        body=body,
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    node.lineno, node.col_offset = fn.__code__.co_firstlineno, 0
    for statement in body:
        if not hasattr(statement, "lineno"):
            gast.copy_location(statement, node)
    return node


def call_forward(
    fn: Any, active: tuple[int | str, ...], *args: Any, **kwargs: Any
) -> tuple[Any, Any]:
    """Run a call to a function value, `fn(*args, **kwargs)`, through the derivative of whatever
    function `fn` turns out to be; `active` are the positions (and keywords) of the arguments to
    differentiate. Returns the value and the tape `call_backward` needs."""
    fn, flat, names, shape = _bind_call(fn, active, args, kwargs)
    kinds = {name: kind_module.of_value(value) for name, value in flat.items()}
    callee = derive(fn, names, kinds, {}, shape)
    value, tape = callee.forward(*flat.values())
    return value, (callee, tape)


def call_backward(tape: tuple[Callee, Any], seed: Any) -> tuple[Any, ...]:
    """The adjoints of the active arguments of a call made by `call_forward`."""
    callee, inner = tape
    return callee.backward(inner, seed)


def _caller_of(fn: Any, count: int, keywords: tuple[str, ...]) -> Callable[..., Any]:
    """`_caller`, for any value: calling what is not callable raises the TypeError Python raises,
    because the user's program has that bug and the function itself fails the same way (a
    TangentishError would blame the differentiation for it)."""
    if not callable(fn):
        fn()  # Python's own TypeError, worded as Python words it ("'numpy.ndarray' object ...")
    return _caller(fn, count, keywords)


@functools.lru_cache(maxsize=256)
def _caller(fn: Any, count: int, keywords: tuple[str, ...]) -> Callable[..., Any]:
    """A Python function that calls `fn` (a NumPy function, a builtin): tangentish
    differentiates its source, which applies `fn`'s derivative rule."""
    params = [f"x{i}" for i in range(count)] + list(keywords)
    call = ", ".join([f"x{i}" for i in range(count)] + [f"{k}={k}" for k in keywords])
    name = getattr(fn, "__name__", "function")
    source = f"def call_{name}({', '.join(params)}):\n    return fn({call})\n"
    filename = f"<tangentish call of {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {"fn": fn, "__name__": "tangentish.calls"}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own one-line source
    caller = namespace[f"call_{name}"]
    caller.__module__ = "tangentish_calls"  # a user function to `is_user_function`
    return caller


class TangentCallee:
    """The forward-mode derivative of one function for one specialization:
    `jvp(*args, *tangents)` returns `(value, tangent)`, tangents for the active parameters."""

    def __init__(self, name: str, active: tuple[str, ...]) -> None:
        self.name, self.active = name, active
        self.jvp: Callable[..., Any] = self._not_ready
        self.source = ""

    def _not_ready(self, *args: Any) -> Any:

        raise InternalError(f"the tangent of {self.name} was called before it was compiled")

    def __repr__(self) -> str:
        return f"<tangentish tangent of {self.name} w.r.t. {self.active}>"


def derive_tangent(
    fn: Callable[..., Any],
    active: tuple[str, ...],
    kinds: dict[str, str],
    shape: Shape | None = None,
) -> TangentCallee:
    """The (cached) tangent function of `fn` for tangents on the parameters in `active`."""
    from . import pipeline

    params, signature = _specialization(fn, kinds, shape)
    key = (active, signature, shape)
    with _LOCK:
        per_function = codegen.cache_of(fn, "tangent")
        if key in per_function:
            return per_function[key]
        callee = TangentCallee(fn.__qualname__, active)
        per_function[key] = callee
        try:
            positions = tuple(params.index(name) for name in active)
            made = pipeline.compile_tangent(
                fn, positions, kinds=signature, defaults=False, shape=shape
            )
        except BaseException:
            del per_function[key]
            raise
        callee.jvp, callee.source = made.function, made.source
    return callee


def call_tangent(
    fn: Any, active: tuple[int | str, ...], tangents: tuple[Any, ...], *args: Any, **kwargs: Any
) -> tuple[Any, Any]:
    """Forward mode through a call to a function value: `(value, tangent)` of `fn(*args)` for
    tangents on the arguments at positions (and keywords) `active`."""
    fn, flat, names, shape = _bind_call(fn, active, args, kwargs)
    kinds = {name: kind_module.of_value(value) for name, value in flat.items()}
    callee = derive_tangent(fn, names, kinds, shape)
    return callee.jvp(*flat.values(), *tangents)


def _bind_call(
    fn: Any, active: tuple[int | str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Callable[..., Any], dict[str, Any], tuple[str, ...], Shape | None]:
    """A call to a function value, resolved and flattened: the Python function it runs (through
    partials; a wrapper for a NumPy function), every parameter's value (defaults filled in), the
    names of the parameters the `active` arguments (positions, keywords) went to, the shape."""
    while isinstance(fn, functools.partial):  # partial(g, a)(b) is g(a, b)
        active = tuple(at + len(fn.args) if isinstance(at, int) else at for at in active)
        args, kwargs, fn = (*fn.args, *args), {**fn.keywords, **kwargs}, fn.func
    if not is_user_function(fn):
        fn = _caller_of(fn, len(args), tuple(kwargs))
    flat, shape = variadic.flatten(fn, args, kwargs, lambda value: value)
    slots, _ = variadic.flatten(fn, range(len(args)), {k: k for k in kwargs}, lambda _: None)
    names = tuple(name for at in active for name, slot in slots.items() if slot == at)
    return fn, flat, names, shape
