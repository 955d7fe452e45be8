"""The gradient of an ODE solution with respect to its parameters, through a Python time loop.

The Lotka–Volterra equations model prey and predators:

    d prey / dt      = alpha * prey - beta * prey * predators
    d predators / dt = delta * prey * predators - gamma * predators

`prey_at_end` integrates them with 1,000 explicit Euler steps in an ordinary `for` loop, and
`tg.grad` differentiates the prey population at the end with respect to the four parameters: the
reverse pass walks the 1,000 steps backwards, popping the states the forward pass recorded. The
script checks every derivative against central finite differences.
"""

import tangentish as tg


def prey_at_end(alpha, beta, gamma, delta, prey, predators, dt, steps):
    for _ in range(steps):
        growth = alpha * prey - beta * prey * predators
        decline = delta * prey * predators - gamma * predators
        prey, predators = prey + dt * growth, predators + dt * decline
    return prey


def central_difference(args: list, i: int, h: float = 1e-6) -> float:
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (prey_at_end(*up) - prey_at_end(*down)) / (2 * h)


def main() -> None:
    names = ("alpha", "beta", "gamma", "delta")
    args = [1.1, 0.4, 0.4, 0.1, 10.0, 5.0, 0.01, 1000]
    gradient = tg.grad(prey_at_end, wrt=names)
    grads = gradient(*args)
    print(f"prey after {args[-1]} steps: {prey_at_end(*args):.6f}\n")
    print(f"{'parameter':>9}  {'tangentish':>14}  {'finite diff.':>14}  relative error")
    for i, (name, derivative) in enumerate(zip(names, grads)):
        reference = central_difference(args, i)
        error = abs(derivative - reference) / abs(reference)
        print(f"{name:>9}  {derivative:14.6f}  {reference:14.6f}  {error:.1e}")
        assert error < 1e-6, (name, derivative, reference)
    print("\nevery derivative agrees with finite differences")


if __name__ == "__main__":
    main()
