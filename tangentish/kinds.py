"""Kinds: which variables are provably Python scalars, so generated code can skip array helpers.

The compiler specializes on the kinds of the arguments (DESIGN.md §2). Code where both operands of
an elementwise operation are scalars needs no `unbroadcast`, and uses `math` rather than NumPy for
its partials. `UNKNOWN` is always safe: it only means the generic, reducing code is emitted.

>>> import gast
>>> from tangentish.parse import parse
>>> from tangentish.normalize import lower
>>> from tangentish.naming import Namer
>>> def f(x, a):
...     return x * 2.0 + a
>>> kinds = infer(lower(parse(f), Namer(set())), {"x": SCALAR, "a": ARRAY}, parse(f).namespace)
>>> kinds["_v1"], kinds["_v2"]
('scalar', 'array')
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import gast
import numpy as np

from . import rules, runtime
from .activity import assignments
from .naming import store_counts
from .parse import Namespace
from .primitives import classify

SCALAR, ARRAY, UNKNOWN = "scalar", "array", "unknown"
#: What `range(...)` makes: a `for` loop over it assigns its target Python ints.
RANGE = "range"
#: A tuple or list whose adjoint is accumulated entry by entry (set by the reverse pass).
CONTAINER = "container"
#: A complex number or array (never differentiated), and what elementwise operations and
#: reductions make of it: an output of this kind is checked where the seed meets it.
COMPLEX = "complex"

#: Python scalar types, including NumPy's scalars (which broadcast like floats).
SCALAR_TYPES = (numbers.Number, np.generic)


#: NumPy functions that always return an array.
ARRAY_MAKERS = frozenset(
    {
        np.zeros,
        np.ones,
        np.empty,
        np.full,
        np.zeros_like,
        np.ones_like,
        np.empty_like,
        np.eye,
        np.asarray,
    }
)

#: Array methods that reduce to a scalar when called without arguments (`x.sum()`).
REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min"})


def of_value(value: Any) -> str:
    """The kind of a run-time value: what a specialization is keyed on."""
    if isinstance(value, np.ndarray):
        return COMPLEX if value.dtype.kind == "c" else ARRAY
    if isinstance(value, (list, tuple, dict)):
        return CONTAINER
    if isinstance(value, (complex, np.complexfloating)):
        return COMPLEX
    if isinstance(value, SCALAR_TYPES):
        return SCALAR
    return UNKNOWN


def float_dtype(a: Any) -> np.dtype[Any]:
    """The dtype of `a`'s derivatives: its own float dtype (float32 stays float32), else float64
    (for integers, booleans, lists and Python numbers)."""
    dtype = getattr(a, "dtype", None)
    return dtype if dtype is not None and dtype.kind == "f" else np.dtype(np.float64)


def _join(a: str, b: str) -> str:
    return a if a == b else UNKNOWN


def infer(fn: gast.FunctionDef, params: dict[str, str], namespace: Namespace) -> dict[str, str]:
    """The kind of every name of the Wengert list `fn`, given the kinds of its parameters."""
    kinds = dict(params)
    pairs = assignments(fn.body)
    packed = _packed(pairs)
    changed = True
    while changed:
        changed = False
        for assignment in pairs:
            if assignment.write:
                continue  # writing into an array leaves it an array
            targets, value = assignment.targets, assignment.value
            entries = packed.get(getattr(value, "id", ""), [])
            if assignment.unpacks and len(entries) == len(targets):  # `a, b = t`, t = (x, y)
                found = [operand_kind(e, kinds, namespace) for e in entries]
            elif assignment.unpacks:
                found = [UNKNOWN] * len(targets)
            else:
                found = [_of_expr(value, kinds, namespace)]
            for target, kind in zip(targets, found):
                new = kind if target not in kinds else _join(kinds[target], kind)
                if kinds.get(target) != new:
                    kinds[target] = new
                    changed = True
    return kinds


def _packed(pairs: list) -> dict[str, list[gast.expr]]:
    """Names only ever assigned one tuple literal (a swap `x, y = y, x`): their entries."""
    found: dict[str, list[gast.expr]] = {}
    other: set[str] = set()
    for assignment in pairs:
        if len(assignment.targets) != 1:
            continue
        name, value = assignment.targets[0], assignment.value
        if isinstance(value, gast.Tuple) and name not in found:
            found[name] = list(value.elts)
        else:
            other.add(name)
    return {name: entries for name, entries in found.items() if name not in other}


def operand_kind(node: gast.expr, kinds: dict[str, str], namespace: Namespace) -> str:
    """The kind of one operand: a local name, a constant or a non-local reference."""
    if isinstance(node, gast.Name) and node.id in kinds:
        return kinds[node.id]
    if isinstance(node, gast.Constant):
        return of_value(node.value)
    resolved = namespace.resolve(node)
    return of_value(resolved.value) if resolved is not None else UNKNOWN


def _of_expr(value: gast.expr, kinds: dict[str, str], namespace: Namespace) -> str:
    slice_ = getattr(value, "slice", None)
    if isinstance(slice_, gast.Constant) and slice_.value is Ellipsis:  # a `for` loop's element
        return SCALAR if kinds.get(getattr(value.value, "id", "")) == RANGE else UNKNOWN
    primitive = classify(value, namespace)
    if primitive.kind == "copy":
        return operand_kind(primitive.args[0], kinds, namespace)
    if primitive.kind in ("container", "dict"):
        return CONTAINER
    reduced = primitive.args and operand_kind(primitive.args[0], kinds, namespace) == COMPLEX
    if primitive.kind == "method" and primitive.method in REDUCTIONS:
        whole = len(primitive.args) == 1 and not primitive.keywords
        return COMPLEX if reduced else SCALAR if whole else UNKNOWN
    if primitive.kind != "call" or primitive.function is None:
        return UNKNOWN
    if primitive.function in (np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin):
        if reduced:
            return COMPLEX
        return SCALAR if len(primitive.args) == 1 and not primitive.keywords else UNKNOWN
    function = primitive.function
    if function is range:
        return RANGE
    if function is runtime.as_sequence:
        return operand_kind(primitive.args[0], kinds, namespace)
    if function in (runtime.list_append, runtime.list_extend, runtime.list_pop):
        return CONTAINER
    if function in (list, tuple, dict):
        return CONTAINER
    if function in ARRAY_MAKERS:
        return ARRAY
    args = [operand_kind(a, kinds, namespace) for a in primitive.args]
    if function in (operator.add, operator.mul) and CONTAINER in args:  # `a + b`, `a * n` of lists
        return CONTAINER
    if getattr(function, "__module__", None) == "math" or function is math.pow:
        return SCALAR
    rule = rules.lookup(function, len(args))
    elementwise = (rule is not None and rule.tier == "partials") or (
        rules.is_zero(function) and getattr(function, "__module__", None) == "_operator"
    )
    if not elementwise or primitive.keywords or isinstance(value, gast.Subscript):
        return UNKNOWN
    if COMPLEX in args:
        return COMPLEX
    if all(k == SCALAR for k in args):
        return SCALAR
    if all(k in (SCALAR, ARRAY) for k in args):
        return ARRAY
    return UNKNOWN


def coerce_containers(
    fn: gast.FunctionDef, kinds: dict[str, str], namespace: Namespace, namer: Any
) -> bool:
    """A list or tuple given to an elementwise NumPy function, or combined with an array by an
    operator (`array * items` is NumPy's product, not a repetition), is an array to NumPy: it
    becomes `asarray(items)` there, whose adjoint gives the array's adjoint the container's
    structure. True if `fn` changed (its kinds must then be inferred again)."""
    made: list[gast.stmt] = []

    def block(body: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for statement in body:
            for field in ("body", "orelse"):
                if hasattr(statement, field) and not isinstance(statement, gast.FunctionDef):
                    setattr(statement, field, block(getattr(statement, field)))
            for holder, slot in _array_operands(statement, namespace, kinds):
                arg = holder[slot] if isinstance(holder, list) else getattr(holder, slot)
                if isinstance(arg, gast.Name) and kinds.get(arg.id) == CONTAINER:
                    asarray = namespace.bind("asarray", np.asarray, namer)
                    array = namer.temporary()
                    convert = gast.Assign(
                        targets=[gast.Name(array, gast.Store(), None, None)],
                        value=gast.Call(
                            func=gast.Name(asarray, gast.Load(), None, None),
                            args=[arg],
                            keywords=[],
                        ),
                        type_comment=None,
                    )
                    made.append(gast.copy_location(convert, statement))
                    out.append(made[-1])
                    name = gast.Name(array, gast.Load(), None, None)
                    if isinstance(holder, list):
                        holder[slot] = name
                    else:
                        setattr(holder, slot, name)
            out.append(statement)
        return out

    fn.body = block(fn.body)
    return bool(made)


def _array_operands(
    statement: gast.stmt, namespace: Namespace, kinds: dict[str, str]
) -> list[tuple[Any, Any]]:
    """Where the operands NumPy turns into arrays sit in `y = ...`: those of an elementwise NumPy
    function, and those of an arithmetic operator one of whose operands is an array."""
    if not isinstance(statement, gast.Assign):
        return []
    value = statement.value
    if isinstance(value, gast.BinOp):
        sides = [value.left, value.right]
        if ARRAY in [operand_kind(side, kinds, namespace) for side in sides]:
            return [(value, "left"), (value, "right")]
        return []
    if not isinstance(value, gast.Call):
        return []
    function = classify(value, namespace).function
    rule = rules.lookup(function, len(value.args))
    module = str(getattr(function, "__module__", None) or "")
    from_numpy = isinstance(function, np.ufunc) or module.startswith("numpy")
    if rule is None or rule.tier != "partials" or not from_numpy:
        return []
    return [(value.args, k) for k in range(len(value.args))]


def same_shapes(
    fn: gast.FunctionDef, kinds: dict[str, str], namespace: Namespace
) -> dict[str, str]:
    """Names provably of one shape, each mapped to the name that stands for its shape: the
    parameters it was computed from elementwise (`v = np.tanh(x) * 2.0` has `x`'s shape), so an
    adjoint between them needs no `unbroadcast`. Only names assigned once, outside every loop,
    and parameters never assigned: a shape is then one fact for the whole function."""
    stores = store_counts(fn)
    found = {a.id: a.id for a in fn.args.args if not stores[a.id]}

    def shape_of(node: gast.expr) -> str | None:
        kind = operand_kind(node, kinds, namespace)
        if kind == SCALAR:
            return SCALAR
        named = isinstance(node, gast.Name) and kind == ARRAY  # not a list: `+` concatenates
        return found.get(node.id) if named else None

    def elementwise(operands: list[gast.expr]) -> str | None:
        """The shape of operands broadcast together, when all but scalars share one."""
        shapes = {shape_of(o) for o in operands} - {SCALAR}
        return shapes.pop() if len(shapes) == 1 and None not in shapes else None

    def visit(body: list[gast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, gast.If):
                visit(statement.body)
                visit(statement.orelse)
            if not isinstance(statement, gast.Assign) or len(statement.targets) != 1:
                continue
            target, value = statement.targets[0], statement.value
            if not isinstance(target, gast.Name) or stores[target.id] != 1:
                continue
            primitive = classify(value, namespace)
            operands: list[gast.expr] | None = None
            arithmetic = isinstance(value, gast.BinOp) and not isinstance(value.op, gast.MatMult)
            if primitive.kind == "copy" or isinstance(value, gast.UnaryOp) or arithmetic:
                operands = primitive.args
            elif isinstance(primitive.function, np.ufunc) and not primitive.keywords:
                operands = primitive.args if len(primitive.args) == primitive.function.nin else None
            shape = elementwise(operands) if operands else None
            found[target.id] = shape or target.id

    visit(fn.body)
    return found
