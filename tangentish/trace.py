"""Trace: the data `explain` records, one node per run of a statement of the generated code.

A trace has two sections, "forward" and "reverse", each a list of `Step`s and `Loop`s. A `Site` is
one statement of the instrumented code, classified before the run (a Wengert primitive, a recorded
value, the seed, an adjoint, ...); a `Step` is one run of it with the value it computed. Loops keep
every iteration's count and the first few iterations' steps. The `Recorder` builds the tree while
the instrumented code runs: that code calls it after every statement it shows.

Forward mode has no reverse section: each primitive's site keeps the tangent statement that follows
it (`y_dot = cos(x) * x_dot`), and its steps the tangent it computed. The code runs once per input
direction, each run a `Direction` with its seeds (the inputs' tangents) and its own steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import gast
import numpy as np

# What a site is: the kinds of statements a trace shows.
PRIMITIVE, RECORD, OUTPUT = "primitive", "record", "output"  # forward pass
SEED, ADJOINT, ZERO, RESTORE = "seed", "adjoint", "zero", "restore"  # reverse pass
BRANCH, LOOP = "branch", "loop"  # both


@dataclass(frozen=True)
class Contribution:
    """An adjoint statement taken apart: `x_bar = g * partial` (`+ x_bar` when it accumulates)."""

    output: str | None  # the primal whose adjoint `g` flows in; None for a structural rule
    input: str  # the primal whose adjoint the statement assigns
    partial: gast.expr | None  # the local partial ∂output/∂input; None for a structural rule
    term: gast.expr  # what the statement adds to the input's adjoint
    previous: gast.expr | None  # the adjoint it adds to, when it accumulates (fan-out)


@dataclass(frozen=True)
class Site:
    """One statement of the generated code that a trace shows, classified before the run."""

    kind: str
    phase: str  # "forward" or "reverse": the section its steps go to
    statement: gast.stmt
    depth: int  # how many blocks enclose it in the generated function
    contribution: Contribution | None = None
    tangent: gast.stmt | None = None  # forward mode: the tangent statement that follows it


@dataclass
class Step:
    """One run of a site's statement: the value it computed; for adjoints, the parts of it."""

    site: Site
    value: Any
    partial: Any = None
    term: Any = None
    previous: Any = None
    tangent: Any = None  # forward mode: the tangent it computed; None for a constant


@dataclass
class Iteration:
    number: int  # from 1
    target: Any  # the loop variable's value (a `for` loop), else None
    steps: list[Node] = field(default_factory=list)


@dataclass
class Loop:
    """A loop's run: every iteration counted, the first few (`iterations=`) with their steps."""

    site: Site
    trips: int = 0
    iterations: list[Iteration] = field(default_factory=list)


Node = Union[Step, Loop]


@dataclass(frozen=True)
class Input:
    """An argument: a variable (differentiated with respect to) or an input held constant."""

    name: str
    value: Any
    variable: bool


@dataclass
class Direction:
    """One forward-mode run: the inputs' tangents it was seeded with, its steps, its output's."""

    seeds: dict[str, Any]  # wrt name → its tangent, the seed
    steps: list[Node]
    last: list[Step]  # each statement's last run, in program order: the graph's values
    tangent: Any  # the output's tangent: the Jacobian times the seeds
    expression: gast.expr | None  # that tangent as an expression of the inputs, when there is one


def _snapshot(value: Any) -> Any:
    """A copy of `value` that later writes into the arrays it holds cannot change."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v) for v in value)
    return value


class Recorder:
    """Bound in the instrumented code's closure: builds the trace's tree while the code runs."""

    def __init__(self, sites: dict[int, Site], iterations: int) -> None:
        self.sites, self.limit = sites, iterations
        self.sections: dict[str, list[Node]] = {"forward": [], "reverse": []}
        self.loops: list[Loop | None] = []  # the open loops, innermost last; None if not kept
        self.pending: tuple[Any, Any, Any] = (None, None, None)
        self.last: dict[int, Step] = {}  # every site's last run, kept past the limit too

    def current(self, number: int) -> list[Node] | None:
        """Where a step of site `number` goes: None inside an iteration past the limit."""
        if not self.loops:
            return self.sections[self.sites[number].phase]
        loop = self.loops[-1]
        if loop is None or loop.trips > len(loop.iterations):
            return None
        return loop.iterations[-1].steps

    def parts(self, partial: Any, term: Any, previous: Any) -> None:
        """An adjoint statement's parts, evaluated just before it runs."""
        self.pending = (partial, term, previous)

    def step(self, number: int, value: Any, tangent: Any = None) -> None:
        parts, self.pending = self.pending, (None, None, None)
        step = Step(
            self.sites[number], _snapshot(value), *map(_snapshot, parts), _snapshot(tangent)
        )
        self.last[number] = step
        into = self.current(number)
        if into is not None:
            into.append(step)

    def loop(self, number: int) -> None:
        into, loop = self.current(number), None
        if into is not None:
            loop = Loop(self.sites[number])
            into.append(loop)
        self.loops.append(loop)

    def iteration(self, target: Any) -> None:
        loop = self.loops[-1]
        if loop is not None:
            loop.trips += 1
            if loop.trips <= self.limit:
                loop.iterations.append(Iteration(loop.trips, _snapshot(target)))

    def end(self) -> None:
        self.loops.pop()
