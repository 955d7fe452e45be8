"""Instrument: a copy of the generated code that reports every step it runs to a `Recorder`.

After each statement a trace shows comes a call that records the value it computed (in forward
mode, after the tangent statement that follows it, with that tangent too); at each branch, the way
it went; at each loop, its iterations. In reverse mode an adjoint statement's parts (the incoming
adjoint's term, the local partial, what it adds to) are recorded just before it runs.
"""

from __future__ import annotations

import copy
from typing import Any

import gast

from . import runtime
from .adjoint import load
from .notation import Notation
from .pipeline import Stages
from .trace import ADJOINT, BRANCH, LOOP, PRIMITIVE, RECORD, RESTORE, SEED, ZERO, Contribution, Site


def stored_names(node: gast.AST) -> list[str]:
    """The names `node` assigns, each once, in the order the source assigns them first."""
    found: dict[str, None] = {}
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, gast.Name) and isinstance(current.ctx, gast.Store):
            found.setdefault(current.id)
        pending += reversed(list(gast.iter_child_nodes(current)))
    return list(found)


class Instrument:
    """A copy of the mechanical adjoint (reverse mode) or tangent code (forward mode) with a call
    to the recorder after each shown statement."""

    def __init__(self, done: Stages, notation: Notation) -> None:
        self.done, self.notation = done, notation
        result = done.adjoint or done.tangent
        self.code, self.bindings = result.node, result.bindings
        reverse = done.adjoint
        self.seed = reverse.node.args.args[-1].id if reverse else None
        self.stack = reverse.stack if reverse else None
        self.primitives = {
            (s.lineno, gast.unparse(s))
            for s in gast.walk(done.wengert)
            if isinstance(s, gast.Assign)
        }
        self.primals = set(done.parsed.params) | set(stored_names(done.wengert))
        swept = reverse.sweep if reverse else []
        self.read_in_sweep = {n.id for s in swept for n in gast.walk(s) if isinstance(n, gast.Name)}
        self.tangent_names = {p: t for t, p in notation.tangents.items()}  # primal → tangent
        taken = {n.id for n in gast.walk(self.code) if isinstance(n, gast.Name)}
        taken |= set(self.bindings)
        self.recorder = next(
            f"_explain{i}" for i in range(len(taken) + 1) if f"_explain{i}" not in taken
        )
        self.sites: dict[int, Site] = {}

    def function(self) -> gast.FunctionDef:
        node = copy.deepcopy(self.code)
        if self.done.adjoint is None:
            node.body = self.block(node.body[:-1], "forward", 0) + node.body[-1:]
            return node
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
        for statement, tangent in self.paired(body):
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
                out += self.simple(statement, phase, depth, tangent)
        return out

    def paired(self, body: list[gast.stmt]) -> list[tuple[gast.stmt, gast.stmt | None]]:
        """Each statement with the tangent statement that follows it (forward mode), else None."""
        out: list[tuple[gast.stmt, gast.stmt | None]] = []
        for statement in body:
            if out and out[-1][1] is None and self.is_tangent(statement):
                before = out[-1][0]
                if isinstance(before, gast.Assign) and not self.is_tangent(before):
                    out[-1] = (before, statement)
                    continue
            out.append((statement, None))
        return out

    def is_tangent(self, statement: gast.stmt) -> bool:
        """Whether `statement` assigns tangents only (`y_dot = ...`)."""
        stored = _target_names(statement.targets[0]) if isinstance(statement, gast.Assign) else []
        return bool(stored) and all(n in self.notation.tangents for n in stored)

    def with_tangent(
        self, statement: gast.Assign, tangent: gast.stmt | None, recorded: gast.expr
    ) -> tuple[gast.expr, gast.expr]:
        """What a forward-mode step records: its value and its tangent (None for a constant)."""
        target = statement.targets[0]
        if isinstance(target, gast.Tuple) and self.is_tangent_pair(target):
            primal, computed = target.elts  # `y, y_dot = f_jvp(...)`: the call computed both
            return _as_load(primal), _as_load(computed)
        if tangent is None:
            return recorded, gast.Constant(None, None)
        return recorded, self.tangent_of(target)

    def is_tangent_pair(self, target: gast.Tuple) -> bool:
        names = [getattr(e, "id", None) for e in target.elts]
        return len(names) == 2 and self.notation.tangents.get(names[1] or "") == names[0]

    def tangent_of(self, target: gast.expr) -> gast.expr:
        """The tangent of the assignment target `a`, `a[i]` or `a, b`: `a_dot`, `a_dot[i]`, ...
        (None for a constant)."""
        if isinstance(target, gast.Name) and target.id in self.tangent_names:
            return load(self.tangent_names[target.id])
        if isinstance(target, gast.Subscript):
            array = self.tangent_of(target.value)
            if isinstance(array, gast.Name):
                return gast.Subscript(value=array, slice=_as_load(target.slice), ctx=gast.Load())
        if isinstance(target, gast.Tuple):
            return gast.Tuple(elts=[self.tangent_of(e) for e in target.elts], ctx=gast.Load())
        return gast.Constant(None, None)

    def simple(
        self, statement: gast.stmt, phase: str, depth: int, tangent: gast.stmt | None = None
    ) -> list[gast.stmt]:
        """The statement, with calls that record its value (and an adjoint's parts before it; in
        forward mode, its tangent statement before the call, which records the tangent too)."""
        shown = self.classify(statement, phase)
        if shown is None:
            return [statement] if tangent is None else [statement, tangent]
        kind, where, recorded = shown
        contribution = self.contribution(statement) if kind == ADJOINT else None
        number = gast.Constant(
            self.site(kind, where, statement, depth, contribution=contribution, tangent=tangent),
            None,
        )
        if self.done.adjoint is None:
            recorded, computed = self.with_tangent(statement, tangent, recorded)
            after = [] if tangent is None else [tangent]
            return [statement, *after, self.call("step", number, recorded, computed)]
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
                and call.func.attr == "append"
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
