"""Every error path: the exception type, and that the message names the file and line.

The functions below mark the offending line with a `# BAD` comment; the tests find that line in
the source, so editing this file never breaks them. Compilation is lazy, so an error about the
function's source may come from `grad(...)` or from the first call: each test allows both.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
from typing import Any, Callable

import numpy as np
import pytest
from oracle import check_vjp

import tangentish as tg

BASENAME = os.path.basename(__file__)
COUNTER = 0


def bad_line(fn: Callable[..., Any]) -> int:
    """The line number of the line marked `# BAD` in `fn`'s source."""
    lines, first = inspect.getsourcelines(fn)
    marked = [first + i for i, line in enumerate(lines) if line.rstrip().endswith("# BAD")]
    assert len(marked) == 1, f"{fn.__name__} needs exactly one line marked # BAD"
    return marked[0]


def differentiate(fn: Callable[..., Any], *args: Any, **options: Any) -> Any:
    return tg.grad(fn, **options)(*args)


def assert_names_line(error: tg.TangentishError, fn: Callable[..., Any]) -> None:
    message = str(error)
    line = bad_line(fn)
    assert BASENAME in message, message
    assert f"line {line}" in message, message
    assert error.lineno == line
    assert error.filename is not None and os.path.basename(error.filename) == BASENAME


# -- unsupported syntax --------------------------------------------------------------------------
#
# Two groups. ALWAYS: constructs no issue plans to support (DESIGN.md; issue 8 lists them): they
# must raise UnsupportedSyntaxError naming the line. NOT_YET: constructs issue 2 rejects and later
# issues (3: control flow, 4: calls and data structures) bring; they are being implemented while
# these tests are written, so each must either raise a clear error naming its line
# (UnsupportedSyntaxError, or MissingRuleError for a call) or give the right gradient (checked
# against the oracle, whose expected gradient is nonzero): never a silently wrong derivative,
# never a confusing crash.


def uses_try(x):
    try:  # BAD
        y = x * 2.0
    except ValueError:
        y = x
    return y


def uses_with(x):
    with np.errstate(all="ignore"):  # BAD
        y = np.log(x)
    return y


def uses_global_write(x):
    global COUNTER  # BAD
    COUNTER = COUNTER + 1
    return x * 2.0


def uses_yield(x):
    yield x  # BAD
    return x


def uses_yield_from(x):
    yield from (x, x)  # BAD
    return x


def uses_class(x):
    class Box:  # BAD
        value = 1.0

    return x * Box.value


def uses_bare_return(x):
    x * 2.0
    return  # BAD


def uses_no_return(x):  # BAD
    x * 2.0


async def uses_async(x):  # BAD
    return x * 2.0


ALWAYS = [
    (uses_try, ("try",)),
    (uses_with, ("with",)),
    (uses_global_write, ("global",)),
    (uses_yield, ("yield",)),
    (uses_yield_from, ("yield",)),
    (uses_class, ("class",)),
    (uses_bare_return, ("return",)),
    (uses_no_return, ("return",)),
    (uses_async, ("async",)),
]


@pytest.mark.parametrize(
    ("fn", "words"), ALWAYS, ids=[fn.__name__.replace("uses_", "") for fn, _ in ALWAYS]
)
def test_unsupported_syntax_names_file_line_and_construct(fn, words):
    with pytest.raises(tg.UnsupportedSyntaxError) as caught:
        differentiate(fn, 0.5)
    assert_names_line(caught.value, fn)
    message = str(caught.value).lower()
    assert any(word in message for word in words), f"{words} not in {message!r}"


OPTIONS = {"axis": 0}


def uses_if(x):
    y = x * 2.0
    if y > 1.0:  # BAD
        y = y * y
    return y


def uses_for(x):
    y = x
    for _ in range(3):  # BAD
        y = y * x
    return y


def uses_while(x):
    y = x
    while y < 10.0:  # BAD
        y = y * 2.0
    return y


def uses_early_return(x):
    return x * 2.0  # BAD
    return x


def uses_conditional_expression(x):
    return x * x if x > 0 else -x  # BAD


def uses_boolean_operator(x):
    return (x > 0 and x < 2) * x  # BAD


def uses_not(x):
    return (not x < 0.0) * x  # BAD


def uses_chained_comparison(x):
    y = x * 2.0
    return y * (0.0 < x < 2.0)  # BAD


def uses_lambda(x):
    y = x + 1.0
    return (lambda t: t * t)(y)  # BAD


def uses_nested_def(x):
    def helper(t):  # BAD
        return t * 2.0

    return helper(x)


def uses_list_comprehension(x):
    y = x * 2.0
    return sum([t * y for t in (1.0, 2.0)])  # BAD


def uses_set_comprehension(x):
    return x * len({t for t in (1.0, 2.0)})  # BAD


def uses_dict_comprehension(x):
    return {k: x * x for k in ("a",)}["a"]  # BAD


def uses_generator(x):
    return sum(t * x for t in (1.0, 2.0))  # BAD


def uses_subscript_assignment(x):
    y = x * 2.0
    y[0] = 1.0  # BAD
    return np.sum(y * y)


def uses_subscript_augmented_assignment(x):
    y = x * 2.0
    y[0] += 1.0  # BAD
    return np.sum(y * y)


def uses_attribute_assignment(x):
    y = x * 2.0
    y.shape = (3, 1)  # BAD
    return np.sum(y * y)


def uses_star_args(*args):  # BAD
    return args[0] * args[0]


def uses_star_kwargs(x, **options):  # BAD
    return x * x


def uses_keyword_only(x, *, scale=2.0):  # BAD
    return x * x * scale


def uses_positional_only(x, /):  # BAD
    return x * x


def uses_del(x):
    y = x * 2.0
    z = y * y
    del y  # BAD
    return z


def uses_assert(x):
    assert x > 0  # BAD
    return x * 2.0


def uses_import(x):
    import math as m  # BAD

    return m.sin(x)


def uses_identity_comparison(x):
    return (x is not None) * x  # BAD


def uses_membership(x):
    return (x not in (1.0, 2.0)) * x  # BAD


def uses_f_string(x):
    label = f"{x:.1f}"  # BAD
    return x * len(label)


def uses_dict_literal(x):
    return {"a": x * x}["a"]  # BAD


def uses_set_literal(x):
    return len({x, 2.0}) * x  # BAD


def uses_starred_call(x):
    pair = (x, x * x)
    return np.add(*pair)  # BAD


def uses_double_starred_call(x):
    return np.sum(x * x, **OPTIONS)  # BAD


def uses_walrus(x):
    return (y := x * 2.0) * y  # BAD


VECTOR = np.array([0.5, 1.5, 2.5])
NOT_YET = [
    (uses_if, 0.7),
    (uses_for, 0.5),
    (uses_while, 0.5),
    (uses_early_return, 0.5),
    (uses_conditional_expression, 0.5),
    (uses_boolean_operator, 0.5),
    (uses_not, 0.5),
    (uses_chained_comparison, 0.5),
    (uses_lambda, 0.5),
    (uses_nested_def, 0.5),
    (uses_list_comprehension, 0.5),
    (uses_set_comprehension, 0.5),
    (uses_dict_comprehension, 0.5),
    (uses_generator, 0.5),
    (uses_subscript_assignment, VECTOR),
    (uses_subscript_augmented_assignment, VECTOR),
    (uses_attribute_assignment, VECTOR),
    (uses_star_args, 0.5),
    (uses_star_kwargs, 0.5),
    (uses_keyword_only, 0.5),
    (uses_positional_only, 0.5),
    (uses_del, 0.5),
    (uses_assert, 0.5),
    (uses_import, 0.5),
    (uses_identity_comparison, 0.5),
    (uses_membership, 0.5),
    (uses_f_string, 0.5),
    (uses_dict_literal, 0.5),
    (uses_set_literal, 0.5),
    (uses_starred_call, 0.5),
    (uses_double_starred_call, 0.5),
    (uses_walrus, 0.5),
]


def error_or_correct(fn, argument, errors=(tg.UnsupportedSyntaxError, tg.MissingRuleError)):
    """Either a clear error names the marked line, or the gradient is right."""
    try:
        gradient = differentiate(fn, argument)
    except errors as error:
        assert_names_line(error, fn)
        return
    check_vjp(fn, (argument,), (0,), gradient, 1.0)


def _not_yet_params() -> list:
    return [
        pytest.param(
            fn,
            argument,
            id=fn.__name__.replace("uses_", ""),
        )
        for fn, argument in NOT_YET
    ]


@pytest.mark.parametrize(("fn", "argument"), _not_yet_params())
def test_not_yet_supported_syntax_is_an_error_or_right(fn, argument):
    error_or_correct(fn, argument)


def test_unsupported_syntax_is_reported_by_every_maker():
    for make in (tg.grad, tg.vjp, tg.value_and_grad):
        with pytest.raises(tg.UnsupportedSyntaxError) as caught:
            make(uses_try)(0.5)
        assert_names_line(caught.value, uses_try)


def test_lambda_given_to_grad():
    square = lambda x: x * x  # noqa: E731  # BAD
    try:
        gradient = tg.grad(square)(0.5)
    except tg.UnsupportedSyntaxError as error:
        assert "lambda" in str(error)
        assert BASENAME in str(error)
        assert f"line {bad_line(test_lambda_given_to_grad)}" in str(error)
    else:
        assert gradient == 1.0


def test_lambda_spanning_lines_given_to_grad():
    try:
        gradient = tg.grad(
            lambda x: x * x,
            wrt=0,
        )(0.5)
    except tg.TangentishError as error:
        assert "lambda" in str(error)
    else:
        assert gradient == 1.0


# -- no source -----------------------------------------------------------------------------------


class Callable2:
    def __call__(self, x):
        return x * 2.0


@pytest.mark.parametrize(
    "fn",
    [math.sin, np.sin, len, np.sum, functools.partial(np.multiply, 2.0), Callable2()],
    ids=["math.sin", "np.sin", "len", "np.sum", "partial", "callable-object"],
)
def test_functions_without_source(fn):
    with pytest.raises(tg.SourceUnavailableError) as caught:
        tg.grad(fn)(0.5)
    assert isinstance(caught.value, tg.TangentishError)
    assert "source" in str(caught.value) or "not a Python function" in str(caught.value)


def test_function_made_by_exec():
    namespace: dict[str, Any] = {}
    exec("def made(x):\n    return x * 2.0\n", namespace)
    with pytest.raises(tg.SourceUnavailableError) as caught:
        tg.grad(namespace["made"])(0.5)
    assert "source" in str(caught.value)


# -- wrt -----------------------------------------------------------------------------------------


def two_arguments(x, y):
    return x * y


@pytest.mark.parametrize("make", [tg.grad, tg.vjp, tg.value_and_grad])
@pytest.mark.parametrize(
    "wrt",
    [2, -3, (0, 2), "z", ("x", "nope"), (0, 0), (0, "x"), (1, -1), (), 1.5, None, True, b"x"],
    ids=[
        "out-of-range",
        "negative-out-of-range",
        "one-out-of-range",
        "unknown-name",
        "one-unknown-name",
        "duplicate",
        "duplicate-by-name",
        "duplicate-by-negative",
        "empty",
        "float",
        "none",
        "bool",
        "bytes",
    ],
)
def test_bad_wrt(make, wrt):
    with pytest.raises(tg.WrtError) as caught:
        make(two_arguments, wrt=wrt)(0.5, 1.5)
    assert isinstance(caught.value, tg.TangentishError)


def test_wrt_error_names_the_parameters():
    with pytest.raises(tg.WrtError) as caught:
        tg.grad(two_arguments, wrt="z")
    assert "'z'" in str(caught.value) and "'x'" in str(caught.value)


# -- shapes and seeds ----------------------------------------------------------------------------


def doubled(x):
    return x * 2.0


def squared(x):
    return x * x


def test_non_scalar_output_needs_a_seed():
    with pytest.raises(tg.ShapeMismatchError) as caught:
        tg.grad(doubled)(np.array([1.0, 2.0, 3.0]))
    assert "seed" in str(caught.value)


def test_vjp_of_non_scalar_output_needs_a_seed():
    with pytest.raises(tg.ShapeMismatchError) as caught:
        tg.vjp(doubled)(np.array([1.0, 2.0, 3.0]))
    assert "seed" in str(caught.value)


@pytest.mark.parametrize(
    "seed",
    [np.ones(2), np.ones((3, 1)), np.ones((1, 3)), 2.0],
    ids=["shorter", "column", "row", "scalar"],
)
def test_seed_of_the_wrong_shape(seed):
    with pytest.raises(tg.ShapeMismatchError) as caught:
        tg.grad(doubled)(np.array([1.0, 2.0, 3.0]), seed=seed)
    assert "seed" in str(caught.value)


@pytest.mark.parametrize(
    "argument",
    [
        pytest.param(0.5, id="float"),
        pytest.param(np.array(0.5), id="0d-array"),
    ],
)
def test_array_seed_for_scalar_output(argument):
    with pytest.raises(tg.ShapeMismatchError):
        tg.grad(squared)(argument, seed=np.ones(3))


# -- missing rules -------------------------------------------------------------------------------


def helper(t):
    return t * 2.0


def calls_svd(x):
    y = x * 2.0
    u, s, vt = np.linalg.svd(y)  # BAD
    return np.sum(s)


def calls_fft(x):
    y = x * 2.0
    return np.sum(np.abs(np.fft.fft(y)))  # BAD


def calls_with_an_uncovered_keyword(x):
    y = x * 2.0
    return np.mean(y * y, where=x > 0)  # BAD


def calls_user_function(x):
    y = x * 2.0
    return helper(y)  # BAD


@pytest.mark.parametrize(
    ("fn", "argument", "word"),
    [
        (calls_svd, np.array([[1.0, 0.5, -0.3], [0.2, 2.0, 0.1], [-0.4, 0.3, 3.0]]), "svd"),
        (calls_fft, np.array([1.0, 2.0, 0.5]), "fft"),
        (calls_with_an_uncovered_keyword, np.array([1.0, -2.0, 0.5]), "mean"),
        (calls_user_function, 0.5, "helper"),
    ],
    ids=["np.linalg.svd", "np.fft.fft", "keyword-the-rule-lacks", "user-function"],
)
def test_call_without_a_rule(fn, argument, word):
    """A call tangentish has no rule for is an error naming the line and the function; when a
    later issue brings the rule (issue 4: user functions; 5: more NumPy), the gradient is right."""
    try:
        gradient = differentiate(fn, argument)
    except (tg.MissingRuleError, tg.UnsupportedSyntaxError) as error:
        assert_names_line(error, fn)
        assert word in str(error)
    else:
        check_vjp(fn, (argument,), (0,), gradient, 1.0)


def test_call_without_a_rule_on_an_inactive_value_is_fine():
    def uses_svd_of_a_constant(x):
        s = np.linalg.svd(np.eye(2))[1]
        return x * np.sum(s)

    assert tg.grad(uses_svd_of_a_constant)(0.5) == 2.0


# -- non-differentiable arguments ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argument",
    [
        True,
        np.bool_(True),
        np.array([True, False]),
        1j,
        np.complex128(1 + 2j),
        np.array([1.0 + 1j, 2.0]),
        "text",
        None,
    ],
    ids=[
        "bool",
        "np.bool_",
        "bool-array",
        "complex",
        "np.complex128",
        "complex-array",
        "str",
        "none",
    ],
)
def test_non_differentiable_arguments(argument):
    with pytest.raises(tg.NonDifferentiableError) as caught:
        tg.grad(doubled)(argument)
    assert "doubled" in str(caught.value) and "'x'" in str(caught.value)


def test_non_differentiable_argument_not_in_wrt_is_fine():
    def scaled_if(x, flag):
        return x * flag

    assert tg.grad(scaled_if)(0.5, True) == 1.0


# -- the hierarchy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        tg.UnsupportedSyntaxError,
        tg.SourceUnavailableError,
        tg.NonDifferentiableError,
        tg.MissingRuleError,
        tg.WrtError,
        tg.ShapeMismatchError,
        tg.InternalError,
    ],
)
def test_every_error_is_a_tangentish_error(error):
    assert issubclass(error, tg.TangentishError)
    assert issubclass(tg.TangentishError, Exception)


def test_internal_error_asks_for_a_report():
    assert "report" in str(tg.InternalError("broken invariant"))


def test_missing_rule_message_names_the_function_as_written():
    with pytest.raises(tg.MissingRuleError) as caught:
        differentiate(calls_svd, np.array([[1.0, 0.5], [0.2, 2.0]]))
    assert "linalg.svd" in str(caught.value)
