"""Runtime: the few helpers generated code calls. Plain Python, so generated code stays
differentiable, and none of them is called by code specialized for Python floats.
"""

from __future__ import annotations

from typing import Any, NoReturn

import numpy as np

from .errors import NonDifferentiableError, ShapeMismatchError


def unbroadcast(g: Any, a: Any) -> Any:
    """Sum `g` down to the shape of `a`: the adjoint of NumPy's implicit broadcasting."""
    shape = np.shape(a)
    if np.shape(g) == shape:
        return g
    if shape == ():
        total = np.sum(g)
        return np.asarray(total) if isinstance(a, np.ndarray) else total
    return unbroadcast_to(g, shape)


def unbroadcast_to(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum `g` down to `shape` (of an array the sweep no longer keeps, only its shape)."""
    if np.shape(g) == shape:
        return g
    if shape == ():
        return np.asarray(np.sum(g))
    extra = np.ndim(g) - len(shape)
    g = np.sum(g, axis=tuple(range(extra))) if extra else g
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return np.sum(g, axis=ones, keepdims=True) if ones else g


def broadcast_like(t: Any, y: Any) -> Any:
    """A tangent spread to the shape of the value it belongs to (`x_dot` of a scalar `x` that
    was broadcast against an array)."""
    shape = np.shape(y)
    return t if np.shape(t) == shape else np.broadcast_to(t, shape).copy()


def write_tangent(t: Any, index: Any, value: Any, like: Any) -> Any:
    """The tangent of an array (list, dict) after `a[index] = v`: a copy (it may be shared)."""
    if isinstance(like, (list, dict)):
        t = type(like)(t)
        t[index] = value
        return t
    t = np.array(np.broadcast_to(t, np.shape(like)), dtype=np.result_type(t, np.float64))
    t[index] = value
    return t


def jvp_by_vjp(pullback: Any, y: Any, tangents: tuple[Any, ...]) -> Any:
    """`J v` from a vector-Jacobian product: one pullback per entry of the output `y`, for rules
    that have no tangent rule of their own. Exact; costs one sweep per output entry."""
    if isinstance(y, (tuple, list)):
        raise ValueError("forward mode has no rule for this function of several outputs")
    shape = np.shape(y)
    out = np.zeros(shape)
    for index in np.ndindex(shape):
        seed = np.zeros(shape)
        seed[index] = 1.0
        adjoints = pullback(seed if shape else 1.0)
        out[index] = sum(np.sum(np.multiply(a, t)) for a, t in zip(adjoints, tangents))
    return out if shape else float(out)


def zeros_like(a: Any) -> Any:
    """A zero adjoint for `a`: 0.0 for numbers, float zeros of `a`'s shape and structure else."""
    if isinstance(a, (list, tuple)):
        return type(a)(zeros_like(item) for item in a)
    if isinstance(a, dict):
        return {key: zeros_like(item) for key, item in a.items()}
    if isinstance(a, np.ndarray):
        dtype = a.dtype if np.issubdtype(a.dtype, np.inexact) else np.float64
        return np.zeros(a.shape, dtype)
    if isinstance(a, np.generic):
        return np.zeros((), a.dtype if np.issubdtype(a.dtype, np.inexact) else np.float64)[()]
    return 0.0


def as_sequence(iterable: Any) -> Any:
    """What a `for` loop walks by index: sequences as they are, other iterables as a list."""
    if isinstance(iterable, (list, tuple, range, np.ndarray)):
        return iterable
    return list(iterable)


def copy_input(value: Any) -> Any:
    """A copy of an argument the function writes into, so the caller's value stays as it was."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, dict)):
        return type(value)(value)
    return value


def zero_at(g: Any, index: Any) -> Any:
    """A copy of the adjoint `g` with zeros at `index`: the adjoint of an array (list, dict)
    before a write into `index` replaced those entries. A copy: `g` may be shared."""
    if isinstance(g, (list, dict)):
        g = type(g)(g)
        g[index] = zeros_like(g[index])
        return g
    g = np.array(g, dtype=np.result_type(g, np.float64))
    g[index] = 0.0
    return g


def snapshot(value: Any) -> Any:
    """A copy of what a write is about to overwrite, for the reverse sweep to put back."""
    return np.copy(value) if isinstance(value, np.ndarray) else value


#: What `snapshot_item` records for a key a write is about to add.
ABSENT = object()


def snapshot_item(container: Any, key: Any) -> Any:
    """What `container[key]` holds before a write replaces it, or `ABSENT` for a new key."""
    try:
        return snapshot(container[key])
    except (KeyError, IndexError):
        return ABSENT


def restore_item(container: Any, key: Any, old: Any) -> None:
    """Undo a write recorded by `snapshot_item`."""
    if old is ABSENT:
        del container[key]
    else:
        container[key] = old


def add_adjoints(a: Any, b: Any) -> Any:
    """`a + b` for adjoints: entry by entry for tuples and lists (whose `+` would concatenate)
    and for dicts, by key."""
    if isinstance(a, (list, tuple)):
        return type(a)(add_adjoints(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: add_adjoints(a[k], b[k]) if k in b else a[k] for k in a} | {
            k: v for k, v in b.items() if k not in a
        }
    return a + b


def list_append(items: list[Any], value: Any) -> list[Any]:
    """`items.append(value)`, as a new list: the function's lists change by rebinding, so the
    reverse sweep can still read each earlier list."""
    return [*items, value] if items.__class__ is list else type(items)([*items, value])


def list_pop(items: list[Any], index: int = -1) -> list[Any]:
    """What `items.pop(index)` leaves, as a new list (the popped value is read separately)."""
    rest = type(items)(items)
    del rest[index]
    return rest


def pop_adjoint(g: list[Any], items: Any, index: Any) -> Any:
    """The adjoint of the list (or dict) before `pop(index)`: `g` with a zero put back where the
    popped entry was (its value was read, and differentiated, on its own)."""
    if isinstance(items, dict):
        return {**g, index: zeros_like(items[index])}
    position = index if index >= 0 else len(items) + index
    return [*g[:position], zeros_like(items[index]), *g[position:]]


def without_popped(g: Any, items: Any, index: Any) -> Any:
    """`g` without the entry `pop_adjoint` put back for `items.pop(index)`: its adjoint."""
    if isinstance(items, dict):
        return {key: value for key, value in g.items() if key != index}
    position = index if index >= 0 else len(items) + index
    return [*g[:position], *g[position + 1 :]]


def sum_items_adjoint(g: Any, items: Any) -> Any:
    """The adjoint of the items of builtin `sum(items)`: `g`, summed to each item's shape."""
    if isinstance(items, np.ndarray):  # `sum` of an array adds its rows
        return np.broadcast_to(g, items.shape).copy() if items.ndim > 1 else np.full(items.shape, g)
    adjoints = [unbroadcast(g, item) for item in items]
    return tuple(adjoints) if isinstance(items, tuple) else adjoints


def repeat_adjoint(g: Any, items: Any) -> Any:
    """The adjoint of `items` in the repetition `items * n`: the adjoints of its n copies in `g`,
    added up (zeros when n < 1)."""
    size = len(items)
    total = zeros_like(items)
    for start in range(0, len(g), size) if size else ():
        total = add_adjoints(total, g[start : start + size])
    return total


def values_adjoint(g: Any, d: dict[Any, Any]) -> dict[Any, Any]:
    """The adjoint of `d` in `d.values()`: the values' adjoints, back under their keys."""
    return dict(zip(d, g))


def items_adjoint(g: Any, d: dict[Any, Any]) -> dict[Any, Any]:
    """The adjoint of `d` in `d.items()`: each (key, value) pair's value adjoint, by key."""
    return {key: pair[1] for key, pair in zip(d, g)}


def get_adjoint(g: Any, d: dict[Any, Any], key: Any) -> Any:
    """The adjoint of `d` in `d.get(key, default)`: `g` at `key` when the key is there."""
    return {**zeros_like(d), key: g} if key in d else zeros_like(d)


def default_adjoint(g: Any, d: dict[Any, Any], key: Any, default: Any) -> Any:
    """The adjoint of `default` in `d.get(key, default)`: `g` when the key is missing."""
    return zeros_like(default) if key in d else g


def list_extend(items: list[Any], more: Any) -> list[Any]:
    """`items.extend(more)`, as a new list."""
    return [*items, *more]


def _structure(value: Any) -> Any:
    """A value's shape, recursively through tuples, lists and dicts."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_structure(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _structure(v)) for k, v in value.items()))
    return np.shape(value)


def _same_array_shape(seed: Any, value: Any) -> bool:
    """True for an array seed of a list of numbers (or of equal arrays): NumPy's view of it."""
    try:
        return isinstance(seed, np.ndarray) and np.shape(value) == seed.shape
    except ValueError:  # a ragged list has no array shape
        return False


def check_seed(value: Any, seed: Any) -> None:
    """A seed is the output's adjoint: it must have the output's shape (and a scalar by default).
    A complex output (from a complex argument not differentiated) is an error: complex
    differentiation is not supported, and its gradient would be silently complex."""
    if isinstance(value, (complex, np.complexfloating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "c"
    ):
        raise NonDifferentiableError(
            "the function's output is complex (a complex argument or constant made it so): "
            "complex differentiation is not supported; differentiate its real part, its "
            "imaginary part or its absolute value (np.real, np.imag, np.abs) instead"
        )
    if isinstance(value, (list, tuple, dict)):
        if _structure(seed) != _structure(value) and not _same_array_shape(seed, value):
            raise ShapeMismatchError(
                f"the function returns a {type(value).__name__}: pass seed= with the same "
                f"structure (seed has structure {_structure(seed)}, the output "
                f"{_structure(value)})"
            )
        return
    if np.shape(value) == np.shape(seed):
        return
    if np.shape(seed) == () and isinstance(seed, float) and seed == 1.0:
        raise ShapeMismatchError(
            f"the function returns a value of shape {np.shape(value)}, not a scalar: a gradient "
            "needs a scalar output. Pass seed= (the output's adjoint, an array of that shape) "
            "to get a vector-Jacobian product, or reduce the output (np.sum) first"
        )
    raise ShapeMismatchError(
        f"seed has shape {np.shape(seed)} but the output has shape {np.shape(value)}: the seed is "
        "the output's adjoint and must have the output's shape"
    )


class Unbound:
    """What a variable of the user's holds in reverse-mode code before the function sets it: the
    replay may record a variable before Python would have set it, so it starts out as one of these
    (no check in the generated code), and any use of it raises the UnboundLocalError the function
    itself raises."""

    __slots__ = ("name",)
    __hash__ = object.__hash__  # recorded on stacks and in tuples like any value

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<unbound local variable {self.name}>"

    def unbound(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise UnboundLocalError(
            f"cannot access local variable '{self.name}' where it is not associated with a value"
        )

    def __getattr__(self, name: str) -> Any:
        self.unbound()

    __array_ufunc__ = __array_function__ = __array__ = unbound


#: The operations that read a value, each of which raises for an `Unbound`.
_BINARY = "add sub mul truediv floordiv mod pow matmul divmod and or xor lshift rshift"
_OTHER = "neg pos abs invert lt le gt ge eq ne bool float int complex index len iter round"
_CONTAINER = "getitem setitem delitem contains call"
for _use in f"{_BINARY} r{_BINARY.replace(' ', ' r')} {_OTHER} {_CONTAINER}".split():
    setattr(Unbound, f"__{_use}__", Unbound.unbound)


class InPlaceGuard:
    """Raised-on-use check for a called function's `q += v` (or list update) on an argument
    whose kind was not known when it was compiled: on a number it rebinds, as tangentish
    assumes; on an array or a list Python would change the caller's value, which the caller's
    derivative does not follow, so it is refused here, at run time."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __call__(self, value: Any) -> None:
        if isinstance(value, (np.ndarray, list, dict)):
            raise self.error
