"""The default seed: a call that leaves `seed` out runs code with dz/dz = 1 folded away.

`df(x1, x2)` and `df(x1, x2, seed=s)` run two specializations of one adjoint: the first has no
seed parameter, and the optimizer drops `1.0 * e` where `e` is provably a float, so the textbook
gradient reads (and runs) like its hand derivation. Where `e` may be an integer or a boolean,
`1.0 * e` stays: the gradient of a float is a float, and integer arithmetic never replaces float
arithmetic (NumPy integers overflow). The dispatcher tries the last call's argument types first.
Every gradient here is checked against a closed form or central differences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracle import check_vjp

import tangentish as tg


def textbook(x1, x2):
    return x1 * x2 + math.sin(x1)


def scaled(x, n):
    return x * n + np.cos(x)


def product(x, a, b):
    return x * a * b


def clipped(x):
    return np.sum(np.maximum(x, 0.5) * x)


def textbook_np(x1, x2):
    return x1 * x2 + np.sin(x1)


def take_seed(x, seed):  # a parameter named `seed`: the generic dispatcher
    return x * seed


def test_the_default_seed_is_folded_into_the_hand_derivation():
    df = tg.grad(textbook, wrt=(0, 1))
    assert df(2.0, 3.0) == (3.0 + math.cos(2.0), 2.0)
    body = tg.source(df).splitlines()
    assert body[0] == "def textbook_grad(x1, x2):"
    assert body[1].startswith("    x1_bar = x2 + math.cos(x1)  #")
    assert body[2].startswith("    x2_bar = x1  #")


def test_another_seed_runs_the_seeded_code():
    df = tg.grad(textbook, wrt=(0, 1))
    assert df(2.0, 3.0, seed=-2.5) == pytest.approx((-2.5 * (3.0 + math.cos(2.0)), -5.0))
    assert tg.source(df).startswith("def textbook_grad(x1, x2, seed=1.0):")
    assert "seed * x2" in tg.source(df)
    assert df(2.0, 3.0, seed=1.0) == df(2.0, 3.0)  # an explicit 1.0 agrees with the default


def test_integers_keep_the_multiplication_that_makes_them_floats():
    df = tg.grad(scaled, wrt=(0, 1))
    dx, dn = df(0.7, 3)
    assert isinstance(dx, float) and isinstance(dn, float)
    assert dx == pytest.approx(3 - math.sin(0.7)) and dn == pytest.approx(0.7)
    assert "1.0 * n" in tg.source(df)
    dx, dn = tg.grad(textbook, wrt=(0, 1))(2, 3)  # integer arguments: float gradients
    assert (type(dx), type(dn)) == (float, float)
    assert (dx, dn) == pytest.approx((3 + math.cos(2), 2))


def test_numpy_integers_are_never_multiplied_as_integers():
    big = np.int64(2**40)  # big * big overflows int64; the float product is 2**80
    dx = tg.grad(product)(1.5, big, big)
    assert dx == pytest.approx(2.0**80)
    assert isinstance(dx, float)


def test_booleans_stay_numbers():
    df = tg.grad(clipped)
    for x in (0.2, 0.9):  # both sides of the kink, on floats and on an array
        assert df(x) == pytest.approx(max(x, 0.5) + (x if x > 0.5 else 0.0))
    a = np.array([0.2, 0.9, -1.0])
    check_vjp(clipped, (a,), (0,), df(a), 1.0)


def test_float32_and_numpy_scalars_keep_their_type():
    df = tg.grad(textbook, wrt=(0, 1))
    dx1, dx2 = df(np.float32(2.0), np.float32(3.0))
    assert (type(dx1), type(dx2)) == (np.float32, np.float32)
    assert dx1 == pytest.approx(3 + math.cos(2), rel=1e-6)
    dx1, dx2 = df(np.float64(2.0), 3.0)
    assert dx1 == pytest.approx(3 + math.cos(2)) and dx2 == 2.0


def test_the_last_call_s_types_are_tried_first_and_any_change_is_caught():
    df = tg.grad(textbook_np, wrt=(0, 1))
    a1, a2 = np.array([2.0, -1.0]), np.array([3.0, 0.5])
    for _ in range(3):  # floats, arrays, an int: each call takes the code for its own types
        assert df(2.0, 3.0) == pytest.approx((3.0 + math.cos(2.0), 2.0))
        d1, d2 = df(a1, a2, seed=np.ones(2))
        np.testing.assert_allclose(d1, a2 + np.cos(a1))
        np.testing.assert_array_equal(d2, a1)
        assert df(2, 3.0) == pytest.approx((3.0 + math.cos(2.0), 2.0))
    state = df.__wrapped_tangentish__
    assert len(state.units) == 2 and len(state.table) == 1


def test_the_generic_dispatcher_folds_the_default_seed_too():
    dt = tg.grad(take_seed)
    assert dt(2.0, 3.0) == 3.0
    assert tg.source(dt).startswith("def take_seed_grad(x, seed):")
    assert dt(2.0, 3.0, seed=2.0) == 6.0
    assert tg.source(dt).startswith("def take_seed_grad(x, seed, seed_1=1.0):")


def test_value_and_grad_and_unoptimized_code():
    value, grads = tg.value_and_grad(textbook, wrt=(0, 1))(2.0, 3.0)
    assert value == textbook(2.0, 3.0) and grads == (3.0 + math.cos(2.0), 2.0)
    df = tg.grad(textbook, wrt=(0, 1), optimized=False)
    assert df(2.0, 3.0) == pytest.approx((3.0 + math.cos(2.0), 2.0))
    assert "seed" in tg.source(df)  # the mechanical code: the seed as the sweep wrote it
