"""User-defined rules: register_partials, @adjoint and @tangent (issue 5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracle import check_vjp, random_like

import tangentish as tg

# Black boxes: np.vectorize has no Python source tangentish could read.
cube_root = np.vectorize(lambda x: math.copysign(abs(x) ** (1.0 / 3.0), x), otypes=[float])
hypot3 = np.vectorize(lambda x, y: math.sqrt(x * x + y * y + 1.0), otypes=[float])
norm2 = np.vectorize(lambda v: float(np.sqrt(np.sum(v * v))), signature="(n)->()")
norm2_forward_only = np.vectorize(lambda v: float(np.sqrt(np.sum(v * v))), signature="(n)->()")
never_registered = np.vectorize(lambda x: x * 2.0, otypes=[float])


def cube_root_partial(x):
    return 1.0 / (3.0 * np.cbrt(x) ** 2)


tg.register_partials(cube_root, cube_root_partial)
tg.register_partials(hypot3, lambda x, y: x / hypot3(x, y), lambda x, y: y / hypot3(x, y))


@tg.adjoint(norm2)
def norm2_vjp(g, y, v):
    return (g * v / y,)


@tg.tangent(norm2_forward_only)
def norm2_jvp(tangents, y, v):
    return np.dot(v, tangents[0]) / y


def uses_cube_root(x):
    return np.sum(cube_root(x) * x)


def uses_hypot3(x, y):
    return np.sum(hypot3(x, y) ** 2 + hypot3(y, 1.0))


def uses_norm2(v, w):
    return norm2(v * w) * np.sum(w)


def uses_forward_only(v):
    return norm2_forward_only(v) * 2.0


def uses_missing(x):
    return np.sum(never_registered(x))


X = np.array([0.5, 1.7, 2.2])
Y = np.array([-0.3, 0.8, 1.1])


@pytest.mark.parametrize(
    "fn,args,wrt",
    [
        (uses_cube_root, (X,), (0,)),
        (uses_hypot3, (X, Y), (0, 1)),
        (uses_norm2, (X, Y), (0, 1)),
    ],
    ids=["partials", "partials_two_arguments", "adjoint"],
)
def test_rules_against_central_differences_in_both_modes(fn, args, wrt):
    u = random_like(np.random.default_rng(0), fn(*args))
    check_vjp(fn, args, wrt, tg.vjp(fn, wrt)(*args, seed=u), u)
    tg.check_grads(fn, *args, wrt=wrt, modes=("reverse", "forward"))


def test_tangent_rule_gives_forward_mode_and_reverse_mode_says_what_is_missing():
    _, tangent = tg.jvp(uses_forward_only)(X, seed=Y)
    h = 1e-6
    expected = (uses_forward_only(X + h * Y) - uses_forward_only(X - h * Y)) / (2 * h)
    assert tangent == pytest.approx(expected, rel=1e-6)
    with pytest.raises(tg.MissingRuleError, match=r"forward-mode rule only.*@tg.adjoint"):
        tg.grad(uses_forward_only)(X)


def test_generated_code_calls_the_rule_by_its_name():
    df = tg.grad(uses_cube_root)
    df(X)
    assert "cube_root_partial(" in tg.source(df)


def test_missing_rule_says_how_to_register_one():
    line = uses_missing.__code__.co_firstlineno + 1
    with pytest.raises(tg.MissingRuleError, match=f"line {line}.*tg.register_partials"):
        tg.grad(uses_missing)(X)


def test_rules_are_checked_when_registered():
    def two(x, y):
        return x * y

    with pytest.raises(tg.RuleError, match="needs 2 partials, not 1"):
        tg.register_partials(two, lambda x, y: y)
    with pytest.raises(tg.RuleError, match="must accept 2 positional arguments"):
        tg.register_partials(two, lambda x: 1.0, lambda x, y: x)
    with pytest.raises(tg.RuleError, match="must accept 4 positional arguments"):

        @tg.adjoint(two)
        def wrong(g, y, x):
            return g, g

    with pytest.raises(tg.RuleError, match="must be callable"):
        tg.register_partials(two, 1.0, None)
    assert issubclass(tg.RuleError, tg.TangentishError)
