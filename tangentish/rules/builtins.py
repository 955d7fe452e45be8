"""Rules for Python's operators, the `math` module and builtins (with their NumPy twins).

`xp` is the array module of the generated code: `math` where every operand is a Python scalar (fast,
no NumPy call on floats), `numpy` otherwise. It is bound here only so that this module reads as the
plain Python it is.
"""

from __future__ import annotations

import builtins
import math
import operator

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


@partials(operator.truediv, np.divide, np.true_divide, domains=(R, NZ))
def divide(x1, x2, *, y):
    return 1 / x2, -y / x2


@partials(operator.pow, builtins.pow, math.pow, np.power, domains=(P, R))
def power(x1, x2, *, y):
    return x2 * x1 ** (x2 - 1), xp.log(x1) * y


@partials(operator.mod, np.mod, np.remainder, domains=(P, P))
def mod(x1, x2):
    return 1, -xp.floor(x1 / x2)


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


@partials(builtins.max, np.maximum, np.fmax, domains=(R, R))
def maximum(x1, x2):
    return (x1 >= x2) * 1.0, (x1 < x2) * 1.0


@partials(builtins.min, np.minimum, np.fmin, domains=(R, R))
def minimum(x1, x2):
    return (x1 <= x2) * 1.0, (x1 > x2) * 1.0


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


@partials(math.atan2, np.arctan2, domains=(R, NZ))
def arctan2(x1, x2):
    return x2 / (x1 * x1 + x2 * x2), -x1 / (x1 * x1 + x2 * x2)


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


@partials(math.atanh, np.arctanh, domains=(U,))
def arctanh(x):
    return 1 / (1 - x * x)


@partials(math.exp, np.exp)
def exp(x, *, y):
    return y


@partials(math.expm1, np.expm1)
def expm1(x, *, y):
    return y + 1


@partials(math.log, np.log, domains=(P,))
def log(x):
    return 1 / x


@partials(math.log, domains=(P, A1))
def log_base(x, base):
    return 1 / (x * xp.log(base)), -xp.log(x) / (base * xp.log(base) ** 2)


@partials(math.log1p, np.log1p, domains=(P,))
def log1p(x):
    return 1 / (1 + x)


@partials(math.log2, np.log2, domains=(P,))
def log2(x):
    return 1 / (x * math.log(2.0))


@partials(math.log10, np.log10, domains=(P,))
def log10(x):
    return 1 / (x * math.log(10.0))


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


zero(runtime.zeros_like, runtime.check_seed, runtime.snapshot_item, runtime.Stack)

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
