"""Custom derivative rules: teach tangentish the derivative of a function it cannot read.

`softplus` below is made with `np.vectorize` around a scalar routine, as a wrapper of compiled
code would be: tangentish has no source to differentiate, so it asks for a rule. Three ways to
give one, from the simplest:

1. `tg.register_partials(fn, *partials)`: for an elementwise function, one partial per argument.
2. `@tg.adjoint(fn)`: the reverse rule, `(g, y, *args) -> one adjoint per argument`.
3. `@tg.tangent(fn)`: the forward rule, `(tangents, y, *args) -> y_dot`.
"""

import math

import numpy as np

import tangentish as tg

# A "compiled" elementwise function: np.vectorize has no Python source for tangentish to read.
softplus = np.vectorize(lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0), otypes=[float])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# 1. Elementwise: d softplus / dx = sigmoid(x).
tg.register_partials(softplus, sigmoid)


def loss(w, x):
    return np.sum(softplus(x @ w))


# 2. A function of arrays with a reverse rule: the log-determinant of a symmetric positive
#    definite matrix, through its Cholesky factor (as a wrapped LAPACK call would be).
def logdet(a):
    return 2.0 * np.sum(np.log(np.diag(np.linalg.cholesky(a))))


logdet_opaque = np.vectorize(logdet, signature="(n,n)->()")


@tg.adjoint(logdet_opaque)
def logdet_vjp(g, y, a):
    return (g * np.linalg.inv(a),)  # d log det A / dA = A^-T (A is symmetric)


@tg.tangent(logdet_opaque)
def logdet_jvp(tangents, y, a):
    (a_dot,) = tangents
    return np.trace(np.linalg.solve(a, a_dot))


def objective(a, b):
    return logdet_opaque(a @ a.T + np.eye(2)) * np.sum(b * b)


def main() -> None:
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=3), rng.normal(size=(4, 3))
    print("gradient of sum(softplus(x @ w)):", tg.grad(loss)(w, x))
    tg.check_grads(loss, w, x, wrt=0)
    print("  checked against central differences, reverse and forward mode")
    a, b = rng.normal(size=(2, 2)), np.array([0.5, -1.0])
    print("gradient of logdet(a a^T + I) * |b|^2 with respect to a:\n", tg.grad(objective)(a, b))
    tg.check_grads(objective, a, b)
    print("  checked against central differences, reverse and forward mode")
    print("\nThe generated adjoint calls the rules by name:\n")
    print(tg.source(tg.grad(objective)))


if __name__ == "__main__":
    main()
