"""The workloads: each a plain Python/NumPy program, its hand-written adjoint, and its inputs.

A workload module defines
- `f`: the program as a person writes it, which tangentish reads and differentiates;
- `hand`: the adjoint a person would write, following f's own operations (a tuple tape, folded
  expressions, no algebraic rewrite f does not express): the floor for generated code;
- `inputs(small)`: the arguments, at the issue's sizes or tiny ones for the smoke test;
- optionally `f_<peer>`: f for a peer whose array module spells a call differently.

Peers run f's own body with the modules it names (`np`, `math`) bound to their array module, so
every system differentiates the same program (see `bench.peers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

from . import log_softmax, mlp, newton, rnn, scalar_loop, textbook

SCALAR, ARRAY = "scalar", "array"


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    module: ModuleType
    wrt: tuple[int, ...]
    kind: str  # SCALAR or ARRAY: the speed-up targets differ
    #: The target for tangentish's gradient time over the hand adjoint's.
    hand_target: float = 1.3
    #: The target for the gradient's peak memory, in bytes, where the issue sets one.
    memory_target: int | None = None
    #: Peers left out of `--quick`, with why: their compile alone would take the minute.
    slow_in_quick: dict[str, str] = field(default_factory=dict)

    @property
    def f(self) -> Callable[..., Any]:
        return self.module.f

    @property
    def hand(self) -> Callable[..., Any]:
        return self.module.hand

    def inputs(self, small: bool) -> tuple[Any, ...]:
        return self.module.inputs(small)

    def program(self, peer: str) -> Callable[..., Any]:
        """f as `peer` runs it: the workload's `f_<peer>` if it has one, else f."""
        return getattr(self.module, f"f_{peer}", self.module.f)


WORKLOADS: tuple[Workload, ...] = (
    Workload("textbook", "textbook x1*x2 + sin(x1)", textbook, (0, 1), SCALAR, hand_target=2.0),
    Workload(
        "scalar_loop",
        "scalar loop, 1,000 Euler steps",
        scalar_loop,
        (0, 1),
        SCALAR,
        slow_in_quick={"jax.jit": "JAX unrolls the 1,000 Python steps: about 25 s to compile"},
    ),
    Workload("newton", "Newton while + if (Kepler)", newton, (0, 1), SCALAR),
    Workload("mlp", "MLP 256x64, hidden 128", mlp, (0, 1, 2, 3), ARRAY),
    Workload(
        "rnn",
        "RNN, 50 steps, hidden 64, batch 32",
        rnn,
        (0, 1, 2),
        ARRAY,
        memory_target=int(1.2 * 2**20),
    ),
    Workload("log_softmax", "log-softmax cross-entropy 512x1000", log_softmax, (0,), ARRAY),
)
