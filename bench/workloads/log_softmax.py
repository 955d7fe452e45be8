"""Log-softmax cross-entropy on 512x1000 logits, stabilized by subtracting each row's maximum,
the labels picked out by fancy indexing."""

from __future__ import annotations

import numpy as np


def f(logits, labels):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(logits.shape[0]), labels])


def f_torch(logits, labels):
    """f for PyTorch, run with `np` bound to torch: its `max` over an axis also returns the
    indices, and `amax` is its spelling of NumPy's `max(axis=, keepdims=)`."""
    shifted = logits - np.amax(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(logits.shape[0]), labels])


def hand(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Follows every operation, the maximum's adjoint (zero but for rounding) included, shared
    evenly among tied maxima as autograd, JAX and PyTorch share it."""
    top = np.max(logits, axis=1, keepdims=True)
    shifted = logits - top
    exps = np.exp(shifted)
    total = np.sum(exps, axis=1, keepdims=True)
    rows = np.arange(logits.shape[0])
    log_probs_bar = np.zeros_like(logits)
    log_probs_bar[rows, labels] = -1.0 / logits.shape[0]
    shifted_bar = log_probs_bar - np.sum(log_probs_bar, axis=1, keepdims=True) / total * exps
    top_bar = -np.sum(shifted_bar, axis=1, keepdims=True)
    hit = logits == top
    return shifted_bar + hit * (top_bar / np.sum(hit, axis=1, keepdims=True))


def inputs(small: bool) -> tuple[np.ndarray, np.ndarray]:
    batch, classes = (6, 10) if small else (512, 1000)
    rng = np.random.default_rng(2)
    return rng.normal(0.0, 3.0, (batch, classes)), rng.integers(0, classes, batch)
