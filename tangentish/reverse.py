"""Reverse: the adjoint function, in joint motion (DESIGN.md §4).

The generated function replays the primal Wengert list, recording what the adjoint sweep will need,
then seeds the output's adjoint (`z_bar = seed`) and walks the list backwards. Two phases:

1. the sweep (`_Sweep`) walks the statements backwards and asks `adjoint.Adjoints` for each one's
   adjoint statements; an `if` becomes an `if` on the branch taken, a loop a loop that runs as
   many times backwards as it ran forwards. Adjoints that are live after one branch but not the
   other, or at the end of a loop body but not its start, are set to zero where they are missing,
   so every path leaves the same adjoints defined.
2. the emission (`_Emit`) decides what to record. A value is recorded only when a statement
   overwrites it and adjoint code that runs later in the sweep reads it: outside loops into a
   saved name (`y_saved = y` ... `y = y_saved`), inside loops on the stack (a list), one value an
   iteration (`_stack.append(...)` ... `... = _stack.pop()`). Inside loops it also records the
   branch each `if` took, every loop's trip count and the loop variable, each only where the
   sweep needs it.

>>> import numpy as np
>>> from tangentish.pipeline import compile_gradient
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> code = compile_gradient(f, wrt=(0, 1), optimized=False, kinds=("scalar", "scalar"))
>>> print(gast.unparse(code.node).strip())
def f_grad(x1, x2, seed=1.0):
    _v1 = x1 * x2
    _v2 = np.sin(x1)
    _v3 = _v1 + _v2
    _v3_bar = seed
    _v1_bar = _v3_bar
    _v2_bar = _v3_bar
    x1_bar = _v2_bar * np.cos(x1)
    x1_bar = _v1_bar * x2 + x1_bar
    x2_bar = _v1_bar * x1
    return (x1_bar, x2_bar)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from . import runtime
from .activity import Activity
from .adjoint import Adjoints, assign, load
from .kinds import ARRAY, CONTAINER, SCALAR, same_shapes
from .naming import Namer, parameters
from .parse import ParsedFunction
from .recording import Emit, Step, assigned, loads, stores

_COMPOUND = (gast.If, gast.For, gast.While)


@dataclass
class ReverseResult:
    """The adjoint function and the names it generated (the optimizer may fold those away)."""

    node: gast.FunctionDef
    bindings: dict[str, Any]
    stack: str  # the recording stack's name, "" when nothing is recorded on it
    primal: list[gast.stmt]  # the statements of `node` that replay the primal and record
    sweep: list[gast.stmt]  # those of the adjoint sweep, from the seed on
    output: gast.expr  # the function's value, at the end of `primal`
    grads: list[gast.expr]  # the adjoints of the `wrt` arguments, at the end of `sweep`
    seed: str  # the seed's parameter name ("" when the seed is the constant 1.0)


class _Sweep:
    """Phase 1: the adjoint of every statement, last to first."""

    def __init__(self, adjoints: Adjoints) -> None:
        self.adjoints = adjoints

    def block(self, statements: list[gast.stmt]) -> list[Step]:
        steps: list[Step] = [Step(s) for s in statements]
        for i in reversed(range(len(statements))):
            steps[i] = self.step(statements[i])
        return steps

    def zeros(self, names: set[str], anchor: gast.AST) -> list[gast.stmt]:
        return [
            assign(self.adjoints.adjoint_name(n), self.adjoints.zero(n), anchor)
            for n in sorted(names)
        ]

    def step(self, statement: gast.stmt) -> Step:
        defined = self.adjoints.defined
        if isinstance(statement, gast.If):
            entry = set(defined)
            body = self.block(statement.body)
            after_body = set(defined)
            defined.clear()
            defined.update(entry)
            orelse = self.block(statement.orelse)
            after_else = set(defined)
            merged = after_body | after_else
            defined.update(merged)
            zeros = [
                self.zeros(merged - after_body, statement),
                self.zeros(merged - after_else, statement),
            ]
            return Step(statement, blocks=[body, orelse], zeros=zeros)
        if isinstance(statement, (gast.For, gast.While)):
            entry = set(defined)
            start = set(entry)
            while True:  # find the adjoints live at the start of every reversed iteration
                defined.clear()
                defined.update(start)
                self.block(statement.body)
                if set(defined) <= start:
                    break
                start |= defined
            defined.clear()
            defined.update(start)
            body = self.block(statement.body)
            end = set(defined)
            defined.clear()
            defined.update(start)
            zeros = [self.zeros(start - entry, statement), self.zeros(start - end, statement)]
            return Step(statement, blocks=[body], zeros=zeros)
        self.adjoints.replacement = None
        adjoint = self.adjoints.statement(statement)
        replay = self.adjoints.replacement
        target = _target_name(statement)
        if target in self.adjoints.shapes:  # the sweep reads only its shape: compute it here
            shape: gast.expr = (
                gast.Attribute(value=load(target), attr="shape", ctx=gast.Load())
                if self.adjoints.kinds.get(target) == ARRAY  # an attribute, not a call
                else gast.Call(
                    func=load(self.adjoints.bind("shape", np.shape)),
                    args=[load(target)],
                    keywords=[],
                )
            )
            replay = (replay or [statement]) + [
                assign(self.adjoints.shapes[target], shape, statement)
            ]
        return Step(statement, adjoint=adjoint, replay=replay)


def _sweep_code(steps: list[Step]) -> list[gast.stmt]:
    """Every adjoint statement and zero the sweep of `steps` runs, nested blocks included."""
    code: list[gast.stmt] = []
    for step in steps:
        code += step.adjoint + [z for zeros in step.zeros for z in zeros]
        for block in step.blocks:
            code += _sweep_code(block)
    return code


def _unset(adjoints: Adjoints, name: str) -> gast.expr:
    """What a recorded variable holds before it is set: the compiler's own temporaries None (they
    are set before they are read), the user's an `Unbound`, so that reading one the function has
    not set yet raises Python's UnboundLocalError, not a TypeError about None."""
    if name not in adjoints.parsed.namespace.locals:
        return gast.Constant(None, None)
    return load(adjoints.bind(f"{name}_unbound", runtime.Unbound(name)))


def _target_name(statement: gast.stmt) -> str | None:
    if isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Name):
        return statement.targets[0].id
    return None


def _single(body: list[gast.stmt], params: set[str]) -> set[str]:
    """Names one simple statement inside a loop assigns, and nothing else does: the sweep would
    record such an array every iteration, where its shape is all it reads for broadcasting."""
    counts: dict[str, int] = {}
    in_loops: set[str] = set()

    def visit(statements: list[gast.stmt], in_loop: bool) -> None:
        for statement in statements:
            if isinstance(statement, _COMPOUND):
                if isinstance(statement, gast.For):
                    counts[statement.target.id] = counts.get(statement.target.id, 0) + 2
                loop = in_loop or not isinstance(statement, gast.If)
                visit(statement.body, loop)
                visit(statement.orelse, loop)
                continue
            plain = _target_name(statement) is not None  # not unpacked: `a, b = t`
            for name in stores(statement):
                counts[name] = counts.get(name, 0) + (1 if plain else 2)
                if in_loop:
                    in_loops.add(name)

    visit(body, False)
    return {n for n, count in counts.items() if count == 1 and n in in_loops and n not in params}


def build(
    parsed: ParsedFunction,
    wengert: gast.FunctionDef,
    activity: Activity,
    kinds: dict[str, str],
    wrt: tuple[str, ...],
    namer: Namer,
    *,
    preserve_result: bool,
    unit_seed: bool = False,
) -> ReverseResult:
    """The joint-motion adjoint of the Wengert list `wengert` with respect to `wrt`. With
    `unit_seed` the seed is not a parameter but the constant 1.0 (dz/dz), which the optimizer
    can fold away: the code for the default seed."""
    kinds = dict(kinds)
    for statement in gast.walk(wengert):  # what is unpacked is a container, whatever made it
        unpacks = isinstance(statement, gast.Assign) and isinstance(
            statement.targets[0], gast.Tuple
        )
        if unpacks and isinstance(statement.value, gast.Name):
            kinds[statement.value.id] = CONTAINER
    adjoints = Adjoints(parsed, activity, kinds, namer)
    adjoints.single = _single(wengert.body, {a.id for a in wengert.args.args})
    adjoints.same_shapes = same_shapes(wengert, kinds, parsed.namespace)
    *body, returned = wengert.body
    seed = "" if unit_seed else namer.claim("seed")
    seeded: gast.expr = gast.Constant(1.0, None) if unit_seed else load(seed)
    output = returned.value

    preamble: list[gast.stmt] = []
    if isinstance(output, gast.Name) and kinds.get(output.id) != SCALAR:
        helper = adjoints.bind("check_seed", runtime.check_seed)
        call = gast.Call(func=load(helper), args=[load(output.id), seeded], keywords=[])
        preamble.append(gast.copy_location(gast.Expr(value=call), returned))
    if isinstance(output, gast.Name) and activity.is_active(output.id):
        adjoints.defined.add(output.id)
        preamble.append(assign(adjoints.adjoint_name(output.id), copy.copy(seeded), returned))
    steps = _Sweep(adjoints).block(body)
    # An argument overwritten before the output reads it: the sweep gave `x_bar` the adjoint of
    # the new value, so the argument's own is zero, set where the sweep ends (of the argument's
    # shape: the sweep restores the argument if the zero reads it).
    swept = assigned(preamble + _sweep_code(steps))
    stale = [n for n in wrt if n not in adjoints.defined and adjoints.adjoint_name(n) in swept]
    resets = [assign(adjoints.adjoint_name(n), adjoints.zero(n), returned) for n in stale]
    adjoints.defined.update(stale)

    emit = Emit(adjoints, namer)
    params = {a.id for a in wengert.args.args}
    forward, reverse = emit.block(steps, loads(resets), False, params)
    reverse = preamble + reverse + resets
    result_name = getattr(output, "id", None)
    restored = emit.restored and result_name and adjoints.kinds.get(result_name) != SCALAR
    if preserve_result and restored:
        # The sweep writes old entries back into arrays, and the value may be one of them (by
        # another name, `_result = a`) or hold one: it is copied where the replay ends.
        kept = namer.claim(f"{result_name}_value")
        copied = gast.Call(
            func=load(adjoints.bind("deepcopy", copy.deepcopy)), args=[output], keywords=[]
        )
        forward.append(assign(kept, copied, returned))
        output = load(kept)
    elif preserve_result and result_name in assigned(reverse):
        kept = namer.claim(f"{result_name}_value")
        forward.append(assign(kept, load(result_name), returned))
        output = load(kept)

    prologue = [
        assign(adjoints.adjoint_name(name), adjoints.zero(name), wengert)
        for name in wrt
        if name not in adjoints.defined
    ]
    if emit.stack:  # a plain list: `append` and `pop` on it cost least
        prologue.append(assign(emit.stack, gast.List(elts=[], ctx=gast.Load()), wengert))
    prologue += [assign(n, _unset(adjoints, n), wengert) for n in sorted(emit.uninitialized)]

    grads = [load(adjoints.adjoint_name(name)) for name in wrt]
    value: gast.expr = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
    if preserve_result:
        value = gast.Tuple(elts=[value, output], ctx=gast.Load())
    final = gast.copy_location(gast.Return(value=value), returned)

    args = parameters(
        [a.id for a in wengert.args.args] + ([] if unit_seed else [seed]),
        list(wengert.args.defaults) + ([] if unit_seed else [gast.Constant(1.0, None)]),
    )
    node = gast.FunctionDef(
        name=namer.claim(f"{wengert.name}_grad"),
        args=args,
        body=prologue + forward + reverse + [final],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(node, wengert)
    return ReverseResult(
        node, parsed.namespace.helpers, emit.stack, prologue + forward, reverse, output, grads, seed
    )
