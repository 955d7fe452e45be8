"""The textbook example: z = x1*x2 + sin(x1) at (2, 3), differentiated by reverse mode.

Prints the Wengert list tangentish lowers the function to, the mechanical adjoint (one statement
per primitive, from the seed dz/dz = 1 back to the inputs), the optimized adjoint, and the
derivatives dz/dx1 = x2 + cos(x1) and dz/dx2 = x1, then `tg.explain`'s table of every step's value.
"""

import math

import numpy as np

import tangentish as tg
from tangentish.normalize import lower_function


def f(x1, x2):
    return x1 * x2 + np.sin(x1)


def main() -> None:
    print("The function, as Wengert's list of primitives (w_i are spelled _v1, _v2, ...):\n")
    print(lower_function(f))
    mechanical = tg.grad(f, wrt=(0, 1), optimized=False)
    mechanical(2.0, 3.0)
    print("The adjoint, one statement per primitive, walked back from the seed:\n")
    print(tg.source(mechanical))
    df = tg.grad(f, wrt=(0, 1))
    dx1, dx2 = df(2.0, 3.0)
    print("The same adjoint, optimized for the default seed (dz/dz = 1 multiplies nothing):")
    print("what a person would write by hand.\n")
    print(tg.source(df))
    print(f"dz/dx1 = {dx1}   (x2 + cos(x1) = {3.0 + math.cos(2.0)})")
    print(f"dz/dx2 = {dx2}   (x1 = 2.0)")
    scaled = tuple(map(float, df(2.0, 3.0, seed=2.0)))
    print(f"with seed=2.0: {scaled}   (the seed scales every adjoint)")
    print("\nThe same walk-through with every value, as tg.explain prints it:\n")
    print(tg.explain(f, 2.0, 3.0))


if __name__ == "__main__":
    main()
