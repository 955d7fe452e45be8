"""Forward mode, Jacobians, Hessians and derivatives of any order (issue 6)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from calls_corpus import CASES as CALL_CASES
from control_flow_corpus import CASES as FLOW_CASES
from corpus import CASES as CORE_CASES
from oracle import positions

import tangentish as tg

ALL = CORE_CASES + FLOW_CASES + CALL_CASES


def _directional(fn, args, i, v, h=1e-6):
    """The central difference of `fn` along `v` in argument `i`, in float64."""

    def at(sign):
        moved = list(args)
        moved[i] = np.asarray(args[i], dtype=float) + sign * h * np.asarray(v)
        if not isinstance(args[i], np.ndarray):
            moved[i] = float(moved[i])
        return np.asarray(fn(*moved), dtype=float)

    return (at(1.0) - at(-1.0)) / (2 * h)


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
def test_tangent_matches_central_differences(case):
    rng = np.random.default_rng(1)
    for i in positions(case.fn, case.wrt):
        v = rng.normal(size=np.shape(case.args[i]))
        v = float(v) if np.ndim(case.args[i]) == 0 else v
        value, tangent = tg.jvp(case.fn, i)(*case.args, seed=v)
        expected = _directional(case.fn, case.args, i, v)
        np.testing.assert_allclose(value, case.fn(*case.args), rtol=1e-12)
        np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
def test_forward_and_reverse_agree(case):
    """⟨u, J v⟩ by forward mode equals ⟨J^T u, v⟩ by reverse mode."""
    rng = np.random.default_rng(2)
    value = case.fn(*case.args)
    u = rng.normal(size=np.shape(value))
    u = float(u) if np.ndim(value) == 0 else u
    wrt = positions(case.fn, case.wrt)
    grads = tg.vjp(case.fn, wrt)(*case.args, seed=u)
    grads = grads if len(wrt) > 1 else (grads,)
    for i, g in zip(wrt, grads):
        v = rng.normal(size=np.shape(case.args[i]))
        v = float(v) if np.ndim(case.args[i]) == 0 else v
        _, tangent = tg.jvp(case.fn, i)(*case.args, seed=v)
        assert np.sum(u * np.asarray(tangent)) == pytest.approx(
            np.sum(np.asarray(g) * v), rel=1e-8, abs=1e-10
        )


def test_textbook_tangents_and_source():
    def f(x1, x2):
        return x1 * x2 + np.sin(x1)

    h = tg.jvp(f, (0, 1))
    assert h(2.0, 3.0, seed=(1.0, 0.0))[1] == 3.0 + math.cos(2.0)
    assert h(2.0, 3.0, seed=(0.0, 1.0))[1] == 2.0
    assert "x1_dot" in tg.source(h) and "np.cos(x1) * x1_dot" in tg.source(h)


def vector_function(a, b):
    return np.tanh(a) * np.sum(a * b) + np.concatenate([a[1:], b[:1]]) ** 2


def _numeric_jacobian(fn, args, i):
    x = np.asarray(args[i], dtype=float)
    out = np.asarray(fn(*args))
    jac = np.zeros(out.shape + x.shape)
    for k in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[k] = 1.0
        jac[(Ellipsis, *k)] = _directional(fn, args, i, e)
    return jac


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("wrt", [0, 1])
def test_jacobian_of_a_vector_function(mode, wrt):
    args = (np.array([0.3, -0.7, 1.2]), np.array([0.5, 0.1, -0.4]))
    jac = tg.jacobian(vector_function, wrt, mode=mode)(*args)
    assert jac.shape == (3, 3)
    np.testing.assert_allclose(
        jac, _numeric_jacobian(vector_function, args, wrt), rtol=1e-6, atol=1e-8
    )


def scalar_loss(w, x):
    hidden = np.tanh(x @ w)
    return np.mean(hidden**2) + 0.1 * np.sum(w * w)


def test_hessian_of_a_numpy_loss_against_differences_of_the_gradient():
    rng = np.random.default_rng(3)
    w, x = rng.normal(size=(3, 2)), rng.normal(size=(5, 3))
    hess = tg.hessian(scalar_loss)(w, x)
    assert hess.shape == (3, 2, 3, 2)
    gradient = tg.grad(scalar_loss)
    expected = _numeric_jacobian(lambda w_, x_: gradient(w_, x_), (w, x), 0)
    np.testing.assert_allclose(hess, expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hess.reshape(6, 6), hess.reshape(6, 6).T, atol=1e-10)


def test_hessian_vector_product_forward_over_reverse():
    rng = np.random.default_rng(4)
    w, x, v = rng.normal(size=(3, 2)), rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    gradient = tg.grad(scalar_loss)
    _, hvp = tg.jvp(gradient)(w, x, seed=v)
    expected = _directional(lambda w_, x_: gradient(w_, x_), (w, x), 0, v)
    np.testing.assert_allclose(hvp, expected, rtol=1e-5, atol=1e-7)


def sin_exp(x):
    return math.sin(x) * math.exp(x)


def loop_power(x):
    y = 1.0
    for _ in range(4):
        y = y * x
    return y


def branch(x):
    if x > 0:
        return x**3
    return -(x**2)


# d^k/dx^k of each function, closed forms
CLOSED_FORMS = {
    "sin_exp": (
        sin_exp,
        0.7,
        [
            lambda x: (math.sin(x) + math.cos(x)) * math.exp(x),
            lambda x: 2 * math.cos(x) * math.exp(x),
            lambda x: 2 * (math.cos(x) - math.sin(x)) * math.exp(x),
            lambda x: -4 * math.sin(x) * math.exp(x),
        ],
    ),
    "loop": (
        loop_power,
        1.3,
        [lambda x: 4 * x**3, lambda x: 12 * x**2, lambda x: 24 * x, lambda x: 24.0],
    ),
    "branch_positive": (
        branch,
        0.8,
        [lambda x: 3 * x**2, lambda x: 6 * x, lambda x: 6.0, lambda x: 0.0],
    ),
    "branch_negative": (
        branch,
        -0.8,
        [lambda x: -2 * x, lambda x: -2.0, lambda x: 0.0, lambda x: 0.0],
    ),
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_derivatives_of_order_one_to_four_by_reverse_over_reverse(name, order):
    fn, x, derivatives = CLOSED_FORMS[name]
    df = fn
    for _ in range(order):
        df = tg.grad(df)
    assert df(x) == pytest.approx(derivatives[order - 1](x), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
@pytest.mark.parametrize("order", [2, 3])
def test_higher_orders_by_forward_over_reverse(name, order):
    fn, x, derivatives = CLOSED_FORMS[name]
    df = fn
    for _ in range(order - 1):
        df = tg.grad(df)
    _, tangent = tg.jvp(df)(x)
    assert tangent == pytest.approx(derivatives[order - 1](x), rel=1e-10, abs=1e-12)


def test_check_grads_of_order_two_in_both_modes():
    tg.check_grads(sin_exp, 0.7, order=2)
    tg.check_grads(
        scalar_loss,
        np.array([[0.3, -0.2], [0.5, 0.1], [-0.4, 0.7]]),
        np.ones((2, 3)),
        wrt=0,
        order=2,
    )


def test_generated_names_do_not_collide_in_second_derivatives():
    def uses_generated_names(x, seed):
        x_bar = x * seed
        return x_bar * x

    d2 = tg.grad(tg.grad(uses_generated_names))
    assert d2(1.5, 2.0) == pytest.approx(4.0)
