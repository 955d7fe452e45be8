"""Every example runs, in seconds, and prints what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: What each example must print (every example in examples/ is run, listed here or not).
PROMISES = {
    "textbook.py": ["dz/dx1 = 2.5838531634528574", "Forward pass", "-0.4161 + 3 = 2.584"],
    "control_flow.py": ["_stack.append(_saved)", "y = _saved[0]", "replays the else branch"],
    "numpy_mlp.py": ["step   0: loss", "step 500: loss", "def loss_grad("],
    "ode.py": ["every derivative agrees with finite differences"],
    "calls.py": [
        "horner'(x) at 0.5, for 1 + 2x + 3x^2: 5.0",
        "def inner(scale, t):",
        "every derivative above agrees with central differences",
    ],
    "custom_rule.py": ["checked against central differences", "logdet_vjp(seed"],
}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(name: str):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=EXAMPLES.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for promise in PROMISES.get(name, []):
        assert promise in done.stdout, promise


def test_every_example_has_promises():
    assert set(PROMISES) == {p.name for p in EXAMPLES.glob("*.py")}
