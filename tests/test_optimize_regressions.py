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


# -- adjoints that cost no more than the hand-written ones ----------------------------------------
#
# Each rewrite is checked on its generated source and against central differences, on the shapes
# it touches; float32 arguments keep float32 gradients where they did before.


def subtract_broadcast(x, m):
    return np.sum(np.sin(x - m) * np.cos(m - x))


def test_subtracted_operand_negates_its_summed_adjoint():
    """`a - b` with `b` broadcast: `-unbroadcast(g, b)`, the small sum negated, not `g`."""
    source = tg.source(tg.grad(subtract_broadcast, wrt=(0, 1)))
    assert "-unbroadcast(" in source and "unbroadcast(-" not in source


@pytest.mark.parametrize(
    "shapes", [((3, 4), (3, 1)), ((3, 4), (4,)), ((3, 4), ()), ((3, 4), (3, 4)), ((2,), (3, 2))]
)
def test_subtracted_operand_against_central_differences(shapes):
    rng = np.random.default_rng(3)
    args = [rng.normal(size=s) for s in shapes]
    u = rng.normal()
    grads = tg.grad(subtract_broadcast, wrt=(0, 1))(*args, seed=u)
    check_vjp(subtract_broadcast, args, (0, 1), grads, u)
    for g, a in zip(
        tg.grad(subtract_broadcast, wrt=(0, 1))(*(a.astype(np.float32) for a in args)), args
    ):
        assert g.dtype == np.float32 and np.shape(g) == np.shape(a)


def max_picked(x, w, axis, keepdims):
    return np.sum(np.max(x, axis=axis, keepdims=keepdims) * w)


@pytest.mark.parametrize(
    "shape,axis,keepdims",
    [
        ((3, 4), None, False),
        ((3, 4), 1, True),
        ((3, 4), 0, False),
        ((2, 3, 4), (0, 2), True),
        ((2, 3, 4), -1, False),
        ((5,), 0, True),
    ],
)
def test_max_adjoint_against_central_differences(shape, axis, keepdims):
    _check_reduction(max_picked, np.max, shape, axis, keepdims, 4)


def _check_reduction(fn, reduce, shape, axis, keepdims, seed):
    """`fn(x, w, axis, keepdims)`, weighting `reduce(x, axis, keepdims)` by `w`, against central
    differences at a random `x` of `shape`; the point and the gradient."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    w = rng.normal(size=np.shape(reduce(x, axis=axis, keepdims=keepdims)))
    grads = tg.grad(fn)(x, w, axis, keepdims)
    check_vjp(lambda x: fn(x, w, axis, keepdims), [x], 0, grads, 1.0)
    return x, w, grads


def test_max_adjoint_shares_ties_evenly():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0], [5.0, 5.0, 5.0]])
    w = np.array([1.0, 2.0, 3.0])
    expected = [[0.0, 0.5, 0.5], [2.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    assert np.array_equal(tg.grad(max_picked)(x, w, 1, False), expected)
    assert np.array_equal(tg.grad(max_picked)(x, 1.0, None, False), np.where(x == 5.0, 1 / 3, 0))


def log_softmax_loss(x, labels):
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(x.shape[0]), labels])


def test_max_adjoint_keeps_float32():
    """The ties are counted in the operand's float dtype (an int64 count made it float64)."""
    rng = np.random.default_rng(6)
    x, labels = rng.normal(size=(4, 5)), np.array([0, 2, 4, 2])
    grad = tg.grad(log_softmax_loss)(x, labels)
    check_vjp(lambda x: log_softmax_loss(x, labels), [x], 0, grad, 1.0)
    single = tg.grad(log_softmax_loss)(x.astype(np.float32), labels)
    assert single.dtype == np.float32
    assert np.allclose(single, grad, rtol=1e-4, atol=1e-6)
    x32, w32 = x.astype(np.float32), np.ones(4, np.float32)
    assert tg.grad(max_picked)(x32, w32, 1, False).dtype == np.float32
    assert tg.grad(max_picked)(x32, np.float32(2.0), None, False).dtype == np.float32


def mean_of_squares(x, w, axis, keepdims):
    return np.sum(np.mean(x**2, axis=axis, keepdims=keepdims) * w)


def mean_squared(x):
    return np.mean(x**2)


def test_mean_adjoint_does_not_compute_the_mean():
    """The mean's adjoint counts its entries from the operand's shape: `np.mean` is not run
    in the sweep (it was, to read the size of its output), nor scaled at the operand's shape."""
    source = tg.source(tg.grad(mean_squared))
    assert "mean_adjoint_view(seed, x ** 2, None, False)" in source
    assert "np.mean" not in source and "np.size" not in source


@pytest.mark.parametrize(
    "shape,axis,keepdims",
    [
        ((2,), None, False),
        ((2, 3), None, True),
        ((2, 3), 1, False),
        ((3, 2), 0, True),
        ((2, 3, 2), (1, 2), False),
        ((4, 2), -2, False),
    ],
)
def test_mean_adjoint_against_central_differences(shape, axis, keepdims):
    x, w, grads = _check_reduction(mean_of_squares, np.mean, shape, axis, keepdims, 5)
    single = tg.grad(mean_of_squares)(x.astype(np.float32), w.astype(np.float32), axis, keepdims)
    assert single.dtype == np.float32
    assert np.allclose(single, grads, rtol=1e-5)
    assert tg.grad(mean_squared)(x.astype(np.float32)).dtype == np.float32


def mean_over_columns(x):
    return np.mean(x, axis=1)


def test_mean_adjoint_of_an_empty_axis_and_a_list_seed():
    """Averaging nothing gives an empty gradient (it raised ZeroDivisionError); a seed given
    as a list is read as an array, as the sum's adjoint reads it."""
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"), np.errstate(invalid="ignore"):
        empty = tg.vjp(mean_over_columns)(np.zeros((3, 0)), seed=np.ones(3))  # the primal's
    assert empty.shape == (3, 0)
    grad = tg.vjp(mean_over_columns)(np.zeros((2, 4)), seed=[1.0, 2.0])
    assert np.array_equal(grad, np.repeat([[0.25], [0.5]], 4, axis=1))


def first_row_mean(x):
    return np.mean(np.sin(x), axis=1)[0] * 3.0


def test_second_derivative_through_the_mean_adjoint():
    """`jvp(grad(f))` differentiates generated code that calls `mean_adjoint`."""
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]])
    v = np.array([[1.0, 0.5, -2.0], [0.2, -1.0, 0.4]])
    df = tg.grad(first_row_mean)
    hv = tg.jvp(df)(x, seed=v)[1]
    h = 1e-5
    assert np.allclose(hv, (df(x + h * v) - df(x - h * v)) / (2 * h), atol=1e-7)
    assert np.any(np.abs(hv) > 0.1)


def row_softmax_sum(x, w):
    e = np.exp(x)
    return np.sum(np.sum(e, axis=1, keepdims=True) * w) + np.sum(x)


def test_an_adjoint_spread_for_an_operand_is_not_copied_and_gradients_stay_writable():
    rng = np.random.default_rng(9)
    for dtype in (np.float64, np.float32):
        x, w = rng.normal(size=(3, 4)).astype(dtype), rng.normal(size=(3, 1)).astype(dtype)
        df = tg.grad(row_softmax_sum, wrt=(0, 1))
        gx, gw = df(x, w)
        np.testing.assert_allclose(gx, w * np.exp(x) + 1.0, rtol=1e-5)
        assert gx.dtype == gw.dtype == dtype
        assert gx.flags.writeable and gw.flags.writeable  # a gradient is the caller's array
        source = tg.source(df)
        assert "sum_adjoint_view(" in source  # `* e`: the product makes the array
        assert "sum_adjoint(" in source  # np.sum(x)'s adjoint is x's gradient: a copy
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
    check_vjp(row_softmax_sum, (x, w), (0, 1), tg.grad(row_softmax_sum, wrt=(0, 1))(x, w), 1.0)


def elementwise_chain(x, w):
    y = np.tanh(x) * 2.0  # x's shape
    z = y * x + np.sin(y)  # x's shape: no unbroadcast between y, x and z
    return np.sum(z * w + x * x)  # w broadcasts: z's adjoint is summed back


def reassigned_then_broadcast(x, b):
    y = x * 2.0
    y = y + b  # assigned twice: y's shape is no longer known to be x's
    return np.sum(y * x)


def grows_in_a_loop(x, b):
    y = x * 1.0
    for _ in range(2):
        y = y * x + b  # the first iteration broadcasts y from (3,) to (2, 3)
    return np.sum(y * x)


@pytest.mark.parametrize("fn", [elementwise_chain, reassigned_then_broadcast, grows_in_a_loop])
def test_unbroadcast_only_where_shapes_may_differ(fn):
    rng = np.random.default_rng(11)
    x, other = rng.normal(size=3), rng.normal(size=(2, 1))
    grads = tg.grad(fn, wrt=(0, 1))(x, other)
    check_vjp(fn, (x, other), (0, 1), grads, 1.0)
    for i, v in ((0, rng.normal(size=3)), (1, rng.normal(size=(2, 1)))):
        value, tangent = tg.jvp(fn, wrt=i)(x, other, seed=v)
        assert tangent == pytest.approx(float(np.sum(grads[i] * v)))


def test_arrays_of_one_shape_need_no_unbroadcast():
    df = tg.grad(elementwise_chain, wrt=(0, 1))
    df(np.array([0.3, -0.7, 1.2]), np.array([[1.0], [2.0]]))
    source = tg.source(df)
    assert "z_bar * x" in source and "unbroadcast(z_bar" not in source  # y * x: x's shape
    assert "_v5_bar * x + _v5_bar * x" in source  # x * x
    assert "unbroadcast(_v4_bar * w, z)" in source  # z * w broadcasts: summed back to z


NEGATIONS = [  # an adjoint statement as the sweep folds it → as it is simplified
    ("-a + b", "b - a"),
    ("b + x * -y", "b - x * y"),
    ("b + -x * y / z", "b - x * y / z"),
    ("b - -y", "b + y"),
    ("b + -2.0", "b - 2.0"),
    ("x * -y", "x * -y"),  # nothing absorbs it: left as it is
]


@pytest.mark.parametrize("before,after", NEGATIONS)
def test_a_negation_a_sum_absorbs_is_folded_into_it(before, after):
    import gast

    from tangentish import optimize

    tree = gast.parse(f"def f_grad(a, b, x, y, z):\n    a_bar = {before}\n    return a_bar").body[0]
    done = optimize.optimize(tree, set(), optimize.Effects(lambda call: True), "", {"a_bar"})
    assert gast.unparse(done.body[0]).strip() == f"a_bar = {after}"
    values = [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, 3e-310]  # the same bits, zeros' signs too
    for point in zip(*(np.random.default_rng(i).choice(values, 40) for i in range(5))):
        scope = dict(zip("abxyz", map(float, point)))
        with np.errstate(all="ignore"):  # NumPy floats: x / 0 is inf or nan, not an error
            scope = {k: np.float64(v) for k, v in scope.items()}
            want, got = eval(before, {}, scope), eval(after, {}, scope)  # noqa: S307
        assert np.array_equal(want, got, equal_nan=True)
        assert np.isnan(want) or np.signbit(want) == np.signbit(got)
