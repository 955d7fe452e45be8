"""The functions whose generated adjoints are pinned in tests/golden/ (see test_golden.py).

The generated code's comments name this file and its lines: keep the functions where they are
(add new ones at the end), or regenerate the golden files with `pytest --update-golden`.
"""

import numpy as np


def f(x1, x2):
    return x1 * x2 + np.sin(x1)


def loss(w, b, x, y):
    prediction = x @ w + b
    residual = prediction - y
    return np.mean(residual**2)


def reassigned(x):
    y = x * x
    y = np.sin(y) * y
    y = y + x
    return y
