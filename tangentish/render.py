"""Render: a `Trace` as an aligned text table, Markdown, LaTeX, Graphviz DOT or HTML.

Every format shows the same lines: `lines` flattens a section of the trace (loops as a header, the
first iterations with their steps, then a summary) into `Line`s whose cells a style spells (see
`styles`); each format only lays them out. Reverse mode has a forward and a reverse pass; forward
mode a forward pass per input direction, each step with its tangent, and no reverse pass.
"""

from __future__ import annotations

import html as html_module
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from .notation import format_value
from .styles import LatexStyle, TextStyle
from .trace import (
    ADJOINT,
    BRANCH,
    OUTPUT,
    PRIMITIVE,
    RECORD,
    RESTORE,
    SEED,
    ZERO,
    Loop,
    Node,
    Step,
)

if TYPE_CHECKING:
    from .explain import Trace

FORWARD_COLUMNS = ("step", "value", "line", "note")
REVERSE_COLUMNS = ("step", "local partial", "value", "line")
TANGENT_COLUMNS = ("step", "value", "tangent step", "tangent", "line", "note")  # forward mode


@dataclass(frozen=True)
class Line:
    """One row of a section: its indentation and its cells (by column name)."""

    depth: int
    cells: dict[str, str]
    heading: bool = False  # an iteration's header or a summary, not a statement


def lines(nodes: list[Node], style: TextStyle, depth: int = 0, base: int = 0) -> Iterator[Line]:
    """The rows of a section. `base` is the static depth of the block the nodes run in."""
    for node in nodes:
        indent = depth + node.site.depth - base
        if isinstance(node, Loop):
            yield from _loop(node, style, indent)
        else:
            yield Line(indent, _cells(node, style))


def _loop(loop: Loop, style: TextStyle, indent: int) -> Iterator[Line]:
    site = loop.site
    backwards = site.phase == "reverse"
    note = f"{loop.trips} iteration{'s' * (loop.trips != 1)}"
    note += ", as many as the forward pass ran, last first" if backwards else ""
    header = style.header(site.statement)
    yield Line(indent, {"step": header, "value": style.words(note), "line": _line(site)})
    for iteration in loop.iterations:
        if backwards:
            title = f"iteration {loop.trips - iteration.number + 1} of {loop.trips}, reversed"
        else:
            title = f"iteration {iteration.number}"
            if iteration.target is not None:
                target = style.notation.text(site.statement.target)
                title += f": {target} = {format_value(iteration.target, style.digits)}"
        yield Line(indent + 1, {"step": style.words(title)}, heading=True)
        yield from lines(iteration.steps, style, indent + 2, site.depth + 1)
    hidden = loop.trips - len(loop.iterations)
    if hidden:
        more = f"… {hidden} more iteration{'s' * (hidden != 1)}, not shown"
        yield Line(indent + 1, {"step": style.words(more)}, heading=True)


def _line(site: Any) -> str:
    return str(getattr(site.statement, "lineno", "") or "")


def _cells(step: Step, style: TextStyle) -> dict[str, str]:
    site = step.site
    kind, statement = site.kind, site.statement
    cells = {"value": style.value(step.value), "line": _line(site)}
    if site.tangent is not None:
        cells["tangent step"] = style.code(site.tangent)
    if step.tangent is not None:
        cells["tangent"] = style.value(step.tangent)
    if kind in (PRIMITIVE, RECORD, RESTORE):
        cells["step"] = style.code(statement)
        if kind == RECORD:
            cells["note"] = style.words("recorded for the reverse pass")
        elif kind == RESTORE:
            cells["local partial"] = style.words("the recorded value, restored")
    elif kind == OUTPUT:
        cells["step"] = style.words("return ") + style.code(statement.value)
        cells["note"] = style.words("the output")
    elif kind == BRANCH:
        cells["step"] = style.header(statement)
        went = ("then" if step.value else "else") + " branch"
        replayed = site.phase == "reverse"
        key = "local partial" if replayed else "note"
        cells[key] = style.words(f"replays the {went}" if replayed else f"{went} taken")
    elif kind in (SEED, ZERO):
        target = statement.targets[0].id
        primal = style.name(style.notation.adjoints[target])
        cells["step"] = style.code(statement)
        if kind == SEED:
            cells["local partial"] = (
                style.partial(primal, primal) + " = 1" + style.words(", the seed")
            )
        else:
            cells["local partial"] = style.words("zero until a contribution arrives")
    elif kind == ADJOINT:
        cells.update(_adjoint(step, style))
    return cells


def _adjoint(step: Step, style: TextStyle) -> dict[str, str]:
    contribution = step.site.contribution
    target = step.site.statement.targets[0]
    cells: dict[str, str] = {"local partial": style.words("from an adjoint rule or function")}
    if contribution is not None and contribution.previous is not None:
        term = style.code(contribution.term)
        cells["step"] = style.accumulate(style.code(target), term)
        parts = (style.value(step.previous), style.value(step.term), style.value(step.value))
        cells["value"] = "{} + {} = {}".format(*parts)
    else:
        cells["step"] = style.code(step.site.statement)
        cells["value"] = style.value(step.value)
    if contribution is not None and contribution.output and contribution.partial is not None:
        text = style.partial(style.name(contribution.output), style.name(contribution.input))
        text += f" = {style.code(contribution.partial, math_style=True)}"
        if not isinstance(contribution.partial, gast.Constant):
            text += f" = {style.value(step.partial)}"
        cells["local partial"] = text
    return cells


def _title(trace: Trace) -> str:
    given = ", ".join(f"{i.name} = {format_value(i.value, trace.digits)}" for i in trace.inputs)
    wrt = ", ".join(i.name for i in trace.inputs if i.variable)
    if trace.mode == "reverse":
        seed = f"seed {format_value(trace.seed, trace.digits)}"
    elif trace.seed is None and len(trace.directions[0].seeds) > 1:
        seed = "one run per input direction"
    else:
        seeds = trace.directions[0].seeds.items()
        seed = "seed " + ", ".join(f"{n}_dot = {format_value(v, trace.digits)}" for n, v in seeds)
    call = f"{trace.function}({', '.join(i.name for i in trace.inputs)})"
    return f"{call} at {given}: {trace.mode} mode with respect to {wrt}, {seed}"


def _inputs(trace: Trace, style: TextStyle, seeds: dict[str, Any]) -> Iterator[Line]:
    """The inputs' rows; in forward mode, with their tangents: the seeds."""
    for item in trace.inputs:
        number = trace.notation.number[item.name]
        cells = {"step": f"{style.variable(item.name, number)} = {style.variable(item.name)}"}
        cells["value"] = style.value(item.value)
        cells["note"] = style.words("input" if item.variable else "input, held constant")
        if item.name in seeds:
            cells["tangent"] = style.value(seeds[item.name])
            cells["note"] = style.words("input: its tangent is the seed")
        yield Line(0, cells)


def _gradient(trace: Trace, style: TextStyle) -> Iterator[Line]:
    for name, value in trace.gradients.items():
        label = style.partial(style.variable(trace.function), style.variable(name))
        if name in trace.symbolic:
            label += " = " + style.expression(trace.symbolic[name])
        yield Line(0, {"derivative": label, "value": style.value(value)})


def _tangents(trace: Trace, style: TextStyle) -> Iterator[Line]:
    """Forward mode's result: the output's tangent along each direction; along one input's unit
    direction, that is the partial derivative with respect to that input."""
    output = style.variable(trace.function)
    for direction in trace.directions:
        seeds = direction.seeds
        unit = [n for n, v in seeds.items() if np.ndim(v) == 0 and v == 1]
        zero = all(np.ndim(v) == 0 and v == 0 for n, v in seeds.items() if n not in unit)
        if len(unit) == 1 and zero:
            label = style.partial(output, style.variable(unit[0]))
        else:
            given = ", ".join(
                f"{n}_dot = {format_value(v, trace.digits)}" for n, v in seeds.items()
            )
            label = style.dotted(output) + style.words(f" ({given})")
        if direction.expression is not None:
            label += " = " + style.expression(direction.expression)
        yield Line(0, {"derivative": label, "value": style.value(direction.tangent)})


def _sections(trace: Trace, style: TextStyle) -> list[tuple[str, tuple[str, ...], list[Line]]]:
    if trace.mode == "forward":
        count = len(trace.directions)
        found = []
        for number, direction in enumerate(trace.directions, start=1):
            title = "Forward pass" + (f", direction {number} of {count}" if count > 1 else "")
            rows = [*_inputs(trace, style, direction.seeds), *lines(direction.steps, style)]
            found.append((title, TANGENT_COLUMNS, rows))
        return [*found, ("Derivative", ("derivative", "value"), list(_tangents(trace, style)))]
    forward = [*_inputs(trace, style, {}), *lines(trace.forward, style)]
    reverse = list(lines(trace.reverse, style))
    gradient = list(_gradient(trace, style))
    return [
        ("Forward pass", FORWARD_COLUMNS, forward),
        ("Reverse pass", REVERSE_COLUMNS, reverse),
        ("Gradient", ("derivative", "value"), gradient),
    ]


def _expressions(trace: Trace) -> bool:
    """Whether every derivative shown has an expression (else the page shows the code)."""
    if trace.mode == "forward":
        return all(d.expression is not None for d in trace.directions)
    return bool(trace.symbolic)


#: Shown when the derivative has no single expression (control flow, or too long to read).
PROGRAM = "The derivative as the optimized code computes it (no single expression here):"


def text(trace: Trace) -> str:
    """The trace as aligned columns under the headings "Forward pass" and "Reverse pass"."""
    out = [_title(trace)]
    for title, columns, rows in _sections(trace, TextStyle(trace.notation, trace.digits)):
        table = [[r.cells.get(c, "") for c in columns] for r in rows]
        for row, line in zip(table, rows):
            row[0] = "  " * line.depth + row[0]
        widths = [max(len(c), *(len(row[i]) for row in table)) for i, c in enumerate(columns)]
        out += ["", title, "  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
    if not _expressions(trace):
        out += ["", PROGRAM, *("  " + s for s in trace.source.splitlines())]
    return "\n".join(out) + "\n"


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(trace: Trace) -> str:
    """The trace as Markdown tables, one per section."""
    out = [f"**{_markdown_cell(_title(trace))}**"]
    for title, columns, rows in _sections(trace, TextStyle(trace.notation, trace.digits)):
        out += ["", f"#### {title}", "", "| " + " | ".join(columns) + " |"]
        out.append(
            "|" + "|".join("--:" if c in ("value", "line") else ":--" for c in columns) + "|"
        )
        for row in rows:
            cells = []
            for column in columns:
                cell = row.cells.get(column, "")
                if column == columns[0] and cell:
                    cell = f"*{cell}*" if row.heading else f"`{cell}`"
                    cell = "&emsp;" * row.depth + cell
                cells.append(_markdown_cell(cell))
            out.append("| " + " | ".join(cells) + " |")
    if not _expressions(trace):
        out += ["", PROGRAM, "", "```python", trace.source.rstrip(), "```"]
    return "\n".join(out) + "\n"


def latex(trace: Trace) -> str:
    """The trace as a LaTeX `array` in display math, in the textbook's notation."""
    forward_mode = trace.mode == "forward"
    middle = ("tangent step", "value", "tangent") if forward_mode else ("local partial", "value")
    out = ["\\[", "\\begin{array}{" + "l" * (len(middle) + 2) + "}"]
    for title, columns, rows in _sections(trace, LatexStyle(trace.notation, trace.digits)):
        heads = [c if c in columns else "" for c in (*middle, "line")]
        heads[0] = heads[0] or ("note" if "note" in columns else "")
        heads = [f"\\text{{{c}}}" if c else "" for c in heads]
        out.append(" & ".join([f"\\textbf{{{title}}}", *heads]) + " \\\\ \\hline")
        for row in rows:
            get = row.cells.get
            cells = ["\\quad " * row.depth + get(columns[0], "")]
            cells += [get(c, "") for c in middle]
            cells[1] = cells[1] or get("note", "")
            line = get("line", "")
            cells.append(f"\\text{{line {line}}}" if line else "")
            out.append(" & ".join(cells) + " \\\\")
        out.append("\\\\")
    return "\n".join([*out, "\\end{array}", "\\]"]) + "\n"


def html(trace: Trace) -> str:
    """The trace as HTML tables (what Jupyter shows)."""
    style = TextStyle(trace.notation, trace.digits)
    out = [f"<div class='tangentish-trace'><p><b>{html_module.escape(_title(trace))}</b></p>"]
    for title, columns, rows in _sections(trace, style):
        out.append(f"<h4>{title}</h4><table><tr>")
        out += [f"<th>{c}</th>" for c in columns]
        out.append("</tr>")
        for row in rows:
            out.append("<tr>")
            for column in columns:
                cell = html_module.escape(row.cells.get(column, ""))
                if column == columns[0]:
                    inner = f"<i>{cell}</i>" if row.heading else f"<code>{cell}</code>"
                    cell = f"<span style='padding-left:{1.5 * row.depth}em'>{inner}</span>"
                out.append(f"<td style='text-align:left'>{cell}</td>")
            out.append("</tr>")
        out.append("</table>")
    if not _expressions(trace):
        out.append(f"<p>{PROGRAM}</p><pre>{html_module.escape(trace.source)}</pre>")
    return "".join(out) + "</div>"


def dot(trace: Trace) -> str:
    """The computational graph in Graphviz DOT: a node per variable with its value and adjoint
    (in forward mode, its tangent along each direction), an edge per operand with its local
    partial (reverse mode). In loops, the values are the last ones."""
    style = TextStyle(trace.notation, trace.digits)
    nodes = {
        i.name: f"w{trace.notation.number[i.name]} = {i.name}\n= {style.value(i.value)}"
        for i in trace.inputs
    }
    edges: dict[tuple[str, str], str] = {}
    adjoints = _tangent_labels(trace, style)
    output = None
    for step in trace.last:
        site, statement = step.site, step.site.statement
        if site.kind == PRIMITIVE and isinstance(statement.targets[0], gast.Name):
            target = statement.targets[0].id
            nodes[target] = f"{style.code(statement)}\n= {style.value(step.value)}"
            for operand in gast.walk(statement.value):
                if isinstance(operand, gast.Name) and operand.id in nodes:
                    edges.setdefault((operand.id, target), "")
        elif site.kind in (SEED, ADJOINT, ZERO):
            primal = trace.notation.adjoints[statement.targets[0].id]
            adjoints[primal] = f"\n{style.name(primal)}_bar = {style.value(step.value)}"
            pair = (site.contribution.input, site.contribution.output) if site.contribution else ()
            if pair in edges:
                edges[pair] = _cells(step, style)["local partial"]
        elif site.kind == OUTPUT:
            output = getattr(statement.value, "id", None)
    out = [
        f"digraph {_quote(trace.function)} {{",
        "  rankdir=LR;",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for name, label in nodes.items():
        attributes = [f"label={_quote(label + adjoints.get(name, ''))}"]
        if name in trace.notation.params:
            attributes.append("shape=ellipse")
        if name == output:
            attributes.append("peripheries=2")
        out.append(f"  {_quote(name)} [{', '.join(attributes)}];")
    for (source, target), partial in edges.items():
        out.append(f"  {_quote(source)} -> {_quote(target)} [label={_quote(partial)}];")
    return "\n".join([*out, "}"]) + "\n"


def _tangent_labels(trace: Trace, style: TextStyle) -> dict[str, str]:
    """Forward mode: each variable's tangents as lines of its node's label, one per direction."""
    labels: dict[str, str] = {}
    count = len(trace.directions)
    for number, direction in enumerate(trace.directions, start=1):
        found = dict(direction.seeds)
        for step in direction.last:
            target = step.site.statement.targets[0] if step.site.kind == PRIMITIVE else None
            if isinstance(target, gast.Name) and step.tangent is not None:
                found[target.id] = step.tangent
        which = f" (direction {number})" if count > 1 else ""
        for name, tangent in found.items():
            text = f"\n{style.name(name)}_dot = {style.value(tangent)}{which}"
            labels[name] = labels.get(name, "") + text
    return labels


def _quote(text: str) -> str:
    """A DOT string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
