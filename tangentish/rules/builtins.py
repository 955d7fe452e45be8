"""Rules for Python's operators, the `math` module and builtins (with their NumPy twins).

`xp` is the array module of the generated code: `math` for `math`'s functions, and for operators and
builtins where every operand is a Python scalar (fast, no NumPy call on floats); `numpy` otherwise.
It is bound here only so that this module reads as the plain Python it is. NumPy's functions have
rules of their own where the shared one would divide Python floats (which raises at 0, where NumPy
returns inf with a warning): their derivatives follow NumPy, as the functions do.
"""

from __future__ import annotations

import builtins
import math
import operator
from typing import Any, Callable

import numpy as np

from .. import runtime
from ..runtime import (
    broadcast_like,
    default_adjoint,
    get_adjoint,
    items_adjoint,
    pop_adjoint,
    repeat_adjoint,
    sum_items_adjoint,
    unbroadcast,
    values_adjoint,
    without_popped,
    zero_at,
)
from . import Domain, adjoints, linear, partials, zero

xp = np

R, P, U, A1, NZ = Domain.REAL, Domain.POSITIVE, Domain.UNIT, Domain.ABOVE_ONE, Domain.NONZERO


@partials(operator.add, np.add)
def add(x1, x2):
    return 1, 1


@partials(operator.sub, np.subtract)
def subtract(x1, x2):
    return 1, -1


@partials(operator.mul, np.multiply)
def multiply(x1, x2):
    return x2, x1


@partials(operator.truediv, domains=(R, NZ))
def divide(x1, x2, *, y):
    return 1 / x2, -y / x2


@partials(np.divide, np.true_divide, domains=(R, NZ))
def np_divide(x1, x2, *, y):
    """NumPy's division, by NumPy: a Python float 0.0 gives inf, as the primal does."""
    return np.reciprocal(1.0 * x2), -y / x2


def power_by_a_number(x1, x2, *, y):
    """`x ** c` for a literal `c` other than 0: the textbook rule, with no run-time test."""
    return x2 * x1 ** (x2 - 1), None


def power_by_zero(x1, x2, *, y):
    """`x ** 0` is 1 everywhere: its derivative is 0 (without `x ** -1`, infinite at 0)."""
    return 0, None


def number_to_the(x1, x2, *, y):
    """`c ** x` for a literal `c` other than 0."""
    return None, xp.log(x1) * y


def zero_to_the(x1, x2, *, y):
    """`0 ** x` is 0 for x > 0 (and 1 at 0): its derivative is 0 (without `log(0)`)."""
    return None, 0


def power_of_a_literal(name: str, value: float) -> Callable[..., Any]:
    """The rule for `x ** c` or `c ** x` with a literal `c`: zero's case is decided here."""
    if name == "x2":
        return power_by_zero if value == 0 else power_by_a_number
    return zero_to_the if value == 0 else number_to_the


@partials(operator.pow, builtins.pow, math.pow, domains=(P, R), literal=power_of_a_literal)
def power(x1, x2, *, y):
    """Where the exponent is 0 the first partial is 0 (`x ** 0` is 1), and where the base is 0
    the second is (`0 ** x` is 0 for x > 0), as in JAX: `x ** -1` and `log(0)` are not taken."""
    return x2 * x1 ** (x2 - 1 + (x2 == 0)), xp.log(x1 + (x1 == 0)) * y


def np_power_by_a_number(x1, x2, *, y):
    """`np.power(x, c)` for a literal `c` other than 0."""
    return x2 * np.power(x1, x2 - 1), None


def np_power_of_a_literal(name: str, value: float) -> Callable[..., Any]:
    """`power_of_a_literal` for `np.power`."""
    if name == "x2":
        return power_by_zero if value == 0 else np_power_by_a_number
    return zero_to_the if value == 0 else number_to_the


@partials(np.power, domains=(P, R), literal=np_power_of_a_literal)
def np_power(x1, x2, *, y):
    """`power`, computed by NumPy: inf where NumPy's power of a Python float is."""
    return x2 * np.power(x1, x2 - 1 + (x2 == 0)), np.log(x1 + (x1 == 0)) * y


@partials(operator.mod, domains=(P, P))
def mod(x1, x2):
    return 1, -xp.floor(x1 / x2)


@partials(np.mod, np.remainder, domains=(P, P))
def np_mod(x1, x2):
    """`mod`, computed by NumPy (nan where x2 is 0, as the primal)."""
    return 1, -np.floor_divide(x1, x2)


@partials(operator.neg, np.negative)
def negative(x):
    return -1


@partials(operator.pos, np.positive)
def positive(x):
    return 1


@partials(builtins.abs, operator.abs, math.fabs, np.abs, np.fabs, domains=(NZ,))
def absolute(x):
    return np.sign(x)


@partials(builtins.float)
def to_float(x):
    return 1


# Each partial of a maximum or minimum goes to the argument the function returns: the first at a
# tie; with a NaN, the one `max`, `np.maximum` or `np.fmax` returns (they differ). The partials are
# booleans, so they keep a float32 adjoint float32.


@partials(builtins.max, domains=(R, R))
def maximum(x1, x2):
    """`max(x1, x2)` is x1 unless x2 > x1 (so `max(nan, 1.0)` is nan, `max(1.0, nan)` 1.0)."""
    return 1.0 - (x2 > x1), (x2 > x1) * 1.0


@partials(builtins.min, domains=(R, R))
def minimum(x1, x2):
    """`min(x1, x2)` is x1 unless x2 < x1."""
    return 1.0 - (x2 < x1), (x2 < x1) * 1.0


@partials(np.maximum, domains=(R, R))
def np_maximum(x1, x2):
    """The larger, or a NaN if either is one (the first if both are): NaN propagates."""
    return (x1 >= x2) | (x1 != x1), (x1 < x2) | (x2 != x2) & (x1 == x1)


@partials(np.minimum, domains=(R, R))
def np_minimum(x1, x2):
    """The smaller, or a NaN if either is one (the first if both are)."""
    return (x1 <= x2) | (x1 != x1), (x1 > x2) | (x2 != x2) & (x1 == x1)


@partials(np.fmax, domains=(R, R))
def fmax(x1, x2):
    """The larger, ignoring a NaN: the other argument gets the derivative."""
    return (x1 >= x2) | (x2 != x2), (x1 < x2) | (x1 != x1) & (x2 == x2)


@partials(np.fmin, domains=(R, R))
def fmin(x1, x2):
    """The smaller, ignoring a NaN."""
    return (x1 <= x2) | (x2 != x2), (x1 > x2) | (x1 != x1) & (x2 == x2)


@partials(math.sin, np.sin)
def sin(x):
    return xp.cos(x)


@partials(math.cos, np.cos)
def cos(x):
    return -xp.sin(x)


@partials(math.tan, np.tan, domains=(U,))
def tan(x, *, y):
    return 1 + y * y


@partials(math.asin, np.arcsin, domains=(U,))
def arcsin(x):
    return 1 / xp.sqrt(1 - x * x)


@partials(math.acos, np.arccos, domains=(U,))
def arccos(x):
    return -1 / xp.sqrt(1 - x * x)


@partials(math.atan, np.arctan)
def arctan(x):
    return 1 / (1 + x * x)


@partials(math.atan2, domains=(R, NZ))
def arctan2(x1, x2):
    return x2 / (x1 * x1 + x2 * x2), -x1 / (x1 * x1 + x2 * x2)


@partials(np.arctan2, domains=(R, NZ))
def np_arctan2(x1, x2):
    """`arctan2`, by NumPy: nan at the origin (where `np.arctan2` of floats is 0)."""
    return (
        x2 * np.reciprocal(1.0 * (x1 * x1 + x2 * x2)),
        -x1 * np.reciprocal(1.0 * (x1 * x1 + x2 * x2)),
    )


@partials(math.sinh, np.sinh)
def sinh(x):
    return xp.cosh(x)


@partials(math.cosh, np.cosh)
def cosh(x):
    return xp.sinh(x)


@partials(math.tanh, np.tanh)
def tanh(x, *, y):
    return 1 - y * y


@partials(math.asinh, np.arcsinh)
def arcsinh(x):
    return 1 / xp.sqrt(x * x + 1)


@partials(math.acosh, np.arccosh, domains=(A1,))
def arccosh(x):
    return 1 / xp.sqrt(x * x - 1)


@partials(math.atanh, domains=(U,))
def arctanh(x):
    return 1 / (1 - x * x)


@partials(np.arctanh, domains=(U,))
def np_arctanh(x):
    return np.reciprocal(1.0 - x * x)


@partials(math.exp, np.exp)
def exp(x, *, y):
    return y


@partials(math.expm1, np.expm1)
def expm1(x, *, y):
    return y + 1


@partials(math.log, domains=(P,))
def log(x):
    return 1 / x


@partials(np.log, domains=(P,))
def np_log(x):
    """`log`, by NumPy: a Python float 0.0 gives inf, as `np.log(0.0)` gives -inf. (`1.0 * x`:
    NumPy's reciprocal of an integer is an integer; a float32 stays float32.)"""
    return np.reciprocal(1.0 * x)


@partials(math.log, domains=(P, A1))
def log_base(x, base):
    return 1 / (x * xp.log(base)), -xp.log(x) / (base * xp.log(base) ** 2)


@partials(math.log1p, domains=(P,))
def log1p(x):
    return 1 / (1 + x)


@partials(np.log1p, domains=(P,))
def np_log1p(x):
    return np.reciprocal(1.0 + x)


@partials(math.log2, domains=(P,))
def log2(x):
    return 1 / (x * math.log(2.0))


@partials(np.log2, domains=(P,))
def np_log2(x):
    return np.reciprocal(x * math.log(2.0))


@partials(math.log10, domains=(P,))
def log10(x):
    return 1 / (x * math.log(10.0))


@partials(np.log10, domains=(P,))
def np_log10(x):
    return np.reciprocal(x * math.log(10.0))


@partials(math.sqrt, np.sqrt, domains=(P,))
def sqrt(x, *, y):
    return 0.5 / y


@partials(math.hypot, np.hypot, domains=(NZ, NZ))
def hypot(x1, x2, *, y):
    return x1 / y, x2 / y


@partials(math.erf)
def erf(x):
    return 2 / math.sqrt(math.pi) * xp.exp(-x * x)


@partials(math.erfc)
def erfc(x):
    return -2 / math.sqrt(math.pi) * xp.exp(-x * x)


@adjoints(runtime.as_sequence, samples=lambda rng: [((rng.normal(size=(3, 2)),), {})])
def as_sequence(iterable, *, g):
    return g


@adjoints(runtime.copy_input, samples=lambda rng: [((rng.normal(size=3),), {})])
def copy_input(value, *, g):
    return g


@adjoints(runtime.list_append, samples=lambda rng: [(([1.0, 2.0], rng.normal()), {})])
def list_append(items, value, *, g):
    return g[:-1], g[-1]


@adjoints(runtime.list_extend, samples=lambda rng: [(([0.5], [rng.normal(), 2.0]), {})])
def list_extend(items, more, *, g):
    return g[: len(items)], type(more)(g[len(items) :])


@adjoints(runtime.list_pop, samples=lambda rng: [(([0.5, rng.normal(), 2.0], 1), {})])
def list_pop(items, index=-1, *, g):
    return pop_adjoint(g, items, index), None


@adjoints(list.__add__, tuple.__add__, samples=lambda rng: [(([0.5, 1.5], [rng.normal()]), {})])
def concatenate_sequences(a, b, *, g):
    return type(a)(g[: len(a)]), type(b)(g[len(a) :])


@adjoints(list.__mul__, tuple.__mul__, samples=lambda rng: [(([0.5, rng.normal()], 3), {})])
def repeat_sequence(items, count, *, g):
    return repeat_adjoint(g, items), None


@adjoints(builtins.sum, samples=lambda rng: [(([0.5, rng.normal(), 2.0],), {})])
def builtin_sum(iterable, start=0, *, g):
    return sum_items_adjoint(g, iterable), unbroadcast(g, start)


@adjoints(samples=lambda rng: [(({"a": 0.5, "b": rng.normal()},), {})], methods=("values",))
def dict_values(d, *, g):
    return values_adjoint(g, d)


@adjoints(samples=lambda rng: [(({"a": 0.5, "b": rng.normal()},), {})], methods=("items",))
def dict_items(d, *, g):
    return items_adjoint(g, d)


@adjoints(samples=lambda rng: [(({"a": 0.5}, "z", rng.normal()), {})], methods=("get",))
def dict_get(d, key, default=None, *, g):
    return get_adjoint(g, d, key), None, default_adjoint(g, d, key, default)


zero(methods=("keys",))
zero(builtins.range, builtins.enumerate, builtins.zip)
zero(operator.floordiv, np.floor_divide, math.floor, math.ceil, math.trunc, builtins.round)
zero(builtins.int, builtins.bool, builtins.len, math.isnan, math.isinf, math.isfinite)
zero(operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne, operator.not_)
zero(builtins.isinstance, builtins.issubclass, builtins.type, why="a type, not a number")


@adjoints(
    runtime.add_adjoints, samples=lambda rng: [((rng.normal(size=3), rng.normal(size=3)), {})]
)
def add_adjoints_rule(a, b, *, g):
    return g, g


@adjoints(
    runtime.unbroadcast, samples=lambda rng: [((rng.normal(size=(2, 3)), rng.normal(size=3)), {})]
)
def unbroadcast_rule(x, like, *, g):
    return broadcast_like(g, x), None


@adjoints(runtime.unbroadcast_to, samples=lambda rng: [((rng.normal(size=(2, 3)), (3,)), {})])
def unbroadcast_to_rule(x, shape, *, g):
    return broadcast_like(g, x), None


@adjoints(
    runtime.broadcast_like,
    samples=lambda rng: [((rng.normal(size=3), rng.normal(size=(2, 3))), {})],
)
def broadcast_like_rule(t, like, *, g):
    return unbroadcast(g, t), None


@adjoints(runtime.zero_at, samples=lambda rng: [((rng.normal(size=4), 1), {})])
def zero_at_rule(x, index, *, g):
    return zero_at(g, index), None


@adjoints(runtime.snapshot, samples=lambda rng: [((rng.normal(size=3),), {})])
def snapshot_rule(value, *, g):
    return g


def _popped(rng):
    return [(([0.5, rng.normal()], [1.0, 2.0, 3.0], 1), {})]


@adjoints(runtime.pop_adjoint, samples=_popped)
def pop_adjoint_rule(x, items, index, *, g):
    return without_popped(g, items, index), None, None


@adjoints(
    runtime.without_popped,
    samples=lambda rng: [(([0.5, rng.normal(), 2.0], [1.0, 2.0, 3.0], 1), {})],
)
def without_popped_rule(x, items, index, *, g):
    return pop_adjoint(g, items, index), None, None


zero(runtime.zeros_like, runtime.check_seed, runtime.snapshot_item)

linear(
    add_adjoints_rule,
    unbroadcast_rule,
    unbroadcast_to_rule,
    broadcast_like_rule,
    zero_at_rule,
    snapshot_rule,
    pop_adjoint_rule,
    without_popped_rule,
    as_sequence,
    copy_input,
    list_append,
    list_extend,
    list_pop,
    concatenate_sequences,
    repeat_sequence,
    builtin_sum,
    dict_values,
    dict_items,
    dict_get,
)
