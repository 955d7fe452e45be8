"""Calls and data structures: helper functions, recursion, closures, *args forwarding, containers
and arrays written in place.

Every function you call gets its own pair of generated functions: `forward` runs it and returns
its value with a tape (the values its backward pass reads), `backward` takes the tape and the
output's adjoint and returns the adjoints of its arguments. They are made once per function and
kind of argument, so calls in loops, calls two levels deep and recursion cost no recompilation.
"""

import numpy as np

import tangentish as tg


def smooth_step(v, width=0.5):
    return np.tanh(v / width)


def horner(x, coefficients):
    """Recursion: a polynomial by Horner's rule, one level per coefficient."""
    if len(coefficients) == 1:
        return coefficients[0]
    return coefficients[0] + x * horner(x, coefficients[1:])


def with_closure(x, k):
    scale = k * k

    def inner(t):  # reads `scale`, which depends on k: passed to it at each call
        return smooth_step(t * scale)

    return inner(x) + inner(2.0 * x)


def traced(fn, *args, **kwargs):
    """A wrapper that forwards whatever it is given."""
    return fn(*args, **kwargs)


def forwarding(x, w):
    return traced(smooth_step, x + w, width=w)


def containers(params, x):
    """A dict of parameters in, a list built in a loop: the gradient is a dict too."""
    outputs = []
    for scale in (1.0, 2.0, 3.0):
        outputs.append(params["a"] * np.sin(scale * x) + params["b"])
    return sum(outputs)


def write_in_place(a, n):
    """Writes into a copy of an argument inside a loop: the caller's array is left alone."""
    b = a.copy()
    for i in range(n):
        b[i % 3] = b[i % 3] * a[(i + 1) % 3] + 1.0
    return np.sum(b * b)


def main() -> None:
    a = np.array([0.5, -0.3, 0.8])
    print("horner'(x) at 0.5, for 1 + 2x + 3x^2:", tg.grad(horner)(0.5, [1.0, 2.0, 3.0]))
    print("the closure's gradient (x, k):", tg.grad(with_closure, wrt=(0, 1))(0.3, 1.2))
    print("through *args/**kwargs (x, w):", tg.grad(forwarding, wrt=(0, 1))(0.3, 1.5))
    print("a dict of parameters:", tg.grad(containers)({"a": 0.7, "b": -0.2}, 0.4))
    print("in place, in a loop:", tg.grad(write_in_place)(a, 5), "and a is still", a)
    print("\nThe closure's gradient, as generated: `inner` takes `scale` as an argument\n")
    print(tg.source(tg.grad(with_closure, wrt=(0, 1))))
    for fn, args, wrt in (
        (horner, (0.5, [1.0, 2.0, 3.0]), 0),
        (with_closure, (0.3, 1.2), (0, 1)),
        (forwarding, (0.3, 1.5), (0, 1)),
        (write_in_place, (a, 5), 0),
    ):
        tg.check_grads(fn, *args, wrt=wrt)
    print("check_grads: every derivative above agrees with central differences")


if __name__ == "__main__":
    main()
