"""Forward: the tangent function (forward mode, DESIGN.md §1 `jvp`).

After each primal statement of the Wengert list comes its tangent statement, `y_dot = cos(x) *
x_dot`. Control flow needs no recording: tangents run in step with the primal, through the same
branches and loops. Every tangent comes from the same rule tables as reverse mode:
- elementwise rules: the partials times the operands' tangents (`partials`, shared with reverse);
- linear structural rules (`sum`, `reshape`, indexing): the primal applied to the tangents;
- multilinear ones (`dot`, `matmul`): the product rule;
- any other structural rule: its reverse rule, one sweep per output element (exact, slower).

>>> import numpy as np
>>> from tangentish.pipeline import compile_tangent
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> code = compile_tangent(f, wrt=(0, 1), optimized=False, kinds=("scalar", "scalar"))
>>> print(gast.unparse(code.node).strip())
def f_jvp(x1, x2, x1_dot, x2_dot):
    _v1 = x1 * x2
    _v1_dot = x2 * x1_dot + x1 * x2_dot
    _v2 = np.sin(x1)
    _v2_dot = np.cos(x1) * x1_dot
    _v3 = _v1 + _v2
    _v3_dot = _v1_dot + _v2_dot
    return (_v3, _v3_dot)
"""

from __future__ import annotations

import copy
import functools
import operator
from dataclasses import dataclass
from typing import Any

import gast

from . import calls, rules, runtime
from .activity import Activity
from .adjoint import Adjoints, assign, index_value, load, scale
from .errors import MissingRuleError
from .kinds import CONTAINER, SCALAR, operand_kind, same_shapes
from .naming import Namer, parameters
from .parse import ParsedFunction, location
from .primitives import Primitive, classify


@dataclass
class ForwardResult:
    """The tangent function and what it binds."""

    node: gast.FunctionDef
    bindings: dict[str, Any]
    output: gast.expr
    tangent: gast.expr


class _Tangents(Adjoints):
    """Tangent statements; shares rule lookup and binding with the reverse pass (`Adjoints`)."""

    mode = "forward"

    def tangent(self, node: gast.expr) -> gast.expr | None:
        """The tangent of an operand: `x_dot` for a varied name, None for a constant."""
        if isinstance(node, gast.Name) and node.id in self.activity.varied:
            return load(self.namer.tangent(node.id))
        return None

    def tangent_or_zero(self, node: gast.expr) -> gast.expr:
        return self.tangent(node) or self.zero_of(node)

    def zero_of(self, node: gast.expr) -> gast.expr:
        if operand_kind(node, self.kinds, self.parsed.namespace) == SCALAR:
            return gast.Constant(0.0, None)
        helper = self.bind("zeros_like", runtime.zeros_like)
        return gast.Call(func=load(helper), args=[copy.deepcopy(node)], keywords=[])

    def block(self, statements: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for statement in statements:
            if isinstance(statement, gast.If):
                node = gast.If(
                    test=statement.test,
                    body=self.block(statement.body),
                    orelse=self.block(statement.orelse),
                )
                out.append(gast.copy_location(node, statement))
            elif isinstance(statement, gast.For):
                node = gast.For(
                    target=statement.target,
                    iter=statement.iter,
                    body=self.block(statement.body),
                    orelse=[],
                    type_comment=None,
                )
                out.append(gast.copy_location(node, statement))
            elif isinstance(statement, gast.While):
                node = gast.While(test=statement.test, body=self.block(statement.body), orelse=[])
                out.append(gast.copy_location(node, statement))
            else:
                self.replacement = None
                tangents = self.statement_tangent(statement)
                out += self.replacement or [statement]
                out += tangents
        return out

    def statement_tangent(self, statement: gast.stmt) -> list[gast.stmt]:
        if not isinstance(statement, gast.Assign):
            return []
        target = statement.targets[0]
        value = statement.value
        if isinstance(target, gast.Subscript):
            array = target.value
            if array.id not in self.activity.varied:
                return []
            helper = load(self.bind("write_tangent", runtime.write_tangent))
            args = [
                self.tangent_or_zero(array),
                index_value(target.slice),
                self.tangent_or_zero(value),
                array,
            ]
            return [
                assign(
                    self.namer.tangent(array.id),
                    gast.Call(func=helper, args=args, keywords=[]),
                    statement,
                )
            ]
        if isinstance(target, gast.Tuple):
            names = [e.id for e in target.elts]
            if not any(n in self.activity.varied for n in names):
                return []
            source = self.tangent(value)
            if source is None:
                return [
                    assign(self.namer.tangent(n), self.zero_of(load(n)), statement) for n in names
                ]
            stores = [load(self.namer.tangent(n), gast.Store()) for n in names]
            unpack = gast.Assign(
                targets=[gast.Tuple(elts=stores, ctx=gast.Store())], value=source, type_comment=None
            )
            return [gast.copy_location(unpack, statement)]
        if target.id not in self.activity.varied:
            return []
        name = self.namer.tangent(target.id)
        expression = self.value_tangent(
            classify(value, self.parsed.namespace), statement, target.id
        )
        if expression is None:
            expression = self.zero_of(load(target.id))
        return [assign(name, expression, statement)]

    def value_tangent(
        self, primitive: Primitive, statement: gast.Assign, target: str
    ) -> gast.expr | None:
        """The tangent expression of one primitive, or None when it is zero."""
        args = primitive.args
        if not any(self.tangent(a) is not None for a in [*args, *primitive.keywords.values()]):
            return None
        if primitive.kind == "copy":
            return self.tangent(args[0])
        if primitive.kind == "container":
            kind = gast.Tuple if isinstance(statement.value, gast.Tuple) else gast.List
            return kind(elts=[self.tangent_or_zero(a) for a in args], ctx=gast.Load())
        if primitive.kind == "dict":
            return gast.Dict(
                keys=list(primitive.keywords.values()),
                values=[self.tangent_or_zero(a) for a in args],
            )
        if primitive.kind == "unknown" or isinstance(primitive.function, functools.partial):
            return self.call_dynamic_tangent(primitive, statement, target)
        if primitive.function is not None and rules.is_zero(primitive.function):
            return None
        if primitive.method is not None and rules.is_zero_method(primitive.method):
            return None
        kinds = [operand_kind(a, self.kinds, self.parsed.namespace) for a in args]
        if primitive.function is operator.add and CONTAINER in kinds:  # list + list
            primitive = Primitive("call", args, function=list.__add__, callee=primitive.callee)
        if calls.is_user_function(primitive.function) and not rules.lookup(
            primitive.function, len(args)
        ):
            return self.call_user_tangent(primitive, statement, target)
        rule = self.find_rule(primitive, statement)
        template = rule.template
        operands = list(args)
        if primitive.function is operator.getitem:
            operands[1] = index_value(operands[1])
        try:
            bound = template.bind(operands, primitive.keywords)
        except TypeError as error:
            raise MissingRuleError(
                f"the rule for {self.callee_name(primitive)} does not cover this call: {error}",
                construct=self.callee_name(primitive),
                **location(self.parsed, statement),
            ) from None
        bound["y"] = load(target)
        if rule.tangent is not None:  # the user's own forward rule
            for name in template.params:
                bound[f"{name}_dot"] = self.tangent_or_zero(bound[name])
            return rule.tangent.expand(bound, self.binder(primitive))[0]
        differentiable = [i for i, out in enumerate(template.outputs) if out is not None]
        varied = [i for i in differentiable if self.tangent(bound[template.params[i]]) is not None]
        if rule.tier == "partials":
            outputs = template.expand(bound, self.binder(primitive), set(varied))
            terms = []
            for i in varied:
                operand = bound[template.params[i]]
                term = scale(self.tangent(operand), outputs[i], partial_first=True)
                if self.needs_unbroadcast(primitive, operand):
                    helper = load(self.bind("broadcast_like", runtime.broadcast_like))
                    term = gast.Call(func=helper, args=[term, load(target)], keywords=[])
                terms.append(term)
            return _sum(terms)
        if rule.linearity == "linear":
            replaced = {
                template.params[i]: self.tangent_or_zero(bound[template.params[i]])
                for i in differentiable
            }
            return _substitute(statement.value, replaced, bound, template.params)
        if rule.linearity == "multilinear":
            terms = [
                _substitute(
                    statement.value,
                    {template.params[i]: self.tangent(bound[template.params[i]])},
                    bound,
                    template.params,
                )
                for i in varied
            ]
            return _sum(terms)
        return self.by_reverse_rule(rule, primitive, bound, varied, statement, target)

    def by_reverse_rule(self, rule, primitive, bound, varied, statement, target) -> gast.expr:
        """`J v` from the reverse rule: one sweep per output element (exact; no tangent rule)."""
        template = rule.template
        seed = self.namer.claim("_g")
        bound = dict(bound, g=load(seed))
        outputs = template.expand(bound, self.binder(primitive), set(varied))
        pullback = gast.Lambda(
            args=parameters([seed]),
            body=gast.Tuple(elts=[outputs[i] for i in varied], ctx=gast.Load()),
        )
        tangents = gast.Tuple(
            elts=[self.tangent(bound[template.params[i]]) for i in varied], ctx=gast.Load()
        )
        helper = load(self.bind("jvp_by_vjp", runtime.jvp_by_vjp))
        return gast.Call(func=helper, args=[pullback, load(target), tangents], keywords=[])

    def call_user_tangent(
        self, primitive: Primitive, statement: gast.Assign, target: str
    ) -> gast.expr:
        """`y = f(a)` for a user function: `y, y_dot = f_jvp(a, a_dot)`, `f`'s own tangent
        function (generated once per function and specialization)."""
        function = primitive.function
        operands, shape = self.call_operands(primitive, statement)
        active = tuple(name for name, node in operands.items() if self.tangent(node) is not None)
        kinds = {
            name: operand_kind(node, self.kinds, self.parsed.namespace)
            for name, node in operands.items()
            if isinstance(node, (gast.Name, gast.Constant, gast.Attribute))
        }
        callee = calls.derive_tangent(function, active, kinds, shape)
        handle = load(self.bind(f"{function.__name__}_jvp", callee))
        call = gast.Call(  # every argument, then the tangents
            func=gast.Attribute(value=handle, attr="jvp", ctx=gast.Load()),
            args=self.call_arguments(primitive) + [self.tangent(operands[n]) for n in active],
            keywords=[],
        )
        return self.replace_with_pair(call, statement, target)

    def call_dynamic_tangent(
        self, primitive: Primitive, statement: gast.Assign, target: str
    ) -> gast.expr:
        """`y = fn(a)` where `fn` is a value: its tangent function is found when the call runs."""
        operands = dict(enumerate(primitive.args)) | primitive.keywords
        active = [at for at, node in operands.items() if self.tangent(node) is not None]
        spec = gast.Tuple(elts=[gast.Constant(at, None) for at in active], ctx=gast.Load())
        tangents = gast.Tuple(elts=[self.tangent(operands[at]) for at in active], ctx=gast.Load())
        call = gast.Call(
            func=load(self.bind("call_tangent", calls.call_tangent)),
            args=[statement.value.func, spec, tangents, *primitive.args],
            keywords=[gast.keyword(arg=k, value=v) for k, v in primitive.keywords.items()],
        )
        return self.replace_with_pair(call, statement, target)

    def replace_with_pair(self, call: gast.Call, statement: gast.Assign, target: str) -> gast.expr:
        """Make the primal statement compute the value and its tangent at once."""
        tangent = self.namer.tangent(target)
        pair = gast.Tuple(
            elts=[load(target, gast.Store()), load(tangent, gast.Store())], ctx=gast.Store()
        )
        self.replacement = [
            gast.copy_location(
                gast.Assign(targets=[pair], value=call, type_comment=None), statement
            )
        ]
        return load(tangent)


def _sum(terms: list[gast.expr]) -> gast.expr | None:
    if not terms:
        return None
    total = terms[0]
    for term in terms[1:]:
        total = gast.BinOp(left=total, op=gast.Add(), right=term)
    return total


def _substitute(
    value: gast.expr,
    replaced: dict[str, gast.expr],
    bound: dict[str, gast.expr],
    params: tuple[str, ...],
) -> gast.expr:
    """The primal call with the operands bound to `replaced`'s parameters swapped for tangents."""
    return _swap(value, {id(bound[p]): new for p, new in replaced.items() if p in bound})


def _swap(value: gast.expr, swaps: dict[int, gast.expr]) -> gast.expr:
    """A copy of `value` in which the operand nodes in `swaps` (by identity) are replaced."""
    if id(value) in swaps:
        return copy.deepcopy(swaps[id(value)])
    node = copy.copy(value)
    for field, old in gast.iter_fields(value):
        if isinstance(old, list):
            setattr(
                node,
                field,
                [_swap(item, swaps) if isinstance(item, gast.AST) else item for item in old],
            )
        elif isinstance(old, gast.AST):
            setattr(node, field, _swap(old, swaps))
    return node


def build(
    parsed: ParsedFunction,
    wengert: gast.FunctionDef,
    activity: Activity,
    kinds: dict[str, str],
    wrt: tuple[str, ...],
    namer: Namer,
) -> ForwardResult:
    """The tangent function of the Wengert list `wengert` for input directions on `wrt`."""
    tangents = _Tangents(parsed, activity, dict(kinds), namer)
    tangents.same_shapes = same_shapes(wengert, kinds, parsed.namespace)
    *body, returned = wengert.body
    fixed = [a.id for a in wengert.args.args if a.id in activity.varied and a.id not in wrt]
    code = [  # arguments not differentiated that vary later (`x = x * y`) start with no tangent
        assign(namer.tangent(name), tangents.zero_of(load(name)), wengert) for name in fixed
    ]
    code += tangents.block(body)
    output = returned.value
    tangent = tangents.tangent(output) or tangents.zero_of(output)
    final = gast.copy_location(
        gast.Return(value=gast.Tuple(elts=[output, tangent], ctx=gast.Load())), returned
    )
    args = parameters(
        [a.id for a in wengert.args.args] + [namer.tangent(name) for name in wrt],
        list(wengert.args.defaults),
    )
    node = gast.FunctionDef(
        name=namer.claim(f"{wengert.name}_jvp"),
        args=args,
        body=code + [final],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(node, wengert)
    return ForwardResult(node, parsed.namespace.helpers, output, tangent)
