"""`python -m bench.scaling`: how compile time grows with the size of the function.

Compiles the gradient of generated functions of 50, 100, 200 and 400 statements (arithmetic,
NumPy calls, branches and a loop, in a fixed rotation) and prints the median compile time of
each and its ratio to the size before: about 2 for each doubling means linear growth.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any, Callable

from tangentish import pipeline

from . import report

#: One statement each, in the generated function's body (branches and loops count as many
#: statements as they have lines).
_ROTATION = (
    ["a = a * 1.01 + np.sin(b) * 0.5"],
    ["b = np.exp(-a * a) + b * 0.9"],
    ["c = a * b + np.cos(a)"],
    ["if c > 0:", "    a = a - 0.1 * c", "else:", "    b = b + 0.1 * c"],
    ["for _ in range(n):", "    a = a * 0.99 + 0.01 * np.tanh(b)"],
)


def source(statements: int) -> str:
    """A differentiable function of x, y and a loop count n with `statements` statements."""
    body = ["a = x * y", "b = np.sin(x)"]
    k = 0
    while len(body) < statements - 1:
        body += _ROTATION[k % len(_ROTATION)]
        k += 1
    body.append("return a + b")
    lines = ["import numpy as np", "", "", "def f(x, y, n):"] + ["    " + s for s in body]
    return "\n".join(lines) + "\n"


def load(text: str, folder: Path, statements: int) -> Callable[..., Any]:
    """The function `f` of `text`, from a real file so that its source can be read."""
    path = folder / f"scaling_{statements}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


def compile_times(sizes: list[int], repeats: int) -> list[tuple[int, float]]:
    """(statements, median compile time in seconds) for each size."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for statements in sizes:
            f = load(source(statements), Path(folder), statements)
            samples = []
            for _ in range(repeats):
                started = perf_counter()
                pipeline.compile_gradient(f, (0, 1))
                samples.append(perf_counter() - started)
            times.append((statements, statistics.median(samples)))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument("--sizes", default="50,100,200,400", help="default: %(default)s")
    parser.add_argument("--repeats", type=int, default=5, help="default: %(default)s")
    options = parser.parse_args(argv)
    sizes = [int(s) for s in options.sizes.split(",")]
    times = compile_times(sizes, options.repeats)
    rows = []
    for k, (statements, seconds) in enumerate(times):
        ratio = f"{seconds / times[k - 1][1]:.2f}" if k else ""
        rows.append([f"{statements}", f"{seconds * 1e3:.0f}", ratio])
    header = ["statements", "compile (ms)", "ratio to previous"]
    print(report.render(header, rows, markdown=False, left=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
