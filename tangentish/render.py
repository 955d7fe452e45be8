"""Render: a `Trace` as an aligned text table, Markdown, LaTeX, Graphviz DOT or HTML.

Every format shows the same lines: `lines` flattens a section of the trace (loops as a header, the
first iterations with their steps, then a summary) into `Line`s whose cells a `Style` spells (text
in the user's names, or LaTeX in the textbook's w_i and \\bar{w}_i); each format only lays them out.
"""

from __future__ import annotations

import html as html_module
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gast

from .notation import Notation, format_value, latex_escape, latex_identifier, latex_number
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


@dataclass(frozen=True)
class Line:
    """One row of a section: its indentation and its cells (by column name)."""

    depth: int
    cells: dict[str, str]
    heading: bool = False  # an iteration's header or a summary, not a statement


class TextStyle:
    """Cells as text: the user's names, temporaries w_i, adjoints `_bar`."""

    def __init__(self, notation: Notation, digits: int) -> None:
        self.notation, self.digits = notation, digits

    def name(self, name: str) -> str:
        return self.notation.label(name)

    def code(self, node: gast.AST, math_style: bool = False) -> str:
        return self.notation.text(node, math_style)

    def value(self, value: Any) -> str:
        return format_value(value, self.digits)

    def expression(self, node: gast.expr) -> str:
        """A derivative as an expression of the inputs, in mathematical notation."""
        return self.notation.text(node, math_style=True)

    def words(self, text: str) -> str:
        return text

    def variable(self, name: str, number: int | None = None) -> str:
        """A parameter or the function as the user spells it, or its w_i when `number` is given."""
        return name if number is None else f"w{number}"

    def partial(self, output: str, wrt: str) -> str:
        return f"∂{output}/∂{wrt}"

    def accumulate(self, target: str, term: str) -> str:
        return f"{target} += {term}"

    def header(self, node: gast.stmt) -> str:
        """A block's first line: `for i in w1:`, `if w3:`, `while w6:`."""
        if isinstance(node, gast.For):
            return f"for {self.code(node.target)} in {self.code(node.iter)}:"
        keyword = "if" if isinstance(node, gast.If) else "while"
        return f"{keyword} {self.code(node.test)}:"


class LatexStyle(TextStyle):
    """Cells in LaTeX math, in the textbook's notation."""

    def name(self, name: str) -> str:
        return self.notation.latex_label(name)

    def code(self, node: gast.AST, math_style: bool = False) -> str:
        return self.notation.latex(node)

    def value(self, value: Any) -> str:
        return latex_number(format_value(value, self.digits))

    def expression(self, node: gast.expr) -> str:
        return self.notation.by_name().latex(node)

    def words(self, text: str) -> str:
        return "\\text{" + latex_escape(text) + "}"

    def variable(self, name: str, number: int | None = None) -> str:
        return latex_identifier(name) if number is None else f"w_{{{number}}}"

    def partial(self, output: str, wrt: str) -> str:
        return f"\\partial {output} / \\partial {wrt}"

    def accumulate(self, target: str, term: str) -> str:
        return f"{target} \\mathrel{{+}}= {term}"

    def header(self, node: gast.stmt) -> str:
        if isinstance(node, gast.For):
            target, iterable = self.code(node.target), self.code(node.iter)
            return f"\\textbf{{for }} {target} \\textbf{{ in }} {iterable}"
        keyword = "if" if isinstance(node, gast.If) else "while"
        return f"\\textbf{{{keyword} }} {self.code(node.test)}"


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
    wrt = ", ".join(trace.gradients)
    seed = format_value(trace.seed, trace.digits)
    call = f"{trace.function}({', '.join(i.name for i in trace.inputs)})"
    return f"{call} at {given}: {trace.mode} mode with respect to {wrt}, seed {seed}"


def _inputs(trace: Trace, style: TextStyle) -> Iterator[Line]:
    for item in trace.inputs:
        number = trace.notation.number[item.name]
        step = f"{style.variable(item.name, number)} = {style.variable(item.name)}"
        note = "input" if item.variable else "input, held constant"
        yield Line(0, {"step": step, "value": style.value(item.value), "note": style.words(note)})


def _gradient(trace: Trace, style: TextStyle) -> Iterator[Line]:
    for name, value in trace.gradients.items():
        label = style.partial(style.variable(trace.function), style.variable(name))
        if name in trace.symbolic:
            label += " = " + style.expression(trace.symbolic[name])
        yield Line(0, {"derivative": label, "value": style.value(value)})


def _sections(trace: Trace, style: TextStyle) -> list[tuple[str, tuple[str, ...], list[Line]]]:
    forward = [*_inputs(trace, style), *lines(trace.forward, style)]
    reverse = list(lines(trace.reverse, style))
    gradient = list(_gradient(trace, style))
    return [
        ("Forward pass", FORWARD_COLUMNS, forward),
        ("Reverse pass", REVERSE_COLUMNS, reverse),
        ("Gradient", ("derivative", "value"), gradient),
    ]


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
    if not trace.symbolic:
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
    if not trace.symbolic:
        out += ["", PROGRAM, "", "```python", trace.source.rstrip(), "```"]
    return "\n".join(out) + "\n"


def latex(trace: Trace) -> str:
    """The trace as a LaTeX `array` in display math, in the textbook's notation."""
    out = ["\\[", "\\begin{array}{llll}"]
    for title, columns, rows in _sections(trace, LatexStyle(trace.notation, trace.digits)):
        heads = [c if c in columns else "" for c in ("local partial", "value", "line")]
        heads[0] = heads[0] or ("note" if "note" in columns else "")
        heads = [f"\\text{{{c}}}" if c else "" for c in heads]
        out.append(" & ".join([f"\\textbf{{{title}}}", *heads]) + " \\\\ \\hline")
        for row in rows:
            get = row.cells.get
            second = get("local partial") or get("note", "")
            cells = ["\\quad " * row.depth + get(columns[0], ""), second, get("value", "")]
            cells.append(get("line", ""))
            if cells[-1]:
                cells[-1] = f"\\text{{line {cells[-1]}}}"
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
    if not trace.symbolic:
        out.append(f"<p>{PROGRAM}</p><pre>{html_module.escape(trace.source)}</pre>")
    return "".join(out) + "</div>"


def dot(trace: Trace) -> str:
    """The computational graph in Graphviz DOT: a node per variable with its value and adjoint,
    an edge per operand with its local partial. In loops, the values are the last ones."""
    style = TextStyle(trace.notation, trace.digits)
    nodes = {
        i.name: f"w{trace.notation.number[i.name]} = {i.name}\n= {style.value(i.value)}"
        for i in trace.inputs
    }
    edges: dict[tuple[str, str], str] = {}
    adjoints: dict[str, str] = {}
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


def _quote(text: str) -> str:
    """A DOT string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
