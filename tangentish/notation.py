"""Notation: how `explain` spells names, numbers and expressions, as text and as LaTeX.

The compiler's temporaries are Wengert's w_i, numbered after the parameters in the order the
Wengert list defines them (for `x1 * x2 + np.sin(x1)`: w1 = x1, w2 = x2, w3 = x1 * x2, ...). Text
keeps the user's names wherever there are any (`x1`, `w3`, `x1_bar`, `w3_dot`); LaTeX writes the
textbook's notation (`w_{1}`, `\\bar{w}_{3}`, `\\dot{w}_{3}`), parameters included, and the user's
other variables by name.

>>> import gast
>>> n = Notation(params=("x1", "x2"), temporaries=("_v1",), adjoints={"_v1_bar": "_v1"})
>>> expr = gast.parse("_v1_bar * x2").body[0].value
>>> n.text(expr), n.latex(expr)
('w3_bar * x2', '\\\\bar{w}_{3} \\\\cdot w_{2}')
>>> format_value(6.909297426825682, 4), format_value(2.0, 4), latex_number("1e-05")
('6.909', '2', '1 \\\\times 10^{-5}')
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import gast
import numpy as np

#: LaTeX for the functions textbooks write with an operator name.
_FUNCTIONS = {
    name: "\\" + name
    for name in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "arcsin", "arccos")
} | {"arctan": "\\arctan", "sqrt": "\\sqrt"}
_BINARY = {
    gast.Add: (" + ", 1),
    gast.Sub: (" - ", 1),
    gast.Mult: (" \\cdot ", 2),
    gast.MatMult: (" \\mathbin{@} ", 2),
    gast.Mod: (" \\bmod ", 2),
    gast.FloorDiv: (" \\mathbin{//} ", 2),
}
_COMPARE = {
    gast.Lt: "<",
    gast.Gt: ">",
    gast.LtE: "\\le",
    gast.GtE: "\\ge",
    gast.Eq: "=",
    gast.NotEq: "\\ne",
}
_ATOM = 9


def format_value(value: Any, digits: int) -> str:
    """A value as a person reads it: numbers to `digits` significant digits, arrays summarized by
    their shape and first few entries."""
    if isinstance(value, (bool, np.bool_, int, np.integer, str, range)) or value is None:
        return str(value)
    if isinstance(value, (float, np.floating)):
        return f"{float(value) + 0.0:.{digits}g}"  # + 0.0: -0.0 prints as 0
    if isinstance(value, np.ndarray):
        if value.ndim == 1 and value.size <= 4:
            return "[" + ", ".join(format_value(v, digits) for v in value.tolist()) + "]"
        if value.ndim == 0:
            return format_value(value[()], digits)
        head = ", ".join(format_value(v, digits) for v in value.ravel()[:3].tolist())
        more = ", …" if value.size > 3 else ""
        return f"array{value.shape} [{head}{more}]"
    if isinstance(value, (list, tuple)):
        items = [format_value(v, digits) for v in value[:4]]
        if len(value) > 4:
            items.append("…")
        if isinstance(value, list):
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return type(value).__name__


def latex_number(text: str) -> str:
    """A formatted number in LaTeX: `1e-05` as `1 \\times 10^{-5}`; anything else as text."""
    match = re.fullmatch(r"(-?[\d.]+)e([+-]\d+)", text)
    if match:
        return f"{match[1]} \\times 10^{{{int(match[2])}}}"
    if re.fullmatch(r"-?[\d.]+", text):
        return text
    return "\\text{" + latex_escape(text) + "}"


def latex_escape(text: str) -> str:
    """Text for LaTeX's text mode."""
    for char, escaped in (("\\", "\\textbackslash "), ("{", "\\{"), ("}", "\\}")):
        text = text.replace(char, escaped)
    for char in "_#%&$":
        text = text.replace(char, "\\" + char)
    return text.replace("^", "\\^{}").replace("~", "\\~{}").replace("…", "...")


def latex_identifier(name: str) -> str:
    """A variable name in LaTeX: `x1` as `x_{1}`, `y` as `y`, `total` as `\\mathit{total}`."""
    match = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if match:
        return f"{match[1]}_{{{match[2]}}}"
    if len(name) == 1 and name.isalpha():
        return name
    return "\\mathit{" + latex_escape(name) + "}"


class Notation:
    """Labels for one function's names: parameters, temporaries (w_i), adjoints (`_bar`) and
    tangents (`_dot`)."""

    def __init__(
        self,
        params: tuple[str, ...],
        temporaries: tuple[str, ...],
        adjoints: dict[str, str],
        modules: frozenset[str] = frozenset(),
        tangents: dict[str, str] | None = None,
    ) -> None:
        self.params = params
        self.number = {name: i for i, name in enumerate(params + temporaries, start=1)}
        self.temporaries = frozenset(temporaries)
        self.adjoints = adjoints  # adjoint name → its primal
        self.tangents = tangents or {}  # tangent name → its primal
        self.modules = modules  # names of `math` and NumPy, dropped from `np.cos(x)` in math

    def by_name(self) -> Notation:
        """This notation with the parameters spelled by name in LaTeX (`x_{1}`, not `w_{1}`)."""
        other = copy.copy(self)
        other.number = {k: v for k, v in self.number.items() if k not in self.params}
        return other

    def label(self, name: str) -> str:
        """A name as text: the user's where it is one, w_i for a temporary, `w3_bar` an adjoint,
        `w3_dot` a tangent."""
        if name in self.adjoints:
            return self.label(self.adjoints[name]) + "_bar"
        if name in self.tangents:
            return self.label(self.tangents[name]) + "_dot"
        if name in self.temporaries:
            return f"w{self.number[name]}"
        return name

    def latex_label(self, name: str) -> str:
        """A name in the textbook's notation: w_{i} for parameters and temporaries, \\bar{...} for
        adjoints, \\dot{...} for tangents."""
        for accent, derivatives in (("bar", self.adjoints), ("dot", self.tangents)):
            if name in derivatives:
                primal = derivatives[name]
                if primal in self.number:
                    return f"\\{accent}{{w}}_{{{self.number[primal]}}}"
                return f"\\{accent}{{" + self.latex_label(primal) + "}"
        if name in self.number:
            return f"w_{{{self.number[name]}}}"
        return latex_identifier(name)

    def text(self, node: gast.AST, math_style: bool = False) -> str:
        """Code with our labels; `math_style` also drops the module from `math.cos(x)`."""
        return gast.unparse(self._relabel(node, math_style)).strip()

    def _relabel(self, node: gast.AST, math_style: bool) -> gast.AST:
        notation = self

        class Relabel(gast.NodeTransformer):
            def visit_Name(self, name: gast.Name) -> gast.Name:
                return gast.Name(notation.label(name.id), name.ctx, None, None)

            def visit_Attribute(self, attribute: gast.Attribute) -> gast.AST:
                base = attribute.value
                if math_style and isinstance(base, gast.Name) and base.id in notation.modules:
                    return gast.Name(attribute.attr, attribute.ctx, None, None)
                return self.generic_visit(attribute)

        return Relabel().visit(copy.deepcopy(node))

    def latex(self, node: gast.AST) -> str:
        """An expression or simple statement in LaTeX."""
        if isinstance(node, gast.Assign):
            targets = " = ".join(self.latex(t) for t in node.targets)
            return f"{targets} = {self.latex(node.value)}"
        if isinstance(node, gast.Expr):
            return self.latex(node.value)
        return self._latex(node)[0]

    def _latex(self, node: gast.AST) -> tuple[str, int]:
        """LaTeX for `node` and its precedence (higher binds tighter)."""
        if isinstance(node, gast.Name):
            return self.latex_label(node.id), _ATOM
        if isinstance(node, gast.Constant):
            return self._constant(node.value), _ATOM
        if isinstance(node, gast.BinOp):
            return self._binary(node)
        if isinstance(node, gast.UnaryOp):
            operand = self._wrap(node.operand, 4)
            symbol = {gast.USub: "-", gast.UAdd: "+", gast.Not: "\\lnot ", gast.Invert: "\\sim "}
            return symbol[type(node.op)] + operand, 4
        if isinstance(node, gast.Compare):
            parts = [self._wrap(node.left, 1)]
            for op, right in zip(node.ops, node.comparators):
                parts += [_COMPARE.get(type(op), "\\mathrel{?}"), self._wrap(right, 1)]
            return " ".join(parts), 0
        if isinstance(node, gast.Call):
            return self._call(node), _ATOM
        if isinstance(node, gast.Attribute):
            if isinstance(node.value, gast.Name) and node.value.id in self.modules:
                return "\\mathrm{" + latex_escape(node.attr) + "}", _ATOM
            if node.attr == "T":
                return self._wrap(node.value, _ATOM) + "^{T}", _ATOM
            return self._wrap(node.value, _ATOM) + ".\\mathrm{" + latex_escape(
                node.attr
            ) + "}", _ATOM
        if isinstance(node, gast.Subscript):
            return f"{self._wrap(node.value, _ATOM)}[{self._latex(node.slice)[0]}]", _ATOM
        if isinstance(node, (gast.Tuple, gast.List)):
            inner = ", ".join(self._latex(e)[0] for e in node.elts)
            return (f"({inner})" if isinstance(node, gast.Tuple) else f"[{inner}]"), _ATOM
        if isinstance(node, gast.Slice):
            parts = (node.lower, node.upper, node.step)
            return ":".join("" if p is None else self._latex(p)[0] for p in parts), _ATOM
        return "\\texttt{" + latex_escape(gast.unparse(node).strip()) + "}", _ATOM

    def _wrap(self, node: gast.AST, precedence: int) -> str:
        text, own = self._latex(node)
        return f"\\left({text}\\right)" if own < precedence else text

    def _binary(self, node: gast.BinOp) -> tuple[str, int]:
        if isinstance(node.op, gast.Div):
            return f"\\frac{{{self._latex(node.left)[0]}}}{{{self._latex(node.right)[0]}}}", _ATOM
        if isinstance(node.op, gast.Pow):
            return f"{self._wrap(node.left, _ATOM)}^{{{self._latex(node.right)[0]}}}", 5
        symbol, precedence = _BINARY[type(node.op)]
        right = self._wrap(node.right, precedence + 1)  # a - (b - c) keeps its parentheses
        return self._wrap(node.left, precedence) + symbol + right, precedence

    def _call(self, node: gast.Call) -> str:
        func = node.func
        name = None
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            name = func.attr if func.value.id in self.modules else None
        elif isinstance(func, gast.Name):
            name = func.id
        args = [self._latex(a)[0] for a in node.args]
        args += [
            f"\\mathrm{{{latex_escape(k.arg or '')}}}{{=}}{self._latex(k.value)[0]}"
            for k in node.keywords
        ]
        if name == "sqrt" and len(args) == 1:
            return f"\\sqrt{{{args[0]}}}"
        if name in _FUNCTIONS:
            head = _FUNCTIONS[name]
        elif name is not None:
            head = "\\operatorname{" + latex_escape(name) + "}"
        else:
            head = self._latex(func)[0]
        return head + "\\left(" + ", ".join(args) + "\\right)"

    @staticmethod
    def _constant(value: Any) -> str:
        if isinstance(value, float) and value.is_integer() and math.isfinite(value):
            return str(int(value))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return latex_number(repr(value))
        return "\\text{" + latex_escape(repr(value)) + "}"
