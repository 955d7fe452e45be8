"""Adjoint: the adjoint statements of one Wengert-list primitive, from the rule tables.

`Adjoints` keeps the one piece of state the reverse sweep needs between statements: which adjoints
hold a value at this point of the sweep (`defined`). The first contribution to `x_bar` assigns it,
later ones accumulate (fan-out is summed); a statement that defines `x` ends the life of `x_bar`
(the earlier value of `x` is another variable). Only active operands get partials, so `x ** 2` at a
negative `x` never evaluates `log(x)`.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from typing import Any, Callable

import gast
import numpy as np

from . import calls, rules, runtime, variadic
from .activity import Activity
from .errors import MissingRuleError, NonDifferentiableError, UnsupportedSyntaxError
from .kinds import ARRAY, CONTAINER, SCALAR, operand_kind
from .naming import Namer
from .parse import ParsedFunction, location
from .primitives import Primitive, classify
from .variadic import Shape


def load(identifier: str, ctx: gast.expr_context | None = None) -> gast.Name:
    return gast.Name(identifier, ctx or gast.Load(), None, None)


def assign(target: str, value: gast.expr, anchor: gast.AST) -> gast.Assign:
    node = gast.Assign(targets=[load(target, gast.Store())], value=value, type_comment=None)
    return gast.copy_location(node, anchor)


def _is_number(node: gast.expr, value: float) -> bool:
    if isinstance(node, gast.Constant) and not isinstance(node.value, bool):
        return node.value == value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return _is_number(node.operand, -value)
    return False


def scale(adjoint: gast.expr, partial: gast.expr, partial_first: bool = False) -> gast.expr:
    """`adjoint * partial` (or `partial * tangent`, as forward mode reads), written without the
    multiplication where the partial is ±1."""
    if _is_number(partial, 1):
        return adjoint
    if _is_number(partial, -1):
        return gast.UnaryOp(op=gast.USub(), operand=adjoint)
    left, right = (partial, adjoint) if partial_first else (adjoint, partial)
    return gast.BinOp(left=left, op=gast.Mult(), right=right)


def index_value(index: gast.expr) -> gast.expr:
    """An index as a value: `1:n` → `slice(1, n, None)`, so it can be passed to a helper."""
    if isinstance(index, gast.Slice):
        parts = [
            p if p is not None else gast.Constant(None, None)
            for p in (index.lower, index.upper, index.step)
        ]
        return gast.Call(func=load("slice"), args=parts, keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in index.elts], ctx=gast.Load())
    return index


class Adjoints:
    """Emits adjoint statements for one compilation, tracking which adjoints are live."""

    #: Named in errors: the mode whose code is being generated.
    mode = "reverse"

    def __init__(
        self,
        parsed: ParsedFunction,
        activity: Activity,
        kinds: dict[str, str],
        namer: Namer,
    ) -> None:
        self.parsed, self.activity, self.kinds = parsed, activity, kinds
        self.namer = namer
        self.defined: set[str] = set()  # names whose adjoint holds a value at this point
        self.replacement: list[gast.stmt] | None = None  # the primal statement, rewritten
        #: Arrays whose adjoint code needs only their shape: name → the name of its shape,
        #: which the replay computes where the array is made (a small tuple is all it records).
        self.shapes: dict[str, str] = {}
        self.single: set[str] = set()  # names one simple statement assigns, once
        self.same_shapes: dict[str, str] = {}  # names provably of one shape (kinds.same_shapes)
        self.generated: set[str] = set()

    def bind(self, wanted: str, obj: Any) -> str:
        """The name under which generated code reads `obj` (bound in its closure if need be)."""
        return self.parsed.namespace.bind(wanted, obj, self.namer)

    def constant(self, value: Any) -> gast.expr:
        """A default argument's value in generated code: a literal, or a bound name."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return gast.Constant(value, None)
        return load(self.bind("default", value))

    def call_operands(
        self, primitive: Primitive, statement: gast.stmt
    ) -> tuple[dict[str, gast.expr], Shape | None]:
        """The arguments a call to a user function gives, by parameter name (a variadic
        function's flattened to the call's shape), and that shape."""
        function = primitive.function
        try:
            flat, shape = variadic.flatten(
                function, primitive.args, primitive.keywords, lambda _: None
            )
        except TypeError as error:
            raise UnsupportedSyntaxError(
                f"this call does not match {function.__qualname__}'s signature: {error}",
                construct=f"call to {function.__qualname__}",
                **location(self.parsed, statement),
            ) from None
        return {name: node for name, node in flat.items() if node is not None}, shape

    def call_arguments(self, primitive: Primitive) -> list[gast.expr]:
        """Every parameter's argument, in order, defaults filled in: how generated code calls a
        derivative specialized to the call (a variadic one, or a tangent function)."""
        flat, _ = variadic.flatten(
            primitive.function, primitive.args, primitive.keywords, self.constant
        )
        return list(flat.values())

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
            if self.kinds.get(primal) not in (SCALAR, ARRAY):  # maybe a tuple: add entrywise
                add = self.bind("add_adjoints", runtime.add_adjoints)
                contribution = gast.Call(
                    func=load(add), args=[contribution, load(adjoint)], keywords=[]
                )
            else:
                contribution = gast.BinOp(left=contribution, op=gast.Add(), right=load(adjoint))
        self.defined.add(primal)
        return assign(adjoint, contribution, anchor)

    def statement(self, statement: gast.stmt) -> list[gast.stmt]:
        """The adjoint of one primal statement, in the order it runs."""
        if not isinstance(statement, gast.Assign):
            return []
        target = statement.targets[0]
        if isinstance(target, gast.Subscript):
            return self.write(target, statement)
        if isinstance(target, gast.Tuple):
            return self.unpack(target, statement)
        if target.id not in self.defined:
            return []
        self.defined.discard(target.id)
        g = load(self.adjoint_name(target.id))
        primitive = classify(statement.value, self.parsed.namespace)
        if primitive.kind == "copy":
            source = primitive.args[0]
            if self.is_active(source) and source.id != target.id:
                return [self.accumulate(source.id, g, statement)]
            return []
        if primitive.kind == "dict":
            keys = list(primitive.keywords.values())
            return [
                self.accumulate(
                    v.id, gast.Subscript(value=g, slice=keys[i], ctx=gast.Load()), statement
                )
                for i, v in enumerate(primitive.args)
                if self.is_active(v)
            ]
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

    def write(self, target: gast.Subscript, statement: gast.Assign) -> list[gast.stmt]:
        """`a[i] = v`: `v` gets `a_bar[i]`; the value it replaced gets nothing, so the adjoint of
        `a` before the write is `a_bar` with zeros at `i` (a new array: `a_bar` may be shared)."""
        array = target.value.id
        if array not in self.defined:
            return []
        adjoint = load(self.adjoint_name(array))
        index = index_value(target.slice)
        out = []
        if self.is_active(statement.value):
            part = gast.Subscript(value=adjoint, slice=index, ctx=gast.Load())
            helper = self.bind("unbroadcast", runtime.unbroadcast)
            part = gast.Call(func=load(helper), args=[part, statement.value], keywords=[])
            out.append(self.accumulate(statement.value.id, part, statement))
        zero_at = load(self.bind("zero_at", runtime.zero_at))
        cleared = gast.Call(func=zero_at, args=[load(adjoint.id), index], keywords=[])
        out.append(assign(adjoint.id, cleared, statement))
        return out

    def unpack(self, target: gast.Tuple, statement: gast.Assign) -> list[gast.stmt]:
        names = [e.id for e in target.elts]
        if not any(n in self.defined for n in names):
            return []
        parts = []
        for n in names:
            if n in self.defined:
                parts.append(load(self.adjoint_name(n)))
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
        return gast.Call(func=load(helper), args=[load(primal)], keywords=[])

    def call(
        self, primitive: Primitive, statement: gast.Assign, target: str, g: gast.Name
    ) -> list[gast.stmt]:
        if primitive.kind == "unknown" or isinstance(primitive.function, functools.partial):
            return self.call_dynamic(primitive, statement, target, g)
        if calls.is_user_function(primitive.function) and not rules.lookup(
            primitive.function, len(primitive.args)
        ):
            return self.call_user(primitive, statement, target, g)
        if primitive.function is not None and rules.is_zero(primitive.function):
            return []
        kinds = [operand_kind(a, self.kinds, self.parsed.namespace) for a in primitive.args]
        if primitive.function is operator.add and CONTAINER in kinds:  # list + list
            primitive = Primitive("call", primitive.args, function=list.__add__)
        elif primitive.function is operator.mul and CONTAINER in kinds:  # list * n, n * list
            items = kinds.index(CONTAINER)
            args = [primitive.args[items], primitive.args[1 - items]]
            primitive = Primitive("call", args, function=list.__mul__)
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
        bound["y"] = load(target)
        bound["g"] = g
        if rule.built is not None and all(out is None for out in template.outputs):
            raise MissingRuleError(
                f"{self.callee_name(primitive)} has a forward-mode rule only (@tg.tangent); give "
                f"it a reverse rule with @tg.adjoint({self.callee_name(primitive)})",
                construct=self.callee_name(primitive),
                **location(self.parsed, statement),
            )
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
                contribution = self.partial_adjoint(primitive, g, outputs[position], operand)
            else:
                contribution = outputs[position]
            out.append(self.accumulate(operand.id, contribution, statement))
        return out

    def call_user(
        self, primitive: Primitive, statement: gast.Assign, target: str, g: gast.Name
    ) -> list[gast.stmt]:
        """`y = f(a, b)` for a user function `f`: the replay calls `f`'s forward function, which
        returns the value and a tape; the sweep hands the tape and `y_bar` to its backward
        function, which returns the adjoints of the active arguments."""
        function = primitive.function
        operands, shape = self.call_operands(primitive, statement)
        active = tuple(name for name, node in operands.items() if self.is_active(node))
        kinds = {
            name: operand_kind(node, self.kinds, self.parsed.namespace)
            for name, node in operands.items()
            if isinstance(node, (gast.Name, gast.Constant, gast.Attribute))
        }
        callee = calls.derive(function, active, kinds, location(self.parsed, statement), shape)
        handle = load(self.bind(f"{function.__name__}_vjp", callee))
        tape = self.namer.temporary()
        if shape is None:  # as the user wrote it: the derivative has the defaults
            args, keywords = list(primitive.args), primitive.keywords
        else:
            args, keywords = self.call_arguments(primitive), {}
        forward = gast.Call(
            func=gast.Attribute(value=handle, attr="forward", ctx=gast.Load()),
            args=args,
            keywords=[gast.keyword(arg=k, value=v) for k, v in keywords.items()],
        )
        pair = gast.Tuple(
            elts=[load(target, gast.Store()), load(tape, gast.Store())], ctx=gast.Store()
        )
        replay = gast.Assign(targets=[pair], value=forward, type_comment=None)
        self.replacement = [gast.copy_location(replay, statement)]
        backward = gast.Call(
            func=gast.Attribute(value=handle, attr="backward", ctx=gast.Load()),
            args=[load(tape), g],
            keywords=[],
        )
        out: list[gast.stmt] = []
        if len(active) > 1:
            grads = self.namer.temporary()
            out.append(assign(grads, backward, statement))
            backward = load(grads)
        for k, name in enumerate(active):
            part = gast.Subscript(value=backward, slice=gast.Constant(k, None), ctx=gast.Load())
            out.append(self.accumulate(operands[name].id, part, statement))
        return out

    def call_dynamic(
        self, primitive: Primitive, statement: gast.Assign, target: str, g: gast.Name
    ) -> list[gast.stmt]:
        """`y = fn(a)` where `fn` is a value (an argument, a lambda, a partial): which function
        it is, and so its derivative, is found when the call runs."""
        operands = dict(enumerate(primitive.args)) | primitive.keywords
        active = [at for at, node in operands.items() if self.is_active(node)]
        spec = gast.Tuple(elts=[gast.Constant(i, None) for i in active], ctx=gast.Load())
        forward = gast.Call(
            func=load(self.bind("call_forward", calls.call_forward)),
            args=[statement.value.func, spec, *primitive.args],
            keywords=[gast.keyword(arg=k, value=v) for k, v in primitive.keywords.items()],
        )
        tape = self.namer.temporary()
        pair = gast.Tuple(
            elts=[load(target, gast.Store()), load(tape, gast.Store())], ctx=gast.Store()
        )
        replay = gast.Assign(targets=[pair], value=forward, type_comment=None)
        self.replacement = [gast.copy_location(replay, statement)]
        backward = gast.Call(
            func=load(self.bind("call_backward", calls.call_backward)),
            args=[load(tape), g],
            keywords=[],
        )
        out: list[gast.stmt] = []
        if len(active) > 1:
            grads = self.namer.temporary()
            out.append(assign(grads, backward, statement))
            backward = load(grads)
        for k, at in enumerate(active):
            part = gast.Subscript(value=backward, slice=gast.Constant(k, None), ctx=gast.Load())
            out.append(self.accumulate(operands[at].id, part, statement))
        return out

    def partial_adjoint(
        self, primitive: Primitive, g: gast.Name, partial: gast.expr, operand: gast.Name
    ) -> gast.expr:
        """`g * partial`, summed to `operand`'s shape where the output may be larger. Summing is
        linear, so a partial of -1 negates the sum, `-unbroadcast(g, b)` for `a - b`: the smaller
        array, and no negated copy of a broadcast adjoint."""
        negate = _is_number(partial, -1)
        contribution = g if negate else scale(g, partial)
        if self.needs_unbroadcast(primitive, operand):
            contribution = self.unbroadcast(contribution, operand)
        return gast.UnaryOp(op=gast.USub(), operand=contribution) if negate else contribution

    def unbroadcast(self, contribution: gast.expr, operand: gast.Name) -> gast.expr:
        """`contribution` summed to `operand`'s shape: for an array made once, by its shape, so
        the sweep does not keep the array itself for it."""
        kind = operand_kind(operand, self.kinds, self.parsed.namespace)
        if operand.id in self.single and kind != SCALAR:
            shape = self.shapes.setdefault(operand.id, self.namer.claim(f"{operand.id}_shape"))
            helper = self.bind("unbroadcast_to", runtime.unbroadcast_to)
            return gast.Call(func=load(helper), args=[contribution, load(shape)], keywords=[])
        helper = self.bind("unbroadcast", runtime.unbroadcast)
        return gast.Call(func=load(helper), args=[contribution, operand], keywords=[])

    def needs_unbroadcast(self, primitive: Primitive, operand: gast.Name) -> bool:
        """False when every other operand is a scalar, this operand itself (`x * x`), or an
        array provably of its shape (`kinds.same_shapes`): the output then has its shape."""
        operands = [*primitive.args, *primitive.keywords.values()]
        shape = self.same_shapes.get(operand.id)

        def alike(a: gast.expr) -> bool:
            if operand_kind(a, self.kinds, self.parsed.namespace) == SCALAR:
                return True
            named = isinstance(a, gast.Name)
            return named and (a.id == operand.id or self.same_shapes.get(a.id, "") == shape)

        return not all(alike(a) for a in operands if a is not operand)

    def binder(self, primitive: Primitive) -> Callable[[str, Any], str]:
        """Binds a rule's globals. Its `xp` is `math` for `math`'s functions, and for operators
        and builtins where every operand is a Python scalar: floats in give floats out, at a
        tenth of the cost of a NumPy call. NumPy otherwise, and for NumPy's functions on floats
        (they return inf and nan where `math` raises, and so do their derivatives)."""
        module = getattr(primitive.function, "__module__", None)
        kinds = [
            operand_kind(a, self.kinds, self.parsed.namespace)
            for a in [*primitive.args, *primitive.keywords.values()]
        ]
        scalar = set(kinds) == {SCALAR} and not rules.numpy_semantics(primitive.function)
        xp = ("math", math) if module == "math" or scalar else ("np", np)

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
            f"no derivative rule for {name} ({self.mode} mode) with these arguments; give it one "
            f"with tg.register_partials({name}, ...) for an elementwise function, or "
            f"@tg.adjoint({name}) (see the custom rules page of the docs)",
            construct=name,
            **where,
        )

    def callee_name(self, primitive: Primitive) -> str:
        """The function as the user wrote it (`np.linalg.svd`), else as NumPy names it."""
        if primitive.callee is not None and primitive.method is None:
            return gast.unparse(primitive.callee).strip()
        if primitive.function is not None:
            return rules.describe(primitive.function)
        if primitive.method is not None:
            return f"the array method or attribute .{primitive.method}"
        if primitive.callee is not None:
            return gast.unparse(primitive.callee).strip()
        return "this operation"
