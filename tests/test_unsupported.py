"""Every construct tangentish does not differentiate is a clear error, raised before any
transformation; constructs that are in fact supported give the right derivative.

One test per construct. A rejected construct must raise `UnsupportedSyntaxError` (or, for a call,
another `TangentishError` subclass) whose message names this file, the line (marked `# BAD`), the
column and the construct, and it must come from `parse`/`validate`, the first passes: nothing was
transformed yet. The supported ones are checked against central differences (oracle.py).

The second half feeds mutated corpus functions to `grad` and `jvp` (Hypothesis): operators swapped,
expressions replaced by random ones, statements of every kind inserted, statements deleted or
duplicated, names and constants changed. Only `TangentishError`s may escape, or the exception the
function itself raises when run; never an internal KeyError/AttributeError/IndexError/TypeError/
AssertionError raised inside tangentish's own modules, and an `InternalError` says "please report".
"""

from __future__ import annotations

import ast
import collections
import copy
import functools
import inspect
import os
import sys
import textwrap
import traceback
import warnings
from typing import Any, Callable

import calls_corpus
import control_flow_corpus
import corpus
import numpy as np
import program_generator as pg
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from oracle import check_vjp

import tangentish as tg

#: Mutants are odd code: `'text'(x)`, `x is 1.0`; Python warns when it compiles them.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

BASENAME = os.path.basename(__file__)
TANGENTISH = os.path.dirname(os.path.abspath(tg.__file__))
COUNTER = 0
V3 = np.array([0.5, 1.5, 2.5])


def bad_line(fn: Callable[..., Any]) -> int:
    lines, first = inspect.getsourcelines(fn)
    marked = [first + i for i, line in enumerate(lines) if line.rstrip().endswith("# BAD")]
    assert len(marked) == 1, f"{fn.__name__} needs exactly one line marked # BAD"
    return marked[0]


def _raising_module(error: BaseException) -> str:
    """The tangentish module whose frame raised `error` (the innermost tangentish frame)."""
    frames = [
        f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(TANGENTISH)
    ]
    return os.path.basename(frames[-1].filename) if frames else ""


def assert_rejected(
    fn: Callable[..., Any],
    words: tuple[str, ...],
    *args: Any,
    error: type[tg.TangentishError] = tg.UnsupportedSyntaxError,
    passes: tuple[str, ...] = ("parse.py", "validate.py"),
) -> tg.TangentishError:
    """`grad(fn)(*args)` raises `error` naming this file, the `# BAD` line, a column and the
    construct (one of `words`, case-insensitive), from one of `passes`."""
    with pytest.raises(error) as caught:
        tg.grad(fn)(*(args or (0.5,)))
    found = caught.value
    message = str(found)
    line = bad_line(fn)
    assert f"{BASENAME}, line {line}" in message, message
    assert found.lineno == line and found.filename is not None
    assert os.path.basename(found.filename) == BASENAME
    assert found.col is not None and f"column {found.col + 1}" in message, message
    assert found.construct, f"no construct named: {message}"
    assert any(w.lower() in message.lower() for w in words), f"none of {words} in {message!r}"
    raised_by = _raising_module(found)
    assert raised_by in passes, f"raised by {raised_by}, not before any transformation"
    return found


def assert_right(fn: Callable[..., Any], *args: Any, wrt: Any = (0,)) -> None:
    """A supported construct: the gradient agrees with central differences, in both modes."""
    args = args or (0.7,)
    grads = tg.grad(fn, wrt=wrt)(*args)
    check_vjp(fn, args, wrt, grads, 1.0, nonzero=False)
    tg.check_grads(fn, *args, wrt=wrt)


# -- generators, exceptions, context managers, async -----------------------------------------------


def uses_yield(x):
    yield x * 2.0  # BAD
    return x


def uses_yield_from(x):
    yield from (x, x)  # BAD
    return x


def uses_try_except(x):
    try:  # BAD
        y = x * 2.0
    except ValueError:
        y = x
    return y


def uses_try_finally(x):
    try:  # BAD
        y = x * 2.0
    finally:
        pass
    return y


def uses_raise(x):
    if x > 10.0:
        raise ValueError("too big")  # BAD
    return x * 2.0


def uses_with(x):
    with np.errstate(all="ignore"):  # BAD
        y = np.log(x)
    return y


async def uses_async(x):  # BAD
    return x * 2.0


async def uses_await(x):  # BAD
    y = await uses_async(x)
    return y


def test_yield():
    assert_rejected(uses_yield, ("yield", "generator"))


def test_yield_from():
    assert_rejected(uses_yield_from, ("yield",))


def test_try_except():
    assert_rejected(uses_try_except, ("try",))


def test_try_finally():
    assert_rejected(uses_try_finally, ("try",))


def test_raise():
    assert_rejected(uses_raise, ("raise",))


def test_with():
    assert_rejected(uses_with, ("with",))


def test_async_def():
    assert_rejected(uses_async, ("async",))


def test_await():
    assert_rejected(uses_await, ("async", "await"))


@pytest.mark.parametrize("fn", [uses_async, uses_await])
def test_async_def_is_an_unsupported_syntax_error_naming_the_line(fn):
    with pytest.raises(tg.UnsupportedSyntaxError) as caught:
        tg.grad(fn)(0.5)
    assert caught.value.lineno == bad_line(fn) and f"{BASENAME}, line" in str(caught.value)


# -- scopes ----------------------------------------------------------------------------------------


def uses_global_write(x):
    global COUNTER  # BAD
    COUNTER = COUNTER + 1
    return x * 2.0


def uses_global_read(x):
    global V3  # BAD
    return x * np.sum(V3)


def make_nonlocal():
    y = 1.0

    def uses_nonlocal(x):
        nonlocal y  # BAD
        y = y + 1.0
        return x * y

    return uses_nonlocal


def uses_nonlocal_in_nested_def(x):
    y = 2.0

    def inner(t):
        nonlocal y  # BAD
        y = 3.0
        return t * y

    return inner(x)


def uses_class(x):
    class Box:  # BAD
        value = 1.0

    return x * Box.value


def uses_import(x):
    import math as m  # BAD

    return m.sin(x)


def uses_import_from(x):
    from math import sin  # BAD

    return sin(x)


def test_global_write():
    assert_rejected(uses_global_write, ("global",))


def test_global_read_declaration():
    assert_rejected(uses_global_read, ("global",))


def test_nonlocal():
    fn = make_nonlocal()
    with pytest.raises(tg.UnsupportedSyntaxError) as caught:
        tg.grad(fn)(0.5)
    assert caught.value.lineno == bad_line(fn) and "nonlocal" in str(caught.value)


def test_nonlocal_in_nested_def():
    assert_rejected(uses_nonlocal_in_nested_def, ("nonlocal",))


def test_class_definition():
    assert_rejected(uses_class, ("class",))


def test_import():
    assert_rejected(uses_import, ("import",))


def test_import_from():
    assert_rejected(uses_import_from, ("import",))


# -- exec and eval ---------------------------------------------------------------------------------


def uses_eval(x):
    y = eval("x * 3.0")  # BAD
    return y + x


def uses_exec(a):
    b = a * 2.0
    exec("b[0] = 0.0")  # BAD
    return np.sum(b)


def uses_eval_with_namespace(x):
    return eval("v * 2.0", {"v": x})  # BAD


SQUARE_MADE_BY_EVAL = eval("lambda t: t * t")


def calls_a_lambda_made_by_eval(x):
    return SQUARE_MADE_BY_EVAL(x)


def test_eval():
    assert_rejected(uses_eval, ("eval",))


def test_exec():
    assert_rejected(uses_exec, ("exec",), V3)


def test_eval_of_a_differentiated_value():
    assert assert_rejected(uses_eval_with_namespace, ("eval",)).construct == "eval"


def test_eval_and_exec_are_rejected_in_forward_mode_too():
    for fn, args in ((uses_eval, (0.7,)), (uses_exec, (V3,))):
        with pytest.raises(tg.UnsupportedSyntaxError, match="eval|exec"):
            tg.jvp(fn)(*args)


def test_function_made_by_eval():
    with pytest.raises(tg.SourceUnavailableError, match="source"):
        tg.grad(calls_a_lambda_made_by_eval)(0.7)


# -- assignments -----------------------------------------------------------------------------------


def uses_walrus(x):
    return (y := x * 2.0) * y  # BAD


def uses_walrus_in_comprehension(x):
    return sum([(y := t * x) for t in (1.0, 2.0)]) + y  # BAD


def uses_star_assignment(x):
    a, *b = (x, x * 2.0, x * 3.0)  # BAD
    return a * b[0]


def uses_star_target_in_for(x):
    s = 0.0
    for a, *b in [(x, x, x)]:  # BAD
        s = s + a * b[0]
    return s


def uses_del(x):
    y = x * 2.0
    z = y * y
    del y  # BAD
    return z


def uses_assert(x):
    assert x > 0  # BAD
    return x * 2.0


def uses_chained_assignment(x):
    a = b = x * 2.0  # BAD
    return a * b


def uses_attribute_assignment(a):
    b = a * 2.0
    b.shape = (3, 1)  # BAD
    return np.sum(b)


def uses_nested_subscript_assignment(a):
    b = np.zeros((2, 2))
    b[0][1] = a[0]  # BAD
    return np.sum(b * b)


def uses_annotated_assignment(x):
    y: float = x * 2.0  # BAD
    return y


def test_walrus():
    assert_rejected(uses_walrus, ("walrus", "assignment expression"))


def test_walrus_in_comprehension():
    assert_rejected(uses_walrus_in_comprehension, ("walrus", "assignment expression"))


def test_star_assignment():
    assert_rejected(uses_star_assignment, ("starred", "star"))


def test_star_target_in_for():
    assert_rejected(uses_star_target_in_for, ("starred", "star"))


def test_del():
    assert_rejected(uses_del, ("delete", "del"))


def test_assert():
    assert_rejected(uses_assert, ("assert",))


def test_chained_assignment():
    assert_rejected(uses_chained_assignment, ("chained",))


def test_attribute_assignment():
    assert_rejected(uses_attribute_assignment, ("attribute",), V3)


def test_nested_subscript_assignment():
    assert_rejected(uses_nested_subscript_assignment, ("subscript",), V3)


def test_annotated_assignment():
    assert_rejected(uses_annotated_assignment, ("annassign", "annotat"))


# -- signatures ------------------------------------------------------------------------------------


def uses_star_args(*args):  # BAD
    return args[0] * args[0]


def uses_star_kwargs(x, **options):  # BAD
    return x * x


def uses_keyword_only(x, *, scale=2.0):  # BAD
    return x * x * scale


def uses_positional_only(x, /):  # BAD
    return x * x


def test_star_args():
    assert_rejected(uses_star_args, ("*args",))


def test_star_kwargs():
    assert_rejected(uses_star_kwargs, ("**kwargs",))


def test_keyword_only_parameters():
    assert_rejected(uses_keyword_only, ("keyword-only",))


def test_positional_only_parameters():
    assert_rejected(uses_positional_only, ("positional-only",))


# -- expressions -----------------------------------------------------------------------------------

OPTIONS = {"axis": 0}


def uses_set_literal(x):
    return len({x, 2.0}) * x  # BAD


def uses_set_comprehension(x):
    return x * len({t for t in (1.0, 2.0)})  # BAD


def uses_dict_comprehension(x):
    return {k: x * x for k in ("a",)}["a"]  # BAD


def uses_f_string(x):
    label = f"{x:.1f}"  # BAD
    return x * len(label)


def uses_is(x):
    return (x is not None) * x  # BAD


def uses_in(x):
    return (x not in (1.0, 2.0)) * x  # BAD


def uses_bitwise_and(x):
    return x * float(True & True)  # BAD


def uses_shift(x):
    return x * (1 << 2)  # BAD


def uses_invert(x):
    return x * ~3  # BAD


def uses_starred_call(x):
    pair = (x, x * x)
    return np.add(*pair)  # BAD


def uses_double_starred_call(a):
    return np.sum(a * a, **OPTIONS)  # BAD


def test_set_literal():
    assert_rejected(uses_set_literal, ("set",))


def test_set_comprehension():
    assert_rejected(uses_set_comprehension, ("setcomp", "set"))


def test_dict_comprehension():
    assert_rejected(uses_dict_comprehension, ("dictcomp", "dict"))


def test_f_string():
    assert_rejected(uses_f_string, ("joinedstr", "f-string"))


def test_is_comparison():
    assert_rejected(uses_is, ("isnot", "is"))


def test_in_comparison():
    assert_rejected(uses_in, ("notin", "in"))


def test_bitwise_operator():
    assert_rejected(uses_bitwise_and, ("bitand",))


def test_shift_operator():
    assert_rejected(uses_shift, ("lshift",))


def test_invert_operator():
    assert_rejected(uses_invert, ("invert",))


def test_starred_call():
    assert_rejected(uses_starred_call, ("star",))


def test_double_starred_call():
    assert_rejected(uses_double_starred_call, ("**kwargs",), V3)


MATCH_SOURCE = """
def uses_match(x):
    match x:  # BAD
        case 1.0:
            return x
    return x * 2.0
"""


@pytest.mark.skipif(sys.version_info < (3, 10), reason="`match` is Python 3.10+")
def test_match_statement():
    module = pg.import_source(textwrap.dedent(MATCH_SOURCE), "match")
    with pytest.raises(tg.UnsupportedSyntaxError) as caught:
        tg.grad(module.uses_match)(0.5)
    assert caught.value.lineno == 3 and "match" in str(caught.value).lower()
    assert _raising_module(caught.value) == "validate.py"


# -- constructs that look unusual but are supported: the derivative is right -----------------------


def supported_for_else(x):
    y = x
    for _ in range(2):
        y = y * x
    else:
        y = y + x
    return y


def supported_while_else(x):
    y, k = x, 0
    while k < 2:
        k = k + 1
        y = y * x
    else:
        y = y + 1.0
    return y


def supported_slice_assignment(a):
    b = np.zeros(3)
    b[1:] = a[:2] * a[1:]
    return np.sum(b * b)


def supported_lambda_default(x):
    return (lambda t, s=2.0: t * s)(x)


def supported_getattr(x):
    return np.sin(x) * x


def supported_string_constant(x):
    s = "abc"
    return x * len(s)


def supported_print(x):
    print(end="")
    return x * x


def supported_conditional_expression(x):
    return x * x if x > 0 else -x


def supported_int_cast(x):
    return int(x) * x + x * x


def supported_ellipsis(a):
    return np.sum(a[...] * a)


def supported_dict_get(x):
    d = {"a": x}
    return d.get("a") * d.get("b", 2.0)


def supported_isinstance(x):
    if isinstance(x, float):
        return x * 2.0
    return x


@pytest.mark.parametrize(
    ("fn", "args"),
    [
        (supported_for_else, (0.7,)),
        (supported_while_else, (0.7,)),
        (supported_slice_assignment, (V3,)),
        (supported_lambda_default, (0.7,)),
        (supported_getattr, (0.7,)),
        (supported_string_constant, (0.7,)),
        (supported_print, (0.7,)),
        (supported_conditional_expression, (0.7,)),
        (supported_int_cast, (1.7,)),
        (supported_ellipsis, (V3,)),
        (supported_dict_get, (0.7,)),
    ],
    ids=lambda value: getattr(value, "__name__", "").replace("supported_", "") or None,
)
def test_supported_construct(fn, args):
    assert_right(fn, *args)


def test_isinstance_in_reverse_mode():
    check_vjp(supported_isinstance, (0.7,), (0,), tg.grad(supported_isinstance)(0.7), 1.0)


def test_isinstance_in_forward_mode():
    assert tg.jvp(supported_isinstance)(0.7) == (1.4, 2.0)


# -- mutated and random programs -------------------------------------------------------------------

#: The corpus functions the mutations start from (module, case).
SEEDS = [
    (module, case)
    for module in (corpus, control_flow_corpus, calls_corpus)
    for case in module.CASES
    if inspect.getsourcefile(case.fn) == inspect.getsourcefile(module)
]

BINARY = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.FloorDiv, ast.Mod, ast.MatMult]
BINARY_ODD = [ast.BitOr, ast.BitAnd, ast.BitXor, ast.LShift, ast.RShift]
COMPARE = [
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Eq,
    ast.NotEq,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
]
UNARY = [ast.USub, ast.UAdd, ast.Not, ast.Invert]

#: Expressions a mutation may put anywhere (a name `x` may not exist: that is part of the test).
EXPRESSIONS = [
    "x",
    "x * 2.0",
    "0",
    "0.0",
    "-1",
    "1e308",
    "float('nan')",
    "None",
    "True",
    "'text'",
    "b'bytes'",
    "3j",
    "...",
    "[]",
    "()",
    "{}",
    "[x, 1.0]",
    "(x, x)",
    "{x, 1.0}",
    "{'k': x}",
    "np.zeros(3)",
    "np.ones((2, 2))",
    "np.array([])",
    "np.sin",
    "math.pi",
    "lambda t: t * t",
    "lambda: (yield)",
    "(t for t in range(3))",
    "[t * 2 for t in range(3)]",
    "{t: t for t in range(3)}",
    "{t for t in range(3)}",
    "f'{x}'",
    "x if x else 0.0",
    "x and 1.0",
    "not x",
    "x.real",
    "x.nonexistent",
    "x[0]",
    "x[1:2]",
    "x[None]",
    "x[..., 0]",
    "len(x)",
    "abs(x)",
    "max(x, 1.0)",
    "np.sum(x, axis=0)",
    "np.where(x > 0, x, 0.0)",
    "print(x)",
    "int(x)",
    "str(x)",
    "id(x)",
    "globals()",
    "locals()",
    "vars()",
    "eval('1')",
    "exec('pass')",
    "open",
    "type(x)",
    "isinstance(x, float)",
    "getattr(np, 'cos')",
    "np.linalg.norm(x)",
    "x @ x",
    "x ** -1",
    "x // 0.0",
    "(x := 1.0)",
    "[*x]",
    "np.add(*[x, x])",
    "dict(**{'a': x})",
    "slice(1, 2)",
    "range(2)",
    "sum(x)",
]

#: Statements a mutation may insert.
STATEMENTS = [
    "pass",
    "x = x * 2.0",
    "y = 1.0",
    "x += 1.0",
    "x[0] = 1.0",
    "x.attr = 1.0",
    "x, y = y, x",
    "a, *b = (1.0, 2.0, 3.0)",
    "del x",
    "assert x",
    "import math",
    "from math import sin",
    "global G",
    "raise ValueError('no')",
    "return x",
    "return",
    "return None",
    "return (x, x)",
    "print('hello')",
    "x",
    "if x:\n    x = 1.0",
    "if x > 0:\n    return x\nelse:\n    x = -x",
    "for i in range(3):\n    x = x + i",
    "for i in range(3):\n    break",
    "for t in x:\n    continue",
    "while False:\n    pass",
    "k = 0\nwhile k < 2:\n    k = k + 1",
    "try:\n    x = 1.0\nexcept Exception:\n    pass",
    "with open('f') as h:\n    pass",
    "class C:\n    pass",
    "def inner(t):\n    return t * 2.0",
    "def gen(t):\n    yield t",
    "async def co(t):\n    return t",
    "lam = lambda t: x",
    "x: float = 1.0",
    "x = y = 2.0",
    "x @= x",
    "x **= 2",
    "x //= 2",
    "x |= 1",
    "x = [t for t in range(2)]",
    "x = {1: x}",
    "x = x[0]",
    "x = np.zeros((2, 3))",
    "x = 'text'",
    "x = None",
    "x = (yield)",
]


def _names(tree: ast.AST) -> list[str]:
    return sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})


def _renamed(draw: Any, tree: Any, function: ast.FunctionDef) -> Any:
    """`tree` with its name `x`, half the time, renamed to a name the function uses."""
    names = _names(function)
    if names and draw(st.booleans()):
        new = draw(st.sampled_from(names))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "x":
                node.id = new
    return tree


@st.composite
def mutants(draw: Any) -> tuple[str, Any, str, tuple[Any, ...], Any]:
    """A corpus function, mutated: (module source, corpus module, function name, args, wrt)."""
    module, case = draw(st.sampled_from(SEEDS))
    tree = ast.parse(textwrap.dedent(inspect.getsource(case.fn)))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    function.decorator_list = []
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, function)
    ast.fix_missing_locations(tree)
    try:
        source = ast.unparse(tree)
        compile(source, "<mutant>", "exec")
    except (SyntaxError, ValueError, TypeError, RecursionError):
        assume(False)
    args = list(case.args)
    if draw(st.integers(0, 4)) == 0:  # an odd argument
        i = draw(st.integers(0, len(args) - 1))
        args[i] = draw(
            st.sampled_from(
                [
                    0,
                    1,
                    True,
                    None,
                    "text",
                    [1.0, 2.0],
                    (),
                    np.array(1.5),
                    np.zeros(0),
                    np.array([1, 2, 3]),
                    np.float32(0.5),
                    float("nan"),
                    float("inf"),
                    1j,
                    np.ones((2, 2)),
                    np.array(["a"]),
                ]  # fmt: skip
            )
        )
    return source, module, function.name, tuple(args), case.wrt


def _mutate(draw: Any, function: ast.FunctionDef) -> None:
    nodes = list(ast.walk(function))
    kind = draw(st.integers(0, 7))
    if kind == 0:  # swap a binary operator
        ops = [n for n in nodes if isinstance(n, (ast.BinOp, ast.AugAssign))]
        if ops:
            node = draw(st.sampled_from(ops))
            node.op = draw(st.sampled_from(BINARY + BINARY_ODD))()
            return
    if kind == 1:  # swap a comparison or unary operator
        ops = [n for n in nodes if isinstance(n, (ast.Compare, ast.UnaryOp))]
        if ops:
            node = draw(st.sampled_from(ops))
            if isinstance(node, ast.Compare):
                node.ops = [draw(st.sampled_from(COMPARE))() for _ in node.ops]
            else:
                node.op = draw(st.sampled_from(UNARY))()
            return
    if kind in (2, 3):  # replace an expression with a random one
        parents = [
            (n, field)
            for n in nodes
            for field, value in ast.iter_fields(n)
            # not a target: `for np.sin in range(3)` would rebind NumPy's sin for every test after
            if isinstance(value, ast.expr)
            and not isinstance(n, ast.arguments)
            and field != "target"
        ]
        if parents:
            parent, field = draw(st.sampled_from(parents))
            expression = ast.parse(draw(st.sampled_from(EXPRESSIONS)), mode="eval").body
            setattr(parent, field, _renamed(draw, expression, function))
            return
    blocks = [
        (n, field)
        for n in nodes
        for field in ("body", "orelse")
        if isinstance(getattr(n, field, None), list)
        and all(isinstance(s, ast.stmt) for s in getattr(n, field))
    ]
    parent, field = draw(st.sampled_from(blocks))
    body = getattr(parent, field)
    if kind in (4, 5) or not body:  # insert a statement
        module = ast.parse(draw(st.sampled_from(STATEMENTS)))
        at = draw(st.integers(0, len(body)))
        body[at:at] = _renamed(draw, module, function).body
        return
    at = draw(st.integers(0, len(body) - 1))
    if kind == 6:  # delete a statement
        del body[at]
        if not body and parent is not function:
            body.append(ast.Pass())
    else:  # duplicate a statement
        body.insert(at, copy.deepcopy(body[at]))


def _classify(error: BaseException) -> str:
    """Where an exception was raised: "compiler" (a tangentish module other than the run-time
    helpers), "generated" (generated code or run-time helpers), or "user"/"other"."""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        name = frame.filename
        if name.startswith("<tangentish") or name == os.path.join(TANGENTISH, "runtime.py"):
            return "generated"
        if name.startswith(TANGENTISH):
            return "compiler"
    return "other"


def _run(fn: Callable[..., Any], args: tuple[Any, ...]) -> BaseException | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with np.errstate(all="ignore"), pg.time_limit(5.0):
                fn(*copy.deepcopy(list(args)))
        except pg.TimeLimitExceeded as error:
            return error
        except Exception as error:
            return error
    return None


def check_mutant(source: str, module: Any, name: str, args: tuple[Any, ...], wrt: Any) -> str:
    """Differentiate the mutant in both modes; return what happened, or raise AssertionError
    for a forbidden escape."""
    namespace = {k: v for k, v in vars(module).items() if not k.startswith("__")}
    fn = getattr(pg.import_source(source, "mutant", namespace), name)
    try:
        return _check_mutant(fn, source, args, wrt)
    finally:
        pg.forget(fn)


def _check_mutant(fn: Callable[..., Any], source: str, args: tuple[Any, ...], wrt: Any) -> str:
    primal = _run(fn, args)
    if isinstance(primal, pg.TimeLimitExceeded):
        return "the function itself does not finish"
    outcomes = []
    for make in (functools.partial(tg.grad, wrt=wrt), functools.partial(tg.jvp, wrt=wrt)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                with np.errstate(all="ignore"), pg.time_limit(30.0):
                    make(fn)(*copy.deepcopy(list(args)))
                outcomes.append("ok")
                continue
            except tg.InternalError as error:
                assert "please report" in str(error), str(error)
                outcomes.append("InternalError")
                continue
            except tg.TangentishError as error:
                outcomes.append(type(error).__name__)
                continue
            except Exception as error:
                escaped: BaseException = error
        where = _classify(escaped)
        not_callable = isinstance(escaped, TypeError) and "object is not callable" in str(escaped)
        if primal is not None and (
            (type(escaped), str(escaped)) == (type(primal), str(primal)) or not_callable
        ):
            # Python's own error, raised again where the derivative makes the same mistake
            # (calls.py calls what is not callable, as the function does, perhaps after
            # another of the function's errors).
            outcomes.append(f"the function's own {type(escaped).__name__}")
            continue
        if where != "compiler" and primal is not None:
            # The function is broken and says so; the derivative may trip over it at another
            # point of the same computation (its statements run in a different order).
            same = type(escaped) is type(primal)
            outcomes.append(f"the function's own {type(escaped).__name__}" if same else "other")
            continue
        if where != "compiler" and isinstance(escaped, (ArithmeticError, ValueError)):
            # The function runs but its derivative is undefined there (log(0), 0 ** -1, ...):
            # see test_edge_cases.py.
            outcomes.append(f"derivative undefined: {type(escaped).__name__}")
            continue
        raise AssertionError(
            f"{type(escaped).__name__} escaped from the {where} code (the function itself "
            f"{'raises ' + repr(primal) if primal else 'runs'}):\n"
            + "".join(traceback.format_exception(type(escaped), escaped, escaped.__traceback__))
        )
    return " / ".join(outcomes)


MUTATION_STATS: collections.Counter[str] = collections.Counter()


@settings(
    max_examples=20000 if pg.LONG else 150,
    deadline=None,
    derandomize=not pg.LONG,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(mutant=mutants())
def _mutation_fuzz(mutant: Any) -> None:
    source, module, name, args, wrt = mutant
    note(f"source:\n{source}\nargs={args!r} wrt={wrt!r}")
    try:
        outcome = check_mutant(source, module, name, args, wrt)
    except AssertionError as error:
        if not pg.LONG:
            raise
        MUTATION_STATS["FAILED"] += 1
        with open(os.environ.get("TANGENTISH_MUTATION_LOG", "mutation_failures.txt"), "a") as log:
            log.write(f"{'=' * 70}\n{source}\nargs={args!r} wrt={wrt!r}\n{error}\n")
        return
    MUTATION_STATS[outcome] += 1


def test_mutated_programs_raise_only_clear_errors():
    """Mutated corpus functions: only TangentishErrors, or the function's own errors, escape."""
    MUTATION_STATS.clear()
    _mutation_fuzz()
    print(f"\nmutants: {sum(MUTATION_STATS.values())}")
    for outcome, count in MUTATION_STATS.most_common():
        print(f"  {count:6d}  {outcome}")
    assert MUTATION_STATS["FAILED"] == 0


# -- the known bugs the mutations found ------------------------------------------------------------


def augmented_bitwise_or(x):
    y = 3
    y |= 1  # BAD
    return x * y


def test_augmented_assignment_with_an_unsupported_operator():
    assert_rejected(augmented_bitwise_or, ("bitor",))


def calls_a_list(a):
    f = []
    return np.sum(f(a))  # BAD


def test_calling_a_list_raises_a_type_error():
    with pytest.raises(TypeError):
        calls_a_list(V3)
    with pytest.raises(TypeError):
        tg.grad(calls_a_list)(V3)


def test_calling_a_list():
    """The function's own bug, so the function's own error, in both modes."""
    with pytest.raises(TypeError, match="'list' object is not callable"):
        tg.grad(calls_a_list)(V3)
    with pytest.raises(TypeError, match="'list' object is not callable"):
        tg.jvp(calls_a_list)(V3)


def write_first(q):
    q[0] = 5.0  # BAD
    return q[1]


def callee_writes_into_argument(a):
    """Python's caller sees the write (fuzz_regressions found it): `a` is the same array."""
    t = write_first(a)
    return np.sum(a * t)


def write_through_a_name(q):
    b = q
    b[1] = 2.0  # BAD
    return 1.0


def callee_writes_into_argument_through_a_name(a):
    return write_through_a_name(a) * a[0]


def add_in_place(q):
    q += 1.0  # BAD
    return np.sum(q)


def callee_adds_in_place(a):
    return add_in_place(a) * np.sum(a)


def append_to(q, v):
    q.append(v * 2.0)  # BAD
    return v


def callee_appends_to_a_list(x):
    """The call's value is not needed, but its change to `items` is."""
    items = [x]
    append_to(items, x)
    return items[0] + items[1]


CHANGING_CALLEES = {
    callee_writes_into_argument: write_first,
    callee_writes_into_argument_through_a_name: write_through_a_name,
    callee_adds_in_place: add_in_place,
    callee_appends_to_a_list: append_to,
}


@pytest.mark.parametrize("fn", list(CHANGING_CALLEES), ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("mode", [tg.grad, tg.jvp], ids=["grad", "jvp"])
def test_callee_changing_its_argument_in_place_is_refused(fn, mode):
    """Refused when the callee is compiled, naming the change, and the caller's value untouched."""
    arg = 0.7 if fn is callee_appends_to_a_list else V3.copy()
    with pytest.raises(tg.UnsupportedSyntaxError, match="changes its argument `q` in place") as e:
        mode(fn)(arg)
    error = e.value
    assert error.lineno == bad_line(CHANGING_CALLEES[fn])
    assert f"{BASENAME}, line {error.lineno}" in str(error) and error.construct
    assert _raising_module(error) == "calls.py"
    assert np.array_equal(arg, 0.7 if fn is callee_appends_to_a_list else V3)


def uses_variable_before_it_is_set(x):
    for _ in range(2):
        y = y * x  # noqa: F821
    return y


def test_variable_used_before_it_is_set():
    with pytest.raises(UnboundLocalError):
        uses_variable_before_it_is_set(0.5)
    with pytest.raises(UnboundLocalError):
        tg.jvp(uses_variable_before_it_is_set)(0.5)
    with pytest.raises(UnboundLocalError, match="'y'"):
        tg.grad(uses_variable_before_it_is_set)(0.5)


def calls_a_function_that_uses_a_variable_before_it_is_set(x):
    return uses_variable_before_it_is_set(x) * 2.0


def uses_a_variable_set_in_the_previous_iteration(x):
    s = 0.0
    for i in range(3):
        if i > 0:
            s = s + y * x  # noqa: F821 - set below, in the iteration before
        y = x * i  # noqa: F841 - read in the next iteration
    return s


def test_variable_used_before_it_is_set_in_a_called_function():
    with pytest.raises(UnboundLocalError, match="'y'"):
        tg.grad(calls_a_function_that_uses_a_variable_before_it_is_set)(0.5)


def test_a_variable_recorded_before_it_is_set_is_no_error():
    """The replay records `y` before its first assignment; the function never reads it unset."""
    assert_right(uses_a_variable_set_in_the_previous_iteration)


def appends_to_the_list_it_walks(x):
    items = [x, 2.0 * x]
    for t in items:
        if len(items) < 4:
            items.append(t * x)  # BAD
    return sum(items)


def test_updating_a_list_while_a_loop_walks_it():
    """Python's loop goes on to the entries added; tangentish's walks the entries it started
    with: refused, not differentiated as another function."""
    assert_rejected(appends_to_the_list_it_walks, ("while a `for` loop",), passes=("desugar.py",))


def reads_a_name_before_assignment(x):
    if x > 10.0:
        y = y * x  # noqa: F821, F841  # BAD
    return x * 2.0


def test_a_name_read_before_any_assignment():
    """Python raises UnboundLocalError only if the line runs; tangentish says so when compiling
    (it was an InternalError)."""
    assert_rejected(reads_a_name_before_assignment, ("UnboundLocalError",), passes=("wengert.py",))


def test_an_in_place_update_of_an_argument_of_unknown_kind_is_refused_when_it_runs():
    from calls_corpus import calls_with_an_argument_of_unknown_kind as f

    items = [np.array([1.5, 2.0])]
    with pytest.raises(tg.UnsupportedSyntaxError, match="changes its argument `v` in place"):
        tg.grad(f)(0.7, items)
    assert np.array_equal(items[0], [1.5, 2.0])


#: A function using each kind of node the validator rejects, with the Python it needs.
REJECTED_NODES: dict[str, tuple[tuple[int, int], str]] = {
    "AsyncFunctionDef": ((3, 9), "async def f(x):\n    return x\n"),
    "AsyncFor": ((3, 9), "async def f(x):\n    async for t in x:\n        pass\n    return x\n"),
    "AsyncWith": ((3, 9), "async def f(x):\n    async with x:\n        pass\n    return x\n"),
    "Await": ((3, 9), "async def f(x):\n    y = await x\n    return y\n"),
    "ClassDef": ((3, 9), "def f(x):\n    class A:\n        pass\n    return x\n"),
    "Delete": ((3, 9), "def f(x):\n    y = x\n    del y\n    return x\n"),
    "TypeAlias": ((3, 12), "def f(x):\n    type T = float\n    return x\n"),
    "AnnAssign": ((3, 9), "def f(x):\n    y: float = x\n    return y\n"),
    "With": ((3, 9), "def f(x):\n    with x:\n        pass\n    return x\n"),
    "Match": (
        (3, 10),
        "def f(x):\n    match x:\n        case _:\n            pass\n    return x\n",
    ),
    "Raise": ((3, 9), "def f(x):\n    if x > 1e9:\n        raise ValueError\n    return x\n"),
    "Try": (
        (3, 9),
        "def f(x):\n    try:\n        y = x\n    except ValueError:\n        y = x\n    return y\n",
    ),
    "TryStar": (
        (3, 11),
        "def f(x):\n    try:\n        y = x\n    except* ValueError:\n"
        "        y = x\n    return y\n",
    ),
    "Assert": ((3, 9), "def f(x):\n    assert x > 0\n    return x\n"),
    "Import": ((3, 9), "def f(x):\n    import math\n    return x\n"),
    "ImportFrom": ((3, 9), "def f(x):\n    from math import sin\n    return x\n"),
    "Global": ((3, 9), "def f(x):\n    global G\n    return x\n"),
    "Nonlocal": (
        (3, 9),
        "def f(x):\n    y = x\n    def g():\n        nonlocal y\n"
        "        return y\n    return g()\n",
    ),
    "NamedExpr": ((3, 9), "def f(x):\n    if (y := x) > 0:\n        pass\n    return x\n"),
    "Set": ((3, 9), "def f(x):\n    s = {x}\n    return x\n"),
    "SetComp": ((3, 9), "def f(x):\n    s = {t for t in (x, x)}\n    return x\n"),
    "DictComp": ((3, 9), "def f(x):\n    d = {t: t for t in (x, x)}\n    return x\n"),
    "Yield": ((3, 9), "def f(x):\n    yield x\n    return x\n"),
    "YieldFrom": ((3, 9), "def f(x):\n    yield from (x,)\n    return x\n"),
    "JoinedStr": ((3, 9), "def f(x):\n    s = f'{x}'\n    return x\n"),
    "FormattedValue": ((3, 9), "def f(x):\n    s = f'{x!r:>10}'\n    return x\n"),
    "Starred": ((3, 9), "def f(x):\n    a, *b = (x, x)\n    return a\n"),
}
#: Node types no supported Python parses (Python 2's, and Python 3.14's template strings).
NEVER_PARSED = {"Print", "Exec", "Repr", "Interpolation", "TemplateStr"}


def test_every_node_type_the_validator_rejects_has_a_case():
    import gast

    from tangentish import validate

    kinds = [
        c for c in vars(gast).values() if isinstance(c, type) and c not in (gast.stmt, gast.expr)
    ]
    rejected = {
        c.__name__ for c in kinds if issubclass(c, gast.stmt) and c not in validate.STATEMENTS
    }
    rejected |= {
        c.__name__ for c in kinds if issubclass(c, gast.expr) and c not in validate.EXPRESSIONS
    }
    assert rejected - NEVER_PARSED == set(REJECTED_NODES)


@pytest.mark.parametrize("node", sorted(REJECTED_NODES))
def test_a_rejected_node_type_is_an_unsupported_syntax_error(node):
    version, source = REJECTED_NODES[node]
    if sys.version_info < version:
        pytest.skip(f"{node} needs Python {version}")
    module = pg.import_source(source, f"rejected_{node.lower()}")
    with pytest.raises(tg.UnsupportedSyntaxError) as caught:
        tg.grad(module.f)(0.5)
    error = caught.value
    assert error.lineno is not None and error.col is not None and error.construct, str(error)
    assert os.path.basename(error.filename).startswith("rejected_"), str(error)
    assert _raising_module(error) in ("parse.py", "validate.py"), str(error)


def reads_locals(x):
    names = locals()  # BAD
    return x * 2.0 + len(names) * 0.0


def test_locals():
    """The generated function's locals are tangentish's (temporaries, adjoints), not the user's:
    refused (a self-referencing `y = locals()` made the tangent recurse forever)."""
    assert_rejected(reads_locals, ("locals",))


def unpacks_a_number(a):
    n, y = 0.0  # noqa: F841 - fails as Python fails: a float is not iterable
    b = a * 1.0
    b[0] = 1.0
    return np.sum(b)


def test_unpacking_a_number_is_no_compiler_crash():
    """The aliasing check read a constant as a name (AttributeError from the compiler). The
    unpacking's targets are dead, so the gradient drops it and does not fail as the function
    fails (a known gap: only calls that may raise are kept for their errors)."""
    with pytest.raises(TypeError, match="cannot unpack"):
        unpacks_a_number(V3.copy())
    np.testing.assert_array_equal(tg.grad(unpacks_a_number)(V3.copy()), [0.0, 1.0, 1.0])
