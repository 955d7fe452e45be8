"""`tg.explain`: the step-by-step trace, its renderings, and its agreement with `tg.grad`."""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import numpy as np
import pytest

import tangentish as tg
from tangentish.errors import TangentishError, WrtError


def textbook(x1, x2):
    return x1 * x2 + np.sin(x1)


def power_tower(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x + 1.0
    return y


def piecewise(x):
    y = -x
    if x > 1.0:
        y = x * x
    while y > 1.0:
        y = y / 2.0
    return y


def fan_out(x, y):
    a = x * y
    b = a + x
    return b * a


def loss(w, x):
    return np.mean(np.tanh(x @ w) ** 2)


def ignores_y(x, y):
    return x * 2.0


def row(rendering: str, marker: str) -> str:
    """The one line of `rendering` that contains `marker`."""
    found = [line for line in rendering.splitlines() if marker in line]
    assert len(found) == 1, (marker, found)
    return found[0]


def cells(line: str) -> list[str]:
    """A text-table row's cells (columns are two or more spaces apart)."""
    return [c for c in re.split(r"\s{2,}", line.strip()) if c]


# The textbook walk-through, as (statement, value) in text, Markdown and LaTeX spellings.
TEXT = [
    ("w3 = x1 * x2", "6"),
    ("w4 = np.sin(x1)", "0.9093"),
    ("w5 = w3 + w4", "6.909"),
    ("w5_bar = seed", "1"),
    ("x2_bar = w3_bar * x1", "2"),
    ("x1_bar += w3_bar * x2", "-0.4161 + 3 = 2.584"),
]
LATEX = [
    ("w_{3} = w_{1} \\cdot w_{2}", "6"),
    ("w_{4} = \\sin\\left(w_{1}\\right)", "0.9093"),
    ("w_{5} = w_{3} + w_{4}", "6.909"),
    ("\\bar{w}_{5} = \\mathit{seed}", "1"),
    ("\\bar{w}_{2} = \\bar{w}_{3} \\cdot w_{1}", "2"),
    ("\\bar{w}_{1} \\mathrel{+}= \\bar{w}_{3} \\cdot w_{2}", "-0.4161 + 3 = 2.584"),
]


def test_textbook_text_shows_the_walk_through():
    text = str(tg.explain(textbook, 2.0, 3.0))
    forward, reverse = text.index("Forward pass"), text.index("Reverse pass")
    assert forward < reverse
    for statement, value in TEXT:
        assert value in cells(row(text, statement)), statement
    assert "∂w4/∂x1 = cos(x1) = -0.4161" in row(text, "x1_bar = w4_bar")
    assert "∂w3/∂x1 = x2 = 3" in row(text, "x1_bar += w3_bar * x2")
    assert "∂textbook/∂x1 = x2 + cos(x1)" in text and "∂textbook/∂x2 = x1" in text


def test_textbook_markdown_shows_the_walk_through():
    markdown = tg.explain(textbook, 2.0, 3.0).to_markdown()
    assert "#### Forward pass" in markdown and "#### Reverse pass" in markdown
    for statement, value in TEXT:
        line = row(markdown, f"`{statement}`")
        assert value in [c.strip() for c in line.split("|")], statement


def test_textbook_latex_uses_the_textbook_notation():
    latex = tg.explain(textbook, 2.0, 3.0).to_latex()
    assert "Forward pass" in latex and "Reverse pass" in latex
    assert latex.startswith("\\[") and "\\begin{array}" in latex
    for statement, value in LATEX:
        line = row(latex, statement + " &")
        assert value in [c.strip() for c in line.rstrip(" \\").split("&")], statement
    assert "\\partial w_{4} / \\partial w_{1} = \\cos\\left(w_{1}\\right) = -0.4161" in latex


def test_digits_and_seed():
    trace = tg.explain(textbook, 2.0, 3.0, digits=6, seed=2.0)
    text = str(trace)
    assert "0.909297" in cells(row(text, "w4 = np.sin(x1)"))
    assert "2" in cells(row(text, "w5_bar = seed"))
    assert trace.gradients == {"x1": 2 * (3.0 + math.cos(2.0)), "x2": 4.0}


def test_trace_values_agree_with_grad():
    trace = tg.explain(textbook, 2.0, 3.0)
    assert trace.value == textbook(2.0, 3.0)
    assert tuple(trace.gradients.values()) == tg.grad(textbook, wrt=(0, 1))(2.0, 3.0)


def test_symbolic_view_is_read_from_the_optimized_code():
    trace = tg.explain(textbook, 2.0, 3.0)
    expressions = {k: trace.notation.text(e, math_style=True) for k, e in trace.symbolic.items()}
    assert expressions == {"x1": "x2 + cos(x1)", "x2": "x1"}
    assert "def textbook_grad" in trace.source


def test_fan_out_is_summed_visibly():
    text = str(tg.explain(fan_out, 2.0, 3.0))
    assert "8 + 6 = 14" in cells(row(text, "a_bar += b_bar"))
    assert "6 + 42 = 48" in cells(row(text, "x_bar += a_bar * y"))


def test_integers_are_inputs_not_variables():
    trace = tg.explain(power_tower, 1.5, 4)
    assert list(trace.gradients) == ["x"]
    assert [i.variable for i in trace.inputs] == [True, False]
    assert "input, held constant" in row(str(trace), "w2 = n")
    with pytest.raises(WrtError, match="no float argument"):
        tg.explain(power_tower, 2, 3)


def test_loops_show_the_stack_and_summarize_past_the_limit():
    trace = tg.explain(power_tower, 1.5, 10, iterations=2)
    text = str(trace).split("Gradient")[0]
    forward, reverse = text.split("Reverse pass")
    assert "10 iterations" in row(forward, "for _ in w3:")
    assert "10 iterations, as many as the forward pass ran, last first" in reverse
    assert text.count("… 8 more iterations, not shown") == 2
    assert "iteration 10 of 10, reversed" in text and "iteration 3 of 10" not in text
    pushes = [cells(line)[1] for line in text.splitlines() if "_stack.append(_saved)" in line]
    pops = [cells(line)[2] for line in text.splitlines() if "y = _saved[0]" in line]
    assert pushes == ["(1,)", "(2.5,)"]  # the first two iterations record y, in a tuple
    assert pops == ["113.3", "74.89"]  # the reverse pass restores the last ones first
    assert trace.gradients["x"] == tg.grad(power_tower)(1.5, 10)


def test_branches_taken_and_replayed():
    trace = tg.explain(piecewise, 3.0)
    text = str(trace)
    forward, reverse = text.split("Reverse pass")
    line = str(piecewise.__code__.co_firstlineno + 2)
    assert cells(row(forward, "if w2:"))[1:] == ["True", line, "then branch taken"]
    assert cells(row(reverse, "if w2:"))[1:] == ["replays the then branch", "True", line]
    assert "4 iterations" in row(forward, "while w3:")  # 9 halved four times
    assert "The derivative as the optimized code computes it" in text
    assert trace.gradients["x"] == tg.grad(piecewise)(3.0)


def test_arrays_are_summarized():
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=3), rng.normal(size=(5, 3))
    trace = tg.explain(loss, w, x, wrt="w")
    text = str(trace)
    assert "array(5, 3) [" in text and "…" in text
    assert np.allclose(trace.gradients["w"], tg.grad(loss)(w, x))


def test_an_input_the_output_ignores_gets_zero():
    trace = tg.explain(ignores_y, 1.0, 5.0)
    assert trace.gradients == {"x": 2.0, "y": 0.0}
    assert "0" in cells(row(str(trace), "y_bar = 0.0"))


def test_html_for_jupyter():
    page = tg.explain(textbook, 2.0, 3.0)._repr_html_()
    assert page.startswith("<div") and "<h4>Forward pass</h4>" in page
    assert "<td style='text-align:left'>2.584</td>" in page


def test_modes():
    with pytest.raises(TangentishError, match="'reverse' or 'forward'"):
        tg.explain(textbook, 2.0, 3.0, mode="sideways")


def test_dot_lists_values_adjoints_and_partials():
    graph = tg.explain(textbook, 2.0, 3.0).to_dot()
    assert graph.startswith('digraph "textbook" {')
    assert '"_v1" [label="w3 = x1 * x2\\n= 6\\nw3_bar = 1"];' in graph
    assert '"x1" -> "_v2" [label="∂w4/∂x1 = cos(x1) = -0.4161"];' in graph
    assert "x1_bar = 2.584" in graph


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize(
    ("f", "args"), [(textbook, (2.0, 3.0)), (power_tower, (1.5, 5)), (piecewise, (3.0,))]
)
def test_dot_is_valid_graphviz(f, args):
    graph = tg.explain(f, *args).to_dot()
    done = subprocess.run(["dot", "-Tsvg"], input=graph, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


# Forward mode along x1 (x1_dot = 1, x2_dot = 0): (statement, value, tangent statement, tangent).
FORWARD_TEXT = [
    ("w3 = x1 * x2", "6", "w3_dot = x2 * x1_dot + x1 * x2_dot", "3"),
    ("w4 = np.sin(x1)", "0.9093", "w4_dot = np.cos(x1) * x1_dot", "-0.4161"),
    ("w5 = w3 + w4", "6.909", "w5_dot = w3_dot + w4_dot", "2.584"),
]
FORWARD_LATEX = [
    (
        "w_{3} = w_{1} \\cdot w_{2}",
        "6",
        "\\dot{w}_{3} = w_{2} \\cdot \\dot{w}_{1} + w_{1} \\cdot \\dot{w}_{2}",
        "3",
    ),
    (
        "w_{4} = \\sin\\left(w_{1}\\right)",
        "0.9093",
        "\\dot{w}_{4} = \\cos\\left(w_{1}\\right) \\cdot \\dot{w}_{1}",
        "-0.4161",
    ),
    ("w_{5} = w_{3} + w_{4}", "6.909", "\\dot{w}_{5} = \\dot{w}_{3} + \\dot{w}_{4}", "2.584"),
]


def test_forward_text_shows_values_and_tangents():
    text = str(tg.explain(textbook, 2.0, 3.0, mode="forward", seed=(1.0, 0.0)))
    assert "Forward pass" in text and "Reverse pass" not in text
    assert "forward mode with respect to x1, x2, seed x1_dot = 1, x2_dot = 0" in text
    for statement, value, tangent_statement, tangent in FORWARD_TEXT:
        line = str(textbook.__code__.co_firstlineno + 1)
        assert cells(row(text, statement)) == [statement, value, tangent_statement, tangent, line]
    assert cells(row(text, "w1 = x1"))[:3] == ["w1 = x1", "2", "1"]  # the seeds: x1_dot = 1
    assert cells(row(text, "w2 = x2"))[:3] == ["w2 = x2", "3", "0"]
    assert "∂textbook/∂x1 = x2 + cos(x1)" in row(text, "∂textbook/∂x1")


def test_forward_markdown_and_latex():
    trace = tg.explain(textbook, 2.0, 3.0, mode="forward", seed=(1.0, 0.0))
    markdown = trace.to_markdown()
    assert "#### Forward pass" in markdown and "Reverse pass" not in markdown
    for statement, value, tangent_statement, tangent in FORWARD_TEXT:
        line = [c.strip() for c in row(markdown, f"`{statement}`").split("|")]
        assert [value, tangent_statement, tangent] == line[2:5], statement
    latex = trace.to_latex()
    assert "\\begin{array}{lllll}" in latex and "\\text{tangent}" in latex
    for statement, value, tangent_statement, tangent in FORWARD_LATEX:
        line = [c.strip() for c in row(latex, statement + " &").rstrip(" \\").split("&")]
        assert line[1:4] == [tangent_statement, value, tangent], statement


def test_forward_runs_once_per_input_direction():
    trace = tg.explain(textbook, 2.0, 3.0, mode="forward")
    assert [d.seeds for d in trace.directions] == [{"x1": 1.0, "x2": 0.0}, {"x1": 0.0, "x2": 1.0}]
    text = str(trace)
    assert "one run per input direction" in text
    assert "Forward pass, direction 1 of 2" in text and "Forward pass, direction 2 of 2" in text
    assert "∂textbook/∂x2 = x1" in text
    assert [d.tangent for d in trace.directions] == list(tg.grad(textbook, wrt=(0, 1))(2.0, 3.0))
    assert trace.gradients == {} and trace.reverse == []


@pytest.mark.parametrize(
    ("f", "args", "seed"),
    [
        (textbook, (2.0, 3.0), None),
        (textbook, (2.0, 3.0), (0.5, -2.0)),
        (fan_out, (2.0, 3.0), None),
        (power_tower, (1.5, 4), None),
        (piecewise, (3.0,), 2.0),
        (loss, (np.array([0.1, -0.2, 0.3]), np.arange(6.0).reshape(2, 3) / 6), None),
    ],
)
def test_forward_tangents_agree_with_jvp(f, args, seed):
    trace = tg.explain(f, *args, mode="forward", seed=seed)
    wrt = tuple(i for i, item in enumerate(trace.inputs) if item.variable)
    for direction in trace.directions:
        given = tuple(direction.seeds.values())
        value, tangent = tg.jvp(f, wrt=wrt)(*args, seed=given if len(given) > 1 else given[0])
        output = direction.steps[-1]
        assert output.site.kind == "output" and np.allclose(output.tangent, tangent)
        assert np.allclose(direction.tangent, tangent) and np.allclose(output.value, value)


def test_forward_loop_shows_each_iteration_tangent():
    trace = tg.explain(power_tower, 1.5, 10, mode="forward", iterations=2)
    text = str(trace)
    assert "10 iterations" in row(text, "for _ in w3:")
    assert "… 8 more iterations, not shown" in text
    tangents = [cells(line)[3] for line in text.splitlines() if "y_dot = w4_dot" in line]
    assert tangents == ["1", "4"]  # y_dot after iterations 1 and 2: 1, then 1.5 * 1 + 2.5
    assert trace.directions[0].tangent == tg.jvp(power_tower)(1.5, 10)[1]


def test_forward_branch_is_shown_taken():
    shown = str(tg.explain(piecewise, 3.0, mode="forward"))
    assert "The derivative as the optimized code computes it" in shown
    text = shown.split("The derivative as")[0]
    line = str(piecewise.__code__.co_firstlineno + 2)
    assert cells(row(text, "if w2:"))[1:] == ["True", line, "then branch taken"]
    assert cells(row(text, "y = x * x"))[1:4] == ["9", "y_dot = x * x_dot + x * x_dot", "6"]
    assert "4 iterations" in row(text, "while w3:")


def test_forward_seed_must_match_wrt():
    with pytest.raises(TangentishError, match="seed has 3 tangents"):
        tg.explain(textbook, 2.0, 3.0, mode="forward", seed=(1.0, 0.0, 0.0))


def test_forward_html_and_dot():
    trace = tg.explain(textbook, 2.0, 3.0, mode="forward", seed=(1.0, 0.0))
    assert "<th>tangent</th>" in trace._repr_html_()
    graph = trace.to_dot()
    assert '"_v2" [label="w4 = np.sin(x1)\\n= 0.9093\\nw4_dot = -0.4161"];' in graph
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg"], input=graph, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
