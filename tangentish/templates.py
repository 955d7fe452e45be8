"""Templates: derivative rules written as real Python functions, inlined into generated code.

A rule is a small function whose body is `return <expr>` or `return <expr>, <expr>, ...` (one entry
per differentiable input, `None` for an input without a derivative). Its parameters are the primal
function's parameters, plus the keyword-only `y` (the primal output) and `g` (the output's adjoint).
`xp` in a rule stands for the array module of the code being generated: `math` for Python floats,
`numpy` otherwise. Expanding a template substitutes the call's operands for the parameters and binds
every other name the rule reads (`np`, a runtime helper) in the generated function's closure.

>>> import numpy as np
>>> def rule(x, *, y):
...     return np.cos(x) * y
>>> t = template_of(rule)
>>> [gast.unparse(e).strip() for e in t.expand({"x": gast.Name("a", gast.Load(), None, None),
...     "y": gast.Name("b", gast.Load(), None, None)}, lambda name, obj: name)]
['np.cos(a) * b']
"""

from __future__ import annotations

import copy
import functools
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any, Callable

import gast

from .errors import InternalError

#: The keyword-only parameters a rule reads for the output's value and adjoint.
_RESERVED = ("g", "y")

#: How a template asks for a global it reads: (name in the rule, the object) → name to emit.
Binder = Callable[[str, Any], str]


@dataclass(frozen=True)
class Template:
    """A rule function's parameters and return expressions, ready to be instantiated."""

    name: str
    params: tuple[str, ...]
    defaults: dict[str, Any]
    varargs: str | None
    keywords: tuple[str, ...]
    outputs: tuple[gast.expr | None, ...]
    globals: dict[str, Any]

    def bind(self, args: list[gast.expr], keywords: dict[str, gast.expr]) -> dict[str, gast.expr]:
        """Match a call's operands to the template's parameters, as Python would; None if no fit."""
        bound: dict[str, gast.expr] = {}
        for name, arg in zip(self.params, args):
            bound[name] = arg
        extra = args[len(self.params) :]
        if extra:
            if self.varargs is None:
                raise TypeError(f"{self.name} takes {len(self.params)} positional arguments")
            bound[self.varargs] = gast.Tuple(elts=list(extra), ctx=gast.Load())
        options = [k for k in self.keywords if k not in _RESERVED]  # keyword-only parameters
        for key, value in keywords.items():
            if key not in (*self.params, *options) or key in bound:
                raise TypeError(f"{self.name} has no keyword argument {key!r} here")
            bound[key] = value
        for name in (*self.params, *options):
            if name not in bound:
                if name not in self.defaults:
                    raise TypeError(f"{self.name} needs argument {name!r}")
                bound[name] = gast.Constant(value=self.defaults[name], kind=None)
        if self.varargs is not None and self.varargs not in bound:
            bound[self.varargs] = gast.Tuple(elts=[], ctx=gast.Load())
        return bound

    def expand(
        self, args: dict[str, gast.expr], binder: Binder, only: set[int] | None = None
    ) -> tuple[gast.expr | None, ...]:
        """The output expressions with operands substituted and globals bound by `binder`."""
        return tuple(
            None
            if out is None or (only is not None and i not in only)
            else self._fill(out, args, binder)
            for i, out in enumerate(self.outputs)
        )

    def _fill(self, expr: gast.expr, args: dict[str, gast.expr], binder: Binder) -> gast.expr:
        filled = copy.deepcopy(expr)
        return _Substitute(args, self.globals, binder).visit(filled)


class _Substitute(gast.NodeTransformer):
    def __init__(self, args: dict[str, gast.expr], globals_: dict[str, Any], binder: Binder):
        self.args, self.globals, self.binder = args, globals_, binder

    def visit_Name(self, node: gast.Name) -> gast.expr:
        if node.id in self.args:
            return copy.deepcopy(self.args[node.id])
        if node.id == "xp":
            return gast.Name(self.binder("xp", None), gast.Load(), None, None)
        if node.id in self.globals:
            return gast.Name(self.binder(node.id, self.globals[node.id]), gast.Load(), None, None)
        import builtins

        if hasattr(builtins, node.id):
            return node
        raise InternalError(f"rule reads an unknown name {node.id!r}")


@functools.cache
def template_of(rule: Callable[..., Any]) -> Template:
    """Parse a rule function once into a `Template`."""
    source = textwrap.dedent(inspect.getsource(rule))
    node = gast.parse(source).body[0]
    body = [
        s
        for s in node.body
        if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))
    ]
    reserved = [p for p in inspect.signature(rule).parameters.values() if p.name in _RESERVED]
    if any(p.kind is not p.KEYWORD_ONLY for p in reserved):
        raise InternalError(
            f"rule {rule.__qualname__}: `g` and `y` name the output's adjoint and value, so they "
            "must be keyword-only (give the primal's parameter another name)"
        )
    if (
        not isinstance(node, gast.FunctionDef)
        or len(body) != 1
        or not isinstance(body[0], gast.Return)
    ):
        raise InternalError(f"rule {rule.__qualname__} must be a function of one return statement")
    value = body[0].value
    outputs = value.elts if isinstance(value, gast.Tuple) else [value]
    signature = inspect.signature(rule)
    params, defaults, varargs, keywords = [], {}, None, []
    for p in signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            varargs = p.name
        elif p.kind is p.KEYWORD_ONLY:
            keywords.append(p.name)
            if p.default is not p.empty:
                defaults[p.name] = p.default
        else:
            params.append(p.name)
            if p.default is not p.empty:
                defaults[p.name] = p.default
    return Template(
        name=rule.__qualname__,
        params=tuple(params),
        defaults=defaults,
        varargs=varargs,
        keywords=tuple(keywords),
        outputs=tuple(
            None if isinstance(o, gast.Constant) and o.value is None else o for o in outputs
        ),
        globals=dict(inspect.getclosurevars(rule).globals),
    )
