"""Measuring one workload: every method's gradient is checked against the hand adjoint, then all
are timed in interleaved rounds, so that a slow spell of a noisy 2-core machine hits every method
alike, and the median of each one's samples is kept.

The garbage collector stays on while timing: collecting what a gradient allocates is part of
what it costs.
"""

from __future__ import annotations

import math
import statistics
import sys
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Callable

import numpy as np

from . import peers
from .memory import Reading
from .workloads import Workload

#: The methods whose errors are failures of tangentish or of the benchmark, not a peer's limit.
OURS = ("tangentish", "hand")


@dataclass(frozen=True)
class Settings:
    min_sample: float  # seconds one timed sample lasts at least: it loops `number` calls
    budget: float  # seconds of samples per timed function
    min_repeats: int
    max_repeats: int
    compiles: int  # tangentish compiles timed, for their median
    tolerance: float = 1e-6  # relative error allowed between gradients


FULL = Settings(min_sample=0.01, budget=1.5, min_repeats=5, max_repeats=51, compiles=5)
QUICK = Settings(min_sample=0.002, budget=0.08, min_repeats=3, max_repeats=9, compiles=1)


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median of the samples and their quartiles."""

    median: float
    q1: float
    q3: float
    number: int  # calls per sample
    samples: int


@dataclass
class MethodResult:
    name: str
    f: Timing | None = None  # the method's own forward pass, None when it is the plain program
    grad: Timing | None = None
    compile: float | None = None  # seconds
    rel_error: float | None = None  # against the hand adjoint
    error: str | None = None  # why it did not run
    failed: bool = False  # a wrong or missing gradient from tangentish or hand, or a disagreement
    memory: Reading | None = None


@dataclass
class WorkloadResult:
    name: str
    title: str
    kind: str
    hand_target: float
    memory_target: int | None
    f: Timing | None = None  # the plain program
    methods: list[MethodResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # method → why it was left out

    def method(self, name: str) -> MethodResult | None:
        return next((m for m in self.methods if m.name == name), None)


@dataclass
class _Timer:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    number: int = 1
    repeats: int = 1
    samples: list[float] = field(default_factory=list)

    def sample(self) -> float:
        fn, args = self.fn, self.args
        start = perf_counter()
        for _ in range(self.number):
            fn(*args)
        return (perf_counter() - start) / self.number

    def calibrate(self, settings: Settings) -> None:
        """Pick calls per sample and samples from the time of one call, as timeit does, after a
        call that warms caches up (and compiles jax.jit's forward pass)."""
        self.fn(*self.args)
        while True:
            per_call = self.sample()
            if per_call * self.number >= settings.min_sample / 10:
                break
            self.number *= 10
        self.number = max(1, math.ceil(settings.min_sample / per_call))
        wanted = int(settings.budget / (self.number * per_call))
        self.repeats = min(max(wanted, settings.min_repeats), settings.max_repeats)

    def timing(self) -> Timing:
        samples = self.samples
        q1, _, q3 = statistics.quantiles(samples, n=4) if len(samples) > 1 else samples * 3
        return Timing(statistics.median(samples), q1, q3, self.number, len(samples))


def relative_error(got: tuple[np.ndarray, ...], want: tuple[np.ndarray, ...]) -> float:
    """The worst over the gradients of |got - want| / |want| (2-norms); inf on a shape mismatch."""
    if len(got) != len(want) or any(g.shape != w.shape for g, w in zip(got, want)):
        return math.inf
    worst = 0.0
    for g, w in zip(got, want):
        scale = max(float(np.linalg.norm(w)), float(np.linalg.norm(g)), sys.float_info.min)
        worst = max(worst, float(np.linalg.norm(g - w)) / scale)
    return worst


def _describe(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def measure(
    workload: Workload,
    names: tuple[str, ...],
    settings: Settings,
    *,
    small: bool = False,
    quick: bool = False,
    check_only: bool = False,
) -> WorkloadResult:
    """Check, then (unless `check_only`) time each of the methods `names` on `workload`."""
    args = workload.inputs(small)
    reference = peers.as_arrays(workload.hand(*args))
    result = WorkloadResult(
        workload.name, workload.title, workload.kind, workload.hand_target, workload.memory_target
    )
    methods: list[tuple[peers.Method, MethodResult, float]] = []
    for name in names:
        if quick and name in workload.slow_in_quick:
            result.skipped[name] = workload.slow_in_quick[name]
            continue
        outcome = MethodResult(name)
        result.methods.append(outcome)
        try:
            method = peers.build(name, workload, args)
            start = perf_counter()
            grads = method.grad(*method.grad_args)
            first_call = perf_counter() - start
        except peers.PeerCannotRun as error:
            outcome.error = str(error)
            continue
        except Exception as error:  # any failure is a result to report, not a crash
            outcome.error = _describe(error)
            outcome.failed = name in OURS
            print(f"!! {workload.name}: {name} raised {outcome.error}", file=sys.stderr)
            continue
        outcome.rel_error = relative_error(peers.as_arrays(grads), reference)
        if not outcome.rel_error <= settings.tolerance:
            outcome.failed = True
            print(
                f"!! {workload.name}: {name}'s gradient DISAGREES with the hand adjoint "
                f"(relative error {outcome.rel_error:.2e} > {settings.tolerance:g})",
                file=sys.stderr,
            )
        methods.append((method, outcome, first_call))
    if check_only:
        return result
    plain = _Timer(workload.f, args)
    timers: list[tuple[_Timer, MethodResult, str]] = [(plain, MethodResult("plain"), "f")]
    for method, outcome, _ in methods:
        timers.append((_Timer(method.grad, method.grad_args), outcome, "grad"))
        if method.f is not None:
            timers.append((_Timer(method.f, method.f_args), outcome, "f"))
    for timer, _, _ in timers:
        timer.calibrate(settings)
    rounds = max(timer.repeats for timer, _, _ in timers)
    for done in range(1, rounds + 1):
        # Each round starts one method later: what runs right after a peer (PyTorch's threads
        # winding down, caches it filled) is every method in turn, not always the first one.
        start = done % len(timers)
        for timer, _, _ in timers[start:] + timers[:start]:
            if len(timer.samples) < math.ceil(done * timer.repeats / rounds):
                timer.samples.append(timer.sample())  # fewer samples spread over the rounds
    for timer, outcome, which in timers:
        setattr(outcome, which, timer.timing())
    result.f = plain.timing()
    for method, outcome, first_call in methods:
        if method.compile is not None:
            outcome.compile = statistics.median(
                _seconds(method.compile) for _ in range(settings.compiles)
            )
        elif method.compiles_on_first_call and outcome.grad is not None:
            outcome.compile = first_call - outcome.grad.median
        if method.memory_probe is not None:
            outcome.memory = method.memory_probe()
    return result


def _seconds(fn: Callable[[], Any]) -> float:
    start = perf_counter()
    fn()
    return perf_counter() - start
