"""More of the bug families the fuzzer found in reverse mode and in the optimizer, each checked
like a fuzzed program (test_fuzz.check_function: central differences, forward against reverse,
optimized against unoptimized, the replay):

* an argument overwritten by a value that does not depend on it: its gradient is zero (the
  reverse sweep gave it the adjoint of the new value);
* names a lambda, a nested def or a comprehension binds are other variables than the enclosing
  function's of the same spelling (the optimizer substituted a local constant for them), and a
  nested function reads the enclosing function's variables when it is called;
* the optimizer's fixed point ends (a self-copy `a_dot = a_dot` it kept substituting).
"""

from __future__ import annotations

import math
import time

import fuzz_regressions
import numpy as np
import program_generator as pg
import pytest
from oracle import check_vjp
from test_fuzz import check_function

import tangentish as tg

V3 = np.array([0.5, -1.5, 2.0])

# -- overwritten arguments ------------------------------------------------------------------------


def overwritten_in_a_loop(x, y):
    for i in range(3):
        x = y * 2.0 + i
    return x * y


def overwritten_in_a_while_loop(x, y):
    k = 0
    while k < 2:
        x = np.sin(y) + k
        k = k + 1
    return x * 3.0


def overwritten_after_a_use(x):
    t = x * x
    x = 3.0
    return x * t


def array_overwritten_by_a_number(a, y):
    a = 2.0
    return a * y


def array_overwritten_by_another_shape(a):
    a = np.ones(2)
    return np.sum(a * 3.0)


def _overwrites_its_argument(u, w):
    u = w * 2.0
    return u * u


def overwritten_in_a_callee(x, y):
    return _overwrites_its_argument(x, y) + x


def overwritten_in_both_branches(x, y):
    if y > 0.0:
        x = 1.0
        y = y * 2.0
    else:
        x = np.cos(y)
    return x * y


def output_written_in_place(a):
    """The sweep puts the old entry back into `a`: the replay's value was the restored array."""
    a = a * 1.0
    a[0] = -a[0]
    return a


# -- scopes ---------------------------------------------------------------------------------------


def nested_def_reads_a_shadowed_outer_variable(x):
    v = 2.0
    w = 3.0

    def scale(t):
        return t * v

    def shift(w):
        return w + v

    return scale(x) + shift(x) + w


def nested_def_local_shadows_outer(x):
    y = 4.0

    def twice_plus_one(t):
        y = t * 2.0
        return y + 1.0

    return twice_plus_one(x) * y


def lambda_with_a_default_argument(x):
    v = 2.0
    scaled = lambda t, c=v: t * c  # noqa: E731
    v = 3.0
    return scaled(x) + v


def lambda_reads_a_later_assignment(x):
    scaled = lambda t: t * v  # noqa: E731
    v = 5.0
    return scaled(x)


def comprehension_variable_shadows_local(x):
    i = 3.0
    total = lambda t: sum([t * i for i in range(3)])  # noqa: E731
    return total(x) + i


CASES = [
    (overwritten_in_a_loop, (0.3, 0.7), (0, 1)),
    (overwritten_in_a_while_loop, (0.3, 0.7), (0, 1)),
    (overwritten_after_a_use, (0.6,), (0,)),
    (array_overwritten_by_a_number, (V3, 0.7), (0, 1)),
    (array_overwritten_by_another_shape, (V3,), (0,)),
    (overwritten_in_a_callee, (0.3, 0.7), (0, 1)),
    (overwritten_in_both_branches, (0.3, 0.7), (0, 1)),
    (output_written_in_place, (V3,), (0,)),
    (nested_def_reads_a_shadowed_outer_variable, (0.8,), (0,)),
    (nested_def_local_shadows_outer, (0.8,), (0,)),
    (lambda_with_a_default_argument, (0.8,), (0,)),
    (lambda_reads_a_later_assignment, (0.8,), (0,)),
    (comprehension_variable_shadows_local, (0.8,), (0,)),
]


@pytest.mark.parametrize("fn,args,wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_against_central_differences(fn, args, wrt):
    with pg.time_limit(10.0):
        check_function(fn, args, wrt, 0)


def test_overwritten_argument_has_a_zero_gradient_of_its_shape():
    grads = tg.grad(array_overwritten_by_a_number, wrt=(0, 1))(V3, 0.7)
    assert np.array_equal(grads[0], np.zeros(3))
    assert grads[1] == 2.0
    assert tg.grad(overwritten_in_a_loop)(0.3, 0.7) == 0.0


def test_forward_optimizer_finishes():
    """The optimized forward mode of this loop never compiled (a self-copy substituted forever)."""
    fn = fuzz_regressions.forward_optimizer_never_finishes
    start = time.perf_counter()
    with pg.time_limit(10.0):
        tangent = tg.jvp(fn)(0.7, seed=1.0)
    assert time.perf_counter() - start < 10.0
    assert tangent == (fn(0.7), 1.0)
    assert "a_dot = a_dot" not in tg.source(tg.jvp(fn))


# -- performance rewrites: the code they make, and the gradient it computes -----------------------


def shape_only_in_a_loop(w, b, n):
    h = 0.0
    for _ in range(n):
        u = w * 2.0  # an array the sweep reads only for its shape
        h = h + np.sum(np.tanh(u + b))
    return h


def stacked_matmuls(a, b, c):
    return np.sum(np.tanh(a @ b) @ c)


def test_an_array_recorded_for_its_shape_records_its_shape_attribute():
    w, b = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]]), np.array([0.1, -0.2])
    df = tg.grad(shape_only_in_a_loop, wrt=(0, 1))
    check_vjp(shape_only_in_a_loop, (w, b, 3), (0, 1), df(w, b, 3), 1.0)
    assert "u_shape = u.shape" in tg.source(df)  # was `shape(u)`, a call of np.shape


@pytest.mark.parametrize(
    "shapes", [((3, 4), (4, 2), (2, 5)), ((4,), (4, 2), (2,)), ((2, 3, 4), (4, 2), (2, 3))]
)
def test_matmul_adjoints_of_matrices_vectors_and_stacks(shapes):
    rng = np.random.default_rng(3)
    args = tuple(rng.normal(size=s) for s in shapes)  # 2-D takes the short path, others not
    grads = tg.grad(stacked_matmuls, wrt=(0, 1, 2))(*args)
    check_vjp(stacked_matmuls, args, (0, 1, 2), grads, 1.0)


def sin_cos(x):
    return math.sin(x) * math.cos(x) + math.exp(x) * x


def guarded_logs(x):
    y = math.log(x) if x > 0 else 0.0
    return y * x + (math.log(x) if x > 0 else 1.0) * x


def writes_into_an_array(a):
    b = a * 1.0
    b[0] = 2.0
    return np.sum(np.cos(b) * np.cos(b))


def two_grads_of_one_call(a, b, c):
    return np.sum(a * np.cos(c)) + np.sum(b * np.cos(c))


def test_a_call_computed_twice_is_computed_once():
    df = tg.grad(sin_cos)
    x = 0.7
    expected = math.cos(x) ** 2 - math.sin(x) ** 2 + math.exp(x) * (x + 1)
    assert df(x) == pytest.approx(expected, rel=1e-14)
    source = tg.source(df)
    for call in ("math.sin(x)", "math.cos(x)", "math.exp(x)"):
        assert source.count(call) == 1, source
    assert tg.jvp(sin_cos)(x) == pytest.approx((sin_cos(x), expected), rel=1e-14)
    assert tg.source(tg.jvp(sin_cos)).count("math.cos(x)") == 1


def test_a_call_under_a_condition_is_not_hoisted_out_of_it():
    df = tg.grad(guarded_logs)
    assert df(-1.0) == pytest.approx(1.0)  # math.log(-1.0) would raise
    assert df(2.0) == pytest.approx(2 * (math.log(2.0) + 1.0))


def test_a_function_that_writes_into_an_array_is_left_as_it_is():
    a = np.array([0.3, -0.4, 1.1])
    df = tg.grad(writes_into_an_array)
    check_vjp(writes_into_an_array, (a,), (0,), df(a), 1.0)
    assert tg.source(df).count("np.cos(b)") >= 2


def test_gradients_never_share_an_array():
    rng = np.random.default_rng(5)
    a, b, c = (rng.normal(size=3) for _ in range(3))
    ga, gb, gc = tg.grad(two_grads_of_one_call, wrt=(0, 1, 2))(a, b, c)
    np.testing.assert_allclose(ga, np.cos(c))
    np.testing.assert_allclose(gb, np.cos(c))
    np.testing.assert_allclose(gc, -(a + b) * np.sin(c))
    ga += 1.0
    np.testing.assert_allclose(gb, np.cos(c))


def rnn_like(w, b, xs):
    h = np.zeros(2)
    for x in xs:
        h = np.tanh(x @ w + h + b)
    return np.sum(h * h)


def adjoint_handed_to_two_names(w, xs):
    total = 0.0
    for x in xs:
        v = w  # the adjoint of w reaches v's: never shared in place
        total = total + np.sum(v * x) + np.sum(w * w)
    return total


def test_an_adjoint_array_the_sweep_owns_is_accumulated_in_place():
    rng = np.random.default_rng(7)
    w, b, xs = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 3))
    df = tg.grad(rnn_like, wrt=(0, 1))
    grads = df(w, b, xs)
    check_vjp(rnn_like, (w, b, xs), (0, 1), grads, 1.0)
    source = tg.source(df)
    assert "w_bar += " in source and "b_bar += " in source, source
    again = df(w, b, xs)  # a fresh array each call: the first result is not written into
    for g, h in zip(grads, again):
        assert g is not h
        np.testing.assert_array_equal(g, h)
    g32 = tg.grad(rnn_like)(w.astype(np.float32), b.astype(np.float32), xs.astype(np.float32))
    assert g32.dtype == np.float32


def test_an_adjoint_shared_with_another_name_is_not_written_into():
    rng = np.random.default_rng(8)
    w, xs = rng.normal(size=3), rng.normal(size=(4, 3))
    df = tg.grad(adjoint_handed_to_two_names)
    check_vjp(adjoint_handed_to_two_names, (w, xs), (0,), df(w, xs), 1.0)
