"""Textbook: z = x1*x2 + sin(x1) on Python floats, whose 0.1 us body measures call overhead."""

from __future__ import annotations

import math


def f(x1, x2):
    return x1 * x2 + math.sin(x1)


def hand(x1: float, x2: float) -> tuple[float, float]:
    """dz/dx1 = x2 + cos(x1), dz/dx2 = x1: the adjoint folded into one expression per input."""
    return x2 + math.cos(x1), x1


def inputs(small: bool) -> tuple[float, float]:
    return 2.0, 3.0
