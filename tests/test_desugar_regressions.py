"""More of the families of fuzz_regressions' desugaring bugs, through the fuzzer's checks.

Each function is checked by `test_fuzz.check_function` (the replay, reverse mode against central
differences, forward against reverse mode, optimized against unoptimized): `while` tests that
lower to statements (`and`, `or`, chained comparisons, conditional expressions), self-assignment,
tuple targets that repeat a name or read what they rebind, and list/tuple repetition.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import program_generator as pg
import pytest
from test_fuzz import check_function

import tangentish as tg
from tangentish.normalize import lower_function

# -- while tests that lower to statements: recomputed every iteration ---------------------------


def while_or(x):
    k = 0
    while k < 2 or x < 3.0:
        k = k + 1
        x = x * 1.5
    return x


def while_chained(x):
    k = 0
    n = 3
    while 0 <= k < n:
        k = k + 1
        x = x * x
    return x


def while_conditional_test(x):
    k = 0
    while (k < 3) if x > 0.0 else (k < 1):
        k = k + 1
        x = np.sin(x) + x
    return x


def while_and_or_with_break(x):
    k = 0
    while k < 4 and (x < 50.0 or k < 1):
        k = k + 1
        x = x * 2.0
        if x > 20.0:
            break
    return x


def while_not_and(x):
    k = 0
    while not (k >= 3 or x > 100.0):
        k = k + 1
        x = x * 3.0
    return x


# -- assignments -----------------------------------------------------------------------------------


def self_assignment_in_branch(x, y):
    z = x
    if y > 0.0:
        x = x
    else:
        y = y
    return z * x * y


def swap(x, y):
    x, y = y, x
    x, y = y * 2.0, x
    return x * y * y


def swap_in_loop(x, y):
    for _ in range(3):
        x, y = y, x * 0.5
    return x * y + y


def repeated_names(x, y):
    u, u, v = x, y * 2.0, x
    w, v, w = v, y, u
    return u * w + v


def nested_repeated_names(x):
    (b, c), b = (x, x * 2.0), x * 3.0
    d, (d, e) = x * 5.0, (x * 7.0, x)
    return b * c + d * 10.0 + e


def unpack_into_source(x):
    t = (x, x * 3.0)
    a, t = t
    return a * t


# -- list and tuple repetition ---------------------------------------------------------------------


def pair_repeated_in_loop(x, y):
    s = 0.0
    for i in range(3):
        t = (x, y * i) * 3
        s = s + t[0] * t[5] + t[2]
    return s


def count_on_the_left(x):
    n = 2
    items = n * [x, x * x]
    return sum(items)


def repetition_of_repetition(x, y):
    items = ([x, y] * 2) * 3
    return items[0] * items[5] + items[10]


def repetition_of_concatenation(x, y):
    items = ([x] + [y * 2.0]) * 2
    return items[1] * items[2]


def repeated_zero_times(x):
    items = [x] * 0
    return x * 2.0 + len(items)


def repeated_array(a):
    items = [a, 2.0 * a] * 2
    return np.sum(items[0] * items[3])


CASES: list[tuple[Callable[..., Any], tuple[Any, ...], tuple[int, ...]]] = [
    (while_or, (0.7,), (0,)),
    (while_chained, (1.1,), (0,)),
    (while_conditional_test, (0.4,), (0,)),
    (while_conditional_test, (-0.4,), (0,)),
    (while_and_or_with_break, (0.9,), (0,)),
    (while_not_and, (0.6,), (0,)),
    (self_assignment_in_branch, (0.4, 0.8), (0, 1)),
    (self_assignment_in_branch, (0.4, -0.8), (0, 1)),
    (swap, (1.5, 2.0), (0, 1)),
    (swap_in_loop, (1.5, 2.0), (0, 1)),
    (repeated_names, (0.3, 0.7), (0, 1)),
    (nested_repeated_names, (1.3,), (0,)),
    (unpack_into_source, (0.6,), (0,)),
    (pair_repeated_in_loop, (0.3, 0.7), (0, 1)),
    (count_on_the_left, (0.3,), (0,)),
    (repetition_of_repetition, (0.3, 0.7), (0, 1)),
    (repetition_of_concatenation, (0.3, 0.7), (0, 1)),
    (repeated_zero_times, (0.3,), (0,)),
    (repeated_array, (np.array([1.0, 2.0, -0.5]),), (0,)),
]


@pytest.mark.parametrize(
    "fn, args, wrt", CASES, ids=[f"{fn.__name__}-{i}" for i, (fn, _, _) in enumerate(CASES)]
)
def test_against_central_differences(fn: Callable[..., Any], args: tuple, wrt: tuple) -> None:
    with pg.time_limit(5.0):  # a `while` whose test is never recomputed does not end
        check_function(fn, args, wrt, 0)


def test_repeated_name_keeps_its_last_value():
    """`u, u = a, b` is `u = b`: the first occurrence unpacks into a temporary nothing reads.
    Here u = w = 2y and v = y, so the output is 4y² + y."""
    assert tg.grad(repeated_names, wrt=(0, 1))(0.3, 0.7) == pytest.approx((0.0, 8 * 0.7 + 1.0))
    wengert = lower_function(repeated_names)
    assert "u, u" not in wengert and "w, v, w" not in wengert


def test_self_assignment_is_dropped():
    assert "x = x" not in lower_function(self_assignment_in_branch)


def test_while_test_recomputed_in_the_body():
    """The loop's condition is assigned before the loop and again at the end of its body."""
    wengert = lower_function(while_or)
    loop = wengert.index("while ")
    condition = wengert[loop:].split()[1].rstrip(":")
    assert f"{condition} = " in wengert[:loop] and f"{condition} = " in wengert[loop:]


def continue_in_a_loop_inside_an_if(x, n):
    """The fuzzer's: a loop with `continue`, inside an `if` no jump leaves, was never structured
    (InternalError: normalize met Continue)."""
    y = x
    if x > 0.0:
        for i in range(n):
            if i == 1:
                continue
            y = y * x
    return y


def test_continue_in_a_loop_inside_an_if():
    check_function(continue_in_a_loop_inside_an_if, (0.7, 3), (0,), 0)
    check_function(continue_in_a_loop_inside_an_if, (-0.7, 3), (0,), 0)
