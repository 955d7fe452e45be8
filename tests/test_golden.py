"""Golden files: the generated source of key examples, pinned byte for byte.

`pytest --update-golden` rewrites tests/golden/<name>.py from what tangentish generates now; the
diff is then reviewed like code. Without the option, the generated source must equal the file. The
gradients are also checked against the oracle, so a golden file never pins a wrong derivative.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import golden_examples as ex
import numpy as np
import pytest
from oracle import check_vjp, positions, random_like

import tangentish as tg

GOLDEN = Path(__file__).parent / "golden"

A1 = np.array([2.0, -0.5, 1.0])
A2 = np.array([3.0, 0.25, -1.5])
W = np.array([[0.5, -1.0], [0.25, 0.75], [-0.5, 1.5]])
B = np.array([0.1, -0.2])
X = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 1.5], [2.0, 0.0, 1.0], [-1.0, 1.0, 0.5]])
Y = np.array([[0.5, 1.0], [-1.0, 0.0], [0.25, 2.0], [1.0, -0.5]])


@dataclass(frozen=True)
class Golden:
    name: str
    fn: Callable[..., Any]
    wrt: tuple[int, ...]
    args: tuple[Any, ...]
    optimized: bool = True

    def describe(self) -> str:
        kinds = "Python floats" if isinstance(self.args[0], float) else "NumPy arrays"
        options = "" if self.optimized else ", optimized=False"
        return (
            f"# tg.source(tg.grad(golden_examples.{self.fn.__name__}, wrt={self.wrt}{options})) "
            f"after a call with {kinds}.\n# Regenerate with `pytest --update-golden`; review the "
            "diff like code.\n\n"
        )


EXAMPLES = [
    Golden("textbook_floats", ex.f, (0, 1), (2.0, 3.0)),
    Golden("textbook_floats_unoptimized", ex.f, (0, 1), (2.0, 3.0), optimized=False),
    Golden("textbook_arrays", ex.f, (0, 1), (A1, A2)),
    Golden("textbook_arrays_unoptimized", ex.f, (0, 1), (A1, A2), optimized=False),
    Golden("loss_arrays", ex.loss, (0, 1), (W, B, X, Y)),
    Golden("loss_arrays_unoptimized", ex.loss, (0, 1), (W, B, X, Y), optimized=False),
    Golden("reassigned_floats", ex.reassigned, (0,), (0.7,)),
    Golden("reassigned_floats_unoptimized", ex.reassigned, (0,), (0.7,), optimized=False),
    Golden("reassigned_arrays", ex.reassigned, (0,), (A1,)),
]


def generated(example: Golden) -> str:
    """Differentiate the example (checking the gradient) and return the golden file's text."""
    df = tg.grad(example.fn, wrt=example.wrt, optimized=example.optimized)
    u = random_like(np.random.default_rng(0), example.fn(*example.args))
    if np.ndim(u) == 0:
        u = 1.0
    grads = df(*example.args, seed=u)
    check_vjp(example.fn, example.args, positions(example.fn, example.wrt), grads, u)
    return example.describe() + tg.source(df)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_golden(example: Golden, update_golden: bool):
    path = GOLDEN / f"{example.name}.py"
    text = generated(example)
    if update_golden:
        path.write_text(text)
        return
    assert path.exists(), f"{path} is missing: run `pytest --update-golden` and review it"
    assert text == path.read_text(), (
        f"the generated source differs from {path.name}; if the change is intended, run "
        f"`pytest --update-golden` and review the diff.\n--- generated ---\n{text}"
    )


def test_textbook_floats_reads_like_the_hand_derivation():
    """DESIGN.md §4: on floats, the optimized adjoint is the symbolic derivative, in a few lines
    and without helper calls."""
    df = tg.grad(ex.f, wrt=(0, 1))
    assert df(2.0, 3.0) == (3.0 + np.cos(2.0), 2.0)
    body = tg.source(df).splitlines()[1:]
    assert len(body) <= 3, tg.source(df)
    assert not any(h in tg.source(df) for h in ("unbroadcast", "zeros_like", "check_seed"))
