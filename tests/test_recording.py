"""What a loop's primal replay records for the reverse sweep (tangentish/recording.py), and that the
gradients stay right: each loop below is checked against central differences at points where every
branch runs, and its generated code is checked for the shape of its recording.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from oracle import check_vjp

import tangentish as tg


def clamped_steps(x, a):
    """`step` is overwritten at the body's top level, then again in each branch."""
    for i in range(6):
        step = np.sin(x) * a + 0.4 * i - 1.2
        if step > 0.5:
            step = 0.5 * x
        elif step < -0.5:
            step = -0.5
        else:
            step = step * step
        x = x - step * a
    return x


def kepler(m, e):
    """Newton's method with a clamped step: a data-dependent `while` with an if/elif."""
    ecc = m + e * math.sin(m)
    residual = ecc - e * math.sin(ecc) - m
    while abs(residual) > 1e-12:
        step = residual / (1.0 - e * math.cos(ecc))
        if step > 0.3:
            step = 0.3
        elif step < -0.3:
            step = -0.3
        ecc = ecc - step
        residual = ecc - e * math.sin(ecc) - m
    return ecc


def breaks(x, a):
    y = x
    for _ in range(8):
        y = y * a + np.sin(y)
        if y > 3.0:
            y = y * 0.5
            break
        y = y + 0.1 * x
    return y


def continues(x, a):
    y = x
    for i in range(8):
        t = y * a
        if i % 3 == 1:
            y = y + t * 0.1
            continue
        y = np.cos(t) + y * 0.5
    return y


def nested(x, a):
    y = x
    for _ in range(4):
        z = y * a
        for _ in range(3):
            if z > 1.0:  # noqa: SIM108 (the branch is the point)
                z = z * 0.5 + np.sin(x)
            else:
                z = z * a + 0.3
        if z > y + 0.5:  # noqa: SIM108
            y = y + z * 0.1
        else:
            y = y * 0.9 - z * 0.2
    return y


def while_branches(x, a):
    k = 0
    y = x
    while k < 7:
        w = y * a + 0.1 * k
        if w > 0.6:
            y = np.sin(w) - 1.2
        elif w < -0.6:
            y = np.cos(w) * 0.3
        else:
            y = w * w + 0.8
        k = k + 1
    return y


def changed_after_the_branch(x, a):
    """`flag` is assigned again after the `if` that reads it, in the same iteration."""
    flag = x > 0.0
    y = x
    for _ in range(5):
        if flag:  # noqa: SIM108
            y = y * a
        else:
            y = np.sin(y) + 1.0
        flag = y < 1.0
    return y


def write_in_a_branch(b, x):
    b = b * 1.0
    for i in range(3):
        if b[i] > 0.0:
            b[i] = b[i] * x
        else:
            b[i] = np.sin(x * b[i])
    return np.sum(b * b)


CASES = [
    (clamped_steps, (0.7, 1.3)),
    (kepler, (-0.5, 0.97)),  # the step is clamped from above
    (kepler, (0.2, 0.97)),  # and from below
    (breaks, (0.7, 1.2)),
    (continues, (0.4, 1.1)),
    (nested, (0.8, 1.2)),
    (while_branches, (0.5, 1.7)),
    (changed_after_the_branch, (0.4, 1.8)),
    (write_in_a_branch, (np.array([0.5, -1.5, 2.0]), 0.7)),
]


@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "unoptimized"])
@pytest.mark.parametrize("fn,args", CASES, ids=[f"{c[0].__name__}{c[1]}" for c in CASES])
def test_gradient_matches_central_differences(fn, args, optimized):
    for seed in (1.0, -0.7):
        grads = tg.grad(fn, wrt=(0, 1), optimized=optimized)(*args, seed=seed)
        check_vjp(fn, args, (0, 1), grads, seed)


def _loop_lines(source: str) -> list[str]:
    """The lines of the first `while` or `for` of the replay, up to the sweep."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s+(while|for) ", line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = next(
        i
        for i in range(start + 1, len(lines))
        if len(lines[i]) - len(lines[i].lstrip()) <= indent and lines[i].strip()
    )
    return lines[start:end]


def test_first_overwrite_at_the_top_level_joins_the_tuple():
    """`step` is assigned at the body's top level before the branches assign it again: the value
    that first assignment destroys is the one the iteration started with, recorded in the tuple
    taken when the iteration starts (it was pushed alone)."""
    df = tg.grad(kepler, wrt=(0, 1))
    df(0.2, 0.97)
    loop = _loop_lines(tg.source(df))
    captured = next(line for line in loop if "_saved = (" in line)
    assert re.search(r"\bstep\b", captured)
    top = [line for line in loop if line.startswith(loop[0][: loop[0].index("w")] + "    _stack")]
    assert not any("append(step)" in line for line in top)


def _pushes(fn: Any, args: tuple[Any, ...]) -> int:
    """How many times the forward pass of `fn`'s adjoint appends to its stack, as `tg.explain`
    traces it (every iteration shown)."""
    forward = str(tg.explain(fn, *args, iterations=10_000)).split("Reverse pass")[0]
    return sum("_stack.append(" in line for line in forward.splitlines())


@pytest.mark.parametrize(
    "fn,args,iterations",
    [
        (clamped_steps, (0.7, 1.3), 6),
        (continues, (0.4, 1.1), 8),
        (nested, (0.8, 1.2), 4 + 4 * 3),  # each iteration of either loop
        (while_branches, (0.5, 1.7), 7),
        (changed_after_the_branch, (0.4, 1.8), 5),
        (write_in_a_branch, (np.array([0.5, -1.5, 2.0]), 0.7), 3),
    ],
    ids=lambda p: getattr(p, "__name__", None),
)
def test_one_push_an_iteration(fn, args, iterations):
    """Branch decisions, values saved in a branch and inner trip counts go with the values the
    iteration overwrites first into the one value each iteration pushes."""
    assert _pushes(fn, args) == iterations


def test_kepler_records_one_tuple_an_iteration():
    """Newton's loop pushes one tuple an iteration, as a hand-written adjoint would: the values
    the iteration overwrites first, the step saved by the clamp that ran, and the two decisions
    of the if/elif (the inner one, which runs only in the `else`, is read only there)."""
    df = tg.grad(kepler, wrt=(0, 1))
    df(0.2, 0.97)
    assert _pushes(kepler, (0.2, 0.97)) == 6  # the trips
    loop = _loop_lines(tg.source(df))
    assert [line.split("#")[0].strip() for line in loop if "append" in line] == [
        "_stack.append((_saved, step_saved, step_saved_1, _v12, _v11))"
    ]
    assert "_stack.append" in loop[-1]  # when the iteration ends
    sweep = tg.source(df).split(loop[-1], 1)[1]
    assert "_saved, step_saved, step_saved_1, _v12, _v11 = _stack.pop()" in sweep
    assert sweep.count("_stack.pop()") == 1


def test_a_decision_changed_later_in_the_iteration_is_copied():
    """The tuple is taken when the iteration ends: a test the rest of the iteration assigns again
    is read through a copy taken where the `if` runs."""
    df = tg.grad(changed_after_the_branch, wrt=(0, 1))
    df(0.4, 1.8)
    loop = _loop_lines(tg.source(df))
    assert any(line.strip().startswith("_taken = flag") for line in loop)
