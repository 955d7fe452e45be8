"""The textbook example, end to end."""

import math

import numpy as np

import tangentish as tg


def f(x1, x2):
    return x1 * x2 + np.sin(x1)


def test_textbook_gradient_matches_hand_derivation():
    df = tg.grad(f, wrt=(0, 1))
    dx1, dx2 = df(2.0, 3.0)
    assert dx1 == 3.0 + math.cos(2.0)
    assert dx2 == 2.0
    assert df(2.0, 3.0, seed=2.0) == (2 * dx1, 2 * dx2)
