"""Explain: the forward and reverse pass of one call, step by step, with every value.

`explain(f, *args)` takes the mechanical adjoint of `f` (`optimized=False`: one statement per
Wengert primitive, the seed, one adjoint statement per primitive), instruments a copy of it (after
each statement a call that records the value it computed, at each branch the way it went, at each
loop its iterations), compiles and runs that copy on `args`, and returns a `Trace` of the steps
(see `trace`). The symbolic view is read from the optimized code for the same kinds of arguments;
`render` prints traces as text, Markdown, LaTeX, Graphviz and HTML.

>>> import numpy as np
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> trace = explain(f, 2.0, 3.0)
>>> from tangentish.notation import format_value
>>> [format_value(step.value, 4) for step in trace.forward]
['6', '0.9093', '6.909', '6.909']
>>> trace.gradients
{'x1': 2.5838531634528574, 'x2': 2.0}
"""

from __future__ import annotations

import copy
import inspect
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

import gast
import numpy as np

from . import codegen, kinds, render, runtime
from .adjoint import load
from .api import Wrt, _check_differentiable, _positions
from .errors import TangentishError, WrtError
from .notation import Notation
from .pipeline import Stages, stages
from .symbolic import inline
from .trace import (
    ADJOINT,
    BRANCH,
    LOOP,
    OUTPUT,
    PRIMITIVE,
    RECORD,
    RESTORE,
    SEED,
    ZERO,
    Contribution,
    Input,
    Node,
    Recorder,
    Site,
    Step,
)

__all__ = ["Trace", "explain"]


@dataclass
class Trace:
    """What `explain` returns: print it, or render it as Markdown, LaTeX, Graphviz or HTML."""

    function: str
    mode: str
    inputs: list[Input]
    seed: Any
    forward: list[Node]
    reverse: list[Node]
    last: list[Step]  # each statement's last run, in program order: the graph's values
    value: Any
    gradients: dict[str, Any]
    symbolic: dict[str, gast.expr]  # wrt name → derivative; empty when the code has control flow
    source: str  # the optimized generated code: the derivative as a program
    notation: Notation
    digits: int

    def __str__(self) -> str:
        return render.text(self)

    def to_markdown(self) -> str:
        return render.markdown(self)

    def to_latex(self) -> str:
        return render.latex(self)

    def to_dot(self) -> str:
        return render.dot(self)

    def _repr_html_(self) -> str:
        return render.html(self)


def explain(
    f: Callable[..., Any],
    *args: Any,
    wrt: Wrt | None = None,
    seed: Any = 1.0,
    mode: str = "reverse",
    digits: int = 4,
    iterations: int = 3,
) -> Trace:
    """Run `f(*args)` and its adjoint step by step, recording every value.

    `wrt=None` differentiates with respect to every float or float-array argument (integers, such
    as loop counts, are inputs held constant). `digits` is the significant digits printed;
    `iterations` how many iterations of each loop are shown before the rest are summarized.
    """
    if mode == "forward":
        raise TangentishError(
            "explain(mode='forward'): the step-by-step view of forward mode is not built yet; "
            "use mode='reverse' (tg.jvp computes forward-mode derivatives)"
        )
    if mode != "reverse":
        raise TangentishError(f"mode is 'reverse' or 'forward', not {mode!r}")
    values = _arguments(f, args)
    positions = _floats(f, values) if wrt is None else _positions(f, wrt)
    _check_differentiable(f, values, positions)
    specialization = tuple(kinds.of_value(v) for v in values)
    done = stages(f, positions, optimized=False, preserve_result=True, kinds=specialization)
    final = stages(f, positions, kinds=specialization).final
    params = done.parsed.params
    names = tuple(params[i] for i in positions)
    notation = _notation(done)
    instrument = _Instrument(done, notation)
    node = instrument.function()
    recorder = Recorder(instrument.sites, iterations)
    bindings = {**done.adjoint.bindings, instrument.recorder: recorder}
    generated = codegen.generate(node, done.parsed, bindings, f"explain wrt={positions}")
    grads, value = generated.function(*values, seed)
    grads = grads if len(names) > 1 else (grads,)
    output = Step(Site(OUTPUT, "forward", done.wengert.body[-1], 0), value)
    recorder.sections["forward"].append(output)
    return Trace(
        function=done.parsed.node.name,
        mode=mode,
        inputs=[Input(p, v, p in names) for p, v in zip(params, values)],
        seed=seed,
        forward=recorder.sections["forward"],
        reverse=recorder.sections["reverse"],
        last=[*(recorder.last[n] for n in sorted(recorder.last)), output],
        value=value,
        gradients=dict(zip(names, grads)),
        symbolic=inline(final, names),
        source=codegen.render(final, done.parsed.filename),
        notation=notation,
        digits=digits,
    )


def _arguments(f: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, ...]:
    """`args` with `f`'s defaults filled in, one per parameter."""
    try:
        bound = inspect.signature(f).bind(*args)
    except TypeError as error:
        raise TangentishError(f"explain({f.__name__}, ...): {error}") from None
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _floats(f: Callable[..., Any], values: tuple[Any, ...]) -> tuple[int, ...]:
    """The positions of the float and float-array arguments: what `wrt=None` differentiates."""
    found = tuple(
        i
        for i, v in enumerate(values)
        if isinstance(v, (float, np.floating))
        or (isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating))
    )
    if not found:
        raise WrtError(
            f"explain({f.__name__}, ...) has no float argument to differentiate with respect to: "
            "integers are held constant; write 2.0 rather than 2, or pass wrt="
        )
    return found


def _notation(done: Stages) -> Notation:
    """Labels for this function: its temporaries (`_v1, _v2, ...`) are w_i, its adjoints `_bar`."""
    created = done.parsed.namespace.temporaries
    stored = _stored(done.wengert)
    temporaries = [n for n in stored if n in created and re.fullmatch(r"_v\d+", n)]
    primals = set(done.parsed.params) | set(stored)
    adjoints = {}
    for name in _stored(done.adjoint.node):
        match = re.fullmatch(r"(.+)_bar(_\d+)?", name)
        if name in created and match and match[1] in primals:
            adjoints[name] = match[1]
    found = {**done.parsed.fn.__globals__, **done.adjoint.bindings}
    modules = frozenset(n for n, v in found.items() if v is math or v is np)
    return Notation(done.parsed.params, tuple(temporaries), adjoints, modules)


def _stored(node: gast.AST) -> list[str]:
    """The names `node` assigns, each once, in the order the source assigns them first."""
    found: dict[str, None] = {}
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, gast.Name) and isinstance(current.ctx, gast.Store):
            found.setdefault(current.id)
        pending += reversed(list(gast.iter_child_nodes(current)))
    return list(found)


class _Instrument:
    """A copy of the mechanical adjoint with a call to the recorder after each shown statement."""

    def __init__(self, done: Stages, notation: Notation) -> None:
        self.done, self.notation = done, notation
        self.bindings = done.adjoint.bindings
        self.seed = done.adjoint.node.args.args[-1].id
        self.stack = done.adjoint.stack
        self.primitives = {
            (s.lineno, gast.unparse(s))
            for s in gast.walk(done.wengert)
            if isinstance(s, gast.Assign)
        }
        self.primals = set(done.parsed.params) | set(_stored(done.wengert))
        swept = done.adjoint.sweep
        self.read_in_sweep = {n.id for s in swept for n in gast.walk(s) if isinstance(n, gast.Name)}
        taken = {n.id for n in gast.walk(done.adjoint.node) if isinstance(n, gast.Name)}
        taken |= set(self.bindings)
        self.recorder = next(
            f"_explain{i}" for i in range(len(taken) + 1) if f"_explain{i}" not in taken
        )
        self.sites: dict[int, Site] = {}

    def function(self) -> gast.FunctionDef:
        node = copy.deepcopy(self.done.adjoint.node)
        split = len(self.done.adjoint.primal)
        forward = self.block(node.body[:split], "forward", 0)
        node.body = forward + self.block(node.body[split:-1], "reverse", 0) + node.body[-1:]
        return node

    def call(self, method: str, *args: gast.expr) -> gast.stmt:
        func = gast.Attribute(value=load(self.recorder), attr=method, ctx=gast.Load())
        return gast.Expr(value=gast.Call(func=func, args=list(args), keywords=[]))

    def site(self, kind: str, phase: str, statement: gast.stmt, depth: int, **more: Any) -> int:
        number = len(self.sites)
        self.sites[number] = Site(kind, phase, copy.deepcopy(statement), depth, **more)
        return number

    def block(self, body: list[gast.stmt], phase: str, depth: int) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for statement in body:
            if isinstance(statement, gast.If):
                number = gast.Constant(self.site(BRANCH, phase, statement, depth), None)
                statement.body = [
                    self.call("step", number, gast.Constant(True, None)),
                    *self.block(statement.body, phase, depth + 1),
                ]
                statement.orelse = [
                    self.call("step", number, gast.Constant(False, None)),
                    *self.block(statement.orelse, phase, depth + 1),
                ]
                out.append(statement)
            elif isinstance(statement, (gast.For, gast.While)):
                number = gast.Constant(self.site(LOOP, phase, statement, depth), None)
                target = (
                    load(statement.target.id)
                    if isinstance(statement, gast.For)
                    else gast.Constant(None, None)
                )
                statement.body = [
                    self.call("iteration", target),
                    *self.block(statement.body, phase, depth + 1),
                ]
                out += [self.call("loop", number), statement, self.call("end")]
            else:
                out += self.simple(statement, phase, depth)
        return out

    def simple(self, statement: gast.stmt, phase: str, depth: int) -> list[gast.stmt]:
        """The statement, with calls that record its value (and an adjoint's parts before it)."""
        shown = self.classify(statement, phase)
        if shown is None:
            return [statement]
        kind, where, recorded = shown
        contribution = self.contribution(statement) if kind == ADJOINT else None
        number = gast.Constant(
            self.site(kind, where, statement, depth, contribution=contribution), None
        )
        before = []
        if contribution is not None:
            parts = (contribution.partial, contribution.term, contribution.previous)
            before.append(
                self.call(
                    "parts",
                    *(gast.Constant(None, None) if p is None else copy.deepcopy(p) for p in parts),
                )
            )
        return [*before, statement, self.call("step", number, recorded)]

    def classify(self, statement: gast.stmt, phase: str) -> tuple[str, str, gast.expr] | None:
        """(kind, section, the value to record) for a statement a trace shows, else None."""
        if isinstance(statement, gast.Expr):
            call = statement.value
            pushes = (
                isinstance(call, gast.Call)
                and isinstance(call.func, gast.Attribute)
                and call.func.attr == "push"
                and isinstance(call.func.value, gast.Name)
                and call.func.value.id == self.stack
            )
            return (RECORD, phase, copy.deepcopy(call.args[0])) if pushes else None
        if not isinstance(statement, gast.Assign):
            return None
        target = statement.targets[0]
        value = _as_load(target)
        stored = _target_names(target)
        if any(n in self.notation.adjoints for n in stored):
            if isinstance(statement.value, gast.Name) and statement.value.id == self.seed:
                return SEED, "reverse", value
            return (ZERO if self.is_zero(statement.value) else ADJOINT), "reverse", value
        assigns_primal = any(n in self.primals for n in stored)
        if phase == "reverse":
            return (RESTORE, phase, value) if assigns_primal else None
        if (statement.lineno, gast.unparse(statement)) in self.primitives:
            return PRIMITIVE, phase, value
        source = statement.value
        if isinstance(source, gast.Name) and source.id in self.primals and not assigns_primal:
            return (RECORD, phase, value) if set(stored) & self.read_in_sweep else None
        if assigns_primal and not (isinstance(source, gast.Constant) and source.value is None):
            return PRIMITIVE, phase, value  # a primitive the reverse pass rewrote (a call)
        return None

    def bound(self, node: gast.expr, helper: Any) -> bool:
        return isinstance(node, gast.Name) and self.bindings.get(node.id) is helper

    def is_zero(self, value: gast.expr) -> bool:
        if isinstance(value, gast.Constant):
            return value.value == 0
        return isinstance(value, gast.Call) and self.bound(value.func, runtime.zeros_like)

    def contribution(self, statement: gast.Assign) -> Contribution | None:
        """The parts of `x_bar = g * partial (+ x_bar)`; None for other adjoint statements."""
        if not isinstance(statement.targets[0], gast.Name):
            return None
        target = statement.targets[0].id
        value, previous = statement.value, None
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add):
            parts = [value.left, value.right]
        elif isinstance(value, gast.Call) and self.bound(value.func, runtime.add_adjoints):
            parts = value.args
        else:
            parts = []
        if len(parts) == 2 and isinstance(parts[1], gast.Name) and parts[1].id == target:
            value, previous = parts  # `x_bar = term + x_bar`: a later contribution, summed
        core = value
        if isinstance(core, gast.Call) and self.bound(core.func, runtime.unbroadcast):
            core = core.args[0]
        incoming, partial = None, None
        if isinstance(core, gast.Name):
            incoming, partial = core, gast.Constant(1, None)
        elif isinstance(core, gast.UnaryOp) and isinstance(core.op, gast.USub):
            incoming, partial = core.operand, gast.Constant(-1, None)
        elif isinstance(core, gast.BinOp) and isinstance(core.op, gast.Mult):
            incoming, partial = core.left, core.right
        adjoints = self.notation.adjoints
        if not (isinstance(incoming, gast.Name) and incoming.id in adjoints):
            incoming, partial = None, None
        output = adjoints[incoming.id] if incoming is not None else None
        return Contribution(output, adjoints[target], partial, value, previous)


def _target_names(target: gast.expr) -> list[str]:
    """The variables an assignment to `target` (`a`, `a, b` or `a[i]`) changes."""
    if isinstance(target, gast.Subscript):
        return _target_names(target.value)
    return [n.id for n in gast.walk(target) if isinstance(n, gast.Name)]


def _as_load(target: gast.expr) -> gast.expr:
    """The assignment target `a`, `a[i]` or `a, b` as an expression that reads it."""
    node = copy.deepcopy(target)
    for child in gast.walk(node):
        if hasattr(child, "ctx"):
            child.ctx = gast.Load()
    return node
