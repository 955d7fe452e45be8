"""Styles: how a trace's cells are spelled, as text (the user's names, temporaries w_i, adjoints
`_bar`, tangents `_dot`) or as LaTeX math in the textbook's notation (w_i, \\bar{w}_i, \\dot{w}_i).
"""

from __future__ import annotations

from typing import Any

import gast

from .notation import Notation, format_value, latex_escape, latex_identifier, latex_number


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

    def dotted(self, name: str) -> str:
        """The tangent of a variable spelled by `variable`."""
        return f"{name}_dot"

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

    def dotted(self, name: str) -> str:
        return f"\\dot{{{name}}}"

    def header(self, node: gast.stmt) -> str:
        if isinstance(node, gast.For):
            target, iterable = self.code(node.target), self.code(node.iter)
            return f"\\textbf{{for }} {target} \\textbf{{ in }} {iterable}"
        keyword = "if" if isinstance(node, gast.If) else "while"
        return f"\\textbf{{{keyword} }} {self.code(node.test)}"
