"""MLP: the mean squared error of a 2-layer tanh network on a 256x64 batch, hidden width 128."""

from __future__ import annotations

import numpy as np


def f(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    out = h @ w2 + b2
    return np.mean((out - y) ** 2)


def hand(
    w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The forward pass keeps h and the residual; the biases' adjoints sum over the batch."""
    h = np.tanh(x @ w1 + b1)
    r = h @ w2 + b2 - y
    out_bar = 2.0 * r / r.size
    h_bar = out_bar @ w2.T
    a_bar = h_bar * (1.0 - h * h)
    return x.T @ a_bar, np.sum(a_bar, axis=0), h.T @ out_bar, np.sum(out_bar, axis=0)


def inputs(small: bool) -> tuple[np.ndarray, ...]:
    batch, features, hidden, outputs = (8, 4, 5, 3) if small else (256, 64, 128, 10)
    rng = np.random.default_rng(0)
    return (
        rng.normal(0.0, features**-0.5, (features, hidden)),
        rng.normal(0.0, 0.1, hidden),
        rng.normal(0.0, hidden**-0.5, (hidden, outputs)),
        rng.normal(0.0, 0.1, outputs),
        rng.normal(size=(batch, features)),
        rng.normal(size=(batch, outputs)),
    )
