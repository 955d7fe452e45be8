"""Control-flow examples whose generated adjoints are pinned in tests/golden/."""

import numpy as np


def piecewise(x):
    if x > 1.0:
        y = x * x
    elif x > 0.0:
        y = np.sin(x)
    else:
        y = -x
    return y


def overwrite_loop(x, n):
    y = x
    for _ in range(n):
        y = y * x + 1.0
    return y


def halving(x):
    while x > 1.0:
        x = x / 2.0
    return x * x


def first_above(x, n):
    y = x
    for _ in range(n):
        y = y * 1.5
        if y > 4.0:
            break
    return y
