"""Control flow in reverse mode: if/elif/else, a for loop and a while loop, step by step.

The reverse pass runs the program backwards, so it must know what the forward pass did: which branch
each `if` took, how many times each loop ran, and every value a loop overwrote that a derivative
reads. The generated code records exactly those on a stack, one tuple an iteration
(`_saved = (y,)` ... `_stack.append(_saved)` in the forward pass, `_saved = _stack.pop()` and
`y = _saved[0]` in the reverse pass, last in first out). `tg.explain` prints both passes with
every value, so you can watch the stack fill and empty.
"""

import math

import tangentish as tg


def piecewise(x):
    if x > 1.0:
        y = x * x
    elif x > 0.0:
        y = math.sin(x)
    else:
        y = -x
    return y


def power_tower(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x + 1.0
    return y


def halvings(x):
    while x > 1.0:
        x = x / 2.0
    return x * x


def main() -> None:
    print("An if/elif/else: only the branch taken is differentiated.\n")
    print(tg.explain(piecewise, 0.5))
    print("A for loop that overwrites y: each old y is pushed, then popped in reverse order.\n")
    print(tg.explain(power_tower, 1.5, 4, iterations=4))
    print("A while loop: its trip count is recorded; the reverse loop runs that many times.\n")
    print(tg.explain(halvings, 5.0, iterations=2))
    for f, args in ((piecewise, (0.5,)), (piecewise, (2.0,)), (power_tower, (1.5, 4))):
        tg.check_grads(f, *args, wrt=0, modes=("reverse",))
    tg.check_grads(halvings, 5.0, modes=("reverse",))
    print("check_grads: every derivative above agrees with central differences")


if __name__ == "__main__":
    main()
