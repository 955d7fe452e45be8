"""The corpus: straight-line Python and NumPy functions, each with arguments and `wrt`.

Every function is defined with `def` at module level (tangentish reads its source). The arguments
are chosen inside each rule's domain and away from kinks (ties of `max`, the edges of `clip`, ...),
and so that every case's expected gradient is nonzero. `ALIAS_CASES` update an array in place
through an alias (`z = y; z += x`): issue 2 may reject them, but must not get them wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from math import erf, hypot, sin
from math import exp as m_exp
from typing import Any, Callable

import numpy
import numpy as np
import numpy.linalg
import numpy.ma

#: Module constants the functions read at run time.
SCALE = 0.5
A = np.array([[1.0, -0.5, 0.25], [0.3, 2.0, -1.0], [0.0, 0.7, 1.5]])
IDX = np.array([0, 2, 2])


class Namespaces:
    """A class attribute chain (`Namespaces.numpy.sin`): names resolved through two attributes."""

    numpy = np


@dataclass(frozen=True)
class Case:
    """One function, the arguments to differentiate it at, and the arguments to differentiate."""

    name: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    wrt: Any = (0,)

    def __repr__(self) -> str:
        return f"Case({self.name})"


def _rng_array(seed: int, shape: tuple[int, ...], low: float = -2.0, high: float = 2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


V3 = np.array([0.5, -1.2, 2.0])
V3B = np.array([1.5, 0.3, -0.7])
V4 = np.array([0.4, -0.9, 1.3, 2.1])
M23 = np.array([[0.5, -1.2, 2.0], [1.1, 0.3, -0.8]])
M23B = np.array([[-0.6, 1.4, 0.2], [0.9, -1.7, 0.45]])
M32 = np.array([[0.5, -1.2], [2.0, 1.1], [0.3, -0.8]])
M34 = _rng_array(3, (3, 4))
C31 = np.array([[0.5], [-1.5], [2.0]])
R14 = np.array([[1.0, -0.25, 0.75, 1.8]])
POS3 = np.array([0.4, 1.3, 2.6])
POS23 = np.array([[0.4, 1.3, 2.6], [0.7, 1.9, 0.25]])
UNIT3 = np.array([-0.6, 0.1, 0.75])
ABOVE3 = np.array([1.2, 1.9, 2.7])


# -- scalars: operators ---------------------------------------------------------------------------


def textbook(x1, x2):
    return x1 * x2 + np.sin(x1)


def add_sub(x, y):
    return x - y + x + 2.0 - y


def mul_div(x, y):
    return x * y / (x + 2.0)


def div_by_variable(x, y):
    return 3.0 / x - y / x


def powers(x, y):
    return x**3 + 2.0**x + x**y


def pow_negative_base(x):
    return x**2 + x**3.0


def floordiv_times(x):
    return (x // 0.7) * x + x


def modulo(x, y):
    return x % y


def unary(x, y):
    return -x * +y - -y


def ints_in(x, y):
    return x * y + x**2 - y // 3


def mixed_int_float(n, x):
    return n * x + x / n


def numpy_float64_in(x):
    return x * x * 3.0


def constant_folding(x):
    return 2.0 * 3.0 * x + (1.0 + 1.0) * x


def docstring_and_pass(x):
    """A docstring, then `pass`, then the math."""
    pass
    return x * x


# -- scalars: the math module --------------------------------------------------------------------


def math_trig(x):
    return math.sin(x) * math.cos(x) + math.tan(x)


def math_inverse_trig(x):
    return math.asin(x) + 2.0 * math.acos(x) + math.atan(x) * x


def math_atan2(y, x):
    return math.atan2(y, x)


def math_hyperbolic(x):
    return math.sinh(x) + math.cosh(x) * math.tanh(x)


def math_inverse_hyperbolic(x, y):
    return math.asinh(x) + math.acosh(y) + math.atanh(x / 2.0)


def math_exp_log(x):
    return math.exp(x) + math.expm1(x) + math.log(x) + math.log1p(x)


def math_log_base(x, base):
    return math.log(x, base) + math.log2(x) + math.log10(x)


def math_roots(x, y):
    return math.sqrt(x) + math.pow(x, y) + math.hypot(x, y) + math.fabs(y)


def math_erf(x):
    return math.erf(x) * math.erfc(x)


def from_math_import(x):
    return sin(x) * m_exp(x) + erf(x) + hypot(x, 2.0)


def builtins_scalar(x, y):
    return abs(x) + max(x, y) + 2.0 * min(x, y) + float(x) * pow(y, 3.0)


def module_constants(x):
    return np.pi * x**2 + math.e * x + SCALE * x


def default_argument(x, scale=2.0, shift=0.5):
    return scale * x**2 + shift


def default_argument_given(x, scale=2.0):
    return scale * x**2


def wrt_by_name(x, y, z):
    return x * y * z + y


# -- variables -----------------------------------------------------------------------------------


def reassigned(x):
    y = x * x
    y = y * y
    y = y + x
    return y


def reassigned_parameter(x, y):
    x = x * y
    x = np.sin(x) + x
    return x


def fan_out(x):
    y = np.sin(x)
    return y * y + y * x + y


def augmented_scalar(x, y):
    z = x
    z += x * y
    z *= 2.0
    z -= y
    z /= x
    return z


def tuple_unpack(x):
    a, b = x[0], x[1]
    return a * b + a


def unused_intermediate(x):
    junk = np.cos(x) * 7.0
    y = x * x
    junk = junk + 1.0
    return y


def generated_names(x, seed):
    x_bar = x * seed
    _v1 = x_bar * x + seed
    return _v1


def shadowed_helpers(x, y):
    math = x * y
    unbroadcast = np.cos(math)
    check_seed = unbroadcast * x
    zeros_like = check_seed + math
    return np.sum(zeros_like)


# -- arrays: elementwise -------------------------------------------------------------------------


def np_trig(x):
    return np.sum(np.sin(x) * np.cos(x) + np.tan(x))


def np_inverse_trig(x):
    return np.sum(np.arcsin(x) + np.arccos(x) * x + np.arctan(x))


def np_hyperbolic(x):
    return np.sin(x) + np.cosh(x) * np.tanh(x) + np.sinh(x) + np.arcsinh(x) + np.arctanh(x)


def np_exp_log(x):
    return np.exp(x) + np.expm1(x) + np.log(x) + np.log1p(x) + np.log2(x) + np.log10(x)


def np_roots_powers(x):
    return np.sqrt(x) + np.square(x) + np.reciprocal(x) + np.power(x, 2.5) + np.cbrt(x) + np.exp2(x)


def np_arccosh(x):
    return np.arccosh(x)


def np_abs_sign(x):
    return np.abs(x) + np.fabs(x) * np.sign(x) * x + abs(x)


def np_binary(x, y):
    return np.arctan2(x, y) + np.hypot(x, y) + np.logaddexp(x, y) + np.power(np.abs(x), y)


def np_arith_functions(x, y):
    return np.add(x, y) * np.subtract(x, y) + np.multiply(x, y) / np.divide(y, 2.0) - np.negative(x)


def np_maximum_minimum(x, y):
    return np.maximum(x, y) + 2.0 * np.minimum(x, y)


def np_where(x, y):
    return np.where(x > 0, x * y, y * 3.0)


def np_clip(x):
    return np.clip(x, -1.0, 1.0) * x


def keyword_operands(x, lo, hi):
    return np.clip(x, a_min=lo, a_max=hi) * x


def comparison_mask(x):
    return np.sum((x > 0) * x * x)


def pow_negative_base_array(x):
    return x**2 + np.power(x, 3)


def int_array_in(x):
    return np.sum(x * x * 1.5)


# -- arrays: broadcasting ------------------------------------------------------------------------


def broadcast_column_row(a, b):
    return a * b - b / (a * a + 1.0)


def broadcast_matrix_vector(m, v):
    return m + v * m - v


def broadcast_scalar_array(s, x):
    return s * x + s


def broadcast_zero_d(s, x):
    return s * x - x / s


def broadcast_array_scalar_right(x, s):
    return x**s + x / s


def broadcast_new_axes(x, y):
    return x[:, None] * y[None, :] + x[..., None]


# -- arrays: reductions --------------------------------------------------------------------------


def reduce_sum(x):
    return np.sum(x) + np.sum(x, axis=0).sum() * 0.5


def reduce_axis(x):
    return np.sum(x, axis=1, keepdims=True) * x + np.mean(x, axis=0)


def reduce_mean_prod(x):
    return np.mean(x) * np.prod(x)


def reduce_prod_axis(x):
    return np.prod(x, axis=0)


def reduce_max_min(x):
    return np.max(x, axis=1) + np.min(x, axis=0, keepdims=True).sum()


def reduce_max_whole(x):
    return np.max(x) - 2.0 * np.min(x) + np.amax(x)


def reduce_methods(x):
    return x.sum(axis=0) * x.mean(axis=0) + x.max(axis=0) - x.min(axis=0) + x.prod(axis=0)


def reduce_methods_whole(x):
    return x.sum() + x.mean() * x.max() + x.prod()


def reduce_tuple_axis(x):
    return np.sum(x * x, axis=(0, 1))


def reduce_positional_axis(x):
    return np.sum(x, 0) * x.mean(1).sum() + x.max(0)


def logsumexp(x):
    m = np.max(x)
    return np.log(np.sum(np.exp(x - m))) + m


# -- arrays: products ----------------------------------------------------------------------------


def dot_vv(a, b):
    return np.dot(a, b)


def dot_mv(m, v):
    return np.dot(m, v)


def dot_vm(v, m):
    return np.dot(v, m)


def dot_mm(a, b):
    return np.dot(a, b)


def dot_method(a, b):
    return a.dot(b)


def matmul_all(a, b, v, w):
    return np.sum(np.matmul(a, b)) + np.matmul(v, b).sum() + np.matmul(a, w).sum()


def matmul_vv(a, b):
    return np.matmul(a, b)


def at_operator(a, b, v, w):
    return (a @ b).sum() + (v @ a).sum() + (a.T @ v).sum() + np.sum((v @ a) * w) + (b @ v).sum()


def at_vv(a, b):
    return a @ b


def quadratic_form(x):
    return x @ A @ x


def outer_product(a, b):
    return np.outer(a, b)


def least_squares(w, b):
    r = M34.T @ w + b - V4
    return np.mean(r**2)


# -- arrays: shapes ------------------------------------------------------------------------------


def transposes(x):
    return np.transpose(x) * 2.0 + x.T + x.transpose()


def transpose_axes(x):
    return np.sum(np.transpose(x, (1, 0, 2)) * np.arange(24.0).reshape(3, 2, 4))


def reshapes(x):
    return np.reshape(x, (3, 2)) * x.reshape(3, 2) + x.reshape((3, 2)) + x.reshape(-1, 2)


def ravel_flatten(x):
    return np.ravel(x) * x.ravel() + x.flatten()


def squeeze_expand(x):
    return np.expand_dims(np.squeeze(x), 0) * np.squeeze(x, axis=1)


def method_chain(x):
    return x.reshape(2, 3).T.sum(axis=0) * 2.0


def concatenate_lists(a, b):
    return np.concatenate([a, b]) * np.concatenate([a, a], axis=1).sum()


def concatenate_axis1(a, b):
    return np.concatenate([a, b], axis=1)


def stack_lists(a, b):
    return np.stack([a, b]) + np.stack([b, a * a], axis=1).T


def shape_attributes(x):
    return x / x.shape[0] + np.sum(x) / len(x) + x.size * x


def numpy_module_chain(x):
    return numpy.ma.expand_dims(x, 0) * Namespaces.numpy.sin(x)


def linalg_chain(a, v):
    return numpy.linalg.norm(v) * numpy.linalg.det(a) + np.linalg.solve(a, v).sum()


# -- arrays: subscripts --------------------------------------------------------------------------


def subscript_int(x):
    return x[1] * x[0] + x[-1]


def subscript_slices(x):
    return x[1:3] * x[:2] + x[::-1][:2] + x[-2:]


def subscript_2d(x):
    return x[:, 0] * x[1, :2] + x[1, 2] + x[0][1] + x[-1:, :2].sum()


def subscript_ellipsis_newaxis(x):
    return x[..., None] * x[None, ...]


def subscript_fancy(x):
    return x[IDX] * 2.0 + x[[0, 1]].sum()


def subscript_with_argument(x, i):
    return x[i] * x[i + 1]


CASES: list[Case] = [
    # scalars: operators
    Case("textbook", textbook, (2.0, 3.0), (0, 1)),
    Case("add_sub", add_sub, (1.5, -0.5), (0, 1)),
    Case("mul_div", mul_div, (1.5, -0.5), (0, 1)),
    Case("div_by_variable", div_by_variable, (1.5, -0.5), (0, 1)),
    Case("powers", powers, (1.3, 0.7), (0, 1)),
    Case("pow_negative_base", pow_negative_base, (-1.5,)),
    Case("floordiv_times", floordiv_times, (2.0,)),
    Case("modulo", modulo, (5.3, 1.5), (0, 1)),
    Case("unary", unary, (1.5, -0.5), (0, 1)),
    Case("ints_in", ints_in, (3, 4), (0, 1)),
    Case("mixed_int_float", mixed_int_float, (3, 0.25), (0, 1)),
    Case("numpy_float64_in", numpy_float64_in, (np.float64(1.25),)),
    Case("constant_folding", constant_folding, (0.3,)),
    Case("docstring_and_pass", docstring_and_pass, (0.3,)),
    # scalars: math
    Case("math_trig", math_trig, (0.7,)),
    Case("math_inverse_trig", math_inverse_trig, (0.3,)),
    Case("math_atan2", math_atan2, (0.5, -1.5), (0, 1)),
    Case("math_hyperbolic", math_hyperbolic, (0.6,)),
    Case("math_inverse_hyperbolic", math_inverse_hyperbolic, (0.8, 1.7), (0, 1)),
    Case("math_exp_log", math_exp_log, (0.9,)),
    Case("math_log_base", math_log_base, (2.5, 3.0), (0, 1)),
    Case("math_roots", math_roots, (1.7, -0.6), (0, 1)),
    Case("math_erf", math_erf, (0.4,)),
    Case("from_math_import", from_math_import, (0.4,)),
    Case("builtins_scalar", builtins_scalar, (-0.8, 0.6), (0, 1)),
    Case("module_constants", module_constants, (0.8,)),
    Case("default_argument", default_argument, (0.8,)),
    Case("default_argument_given", default_argument_given, (0.8, 3.0), (0, 1)),
    Case("wrt_by_name", wrt_by_name, (0.5, -1.5, 2.0), ("z", "x")),
    Case("wrt_negative", wrt_by_name, (0.5, -1.5, 2.0), (-1, 1)),
    # variables
    Case("reassigned", reassigned, (0.7,)),
    Case("reassigned_array", reassigned, (V3,)),
    Case("reassigned_parameter", reassigned_parameter, (0.7, -1.3), (0, 1)),
    Case("fan_out", fan_out, (0.7,)),
    Case("fan_out_array", fan_out, (M23,)),
    Case("augmented_scalar", augmented_scalar, (0.7, -1.3), (0, 1)),
    Case("tuple_unpack", tuple_unpack, (V3,)),
    Case("unused_intermediate", unused_intermediate, (V3,)),
    Case("generated_names", generated_names, (0.7, -1.3), (0, 1)),
    Case("shadowed_helpers", shadowed_helpers, (0.7, -1.3), (0, 1)),
    Case("shadowed_helpers_array", shadowed_helpers, (M23, V3B), (0, 1)),
    # arrays: elementwise
    Case("np_trig", np_trig, (UNIT3,)),
    Case("np_trig_scalar", np_trig, (0.4,)),
    Case("np_inverse_trig", np_inverse_trig, (UNIT3,)),
    Case("np_hyperbolic", np_hyperbolic, (UNIT3,)),
    Case("np_exp_log", np_exp_log, (POS23,)),
    Case("np_exp_log_scalar", np_exp_log, (1.4,)),
    Case("np_roots_powers", np_roots_powers, (POS3,)),
    Case("np_arccosh", np_arccosh, (ABOVE3,)),
    Case("np_abs_sign", np_abs_sign, (V3,)),
    Case("np_binary", np_binary, (V3, V3B), (0, 1)),
    Case("np_arith_functions", np_arith_functions, (V3, V3B), (0, 1)),
    Case("np_maximum_minimum", np_maximum_minimum, (V3, V3B), (0, 1)),
    Case("np_where", np_where, (V3, V3B), (0, 1)),
    Case("np_clip", np_clip, (np.array([-1.5, -0.3, 0.4, 1.7]),)),
    Case("keyword_operands", keyword_operands, (V3, -1.0, 1.0), (0, 1, 2)),
    Case("comparison_mask", comparison_mask, (V3,)),
    Case("pow_negative_base_array", pow_negative_base_array, (np.array([-1.5, -0.5, 2.0]),)),
    Case("int_array_in", int_array_in, (np.array([1, -2, 3]),)),
    # arrays: broadcasting
    Case("broadcast_column_row", broadcast_column_row, (C31, R14), (0, 1)),
    Case("broadcast_matrix_vector", broadcast_matrix_vector, (M23, V3B), (0, 1)),
    Case("broadcast_scalar_array", broadcast_scalar_array, (1.5, M23), (0, 1)),
    Case("broadcast_zero_d", broadcast_zero_d, (np.array(1.5), V3), (0, 1)),
    Case("broadcast_array_scalar_right", broadcast_array_scalar_right, (POS3, 1.7), (0, 1)),
    Case("broadcast_new_axes", broadcast_new_axes, (V3, V4), (0, 1)),
    # arrays: reductions
    Case("reduce_sum", reduce_sum, (M23,)),
    Case("reduce_axis", reduce_axis, (M23,)),
    Case("reduce_mean_prod", reduce_mean_prod, (M23,)),
    Case("reduce_prod_axis", reduce_prod_axis, (M23,)),
    Case("reduce_max_min", reduce_max_min, (M34,)),
    Case("reduce_max_whole", reduce_max_whole, (M34,)),
    Case("reduce_methods", reduce_methods, (M23,)),
    Case("reduce_methods_whole", reduce_methods_whole, (M23,)),
    Case("reduce_tuple_axis", reduce_tuple_axis, (M23,)),
    Case("logsumexp", logsumexp, (V4,)),
    Case("reduce_positional_axis", reduce_positional_axis, (M23,)),
    # arrays: products
    Case("dot_vv", dot_vv, (V3, V3B), (0, 1)),
    Case("dot_mv", dot_mv, (M23, V3), (0, 1)),
    Case("dot_vm", dot_vm, (V3, M32), (0, 1)),
    Case("dot_mm", dot_mm, (M23, M32), (0, 1)),
    Case("dot_method", dot_method, (M23, V3), (0, 1)),
    Case("matmul_all", matmul_all, (M23, M32, V3, V3B), (0, 1, 2, 3)),
    Case("matmul_vv", matmul_vv, (V3, V3B), (0, 1)),
    Case("at_operator", at_operator, (M23, M32, V3B[:2], V3), (0, 1, 2, 3)),
    Case("at_vv", at_vv, (V3, V3B), (0, 1)),
    Case("quadratic_form", quadratic_form, (V3,)),
    Case("outer_product", outer_product, (V3, V4), (0, 1)),
    Case("least_squares", least_squares, (V3, 0.3), (0, 1)),
    # arrays: shapes
    Case("transposes", transposes, (M23B,)),
    Case("transpose_axes", transpose_axes, (_rng_array(4, (2, 3, 4)),)),
    Case("reshapes", reshapes, (M23,)),
    Case("ravel_flatten", ravel_flatten, (M23,)),
    Case("squeeze_expand", squeeze_expand, (C31,)),
    Case("method_chain", method_chain, (np.arange(1.0, 7.0),)),
    Case("concatenate_lists", concatenate_lists, (M23, M23B), (0, 1)),
    Case("concatenate_axis1", concatenate_axis1, (M23, M32[:2]), (0, 1)),
    Case("stack_lists", stack_lists, (V3, V3B), (0, 1)),
    Case("shape_attributes", shape_attributes, (V3,)),
    Case("numpy_module_chain", numpy_module_chain, (V3,)),
    Case("linalg_chain", linalg_chain, (A, V3), (0, 1)),
    # arrays: subscripts
    Case("subscript_int", subscript_int, (V4,)),
    Case("subscript_slices", subscript_slices, (V4,)),
    Case("subscript_2d", subscript_2d, (M23,)),
    Case("subscript_ellipsis_newaxis", subscript_ellipsis_newaxis, (V3,)),
    Case("subscript_fancy", subscript_fancy, (V4,)),
    Case("subscript_with_argument", subscript_with_argument, (V4, 1)),
]


def alias_of_a_local(x):
    y = x * 1.0
    z = y
    z += x  # in place: y sees it
    return np.sum(y * z)


def alias_of_an_argument(x):
    y = x
    y *= 2.0  # in place: x (the caller's array, in Python) sees it
    return np.sum(x * y)


#: `+=` on arrays writes in place, so aliases see it (DESIGN.md §3). Issue 2 may reject these
#: (UnsupportedSyntaxError naming the line); it must not differentiate them wrongly.
ALIAS_CASES: list[Case] = [
    Case("alias_of_a_local", alias_of_a_local, (V3,)),
    Case("alias_of_an_argument", alias_of_an_argument, (V3,)),
]
