"""Reverse: the adjoint function, in joint motion (DESIGN.md §4).

The generated function replays the primal Wengert list, recording the values the adjoint sweep will
need that a later statement overwrites, then seeds the output's adjoint (`z_bar = seed`) and walks
the list backwards, emitting each active statement's adjoint from its rule. The first contribution
to `x_bar` assigns it, later ones accumulate (fan-out is summed); only active operands get partials.

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
    x1_bar = _v2_bar * math.cos(x1)
    x1_bar = _v1_bar * x2 + x1_bar
    x2_bar = _v1_bar * x1
    return (x1_bar, x2_bar)
"""

from __future__ import annotations

import inspect
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable

import gast
import numpy as np

from . import rules, runtime
from .activity import Activity
from .errors import (
    MissingRuleError,
    NonDifferentiableError,
    UnsupportedSyntaxError,
)
from .kinds import CONTAINER, SCALAR, operand_kind
from .naming import Namer
from .parse import ParsedFunction, location
from .primitives import Primitive, classify


@dataclass
class ReverseResult:
    """The adjoint function and the names it generated (the optimizer may fold those away)."""

    node: gast.FunctionDef
    generated: set[str]
    bindings: dict[str, Any]


def _name(name: str, ctx: gast.expr_context | None = None) -> gast.Name:
    return gast.Name(name, ctx or gast.Load(), None, None)


def _assign(target: str, value: gast.expr, anchor: gast.AST) -> gast.Assign:
    node = gast.Assign(targets=[_name(target, gast.Store())], value=value, type_comment=None)
    return gast.copy_location(node, anchor)


def _is_number(node: gast.expr, value: float) -> bool:
    if isinstance(node, gast.Constant) and not isinstance(node.value, bool):
        return node.value == value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return _is_number(node.operand, -value)
    return False


def scale(adjoint: gast.expr, partial: gast.expr) -> gast.expr:
    """`adjoint * partial`, written without the multiplication where the partial is ±1."""
    if _is_number(partial, 1):
        return adjoint
    if _is_number(partial, -1):
        return gast.UnaryOp(op=gast.USub(), operand=adjoint)
    return gast.BinOp(left=adjoint, op=gast.Mult(), right=partial)


def index_value(index: gast.expr) -> gast.expr:
    """An index as a value: `1:n` → `slice(1, n, None)`, so it can be passed to a helper."""
    if isinstance(index, gast.Slice):
        parts = [
            p if p is not None else gast.Constant(None, None)
            for p in (index.lower, index.upper, index.step)
        ]
        return gast.Call(func=_name("slice"), args=parts, keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in index.elts], ctx=gast.Load())
    return index


class _Reverse:
    def __init__(
        self,
        parsed: ParsedFunction,
        activity: Activity,
        kinds: dict[str, str],
        namer: Namer,
        bind: Callable[[str, Any], str],
    ) -> None:
        self.parsed, self.activity, self.kinds = parsed, activity, kinds
        self.namer, self.bind = namer, bind
        self.defined: set[str] = set()  # names whose adjoint holds a value at this point
        self.generated: set[str] = set()

    def adjoint_name(self, primal: str) -> str:
        name = self.namer.adjoint(primal)
        self.generated.add(name)
        return name

    def is_active(self, node: gast.expr) -> bool:
        return isinstance(node, gast.Name) and self.activity.is_active(node.id)

    def accumulate(self, primal: str, contribution: gast.expr, anchor: gast.AST) -> gast.stmt:
        """`x_bar = c` for the first contribution to `x`, `x_bar = c + x_bar` after that."""
        adjoint = self.adjoint_name(primal)
        if primal in self.defined:
            if self.kinds.get(primal) == CONTAINER:
                add = self.bind("add_adjoints", runtime.add_adjoints)
                contribution = gast.Call(
                    func=_name(add), args=[contribution, _name(adjoint)], keywords=[]
                )
            else:
                contribution = gast.BinOp(left=contribution, op=gast.Add(), right=_name(adjoint))
        self.defined.add(primal)
        return _assign(adjoint, contribution, anchor)

    def statement(self, statement: gast.stmt) -> list[gast.stmt]:
        """The adjoint of one primal statement, in the order it runs."""
        if not isinstance(statement, gast.Assign):
            return []
        target = statement.targets[0]
        if isinstance(target, gast.Tuple):
            return self.unpack(target, statement)
        if target.id not in self.defined:
            return []
        self.defined.discard(target.id)
        g = _name(self.adjoint_name(target.id))
        primitive = classify(statement.value, self.parsed.namespace)
        if primitive.kind == "copy":
            source = primitive.args[0]
            if self.is_active(source) and source.id != target.id:
                return [self.accumulate(source.id, g, statement)]
            return []
        if primitive.kind == "container":
            return [
                self.accumulate(
                    e.id,
                    gast.Subscript(value=g, slice=gast.Constant(i, None), ctx=gast.Load()),
                    statement,
                )
                for i, e in enumerate(primitive.args)
                if self.is_active(e)
            ]
        return self.call(primitive, statement, target.id, g)

    def unpack(self, target: gast.Tuple, statement: gast.Assign) -> list[gast.stmt]:
        names = [e.id for e in target.elts]
        if not any(n in self.defined for n in names):
            return []
        parts = []
        for n in names:
            if n in self.defined:
                parts.append(_name(self.adjoint_name(n)))
            else:
                parts.append(self.zero(n))
        for n in names:
            self.defined.discard(n)
        source = statement.value
        if not self.is_active(source):
            return []
        return [self.accumulate(source.id, gast.Tuple(elts=parts, ctx=gast.Load()), statement)]

    def zero(self, primal: str) -> gast.expr:
        """A zero adjoint of `primal`'s shape: `0.0` where it is provably a Python scalar."""
        if self.kinds.get(primal) == SCALAR:
            return gast.Constant(0.0, None)
        helper = self.bind("zeros_like", runtime.zeros_like)
        return gast.Call(func=_name(helper), args=[_name(primal)], keywords=[])

    def call(
        self, primitive: Primitive, statement: gast.Assign, target: str, g: gast.Name
    ) -> list[gast.stmt]:
        active = [i for i, a in enumerate(primitive.args) if self.is_active(a)]
        if primitive.function is not None and rules.is_zero(primitive.function):
            return []
        if primitive.method is not None and rules.is_zero_method(primitive.method):
            return []
        rule = self.find_rule(primitive, statement)
        template = rule.template
        args = list(primitive.args)
        if primitive.function is operator.getitem:
            args[1] = index_value(args[1])
        try:
            bound = template.bind(args, primitive.keywords)
        except TypeError as error:
            raise MissingRuleError(
                f"the rule for {self.callee_name(primitive)} does not cover this call: {error}",
                construct=self.callee_name(primitive),
                **location(self.parsed, statement),
            ) from None
        bound["y"] = _name(target)
        bound["g"] = g
        positions = {name: i for i, name in enumerate(template.params)}
        wanted = {
            positions[name]
            for name, node in bound.items()
            if name in positions and self.is_active(node)
        }
        extra = bound.get(template.varargs or "")
        if extra is not None and any(self.is_active(e) for e in extra.elts):
            raise NonDifferentiableError(
                f"{self.callee_name(primitive)} is not differentiable in these arguments",
                construct=self.callee_name(primitive),
                **location(self.parsed, statement),
            )
        outputs = template.expand(bound, self.binder(primitive), wanted)
        out: list[gast.stmt] = []
        for position in sorted(wanted):
            operand = bound[template.params[position]]
            if position >= len(outputs) or outputs[position] is None:
                continue
            if rule.tier == "partials":
                contribution = scale(g, outputs[position])
                if self.needs_unbroadcast(primitive, operand):
                    helper = self.bind("unbroadcast", runtime.unbroadcast)
                    contribution = gast.Call(
                        func=_name(helper), args=[contribution, operand], keywords=[]
                    )
            else:
                contribution = outputs[position]
            out.append(self.accumulate(operand.id, contribution, statement))
        if not out and active:
            raise NonDifferentiableError(
                f"{self.callee_name(primitive)} is not differentiable in the arguments it got",
                construct=self.callee_name(primitive),
                **location(self.parsed, statement),
            )
        return out

    def needs_unbroadcast(self, primitive: Primitive, operand: gast.Name) -> bool:
        """False when the other operands are scalars: the output then has this operand's shape."""
        others = [a for a in primitive.args if a is not operand]
        return not all(operand_kind(a, self.kinds, self.parsed.namespace) == SCALAR for a in others)

    def binder(self, primitive: Primitive) -> Callable[[str, Any], str]:
        """Binds a rule's globals. Its `xp` is `math` where every operand is a Python scalar:
        floats in give floats out, at a tenth of the cost of a NumPy call; NumPy otherwise."""
        module = getattr(primitive.function, "__module__", None)
        kinds = [operand_kind(a, self.kinds, self.parsed.namespace) for a in primitive.args]
        xp = ("math", math) if module == "math" or set(kinds) == {SCALAR} else ("np", np)

        def bind(name: str, obj: Any) -> str:
            return self.bind(*xp) if name == "xp" else self.bind(name, obj)

        return bind

    def find_rule(self, primitive: Primitive, statement: gast.stmt) -> rules.Rule:
        if primitive.kind == "method":
            rule = rules.lookup_method(primitive.method or "")
        elif primitive.kind == "call":
            rule = rules.lookup(primitive.function, len(primitive.args))
        else:
            rule = None
        if rule is not None:
            return rule
        name = self.callee_name(primitive)
        where = location(self.parsed, statement)
        function = primitive.function
        if inspect.isfunction(function) and not getattr(function, "__module__", "").startswith(
            "numpy"
        ):
            raise UnsupportedSyntaxError(
                f"a call to the Python function {name}: calls to user functions are not supported "
                "yet; inline it, or register a rule for it",
                construct=f"call to {name}",
                **where,
            )
        raise MissingRuleError(
            f"no derivative rule for {name} (reverse mode) with these arguments; "
            "tangentish differentiates it only where it has a rule",
            construct=name,
            **where,
        )

    def callee_name(self, primitive: Primitive) -> str:
        if primitive.function is not None:
            return rules.describe(primitive.function)
        if primitive.method is not None:
            return f"the array method or attribute .{primitive.method}"
        if primitive.callee is not None:
            return gast.unparse(primitive.callee).strip()
        return "this operation"


def build(
    parsed: ParsedFunction,
    wengert: gast.FunctionDef,
    activity: Activity,
    kinds: dict[str, str],
    wrt: tuple[str, ...],
    namer: Namer,
    *,
    preserve_result: bool,
) -> ReverseResult:
    """The joint-motion adjoint of the Wengert list `wengert` with respect to `wrt`."""
    bindings: dict[str, Any] = {}
    chosen: dict[tuple[str, int], str] = {}

    def bind(wanted: str, obj: Any) -> str:
        """The name under which generated code reads `obj`, bound in its closure."""
        key = (wanted, id(obj))
        if key not in chosen:
            same = parsed.namespace.lookup(wanted) is obj
            chosen[key] = wanted if same else namer.claim(wanted)
            bindings[chosen[key]] = obj
        return chosen[key]

    body = [s for s in wengert.body if not isinstance(s, gast.Return)]
    kinds = dict(kinds)
    for statement in body:  # containers' adjoints are accumulated entry by entry
        if isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Tuple):
            if isinstance(statement.value, gast.Name):
                kinds[statement.value.id] = CONTAINER
        elif isinstance(statement, gast.Assign) and isinstance(
            statement.value, (gast.Tuple, gast.List)
        ):
            kinds[statement.targets[0].id] = CONTAINER
    state = _Reverse(parsed, activity, kinds, namer, bind)
    returned = next(s for s in wengert.body if isinstance(s, gast.Return))
    seed = namer.claim("seed")
    output = returned.value

    sweep: list[list[gast.stmt]] = [[] for _ in body]
    preamble: list[gast.stmt] = []
    if kinds.get(getattr(output, "id", None)) != SCALAR and isinstance(output, gast.Name):
        helper = bind("check_seed", runtime.check_seed)
        check = gast.Expr(
            value=gast.Call(func=_name(helper), args=[_name(output.id), _name(seed)], keywords=[])
        )
        preamble.append(gast.copy_location(check, returned))
    if isinstance(output, gast.Name) and activity.is_active(output.id):
        state.defined.add(output.id)
        preamble.append(_assign(state.adjoint_name(output.id), _name(seed), returned))
    for i in reversed(range(len(body))):
        sweep[i] = state.statement(body[i])

    forward, restores = _record_overwrites(body, sweep, wengert, namer, state.generated)
    reverse_code: list[gast.stmt] = list(preamble)
    for i in reversed(range(len(body))):
        reverse_code.extend(sweep[i])
        reverse_code.extend(restores.get(i, []))

    result_name = getattr(output, "id", None)
    if preserve_result and any(result_name in _stored(s) for s in reverse_code):
        kept = namer.claim(f"{result_name}_value")
        forward.append(_assign(kept, _name(result_name), returned))
        output = _name(kept)

    zeros = [
        _assign(state.adjoint_name(name), state.zero(name), wengert)
        for name in wrt
        if name not in state.defined
    ]
    grads = [_name(state.adjoint_name(name)) for name in wrt]
    value: gast.expr = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
    if preserve_result:
        value = gast.Tuple(elts=[value, output], ctx=gast.Load())
    final = gast.copy_location(gast.Return(value=value), returned)

    args = gast.arguments(
        args=[_name(a.id, gast.Param()) for a in wengert.args.args] + [_name(seed, gast.Param())],
        posonlyargs=[],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=list(wengert.args.defaults) + [gast.Constant(1.0, None)],
    )
    node = gast.FunctionDef(
        name=namer.claim(f"{wengert.name}_grad"),
        args=args,
        body=zeros + forward + reverse_code + [final],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(node, wengert)
    return ReverseResult(node, state.generated, bindings)


def _stored(statement: gast.stmt) -> set[str]:
    return {
        n.id
        for n in gast.walk(statement)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }


def _record_overwrites(
    body: list[gast.stmt],
    sweep: list[list[gast.stmt]],
    wengert: gast.FunctionDef,
    namer: Namer,
    generated: set[str],
) -> tuple[list[gast.stmt], dict[int, list[gast.stmt]]]:
    """The primal replay, saving each overwritten value that an earlier statement's adjoint reads;
    and, per statement, the restores the sweep runs after that statement's adjoint."""
    forward: list[gast.stmt] = []
    restores: dict[int, list[gast.stmt]] = {}
    defined = {a.id for a in wengert.args.args}
    for i, statement in enumerate(body):
        for name in sorted(_stored(statement)):
            if name in defined and any(name in _reads(s) for j in range(i) for s in sweep[j]):
                saved = namer.claim(f"{name}_saved")
                generated.add(saved)
                forward.append(_assign(saved, _name(name), statement))
                restores.setdefault(i, []).append(_assign(name, _name(saved), statement))
        defined |= _stored(statement)
        forward.append(statement)
    return forward, restores


def _reads(statement: gast.stmt) -> list[str]:
    return [
        n.id
        for n in gast.walk(statement)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    ]
