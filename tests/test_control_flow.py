"""Control flow in reverse mode: every case against float64 central differences."""

from __future__ import annotations

import ast
import re
from typing import Any

import numpy as np
import pytest
from control_flow_corpus import CASES
from oracle import check_vjp, random_like

import tangentish as tg


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "unoptimized"])
def test_gradient_matches_central_differences(case, optimized):
    rng = np.random.default_rng(0)
    u = random_like(rng, case.fn(*case.args))
    grads = (
        tg.vjp(case.fn, case.wrt)(*case.args, seed=u)
        if optimized
        else tg.grad(case.fn, case.wrt, optimized=False)(*case.args, seed=u)
    )
    check_vjp(case.fn, case.args, case.wrt, grads, u)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_grads_accepts(case):
    tg.check_grads(case.fn, *case.args, wrt=case.wrt)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_replay_returns_the_functions_value(case):
    _, value = tg.grad(case.fn, case.wrt, preserve_result=True)(*case.args)
    np.testing.assert_allclose(value, case.fn(*case.args), rtol=1e-12)


def test_values_not_needed_are_not_recorded():
    """A loop whose adjoint reads nothing records nothing; one whose adjoint reads `y` pushes it
    once per iteration (and no loop variable, no trip count: it is read directly)."""
    from control_flow_corpus import for_accumulate, for_range

    def sums(x, n):
        y = x
        for _ in range(n):
            y = y + x * 0.5
        return y

    def pushed(fn: Any, *args: Any) -> list[int]:
        """The length of each tuple the adjoint's forward pass appends to its stack."""
        forward = str(tg.explain(fn, *args, iterations=100)).split("Reverse pass")[0]
        rows = [line for line in forward.splitlines() if "_stack.append(" in line]
        values = [re.split(r"\s{2,}", row.strip())[1] for row in rows]
        return [len(ast.literal_eval(value)) for value in values]  # `(1.0,)`, `(None, 0)`

    df = tg.grad(sums)
    assert df(1.0, 7) == 1.0 + 7 * 0.5
    assert "_stack" not in tg.source(df)
    assert pushed(for_range, 0.9, 6) == [1] * 6  # one tuple an iteration: the old y
    assert pushed(for_accumulate, 0.3, 6) == [2] * 6  # sin(x * i)'s adjoint reads i and x * i


def test_ten_thousand_iterations_run_without_recursion_and_in_linear_memory():
    import tracemalloc

    def euler(x, n):
        for _ in range(n):
            x = x + 0.001 * np.sin(x)
        return x

    df = tg.grad(euler)
    peaks = []
    for n in (10_000, 20_000):
        tracemalloc.start()
        df(0.3, n)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert 1.5 < peaks[1] / peaks[0] < 2.5  # memory grows linearly with the trip count
    tg.check_grads(euler, 0.3, 10_000)


def test_in_place_write_into_an_input_copies_it():
    def writes_input(a):
        a[0] = a[1] * a[2]
        return np.sum(a * a)

    x = np.array([1.0, 2.0, 3.0])
    grad = tg.grad(writes_input)(x)
    np.testing.assert_allclose(grad, [0.0, 2 * 6.0 * 3.0 + 4.0, 2 * 6.0 * 2.0 + 6.0])
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])  # the caller's array is untouched
    tg.check_grads(writes_input, x)


def test_update_seen_through_an_alias_is_refused():
    def alias(x):
        a = x * 1.0
        b = a[1:]
        a[1] = 5.0
        return np.sum(b)

    with pytest.raises(tg.UnsupportedSyntaxError, match="`b` may share its memory"):
        tg.grad(alias)(np.ones(3))


def test_augmented_update_of_an_aliased_array_is_refused():
    def augmented(x):
        y = x
        y += 1.0
        return np.sum(x * y)

    line = augmented.__code__.co_firstlineno + 2
    with pytest.raises(tg.UnsupportedSyntaxError, match=f"line {line}.*`x` may share"):
        tg.grad(augmented)(np.ones(3))
    assert tg.grad(augmented)(2.0) == 2 * 2.0 + 1.0  # numbers are immutable: `+=` rebinds


GOLDEN = [
    ("piecewise", (0.5,)),
    ("overwrite_loop", (0.9, 4)),
    ("halving", (7.0,)),
    ("first_above", (1.1, 10)),
]


@pytest.mark.parametrize("name,args", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_control_flow(name, args, update_golden):
    import pathlib

    import golden_control_flow

    df = tg.grad(getattr(golden_control_flow, name))
    df(*args)
    path = pathlib.Path(__file__).parent / "golden" / f"control_flow_{name}.py"
    if update_golden or not path.exists():
        path.write_text(tg.source(df))
    assert tg.source(df) == path.read_text()
