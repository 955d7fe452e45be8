"""The command line, run as a subprocess: `python -m tangentish grad|explain FILE.py:FUNC ...`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXTBOOK = "examples/textbook.py:f"


def run(*args: str, command: tuple[str, ...] = (sys.executable, "-m", "tangentish")):
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )


@pytest.fixture
def loops(tmp_path: Path) -> str:
    source = """
        def f(x, n, a, k: int):
            y = x
            for _ in range(n):
                y = y * x
            return y + a[k] * x
    """
    path = tmp_path / "loops.py"
    path.write_text(textwrap.dedent(source))
    return f"{path}:f"


def test_grad_prints_the_optimized_source():
    done = run("grad", TEXTBOOK, "--wrt", "x1,x2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def f_grad(x1, x2, seed=1.0):")
    assert "x2_bar = seed * x1" in done.stdout


def test_grad_unoptimized_and_by_position():
    done = run("grad", TEXTBOOK, "--wrt", "0", "--unoptimized")
    assert done.returncode == 0, done.stderr
    assert "_v3_bar = seed" in done.stdout and "return x1_bar" in done.stdout


def test_grad_forward_mode_prints_the_tangent_code():
    done = run("grad", TEXTBOOK, "--wrt", "x1,x2", "--mode", "forward", "--unoptimized")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def f_jvp(x1, x2, x1_dot, x2_dot):")
    assert "_v1_dot = x2 * x1_dot + x1 * x2_dot" in done.stdout


def test_grad_specializes_for_example_arrays():
    done = run("grad", TEXTBOOK, "[1, 2]", "[[3], [4]]")  # x1 * x2 broadcasts to 2x2
    assert done.returncode == 0, done.stderr
    assert "unbroadcast" in done.stdout
    done = run("grad", TEXTBOOK, "[1, 2]", "3")  # x1's shape throughout: nothing to sum
    assert done.returncode == 0, done.stderr
    assert "unbroadcast" not in done.stdout and "x1_bar = " in done.stdout


def test_explain_text():
    done = run("explain", TEXTBOOK, "2", "3")
    assert done.returncode == 0, done.stderr
    assert "Forward pass" in done.stdout and "Reverse pass" in done.stdout
    for value in ("6", "0.9093", "6.909", "-0.4161 + 3 = 2.584"):
        assert value in done.stdout


def test_explain_forward_mode():
    done = run("explain", TEXTBOOK, "2", "3", "--mode", "forward", "--seed", "1,0")
    assert done.returncode == 0, done.stderr
    assert "seed x1_dot = 1, x2_dot = 0" in done.stdout and "Reverse pass" not in done.stdout
    for value in ("w3_dot = x2 * x1_dot + x1 * x2_dot", "-0.4161", "2.584"):
        assert value in done.stdout


@pytest.mark.parametrize(
    ("form", "marker"),
    [("markdown", "#### Reverse pass"), ("latex", "\\begin{array}"), ("html", "<table>")],
)
def test_explain_formats(form: str, marker: str):
    done = run("explain", TEXTBOOK, "2", "3", "--format", form)
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout and "2.584" in done.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_explain_dot_is_valid_graphviz():
    done = run("explain", TEXTBOOK, "2", "3", "--format", "dot")
    assert done.returncode == 0, done.stderr
    svg = subprocess.run(["dot", "-Tsvg"], input=done.stdout, capture_output=True, text=True)
    assert svg.returncode == 0, svg.stderr


def test_integers_are_those_the_function_uses_as_integers(loops: str):
    done = run("explain", loops, "1.5", "3", "[1, 2]", "1", "--digits", "3", "--iterations", "1")
    assert done.returncode == 0, done.stderr
    assert "at x = 1.5, n = 3, a = [1, 2], k = 1:" in done.stdout
    assert "with respect to x, a, seed 1" in done.stdout  # n and k are held constant
    assert "… 2 more iterations, not shown" in done.stdout


def test_int_option(tmp_path: Path):
    path = tmp_path / "scale.py"
    path.write_text("def f(x, n):\n    return x * n\n")
    done = run("explain", f"{path}:f", "2", "3", "--int", "n")
    assert done.returncode == 0, done.stderr
    assert "with respect to x, seed 1" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("explain", "examples/missing.py:f", "1"), "no such file: examples/missing.py"),
        (("explain", "examples/textbook.py:nope", "1"), "has no function 'nope'"),
        (("explain", "examples/textbook.py", "1"), "is not FILE.py:FUNC"),
        (("explain", TEXTBOOK, "2", "x"), "'x' is not a number"),
        (("explain", TEXTBOOK, "2", "3", "4"), "f takes 2 arguments"),
        (("explain", TEXTBOOK, "2", "3", "--wrt", "z"), "f has no parameter 'z'"),
        (("explain", TEXTBOOK, "2", "3", "--int", "z"), "--int names z"),
    ],
)
def test_errors_are_one_line(args: tuple[str, ...], message: str):
    done = run(*args)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tangentish: error: "), done.stderr
    assert message in lines[0]


def test_usage_errors_are_one_line():
    done = run("explain", TEXTBOOK, "2", "3", "--format", "yaml")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "invalid choice: 'yaml'" in done.stderr


def test_help_documents_every_option():
    main = run("--help")
    assert main.returncode == 0 and "grad" in main.stdout and "explain" in main.stdout
    grad = run("grad", "--help").stdout
    for option in ("--wrt", "--mode", "--int", "--unoptimized", "FILE.py:FUNC"):
        assert option in grad
    explain = run("explain", "--help").stdout
    for option in ("--wrt", "--mode", "--int", "--seed", "--format", "--digits", "--iterations"):
        assert option in explain
    assert "text,markdown,latex,dot,html" in explain


def test_console_script():
    script = Path(sys.executable).with_name("tangentish")
    if not script.exists():
        pytest.skip("the package is not installed with its console script in this environment")
    done = run("explain", TEXTBOOK, "2", "3", command=(str(script),))
    assert done.returncode == 0, done.stderr
    assert "2.584" in done.stdout
