"""Scalar loop: 1,000 explicit Euler steps of dx/dt = k sin(x) - exp(-x) on Python floats."""

from __future__ import annotations

import math


def f(x, k, n):
    dt = 0.01
    for _ in range(n):
        x = x + dt * (k * math.sin(x) - math.exp(-x))
    return x


def hand(x: float, k: float, n: int) -> tuple[float, float]:
    """The forward pass records (x, sin x, exp(-x)) per step as one tuple; the sweep reads them
    back in reverse, one folded expression per adjoint."""
    dt = 0.01
    tape = []
    for _ in range(n):
        s = math.sin(x)
        e = math.exp(-x)
        tape.append((x, s, e))
        x = x + dt * (k * s - e)
    x_bar = 1.0
    k_bar = 0.0
    for x, s, e in reversed(tape):
        k_bar += x_bar * dt * s
        x_bar = x_bar + x_bar * dt * (k * math.cos(x) + e)
    return x_bar, k_bar


def inputs(small: bool) -> tuple[float, float, int]:
    return 1.0, 0.8, 10 if small else 1000
