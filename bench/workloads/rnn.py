"""RNN: a vanilla tanh RNN unrolled over 50 steps by a Python `for`, hidden 64, batch 32.

The reverse pass needs the 50 hidden states, 32x64 float64 each: 800 KiB is the floor for its
memory.
"""

from __future__ import annotations

import numpy as np


def f(wx, wh, b, xs, target):
    h = np.zeros((xs.shape[1], wh.shape[0]))
    for x in xs:
        h = np.tanh(x @ wx + h @ wh + b)
    return np.mean((h - target) ** 2)


def hand(
    wx: np.ndarray, wh: np.ndarray, b: np.ndarray, xs: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The forward pass records the state each step reads (h before the step, the new h); the
    sweep accumulates the weights' adjoints in place."""
    h = np.zeros((xs.shape[1], wh.shape[0]))
    tape = []
    for x in xs:
        h_new = np.tanh(x @ wx + h @ wh + b)
        tape.append((x, h, h_new))
        h = h_new
    h_bar = 2.0 * (h - target) / h.size
    wx_bar = np.zeros_like(wx)
    wh_bar = np.zeros_like(wh)
    b_bar = np.zeros_like(b)
    for x, h, h_new in reversed(tape):
        a_bar = h_bar * (1.0 - h_new * h_new)
        wx_bar += x.T @ a_bar
        wh_bar += h.T @ a_bar
        b_bar += np.sum(a_bar, axis=0)
        h_bar = a_bar @ wh.T
    return wx_bar, wh_bar, b_bar


def inputs(small: bool) -> tuple[np.ndarray, ...]:
    steps, batch, features, hidden = (5, 3, 2, 4) if small else (50, 32, 32, 64)
    rng = np.random.default_rng(1)
    return (
        rng.normal(0.0, features**-0.5, (features, hidden)),
        rng.normal(0.0, hidden**-0.5, (hidden, hidden)),
        rng.normal(0.0, 0.1, hidden),
        rng.normal(size=(steps, batch, features)),
        rng.normal(0.0, 0.5, (batch, hidden)),
    )
