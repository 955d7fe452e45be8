"""Calls and data structures: user functions, recursion, closures, function values, containers.

Cases for issue 4, each differentiated through the callee's own source (no inlining).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from corpus import Case

V3 = np.array([0.5, -1.2, 2.0])
W22 = np.array([[0.7, -0.3], [0.2, 1.1]])


# -- helpers called by the cases ------------------------------------------------------------------


def square(v):
    return v * v


def poly(x, c=2.0):
    return c * x * x + np.sin(x)


def affine(w, x, b=0.0):
    return w @ x + b


def layer(w, x):
    return np.tanh(affine(w, x))


def apply(fn, v):
    return fn(v) * 2.0


def apply_twice(fn, v):
    return fn(fn(v))


def cube(v):
    return v * v * v


def scaled(a, v):
    return a * v * v


def power_rec(x, n):
    if n == 0:
        return 1.0
    return x * power_rec(x, n - 1)


def halve_rec(x):
    if x > 1.0:
        return halve_rec(x / 2.0) + x
    return x * x


def even(x, n):
    if n == 0:
        return x
    return odd(x * 1.1, n - 1)


def odd(x, n):
    if n == 0:
        return x * x
    return even(x + 0.5, n - 1)


def sum_list(items):
    total = 0.0
    for item in items:
        total = total + item
    return total


def pair(x):
    return x * 2.0, np.cos(x)


# -- calls -----------------------------------------------------------------------------------------


def calls_helpers(x, y):
    a = square(x) + poly(y)
    return poly(x, 3.0) * square(a)


def calls_keyword(x):
    return poly(x, c=0.5) + poly(c=1.5, x=x * x)


def calls_literal_arguments(x):
    return affine(np.array([1.0, 2.0]), np.array([x, 3.0]), 0.5) * x


def calls_two_levels(w, x):
    return np.sum(layer(w, layer(w, x)))


def calls_in_loop(x, n):
    total = 0.0
    for i in range(n):
        total = total + poly(x * i, 0.5)
    return total


def calls_in_branch(x):
    if x > 0:
        return square(x) * 3.0
    return cube(x)


def calls_returning_tuple(x):
    a, b = pair(x)
    return a * b


def recursion(x):
    return power_rec(x, 5)


def recursion_data_dependent(x):
    return halve_rec(x)


def mutual_recursion(x):
    return even(x, 5)


# -- function values -------------------------------------------------------------------------------


def function_argument(x):
    return apply(cube, x) + apply(square, x * x)


def numpy_function_argument(x):
    return apply(np.sin, x) + apply(np.exp, x)


def function_argument_twice(x):
    return apply_twice(square, x)


def lambda_called(x):
    f = lambda v: v * v + 1.0  # noqa: E731
    return f(x) * f(2.0 * x)


def lambda_passed(x):
    return apply(lambda v: v * 3.0 + v * v, x)


def nested_def(x):
    def inner(v):
        return np.exp(v) * 3.0

    return inner(x) + inner(x * x)


def nested_def_reads_constant(x):
    k = 2.5

    def inner(v):
        return v * k

    return inner(x) * x


def partial_of_function(x):
    half = functools.partial(scaled, 0.5)
    return half(x) + apply(half, x)


# -- containers ------------------------------------------------------------------------------------


def tuple_pack_unpack(x, y):
    t = (x, y * 2.0, (x * y, 1.0))
    a, b, (c, d) = t
    return a * b + c * d


def list_literal_index(x):
    items = [x, x * x, 3.0]
    return items[0] * items[-2] + items[2]


def list_slicing(x, y):
    items = [x, y, x * y, 2.0]
    part = items[1:3]
    return part[0] * part[1]


def list_append_loop(x, n):
    out = []
    for i in range(n):
        out.append(x**i)
    return sum(out)


def list_pop(x):
    stack = [x, x * 2.0, x * 3.0]
    top = stack.pop()
    first = stack.pop(0)
    return top * first + sum(stack)


def list_concatenate(x):
    a = [x, 2.0]
    b = a + [x * x]
    return b[0] * b[2] + b[1]


def list_comprehension(x):
    ys = [x * k for k in range(4) if k != 2]
    return sum(ys) * ys[-1]


def nested_comprehension(x):
    grid = [x * i + j for i in range(3) for j in range(2)]
    return sum(grid)


def generator_sum(x):
    return sum(math.sin(x * k) for k in range(1, 4))


def builtin_sum_of_arrays(a):
    return np.sum(sum([a, a * a, np.sin(a)]))


def dict_literal(x, y):
    d = {"a": x, "b": y * 2.0}
    d["c"] = d["a"] * d["b"]
    total = 0.0
    for k, v in d.items():
        total = total + v * v
    return total + d.get("z", x)


def dict_values(x):
    d = {"p": x, "q": x * x}
    return sum(d.values()) * d["q"]


def list_argument(items):
    return items[0] * items[1] + sum_list(items)


def tuple_argument(pair_in):
    a, b = pair_in
    return a * np.sum(b)


def dict_argument(params, x):
    return np.sum(params["w"] * x) + params["b"]


def stack_of_list(x):
    rows = []
    for i in range(3):
        rows.append(x * (i + 1.0))
    return np.sum(np.stack(rows) ** 2)


# -- in-place writes -------------------------------------------------------------------------------


def write_input_copy(a):
    a[0] = a[1] * a[2]
    return np.sum(a * a)


def write_mask(a):
    b = a * 1.0
    b[b < 0] = 0.0
    return np.sum(b * a)


def write_index_array(a):
    b = a * 2.0
    b[np.array([0, 2])] = a[1]
    return np.sum(b * b)


def write_slice_in_loop(a, n):
    b = np.zeros(4)
    for i in range(n):
        b[1:3] = b[1:3] + a[i] * i
    return np.sum(b * b)


def write_2d_augmented(w):
    m = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            m[i, j] += w[i, j] * w[j, i]
    return np.sum(m)


def write_in_branch(a):
    b = a * 1.0
    if b[0] > 0:
        b[1] = b[0] * b[2]
    else:
        b[2] = b[1]
    return np.sum(b * b)


def augmented_array(a, n):
    s = a * 1.0
    for _ in range(n):
        s += a * s
    return np.sum(s)


def closure_over_input(w, x):
    """A nested def reading a differentiated variable of the enclosing function."""

    def inner(v):
        return v * w + np.sin(w)

    return inner(x) + inner(2.0)


def closure_over_local(x):
    k = x * 2.0
    shift = np.exp(x)

    def inner(t):
        return t * k - shift

    return inner(x) * inner(0.5)


def closure_lambda(x, y):
    scale = lambda t: t * y + x  # noqa: E731
    return scale(x) * scale(3.0)


def closure_rebound_before_the_call(x):
    """Python reads a closure's variables at the call: `k` is the rebound value."""
    k = x * 2.0
    inner = lambda t: t * k  # noqa: E731
    k = k * x
    return inner(3.0) + inner(x)


def closure_over_a_constant_rebound_after_the_call(x):
    """The call's derivative runs after `v` is rebound: it must see the value the call saw."""
    scale = lambda t: t * v  # noqa: E731
    v = 5.0
    y = scale(x) + np.sin(x)
    v = 7.0
    return y * v


def closure_in_loop(x, n):
    acc = x
    step = lambda t: np.sin(t) * acc + t  # noqa: E731
    for _ in range(n):
        acc = step(acc)
    return acc


def closure_with_branch(a, c):
    def inner(v):
        if np.sum(v) > 0:
            return v * c
        return v - c

    return np.sum(inner(a) * a)


def closure_nested_twice(x):
    k = x * x

    def outer(t):
        def inner(u):
            return u * k

        return inner(t) + t

    return outer(x)


def closure_calls_helper(w, x):
    def inner(v):
        return square(v * w) + poly(w)

    return inner(x)


def rebinds_then_updates(q, v):
    """Changes in place only what it made itself: allowed in a called function."""
    q = q * 2.0
    q += v
    r = q.copy()
    r[0] = v
    return np.sum(q * r)


def calls_a_helper_that_rebinds(a, v):
    return rebinds_then_updates(a, v) + rebinds_then_updates(a[::-1] * v, v)


def bump_unknown(v):
    v += 1.0  # on a number it rebinds; on an array it is refused when it runs
    return v * v


def calls_with_an_argument_of_unknown_kind(x, items):
    return bump_unknown(items[0] * x) * x


def mix(a, b, c=0.0):
    return a * b + np.sin(c)


def forward_all(*args, **kwargs):
    return mix(*args, **kwargs)


def forward_to_affine(*args, **kwargs):
    return affine(*args, **kwargs)


def weighted_sum(w, *xs, scale=1.0):
    total = 0.0
    for x in xs:
        total = total + w * x
    return total * scale + len(xs) * xs[-1]


def options(x, **kwargs):
    return x * kwargs["gain"] + kwargs.get("bias", 0.5)


def apply_with(fn, *args):
    return fn(*args) * fn(*args)


def varargs_forwarding(w, x, b):
    return forward_all(w, x, c=b) + forward_all(x, w)


def varargs_named_and_keyword_only(w, x, y):
    return weighted_sum(w, x, y, 0.5, scale=y) + weighted_sum(x, w)


def varargs_in_loop(x, n):
    acc = x
    for _ in range(n):
        acc = weighted_sum(acc, x, acc) * 0.3
    return acc


def kwargs_read(x, g):
    return options(x, gain=g) + options(g, gain=x, bias=x)


def varargs_function_value(w, x):
    return apply_with(mix, w, x) + apply_with(forward_all, x, w)


def keyword_to_function_value(x, w):
    """An active keyword argument in a call to a function value (through a partial too)."""
    return traced_call(mix, x, 2.0, c=w) + functools.partial(mix, 0.5)(w, c=x)


def traced_call(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def varargs_arrays(w, x):
    return np.sum(forward_to_affine(w, x, b=x) ** 2) + weighted_sum(np.sum(w), x, x)[0]


CASES = [
    Case("calls_helpers", calls_helpers, (0.7, 1.3), (0, 1)),
    Case("calls_keyword", calls_keyword, (0.7,)),
    Case("calls_literal_arguments", calls_literal_arguments, (0.7,)),
    Case("calls_two_levels", calls_two_levels, (W22, np.array([0.3, -0.4])), (0, 1)),
    Case("calls_in_loop", calls_in_loop, (0.7, 4)),
    Case("calls_in_branch_taken", calls_in_branch, (0.7,)),
    Case("calls_in_branch_not", calls_in_branch, (-0.7,)),
    Case("calls_returning_tuple", calls_returning_tuple, (0.7,)),
    Case("recursion", recursion, (1.1,)),
    Case("recursion_data_dependent", recursion_data_dependent, (13.0,)),
    Case("mutual_recursion", mutual_recursion, (0.9,)),
    Case("function_argument", function_argument, (0.7,)),
    Case("numpy_function_argument", numpy_function_argument, (0.7,)),
    Case("function_argument_twice", function_argument_twice, (0.7,)),
    Case("lambda_called", lambda_called, (0.7,)),
    Case("lambda_passed", lambda_passed, (0.7,)),
    Case("nested_def", nested_def, (0.7,)),
    Case("nested_def_reads_constant", nested_def_reads_constant, (0.7,)),
    Case("partial_of_function", partial_of_function, (0.7,)),
    Case("calls_a_helper_that_rebinds", calls_a_helper_that_rebinds, (V3, 0.3), (0, 1)),
    Case(
        "calls_with_an_argument_of_unknown_kind",
        calls_with_an_argument_of_unknown_kind,
        (0.7, [1.5, 0.5]),
    ),
    Case("varargs_forwarding", varargs_forwarding, (0.7, 1.3, -0.4), (0, 1, 2)),
    Case(
        "varargs_named_and_keyword_only", varargs_named_and_keyword_only, (0.7, 1.3, 0.2), (0, 1, 2)
    ),
    Case("varargs_in_loop", varargs_in_loop, (0.4, 3)),
    Case("kwargs_read", kwargs_read, (0.7, 1.3), (0, 1)),
    Case("varargs_function_value", varargs_function_value, (0.7, 1.3), (0, 1)),
    Case("keyword_to_function_value", keyword_to_function_value, (0.7, 1.3), (0, 1)),
    Case("varargs_arrays", varargs_arrays, (W22, np.array([0.3, -0.4])), (0, 1)),
    Case("closure_over_input", closure_over_input, (0.7, 1.3), (0, 1)),
    Case("closure_over_local", closure_over_local, (0.7,)),
    Case("closure_lambda", closure_lambda, (0.7, 1.3), (0, 1)),
    Case("closure_rebound_before_the_call", closure_rebound_before_the_call, (0.7,)),
    Case("closure_in_loop", closure_in_loop, (0.4, 3)),
    Case(
        "closure_over_a_constant_rebound_after_the_call",
        closure_over_a_constant_rebound_after_the_call,
        (0.4,),
    ),
    Case("closure_with_branch_taken", closure_with_branch, (V3, 0.5), (0, 1)),
    Case("closure_with_branch_not", closure_with_branch, (-V3, 0.5), (0, 1)),
    Case("closure_over_array", closure_with_branch, (V3, V3[::-1].copy()), (0, 1)),
    Case("closure_nested_twice", closure_nested_twice, (0.7,)),
    Case("closure_calls_helper", closure_calls_helper, (0.7, 1.3), (0, 1)),
    Case("tuple_pack_unpack", tuple_pack_unpack, (0.7, 1.3), (0, 1)),
    Case("list_literal_index", list_literal_index, (0.7,)),
    Case("list_slicing", list_slicing, (0.7, 1.3), (0, 1)),
    Case("list_append_loop", list_append_loop, (0.7, 4)),
    Case("list_pop", list_pop, (0.7,)),
    Case("list_concatenate", list_concatenate, (0.7,)),
    Case("list_comprehension", list_comprehension, (0.7,)),
    Case("nested_comprehension", nested_comprehension, (0.7,)),
    Case("generator_sum", generator_sum, (0.7,)),
    Case("builtin_sum_of_arrays", builtin_sum_of_arrays, (V3,)),
    Case("dict_literal", dict_literal, (0.7, 1.3), (0, 1)),
    Case("dict_values", dict_values, (0.7,)),
    Case("stack_of_list", stack_of_list, (V3,)),
    Case("write_input_copy", write_input_copy, (V3,)),
    Case("write_mask", write_mask, (V3,)),
    Case("write_index_array", write_index_array, (V3,)),
    Case("write_slice_in_loop", write_slice_in_loop, (V3, 3)),
    Case("write_2d_augmented", write_2d_augmented, (W22,)),
    Case("write_in_branch_taken", write_in_branch, (V3,)),
    Case("write_in_branch_not", write_in_branch, (-V3,)),
    Case("augmented_array", augmented_array, (V3 * 0.3, 3)),
]


def list_times_array(x):
    """`array * items` is NumPy's product (the list becomes an array), not a repetition."""
    return np.sum(np.arccos(x) * x + x * np.arcsin(x))


#: Containers as inputs: the gradient has the argument's structure.
CONTAINER_INPUTS = [
    ("list_times_array", list_times_array, ([0.3, 0.5],)),
    ("list_argument", list_argument, ([0.5, 1.5, -0.7],)),
    ("tuple_argument", tuple_argument, ((0.5, V3),)),
    ("dict_argument", dict_argument, ({"w": V3, "b": 0.5}, V3[::-1].copy())),
]
