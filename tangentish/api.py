"""The public API (DESIGN.md §1): `grad`, `value_and_grad`, `vjp`, `source`, `check_grads`.

`grad(f)` returns a plain function `df(*args, seed=1.0)`. On its first call with a new signature
of argument types it compiles (or fetches from the cache) the adjoint specialized for those kinds
of values, so code for Python floats has no helper calls and code for arrays reduces broadcast
adjoints. A call that leaves the seed out runs a version for the seed 1.0, folded away; after the
first call, checking the arguments' types against the last call's costs one `is` per argument.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, Callable, Union

import numpy as np

from . import calls, codegen, kinds
from .errors import (
    NonDifferentiableError,
    ShapeMismatchError,
    SourceUnavailableError,
    WrtError,
)
from .pipeline import Options, compile_gradient, compile_tangent

Wrt = Union[int, str, tuple[Union[int, str], ...]]

_LOCK = threading.RLock()

#: The default seed, dz/dz = 1. A call that leaves `seed` out passes this very object, which the
#: dispatchers tell by identity and answer with code that folds the multiplication by 1 away.
UNIT_SEED = 1.0


def _unwrap(f: Callable[..., Any]) -> Callable[..., Any]:
    """The plain function to differentiate. Decorators that record what they wrap
    (`functools.wraps`, `lru_cache`) are stripped. A function tangentish made is replaced by its
    generated code (the version for every kind of argument), which is plain Python: that is how
    derivatives of derivatives work."""
    if hasattr(f, "__wrapped_tangentish__") or inspect.isfunction(f):
        return f
    if not hasattr(f, "__wrapped__"):
        return f
    inner = inspect.unwrap(f)
    return inner if calls.is_user_function(inner) else f


def _positions(f: Callable[..., Any], wrt: Wrt) -> tuple[int, ...]:
    """`wrt` (an int, a name, or a tuple of them) as a tuple of parameter positions."""
    if not inspect.isfunction(f):
        raise SourceUnavailableError(
            f"{f!r} is not a Python function; tangentish differentiates functions defined with "
            "`def` whose source it can read (builtins and compiled functions need a rule instead)"
        )
    params = list(inspect.signature(f).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    if not items:
        raise WrtError(f"wrt is empty: name at least one parameter of {f.__name__}{params}")
    positions = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise WrtError(f"wrt entries are parameter positions or names, not {item!r}")
        if isinstance(item, str):
            if item not in params:
                raise WrtError(f"{f.__name__} has no parameter {item!r}; its parameters: {params}")
            item = params.index(item)
        if not -len(params) <= item < len(params):
            raise WrtError(
                f"wrt={item} is out of range: {f.__name__} has {len(params)} parameters {params}"
            )
        positions.append(item % len(params))
    if len(set(positions)) != len(positions):
        raise WrtError(f"wrt names a parameter twice: {wrt!r}")
    return tuple(positions)


def _is_float(value: Any) -> bool:
    """A Python or NumPy float scalar: what multiplying by 1.0 leaves unchanged, type and all."""
    return isinstance(value, (float, np.floating))


def _check_differentiable(
    f: Callable[..., Any], args: tuple[Any, ...], wrt: tuple[int, ...]
) -> None:
    """Reject arguments that have no derivative, rather than return a silent zero."""
    params = list(inspect.signature(f).parameters)
    for i in wrt:
        value = args[i]
        dtype = getattr(value, "dtype", None)
        if isinstance(value, (bool, np.bool_)) or (dtype is not None and dtype.kind == "b"):
            problem = "a boolean"
        elif isinstance(value, (complex, np.complexfloating)) or (
            dtype is not None and dtype.kind == "c"
        ):
            problem = "complex (complex differentiation is not supported)"
        elif dtype is not None and dtype.kind not in "iuf":
            problem = f"an array of {dtype} values, not of numbers"
        elif kinds.of_value(value) == kinds.UNKNOWN:
            problem = f"a {type(value).__name__}, not a number or a NumPy array"
        else:
            continue
        raise NonDifferentiableError(
            f"cannot differentiate {f.__name__} with respect to {params[i]!r}: "
            f"its value is {problem}"
        )


class _Compiled:
    """The state behind one `grad`-made function: its options and its specializations."""

    def __init__(self, f: Callable[..., Any], options: Options, verbose: int, label: str) -> None:
        #: A function tangentish made is differentiated through its generated code, specialized
        #: like the outer derivative: that is how derivatives of derivatives work.
        self.inner: _Compiled | None = getattr(f, "__wrapped_tangentish__", None)
        if self.inner is not None:
            f = self.inner.generated(None).function
        self.f, self.options, self.verbose, self.label = f, options, verbose, label
        self.signature = inspect.signature(f)
        self.arity = len(self.signature.parameters)
        self.miss = (None,) * (self.arity + 1)  # a hit no argument matches: `x.__class__ is None`
        self.table: dict[tuple[type, ...], Callable[..., Any]] = {}  # types → code(*args, seed)
        self.units: dict[tuple[type, ...], Callable[..., Any]] = {}  # types → code(*args)
        #: The last `units` entry called, as (code, *types): the dispatcher tries it first. One
        #: tuple, replaced whole, so a thread never pairs one call's types with another's code.
        self.hit: list[tuple[Any, ...]] = [self.miss]
        self.last: codegen.Generated | None = None
        self.guards: list[tuple[str, Any]] = []  # globals the compiled code depends on

    def generated(
        self, specialization: tuple[str, ...] | None, floats: frozenset[str] | None = None
    ) -> codegen.Generated:
        """The code for arguments of these kinds; given the parameters that are Python `floats`,
        the code for the default seed, which multiplies nothing."""
        key = (self.options, specialization, floats)
        with _LOCK:
            per_function = codegen.cache_of(self.f, "api")
            if key not in per_function:
                target = self.f
                if self.inner is not None and specialization is not None:
                    own = specialization[: self.inner.arity]  # the inner function's arguments
                    target = self.inner.generated(own).function
                if self.options.mode == "forward":
                    per_function[key] = compile_tangent(
                        target,
                        self.options.wrt,
                        optimized=self.options.optimized,
                        kinds=specialization,
                    )
                else:
                    per_function[key] = compile_gradient(
                        target,
                        self.options.wrt,
                        optimized=self.options.optimized,
                        preserve_result=self.options.preserve_result,
                        kinds=specialization,
                        floats=floats,
                    )
            return per_function[key]

    def specialize(self, args: tuple[Any, ...]) -> Callable[..., Any]:
        """Compile (or fetch) the code for these arguments' kinds; remember it by their types."""
        generated = self._generated(args, None)
        self.table[tuple(map(type, args))] = generated.function
        generated.function.scalar_output = generated.scalar_output  # type: ignore[attr-defined]
        return generated.function

    def unit(self, args: tuple[Any, ...]) -> Callable[..., Any]:
        """The code for these arguments and the default seed, remembered by their types and as
        the dispatcher's hit: `code(*args)`. Optimized code folds the seed 1.0 away where that
        keeps every value's type (a float stays a float, an integer never becomes one)."""
        types = tuple(map(type, args))
        code = self.units.get(types)
        if code is None:
            if self.options.optimized:
                names = self.signature.parameters
                floats = frozenset(n for n, a in zip(names, args) if _is_float(a))
                code = self._generated(args, floats).function
            else:  # the code as the sweep wrote it, seed and all (its default is 1.0)
                code = self.specialize(args)
            self.units[types] = code
        self.hit[0] = (code, *types)
        return code

    def _generated(self, args: tuple[Any, ...], floats: frozenset[str] | None) -> codegen.Generated:
        _check_differentiable(self.f, args, self.options.wrt)
        generated = self.generated(tuple(kinds.of_value(a) for a in args), floats)
        if self.verbose:
            print(generated.source)
        self.last = generated
        self.guards.extend(g for g in generated.guards if g not in self.guards)
        return generated

    def stale(self) -> bool:
        """True if a global function the code was compiled for has been rebound since."""
        names = self.f.__globals__
        return any(names.get(name, None) is not value for name, value in self.guards)

    def forget(self) -> None:
        """Drop every specialization, so the next call compiles against the globals of now."""
        with _LOCK:
            self.table.clear()
            self.units.clear()
            self.hit[0] = self.miss
            self.guards.clear()
            codegen.cache_of(self.f, "api").clear()

    def full_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """Positional arguments for every parameter, defaults filled in (the slow path)."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{self.label}: {error}") from None
        bound.apply_defaults()
        return tuple(bound.arguments.values())


def _make(f: Callable[..., Any], options: Options, verbose: int, label: str) -> Callable[..., Any]:
    state = _Compiled(f, options, verbose, label)
    gradient = _dispatcher(state, label) or _generic_dispatcher(state)
    gradient.__name__ = f"{f.__name__}_{label}"
    gradient.__qualname__ = gradient.__name__
    gradient.__doc__ = f"The {label} of {f.__qualname__} with respect to arguments {options.wrt}."
    gradient.__wrapped_tangentish__ = state  # type: ignore[attr-defined]
    return gradient


def _seed_of_a_number(seed: Any, state: _Compiled) -> None:
    if np.ndim(seed) != 0:
        raise ShapeMismatchError(
            f"seed has shape {np.shape(seed)}, but {state.f.__name__} returns a number: the seed "
            "is the output's adjoint, a number here"
        )


def _dispatcher(state: _Compiled, label: str) -> Callable[..., Any] | None:
    """A dispatcher written for `f`'s own parameters. With the default seed it tests the
    arguments' types against the last call's (an inline cache: one `is` per argument) and runs
    the code for that seed; with another seed, one dictionary look-up on the types, then the
    code that takes a seed. None when a parameter's name would collide with the dispatcher's."""
    params = list(state.signature.parameters.values())
    names = [p.name for p in params]
    if "seed" in names or any(n.startswith("_tg_") for n in names):
        return None
    if any(p.kind is not p.POSITIONAL_OR_KEYWORD for p in params):
        return None  # *args, keyword-only...: the generic one binds them (or reports them)
    defaults = tuple(p.default for p in params if p.default is not p.empty)
    first_default = len(params) - len(defaults)
    signature = ", ".join(
        name if i < first_default else f"{name}=_tg_defaults[{i - first_default}]"
        for i, name in enumerate(names)
    )
    arguments = ", ".join(names)
    packed = f"({arguments}{',' if len(names) == 1 else ''})"
    types = ", ".join(f"type({n})" for n in names) + ("," if len(names) == 1 else "")
    hit = " and ".join(f"{n}.__class__ is _tg_hit[{i}]" for i, n in enumerate(names, 1))
    source = (
        f"def gradient({signature}{', ' if names else ''}*, seed=_tg_unit):\n"
        "    if _tg_guards and _tg_state.stale():\n"
        "        _tg_state.forget()\n"
        "    if seed is _tg_unit:\n"
        "        _tg_hit = _tg_hits[0]\n"
        f"        _tg_code = _tg_hit[0] if {hit} else _tg_state.unit({packed})\n"
        "        try:\n"
        f"            return _tg_code({arguments})\n"
        "        except Exception as _tg_error:\n"
        "            _tg_note(_tg_error)\n"
        "            raise\n"
        "    try:\n"
        f"        _tg_code = _tg_table[{types}]\n"
        "    except KeyError:\n"
        f"        _tg_code = _tg_state.specialize({packed})\n"
        "    if seed.__class__ is not float and _tg_code.scalar_output:\n"
        "        _tg_check(seed, _tg_state)\n"
        "    try:\n"
        f"        return _tg_code({arguments}{', ' if names else ''}seed)\n"
        "    except Exception as _tg_error:\n"
        "        _tg_note(_tg_error)\n"
        "        raise\n"
    )
    namespace = {
        "_tg_defaults": defaults,
        "_tg_guards": state.guards,
        "_tg_state": state,
        "_tg_table": state.table,
        "_tg_hits": state.hit,
        "_tg_unit": UNIT_SEED,
        "_tg_check": _seed_of_a_number,
        "_tg_note": codegen.note_source_lines,
    }
    exec(compile(source, f"<tangentish {label} dispatcher>", "exec"), namespace)  # noqa: S102
    return namespace["gradient"]


def _generic_dispatcher(state: _Compiled) -> Callable[..., Any]:
    """The dispatcher for any parameters: arguments bound by `inspect` when they need to be."""
    table, units, arity, guards = state.table, state.units, state.arity, state.guards

    def gradient(*args: Any, seed: Any = UNIT_SEED, **kwargs: Any) -> Any:
        if kwargs or len(args) != arity:
            args = state.full_args(args, kwargs)
        if guards and state.stale():
            state.forget()
        try:
            if seed is UNIT_SEED:
                unit = units.get(tuple(map(type, args))) or state.unit(args)
                return unit(*args)
            try:
                compiled = table[tuple(map(type, args))]
            except KeyError:
                compiled = state.specialize(args)
            if seed.__class__ is not float and compiled.scalar_output:
                _seed_of_a_number(seed, state)
            return compiled(*args, seed)
        except Exception as error:
            codegen.note_source_lines(error)
            raise

    return gradient


def grad(
    f: Callable[..., Any] | None = None,
    wrt: Wrt = (0,),
    *,
    optimized: bool = True,
    preserve_result: bool = False,
    verbose: int = 0,
) -> Any:
    """The gradient of `f` with respect to the `wrt` arguments, by reverse mode.

    Returns `df(*args, seed=1.0)`: the gradient for one `wrt` argument, a tuple in `wrt`'s order
    for several, or `(grads, value)` with `preserve_result=True`. The seed is the output's adjoint,
    dz/dz. Usable as `@grad` and as `@grad(wrt=(0, 1))`.
    """
    if f is None:
        return lambda g: grad(
            g, wrt, optimized=optimized, preserve_result=preserve_result, verbose=verbose
        )
    f = _unwrap(f)
    options = Options(_positions(f, wrt), optimized, preserve_result)
    return _make(f, options, verbose, "grad")


def value_and_grad(f: Callable[..., Any], wrt: Wrt = (0,)) -> Callable[..., Any]:
    """`g(*args, seed=1.0) -> (value, grads)`: the function's value and its gradient in one pass."""
    df = grad(f, wrt, preserve_result=True)

    def value_and_gradient(*args: Any, seed: Any = UNIT_SEED, **kwargs: Any) -> Any:
        grads, value = df(*args, seed=seed, **kwargs)
        return value, grads

    value_and_gradient.__name__ = f"{f.__name__}_value_and_grad"
    value_and_gradient.__wrapped_tangentish__ = df.__wrapped_tangentish__  # type: ignore[attr-defined]
    return value_and_gradient


def vjp(f: Callable[..., Any], wrt: Wrt = (0,)) -> Callable[..., Any]:
    """`g(*args, seed=...) -> grads`: the vector-Jacobian product seed^T J of `f`.

    `seed` is the output's adjoint and has the output's shape; it may be left out (1.0) only when
    the output is a scalar.
    """
    f = _unwrap(f)
    return _make(f, Options(_positions(f, wrt)), 0, "vjp")


def jvp(f: Callable[..., Any], wrt: Wrt = (0,)) -> Callable[..., Any]:
    """`h(*args, seed=...) -> (value, tangent)`: the Jacobian-vector product J v, by forward mode.

    `seed` is the input tangent v: a tuple aligned with `wrt` when it has several arguments, each
    of its argument's shape (a number is spread over an array). It defaults to 1.0 for each.
    """
    f = _unwrap(f)
    options = Options(_positions(f, wrt), mode="forward")
    state = _Compiled(f, options, 0, "jvp")
    table, arity, guards, positions = state.table, state.arity, state.guards, options.wrt

    def tangent(*args: Any, seed: Any = None, **kwargs: Any) -> Any:
        if kwargs or len(args) != arity:
            args = state.full_args(args, kwargs)
        if guards and state.stale():
            state.forget()
        try:
            compiled = table[tuple(map(type, args))]
        except KeyError:
            compiled = state.specialize(args)
        seeds = (seed,) * len(positions) if seed is None or len(positions) == 1 else tuple(seed)
        if len(seeds) != len(positions):
            raise ShapeMismatchError(
                f"seed has {len(seeds)} tangents, but wrt names {len(positions)} arguments"
            )
        try:
            return compiled(*args, *(_direction(s, args[i]) for s, i in zip(seeds, positions)))
        except Exception as error:
            codegen.note_source_lines(error)
            raise

    tangent.__name__ = tangent.__qualname__ = f"{f.__name__}_jvp"
    tangent.__doc__ = f"The Jacobian-vector product of {f.__qualname__} (forward mode)."
    tangent.__wrapped_tangentish__ = state  # type: ignore[attr-defined]
    return tangent


def _direction(seed: Any, value: Any) -> Any:
    """An input tangent of `value`'s shape: 1.0 by default, a number spread over an array."""
    seed = 1.0 if seed is None else seed
    shape = np.shape(value)
    if np.shape(seed) == shape:
        return seed if shape else float(seed) if isinstance(seed, (int, np.integer)) else seed
    if np.ndim(seed) == 0:  # in the argument's float dtype: float32 stays float32
        return np.full(shape, seed, dtype=np.result_type(kinds.float_dtype(value), seed))
    raise ShapeMismatchError(
        f"a tangent of shape {np.shape(seed)} for an argument of shape {shape}: the seed is the "
        "input's tangent and has the input's shape"
    )


def source(df: Callable[..., Any]) -> str:
    """The generated Python source of a function made by `grad`, `value_and_grad` or `vjp`.

    This is the specialization the function last compiled (say, for Python floats and the
    default seed, which is folded away); before its first call, it is the generic code that
    works for every kind of argument and seed.
    """
    state = getattr(df, "__wrapped_tangentish__", None)
    if state is None:
        raise TypeError(f"{df!r} was not made by tangentish (grad, value_and_grad, vjp)")
    return (state.last or state.generated(None)).source
