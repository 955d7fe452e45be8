"""Numerical edge cases: what tangentish does at kinks, ties, zeros, NaN and inf, and with
integer, boolean, float32 and complex inputs. docs/edge_cases.md documents the same behaviour.

Each expectation is written down from the mathematics (or from what NumPy itself does), not read
back from tangentish. Where tangentish does something else, the test is a strict xfail whose
reason starts with "BUG:".

Also: run-time errors inside generated code (a shape mismatch, a math domain error) keep their
type, and the traceback names the user's file and line.
"""

from __future__ import annotations

import math
import os
import sys
import traceback
import warnings

import numpy as np
import pytest

import tangentish as tg

BASENAME = os.path.basename(__file__)


def both_modes(fn, *args, wrt=(0,), seed=1.0):
    """(reverse-mode gradient, forward-mode Jacobian applied to unit tangents, one per wrt)."""
    grads = tg.grad(fn, wrt=wrt)(*args, seed=seed)
    grads = tuple(grads) if len(wrt) > 1 else (grads,)
    tangents = []
    for k in range(len(wrt)):
        direction = tuple(
            np.ones_like(args[i], dtype=float) * (1.0 if j == k else 0.0) for j, i in enumerate(wrt)
        )
        _, tangent = tg.jvp(fn, wrt=wrt)(*args, seed=direction if len(wrt) > 1 else direction[0])
        tangents.append(tangent)
    return grads, tuple(tangents)


# -- kinks and ties -------------------------------------------------------------------------------


def absolute(x):
    return abs(x)


def np_absolute(x):
    return np.abs(x)


def maximum(x, y):
    return np.maximum(x, y)


def minimum(x, y):
    return np.minimum(x, y)


def builtin_max(x, y):
    return max(x, y)


def where_greater(x, y):
    return np.where(x > y, x, y)


@pytest.mark.parametrize("fn", [absolute, np_absolute])
def test_abs_at_zero_has_derivative_zero(fn):
    """d|x|/dx at 0 is taken as sign(0) = 0, in both modes (a subgradient)."""
    grads, tangents = both_modes(fn, 0.0)
    assert grads == (0.0,) and tangents == (0.0,)


def test_abs_elementwise_is_the_sign():
    a = np.array([-2.0, -0.0, 0.0, 3.0])
    np.testing.assert_array_equal(tg.vjp(np_absolute)(a, seed=np.ones(4)), [-1.0, 0.0, 0.0, 1.0])
    _, tangent = tg.jvp(np_absolute)(a)
    np.testing.assert_array_equal(tangent, [-1.0, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("fn", [maximum, minimum, builtin_max])
def test_maximum_and_minimum_at_a_tie_follow_the_first_argument(fn):
    """At x == y the whole derivative goes to the first argument; the two together still add up
    to the derivative of max(t, t) = t, and both modes agree."""
    grads, tangents = both_modes(fn, 1.0, 1.0, wrt=(0, 1))
    assert grads == (1.0, 0.0)
    assert tangents == (1.0, 0.0)


def test_maximum_away_from_a_tie():
    grads, tangents = both_modes(maximum, 1.0, 2.0, wrt=(0, 1))
    assert grads == (0.0, 1.0) and tangents == (0.0, 1.0)


def test_where_at_a_tie_follows_the_condition():
    """np.where(x > y, x, y) at x == y: the condition is False, so y gets the derivative."""
    grads, tangents = both_modes(where_greater, 1.0, 1.0, wrt=(0, 1))
    assert grads == (0.0, 1.0) and tangents == (0.0, 1.0)
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 4.0])
    ga, gb = tg.vjp(where_greater, wrt=(0, 1))(a, b, seed=np.ones(3))
    np.testing.assert_array_equal(ga, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(gb, [1.0, 0.0, 1.0])


# -- zeros: sqrt, powers ---------------------------------------------------------------------------


def np_sqrt(x):
    return np.sqrt(x)


def math_sqrt(x):
    return math.sqrt(x)


def power_zero(x):
    return x**0


def power_zero_float(x):
    return x**0.0


def zero_to_the(y):
    return 0.0**y


def power(x, y):
    return x**y


def test_sqrt_at_zero_is_infinite_as_numpy_says():
    """d sqrt(x)/dx = 0.5 / sqrt(x): infinite at 0. np.sqrt gives inf with NumPy's divide-by-zero
    warning, for Python floats and for arrays alike."""
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        assert tg.grad(np_sqrt)(0.0) == math.inf
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        np.testing.assert_array_equal(
            tg.vjp(np_sqrt)(np.array([0.0, 4.0]), seed=np.ones(2)), [math.inf, 0.25]
        )


def test_math_sqrt_at_zero_raises_as_python_float_division_does():
    """math.sqrt works on Python floats, whose division by zero raises: so does its derivative."""
    with pytest.raises(ZeroDivisionError):
        tg.grad(math_sqrt)(0.0)


@pytest.mark.parametrize("fn", [power_zero, power_zero_float])
def test_x_to_the_zero_away_from_zero(fn):
    assert tg.grad(fn)(2.0) == 0.0
    assert tg.jvp(fn)(2.0) == (1.0, 0.0)


@pytest.mark.parametrize("fn", [power_zero, power_zero_float])
def test_x_to_the_zero_at_zero_has_derivative_zero(fn):
    assert tg.grad(fn)(0.0) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(tg.vjp(fn)(np.array([0.0, 2.0]), seed=np.ones(2)), [0, 0])


def test_x_squared_at_zero():
    assert tg.grad(power, wrt=(0,))(0.0, 2.0) == 0.0
    assert tg.grad(lambda_free_square)(0.0) == 0.0


def lambda_free_square(x):
    return x**2.0


def test_zero_to_the_y_has_derivative_zero_for_positive_y():
    assert tg.grad(zero_to_the)(2.0) == 0.0
    assert tg.jvp(zero_to_the)(2.0) == (0.0, 0.0)
    assert tg.grad(power, wrt=(1,))(0.0, 2.0) == 0.0


def test_negative_base_with_a_constant_exponent_never_takes_a_log():
    """x**2.0 at x < 0: the exponent is not differentiated, so log(x) is never evaluated."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tg.grad(lambda_free_square)(-1.5) == -3.0
        assert tg.grad(power, wrt=(0,))(-1.5, 2.0) == -3.0


# -- NaN and inf -----------------------------------------------------------------------------------


def np_sin(x):
    return np.sin(x)


def np_log(x):
    return np.log(x)


def np_exp(x):
    return np.exp(x)


def sum_of_squares(a):
    return np.sum(a * a)


def test_nan_propagates():
    """A NaN input gives a NaN derivative where the function depends on it, as NumPy would."""
    assert math.isnan(tg.grad(np_sin)(math.nan))
    assert math.isnan(tg.jvp(np_sin)(math.nan)[1])
    g = tg.grad(sum_of_squares)(np.array([math.nan, 1.0]))
    assert math.isnan(g[0]) and g[1] == 2.0


def test_inf_propagates_through_arrays():
    with np.errstate(invalid="ignore"):
        g = tg.vjp(np_sin)(np.array([math.inf, 0.0]), seed=np.ones(2))
    assert math.isnan(g[0]) and g[1] == 1.0
    assert tg.grad(np_exp)(math.inf) == math.inf
    assert tg.grad(np_exp)(-math.inf) == 0.0
    np.testing.assert_array_equal(tg.grad(sum_of_squares)(np.array([math.inf, 1.0])), [math.inf, 2])


def test_log_of_zero_in_an_array():
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(tg.vjp(np_log)(np.array([0.0]), seed=np.ones(1)), [math.inf])


@pytest.mark.parametrize(
    ("fn", "x", "expected"),
    [(np_sin, math.inf, math.nan), (np_log, 0.0, math.inf)],
    ids=["sin_inf", "log_zero"],
)
def test_inf_and_zero_for_python_floats_behave_as_numpy(fn, x, expected):
    with np.errstate(all="ignore"):
        got = tg.grad(fn)(x)
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_nan_propagates_through_maximum():
    gx, gy = tg.grad(maximum, wrt=(0, 1))(math.nan, 1.0)
    assert math.isnan(gx) or math.isnan(gy) or gx == 1.0


# -- integer, boolean, float32, complex inputs -----------------------------------------------------


@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3)], ids=["int", "int64", "int32"])
def test_integer_scalars_give_float_gradients(value):
    g = tg.grad(np_sin)(value)
    assert isinstance(g, float) and g == pytest.approx(math.cos(3.0))
    _, tangent = tg.jvp(np_sin)(value)
    assert isinstance(tangent, float) and tangent == pytest.approx(math.cos(3.0))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_integer_arrays_give_float_gradients(dtype):
    a = np.array([1, 2], dtype=dtype)
    g = tg.grad(sum_of_squares)(a)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, 4.0])


@pytest.mark.parametrize(
    "value", [True, np.bool_(False), np.array([True, False])], ids=["bool", "np.bool_", "array"]
)
def test_booleans_are_not_differentiable(value):
    fn = sum_of_squares if isinstance(value, np.ndarray) else np_sin
    for make in (tg.grad, tg.jvp):
        with pytest.raises(tg.NonDifferentiableError, match="boolean"):
            make(fn)(value)


def test_a_boolean_not_differentiated_is_fine():
    def scaled(x, flag):
        return x * 2.0 if flag else x

    assert tg.grad(scaled)(1.5, True) == 2.0


@pytest.mark.parametrize(
    "value", [1j, np.complex128(1.0), np.array([1.0 + 2j])], ids=["complex", "np", "array"]
)
def test_complex_inputs_are_a_clear_error(value):
    fn = sum_of_squares if isinstance(value, np.ndarray) else np_sin
    for make in (tg.grad, tg.jvp):
        with pytest.raises(tg.NonDifferentiableError, match="complex"):
            make(fn)(value)


def test_complex_output_is_a_clear_error():
    with pytest.raises(tg.TangentishError):
        tg.grad(power, wrt=(0,))(2.0, 1j)


def np_sin_sum(a):
    return np.sum(np.sin(a))


def test_float32_gradient_with_a_float32_seed_stays_float32():
    a = np.ones(3, np.float32)
    assert tg.vjp(np_sin)(a, seed=np.ones(3, np.float32)).dtype == np.float32
    assert tg.grad(sum_of_squares)(a, seed=np.float32(1.0)).dtype == np.float32


@pytest.mark.parametrize("fn", [sum_of_squares, np_sin_sum])
def test_float32_arrays_keep_float32_gradients(fn):
    a = np.ones(3, np.float32)
    assert tg.grad(fn)(a).dtype == np.float32
    _, tangent = tg.jvp(fn)(a)
    assert np.asarray(tangent).dtype == np.float32


def test_longdouble_keeps_its_precision():
    a = np.ones(2, np.longdouble)
    assert tg.grad(sum_of_squares)(a).dtype == np.longdouble


# -- run-time errors inside generated code ---------------------------------------------------------


def shape_mismatch(a, b):
    c = a * 2.0
    d = c + b  # ERROR
    return np.sum(d)


def domain_error(x):
    y = x - 2.0
    z = math.sqrt(y)  # ERROR
    return z * x


def domain_error_in_loop(x):
    y = x
    for _ in range(3):
        y = y - 1.0
        y = math.log(y) + y  # ERROR
    return y


def helper_with_domain_error(t):
    return math.sqrt(t - 5.0)  # ERROR


def calls_helper_with_domain_error(x):
    return helper_with_domain_error(x) * 2.0


def _error_line(fn) -> int:
    import inspect

    lines, first = inspect.getsourcelines(fn)
    return next(first + i for i, text in enumerate(lines) if text.rstrip().endswith("# ERROR"))


RUNTIME_ERRORS = [
    (shape_mismatch, (np.ones(3), np.ones(4)), ValueError, shape_mismatch),
    (domain_error, (1.0,), ValueError, domain_error),
    (domain_error_in_loop, (1.5,), ValueError, domain_error_in_loop),
    (calls_helper_with_domain_error, (1.0,), ValueError, helper_with_domain_error),
]


@pytest.mark.parametrize("mode", ["grad", "jvp"])
@pytest.mark.parametrize(
    ("fn", "args", "error", "where"),
    RUNTIME_ERRORS,
    ids=[case[0].__name__ for case in RUNTIME_ERRORS],
)
def test_runtime_errors_keep_their_type_and_name_the_users_line(fn, args, error, where, mode):
    with pytest.raises(Exception) as caught:
        fn(*args)  # the function itself: the error to expect
    assert type(caught.value) is error
    make = tg.grad if mode == "grad" else tg.jvp
    with pytest.raises(error) as caught:
        make(fn)(*args)
    text = "".join(traceback.format_exception(caught.type, caught.value, caught.tb))
    assert f"{BASENAME}:{_error_line(where)}" in text, text


@pytest.mark.skipif(sys.version_info < (3, 11), reason="add_note is Python 3.11+")
@pytest.mark.parametrize("mode", ["grad", "jvp"])
@pytest.mark.parametrize(
    ("fn", "args", "error", "where"),
    RUNTIME_ERRORS,
    ids=[case[0].__name__ for case in RUNTIME_ERRORS],
)
def test_runtime_errors_carry_a_note_with_the_users_file_and_line(fn, args, error, where, mode):
    make = tg.grad if mode == "grad" else tg.jvp
    with pytest.raises(error) as caught:
        make(fn)(*args)
    notes = "\n".join(caught.value.__notes__)
    assert f'File "{__file__}", line {_error_line(where)}' in notes, notes


def fmax(x, y):
    return np.fmax(x, y)


@pytest.mark.parametrize(
    ("fn", "args", "expected"),
    [
        (maximum, (1.0, math.nan), (0.0, 1.0)),
        (minimum, (math.nan, 1.0), (1.0, 0.0)),
        (fmax, (math.nan, 1.0), (0.0, 1.0)),
        (fmax, (1.0, math.nan), (1.0, 0.0)),
        (builtin_max, (math.nan, 1.0), (1.0, 0.0)),
        (builtin_max, (1.0, math.nan), (1.0, 0.0)),
    ],
)
def test_the_derivative_goes_to_the_argument_returned_at_a_nan(fn, args, expected):
    """np.maximum/np.minimum return the NaN, np.fmax the other argument, max(x, y) x unless
    y > x: the argument returned gets the derivative, in both modes."""
    grads, tangents = both_modes(fn, *args, wrt=(0, 1))
    assert grads == expected and tangents == expected


def test_a_variable_exponent_or_base_at_zero():
    """d(x**y)/dx is y x**(y-1), 0 where y == 0; d(x**y)/dy is log(x) x**y, 0 where x == 0 and
    y > 0: checked on arrays without a warning, against the closed forms."""
    x, y = np.array([0.0, 2.0, 0.0, 1.5]), np.array([0.0, 0.0, 2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gx, gy = tg.vjp(power, wrt=(0, 1))(x, y, seed=np.ones(4))
    np.testing.assert_allclose(gx, [0.0, 0.0, 0.0, 3.0 * 1.5**2.0])
    np.testing.assert_allclose(gy, [0.0, math.log(2.0), 0.0, math.log(1.5) * 1.5**3.0])
    assert tg.grad(power, wrt=(0, 1))(0.0, 0.0) == (0.0, 0.0)


def test_a_float64_seed_gives_a_float64_gradient():
    a = np.ones(3, np.float32)
    assert tg.grad(sum_of_squares)(a, seed=np.float64(1.0)).dtype == np.float64


def test_a_missing_rule_names_the_mode():
    def gamma(x):
        return math.gamma(x)

    for make, mode in ((tg.grad, "reverse"), (tg.jvp, "forward")):
        with pytest.raises(tg.MissingRuleError, match=f"{mode} mode"):
            make(gamma)(2.0)


def product_of(a):
    return np.prod(a) * 2.0


def test_the_gradient_of_an_empty_product_is_empty():
    """The product of no entries is 1; its gradient has no entries (it raised a reshape error;
    found by the mutation fuzzer)."""
    grad = tg.grad(product_of)(np.zeros(0))
    assert isinstance(grad, np.ndarray) and grad.shape == (0,)
    assert tg.grad(product_of)(np.zeros((3, 0))).shape == (3, 0)


@pytest.mark.parametrize("make", [tg.grad, tg.jvp], ids=["grad", "jvp"])
def test_an_array_of_strings_is_not_differentiable(make):
    with pytest.raises(tg.NonDifferentiableError, match="an array of <U1 values"):
        make(product_of)(np.array(["a"]))
