"""Newton's method on Kepler's equation E - e sin(E) = m: a data-dependent `while` with branches.

The step is clamped to [-0.5, 0.5]; at this high eccentricity Newton's first steps overshoot and
are clamped, so both branches run.
"""

from __future__ import annotations

import math


def f(m, e):
    ecc = m + e * math.sin(m)
    residual = ecc - e * math.sin(ecc) - m
    while abs(residual) > 1e-12:
        step = residual / (1.0 - e * math.cos(ecc))
        if step > 0.5:
            step = 0.5
        elif step < -0.5:
            step = -0.5
        ecc = ecc - step
        residual = ecc - e * math.sin(ecc) - m
    return ecc


def hand(m: float, e: float) -> tuple[float, float]:
    """The forward pass records (sin, cos, 1 - e cos, step, clamped) per iteration as one tuple.
    A clamped step is a constant, so the adjoint of that iteration's residual is zero."""
    ecc = m + e * math.sin(m)
    s = math.sin(ecc)
    residual = ecc - e * s - m
    tape = []
    while abs(residual) > 1e-12:
        c = math.cos(ecc)
        d = 1.0 - e * c
        step = residual / d
        clamped = True
        if step > 0.5:
            step = 0.5
        elif step < -0.5:
            step = -0.5
        else:
            clamped = False
        tape.append((s, c, d, step, clamped))
        ecc = ecc - step
        s = math.sin(ecc)
        residual = ecc - e * s - m
    ecc_bar = 1.0
    m_bar = 0.0
    e_bar = 0.0
    for s, c, d, step, clamped in reversed(tape):
        if not clamped:
            residual_bar = -ecc_bar / d
            d_bar = ecc_bar * step / d
            e_bar -= d_bar * c + residual_bar * s
            ecc_bar += d_bar * e * s + residual_bar * d
            m_bar -= residual_bar
    m_bar += ecc_bar * (1.0 + e * math.cos(m))
    e_bar += ecc_bar * math.sin(m)
    return m_bar, e_bar


def inputs(small: bool) -> tuple[float, float]:
    return 0.2, 0.97
