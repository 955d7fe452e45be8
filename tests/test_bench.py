"""Smoke test of the benchmark suite (bench/): on tiny inputs, every gradient agrees.

The benchmark itself is a command, not a test: this only runs its agreement check, in a
subprocess so that its thread limits stay out of this process, with whichever peers are
installed, and checks the hand-written adjoints against central differences.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("textbook", "scalar_loop", "newton", "mlp", "rnn", "log_softmax")


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_every_gradient_agrees_on_small_inputs() -> None:
    # Eager JAX is left out: it compiles each operation once, seconds here for no more coverage
    # of the benchmark's code than jax.jit gives.
    methods = "tangentish,hand,autograd,jax.jit,torch"
    done = _run("-m", "bench", "--check-only", "--small", "--methods", methods)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("tangentish", "hand"):
        assert done.stdout.count(f"  {name}  ") == len(WORKLOADS), done.stdout
    assert "0 failures" in done.stdout


def test_the_script_runs_as_a_file() -> None:
    done = _run("bench/run.py", "--check-only", "--small", "--methods", "tangentish,hand")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def workloads(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("bench.workloads")


def _central_differences(f: Any, args: tuple[Any, ...], i: int, h: float = 1e-6) -> np.ndarray:
    def at(shift: float, index: tuple[int, ...]) -> float:
        moved = list(args)
        if np.ndim(args[i]):
            moved[i] = np.array(args[i], dtype=float)
            moved[i][index] += shift
        else:
            moved[i] = args[i] + shift
        return float(f(*moved))

    shape = np.shape(args[i])
    return np.array(
        [(at(h, index) - at(-h, index)) / (2 * h) for index in np.ndindex(shape)]
    ).reshape(shape)


@pytest.mark.parametrize("name", WORKLOADS)
def test_hand_adjoint_matches_central_differences(workloads: ModuleType, name: str) -> None:
    workload = next(w for w in workloads.WORKLOADS if w.name == name)
    args = workload.inputs(small=True)
    hand = workload.hand(*args)
    hand = hand if isinstance(hand, tuple) else (hand,)
    for i, got in zip(workload.wrt, hand):
        want = _central_differences(workload.f, args, i)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8, err_msg=f"{name} arg {i}")


def test_compile_scaling_command_prints_each_size() -> None:
    done = _run("-m", "bench.scaling", "--sizes", "20,40", "--repeats", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert [row[0] for row in rows] == ["20", "40"]
    assert all(float(row[1]) > 0 for row in rows)


def test_scaling_source_has_the_statements_asked_for() -> None:
    scaling = importlib.import_module("bench.scaling")
    for statements in (50, 100):
        body = scaling.source(statements).split("def f(x, y, n):\n")[1].splitlines()
        assert abs(len(body) - statements) <= 3  # the last rotation entry may run over
