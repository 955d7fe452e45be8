"""Regression cases the fuzzers found: one plain function per bug, at a point where it is smooth.

test_fuzz.py runs every case through the same checks as a generated program (the replay, central
differences, forward against reverse mode, optimized against unoptimized, the caller's arguments
untouched). Each is the program Hypothesis (or the reducer) shrank, tidied by hand. `bug` is the
reason of a strict xfail while the library still gets it wrong; once fixed, the XPASS fails the
run: remove the reason (the case stays, as a regression test) and the matching entry of
`program_generator.KNOWN_BUGS`, so the fuzzer generates the construct again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Regression:
    name: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    wrt: tuple[int, ...] = (0,)
    bug: str = ""  # "BUG: ..." while it still fails

    def __repr__(self) -> str:
        return f"Regression({self.name})"


V3 = np.array([1.0, 2.0, 3.0])


# -- loops ---------------------------------------------------------------------------------------


def while_and_condition(x):
    """`while a and b:` (also `or`, `0 <= k < n`): the generated loop never recomputes the test."""
    k = 0
    while k < 2 and x >= 0.5:
        k = k + 1
    return x * k


def forward_optimizer_never_finishes(a):
    """Compiling the forward mode (optimized) of this loop did not finish: the optimizer kept
    substituting `a_dot` for itself (`a_dot = a_dot`, kept because the loop reads it)."""
    x = a
    while abs(x - a) > 1.0:
        x = x + a
        a = a + 1.0
    return x


def overwritten_by_a_loop_the_sweep_skips(x):
    """A loop with no adjoint overwrites `x`, which the sweep reads as it was before the loop:
    it was never recorded (gradient 0)."""
    y = (1.0 + x**4) ** 0.5
    z = np.zeros(3)
    for _, t in enumerate(z[::-1]):
        x, t = t, x
    if y > 100.0:
        x = 2.0
    return np.tanh(y) * 2.0


def early_return_in_a_loop_the_sweep_skips(x):
    """The sweep of the inner `while` did nothing but pop what its replay pushed; the optimizer
    dropped it with its pops, and the outer loop's sweep popped the wrong values."""
    for _ in range(3):
        k = 0
        while k < 4 and x < x:
            k = k + 1
            if x >= 0.5:
                return 2.0
        x += x**2
    return math.cos(x)


def negative_constant_squared(x):
    """`(-0.5) ** 2.0`, folded into the constant -0.5, was printed `-0.5 ** 2.0`: -(0.5 ** 2)."""
    if x > 0.0:
        return (-0.5) ** 2.0 + x * 0.0
    return x * 2.0


def output_written_in_place_after_an_early_return(x, a):
    """The output is `a` by another name (`_result = a`, from the early return); the sweep puts
    the old `a[-1]` back into it, so the replay returned the old value."""
    if x > 10.0:
        return a * 2.0
    a[-1] += x * x
    return a


def self_assignment_in_loops(x):
    """The fuzzer's first form of the self-assignment bug below: the gradient is 0, not 1."""
    k = 0
    while k < 3:
        k = k + 1
        for _ in range(3):
            x = x
    return x


# -- assignments -----------------------------------------------------------------------------------


def self_assignment(x):
    """`x = x` while the old value is also read through another name: reverse mode loses a
    contribution (0.4 instead of 0.8 at x = 0.4)."""
    y = x
    x = x
    return y * x


def repeated_tuple_target(x, y):
    """`u, u = t, x` assigns t, then x: u is x. Reverse mode gives y an adjoint of 2."""
    t = y * 2.0
    u, u = t, x
    return u * 3.0


def swap_with_itself(y):
    """`t, t = t, t` doubles the adjoint in reverse mode."""
    t = y * 1.0
    t, t = t, t
    return t


def parameter_overwritten(x):
    """A parameter overwritten by a value that does not depend on it (outside loops and
    branches): its gradient was the adjoint of the new value, 1.0, not 0."""
    x = 4.0
    return x


def parameter_overwritten_by_a_call(x, y):
    x = np.sin(y * 2.0)
    return x * 3.0


def array_parameter_overwritten(a):
    a = np.zeros(3)
    return np.sum(a * a + a)


# -- calls -----------------------------------------------------------------------------------------


def lambda_parameter_shadows_local(x):
    """A lambda parameter with the name of a local constant: the optimizer substituted the
    constant into the lambda's body (value 15 instead of 3, gradient 0)."""
    v = 5.0  # noqa: F841 - read by nothing, yet it changes what tangentish computes
    triple = lambda v: v * 3.0  # noqa: E731
    return triple(x)


def nested_def_parameter_shadows_local(x):
    v = 5.0

    def triple(v):
        return v * 3.0

    return triple(x) + v


# -- data structures -------------------------------------------------------------------------------


def single_entry_unpacking(x, a):
    """`u, = p` took the kind of the tuple `p` (a container), so `u + u` was differentiated as a
    list concatenation (TypeError: no len())."""
    p = (np.maximum(x * a[0], abs(x)),)
    (u,) = p
    return (1.5 + np.sin(u + u)) ** np.tanh(p[0])


def list_repetition(x):
    """`[x, 2x] * 2`: reverse mode differentiates only one copy (0.0 instead of 2.0 here)."""
    items = [x, 2.0 * x] * 2
    return items[0] * 0.0 + items[3]


def tuple_repetition(x):
    items = (x,) * 3
    return items[0] + items[1] + items[2]


CASES: list[Regression] = [
    Regression(
        "output_written_in_place_after_an_early_return",
        output_written_in_place_after_an_early_return,
        (0.5, V3),
        (0, 1),
    ),
    Regression("negative_constant_squared", negative_constant_squared, (1.0,)),
    Regression(
        "early_return_in_a_loop_the_sweep_skips", early_return_in_a_loop_the_sweep_skips, (1.613,)
    ),
    Regression(
        "overwritten_by_a_loop_the_sweep_skips", overwritten_by_a_loop_the_sweep_skips, (-0.987,)
    ),
    Regression("single_entry_unpacking", single_entry_unpacking, (-0.987, [-1.587, 0.613]), (0,)),
    Regression("parameter_overwritten", parameter_overwritten, (0.2,)),
    Regression(
        "parameter_overwritten_by_a_call",
        parameter_overwritten_by_a_call,
        (0.2, 0.4),
        (0, 1),
    ),
    Regression("array_parameter_overwritten", array_parameter_overwritten, (V3,)),
    Regression("while_and_condition", while_and_condition, (1.0,)),
    Regression("forward_optimizer_never_finishes", forward_optimizer_never_finishes, (0.7,)),
    Regression("self_assignment_in_loops", self_assignment_in_loops, (0.4,)),
    Regression("self_assignment", self_assignment, (0.4,)),
    Regression("repeated_tuple_target", repeated_tuple_target, (0.5, 0.7), (0, 1)),
    Regression("swap_with_itself", swap_with_itself, (0.7,)),
    Regression("lambda_parameter_shadows_local", lambda_parameter_shadows_local, (1.0,)),
    Regression(
        "nested_def_parameter_shadows_local",
        nested_def_parameter_shadows_local,
        (1.0,),
    ),
    Regression("list_repetition", list_repetition, (0.7,)),
    Regression("tuple_repetition", tuple_repetition, (0.7,)),
]
