"""The public API's conventions (DESIGN.md §1-2), each against closed-form derivatives.

Decorator forms, `wrt` spellings and order, the seed, `source` and `verbose`, integer and unused
arguments, lazy compilation, globals read at run time, the compile cache's lifetime, deterministic
generated source across processes, and generated code that `inspect` and tracebacks can show.
"""

from __future__ import annotations

import functools
import gc
import inspect
import math
import os
import subprocess
import sys
import textwrap
import traceback
import weakref

import numpy as np
import pytest

import tangentish as tg

THIS = sys.modules[__name__]
BASENAME = os.path.basename(__file__)
TESTS = os.path.dirname(os.path.abspath(__file__))
HELPERS = ("unbroadcast", "zeros_like", "check_seed", "add_adjoints")


def line_of(fn, text: str) -> int:
    """The line number of the first line of `fn`'s source containing `text`."""
    lines, first = inspect.getsourcelines(fn)
    return next(first + i for i, line in enumerate(lines) if text in line)


def textbook(x1, x2):
    return x1 * x2 + np.sin(x1)


def textbook_grads(x1, x2):
    return x2 + np.cos(x1), x1


# -- decorators ----------------------------------------------------------------------------------


@tg.grad
def d_cube(x):
    return x * x * x


@tg.grad(wrt=(0, 1))
def d_product(x, y):
    return x * y * y


@tg.grad(wrt="y", optimized=False)
def d_by_name(x, y):
    return np.sin(x * y)


def test_grad_as_a_bare_decorator():
    assert d_cube(2.0) == 12.0
    assert d_cube(-1.5, seed=2.0) == pytest.approx(2 * 3 * 2.25)


def test_grad_as_a_decorator_with_arguments():
    assert d_product(2.0, 3.0) == (9.0, 12.0)
    assert d_by_name(0.5, 2.0) == pytest.approx(0.5 * math.cos(1.0))


REGISTRY: list = []
CALLS: list = []


def register(fn):
    """A decorator that returns the function itself."""
    REGISTRY.append(fn)
    return fn


def logged(fn):
    """A decorator that wraps the function (functools.wraps), as most decorators do."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        CALLS.append(fn.__name__)
        return fn(*args, **kwargs)

    return wrapper


@register
def registered_cube(x):
    return x**3


@logged
def logged_cube(x):
    return x**3


@register
@logged
def stacked_cube(x):
    return x**3


@functools.lru_cache
def cached_cube(x):
    return x**3


@pytest.mark.parametrize(
    "fn", [registered_cube, logged_cube, stacked_cube], ids=lambda f: f.__name__
)
def test_decorators_are_stripped(fn):
    df = tg.grad(fn)
    assert df(2.0) == 12.0
    assert "@" not in tg.source(df)
    assert tg.source(df).startswith(f"def {fn.__name__}_grad(x):")  # the default seed's code


def test_lru_cache_decorator_is_stripped():
    assert tg.grad(cached_cube)(2.0) == 12.0


# -- wrt and the seed ----------------------------------------------------------------------------


def three(x, y, z):
    return x * y + 2.0 * z * z + y


@pytest.mark.parametrize(
    ("wrt", "expected"),
    [
        (0, 3.0),
        ((0,), 3.0),
        ("y", 3.0),
        (-1, 20.0),
        (("z",), 20.0),
        ((0, 1, 2), (3.0, 3.0, 20.0)),
        ((2, 0), (20.0, 3.0)),
        (("y", "x"), (3.0, 3.0)),
        ((-1, "x", 1), (20.0, 3.0, 3.0)),
    ],
    ids=str,
)
def test_wrt_spellings_and_order(wrt, expected):
    # at (2, 3, 5): d/dx = y = 3, d/dy = x + 1 = 3, d/dz = 4z = 20
    assert tg.grad(three, wrt=wrt)(2.0, 3.0, 5.0) == expected
    assert tg.vjp(three, wrt=wrt)(2.0, 3.0, 5.0, seed=1.0) == expected
    value, grads = tg.value_and_grad(three, wrt=wrt)(2.0, 3.0, 5.0)
    assert value == 2.0 * 3.0 + 50.0 + 3.0 and grads == expected


def test_arguments_by_keyword_and_defaults():
    df = tg.grad(three, wrt=("x", "z"))
    assert df(2.0, z=5.0, y=3.0) == (3.0, 20.0)


@pytest.mark.parametrize("seed", [2.5, -1.0, 0.0])
def test_seed_scales_the_gradient(seed):
    dx1, dx2 = tg.grad(textbook, wrt=(0, 1))(2.0, 3.0, seed=seed)
    ex1, ex2 = textbook_grads(2.0, 3.0)
    assert dx1 == pytest.approx(seed * ex1) and dx2 == pytest.approx(seed * ex2)


def test_seed_is_keyword_only():
    with pytest.raises(TypeError):
        tg.grad(textbook)(2.0, 3.0, 4.0)


def sin_of(x):
    return np.sin(x)


def test_array_seed_is_the_output_adjoint():
    x = np.array([0.5, -1.0, 2.0])
    seed = np.array([1.0, 2.0, -3.0])
    np.testing.assert_allclose(tg.vjp(sin_of)(x, seed=seed), seed * np.cos(x))


# -- integers and unused arguments ---------------------------------------------------------------


def square(x):
    return x * x


def affine(x):
    return 2 * x + 1


def identity(x):
    return x


def floor_plus(x):
    return x // 2 + x**2


def sum_of_squares(x):
    return np.sum(x * x)


@pytest.mark.parametrize(
    ("fn", "argument", "expected"),
    [
        (square, 3, 6.0),
        (square, np.int64(3), 6.0),
        (affine, 3, 2.0),
        (identity, 3, 1.0),
        (identity, np.int32(3), 1.0),
        (floor_plus, 3, 6.0),
    ],
    ids=["square", "square-np.int64", "affine", "identity", "identity-np.int32", "floordiv"],
)
def test_integer_arguments_give_float_gradients(fn, argument, expected):
    g = tg.grad(fn)(argument)
    assert g == expected
    assert isinstance(g, (float, np.floating)), f"{g!r} is not a float"


def test_integer_array_gives_a_float_array():
    g = tg.grad(sum_of_squares)(np.array([1, -2, 3]))
    assert g.dtype.kind == "f"
    np.testing.assert_array_equal(g, [2.0, -4.0, 6.0])


def only_x(x, y):
    return x * x


@pytest.mark.parametrize(
    "y",
    [2.0, 2, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([1, 2]), np.array(3.0)],
    ids=["float", "int", "array", "int-array", "0d-array"],
)
def test_unused_argument_has_a_zero_gradient_of_its_shape(y):
    dx, dy = tg.grad(only_x, wrt=(0, 1))(1.5, y)
    assert dx == 3.0
    assert np.shape(dy) == np.shape(y)
    assert np.all(np.asarray(dy) == 0.0)
    if isinstance(y, np.ndarray):
        assert isinstance(dy, np.ndarray) and dy.dtype.kind == "f"
    else:
        assert isinstance(dy, (float, np.floating))


def constant(x):
    return 3.0


@pytest.mark.parametrize("x", [2.0, np.ones((2, 2))], ids=["float", "array"])
def test_output_independent_of_the_input(x):
    g = tg.grad(constant)(x)
    assert np.shape(g) == np.shape(x) and np.all(np.asarray(g) == 0.0)


# -- source and verbose --------------------------------------------------------------------------


def test_source_before_and_after_the_first_call():
    df = tg.grad(textbook, wrt=(0, 1))
    generic = tg.source(df)
    assert generic.startswith("def textbook_grad(x1, x2, seed=1.0):")
    df(2.0, 3.0, seed=2.0)
    floats = tg.source(df)
    assert floats.startswith("def textbook_grad(x1, x2, seed=1.0):")
    assert "np.cos(x1)" in floats  # the library the user called, for floats too
    assert not any(helper in floats for helper in HELPERS), floats
    df(2.0, 3.0)  # the default seed: dz/dz = 1 multiplies nothing, and is folded away
    assert tg.source(df).startswith("def textbook_grad(x1, x2):")
    assert "seed" not in tg.source(df)
    arrays = tg.grad(textbook, wrt=(0, 1))
    arrays(np.array([2.0, 1.0]), np.array([[3.0], [4.0]]), seed=np.ones((2, 2)))
    assert "unbroadcast" in tg.source(arrays)
    assert "np.cos(x1)" in tg.source(arrays)


def test_source_of_every_maker():
    for make in (tg.grad, tg.vjp, tg.value_and_grad):
        df = make(textbook)
        df(2.0, 3.0)
        assert tg.source(df).startswith("def textbook_grad(")
        assert f"# {BASENAME}:{line_of(textbook, 'return')}" in tg.source(df)


def test_source_of_something_else():
    with pytest.raises(TypeError):
        tg.source(textbook)


def test_verbose_prints_the_source(capsys):
    df = tg.grad(textbook, wrt=(0, 1), verbose=1)
    df(2.0, 3.0)
    out = capsys.readouterr().out
    assert tg.source(df) in out
    again = tg.grad(textbook, wrt=(0, 1), verbose=1)  # the compile cache has it: still printed
    again(2.0, 3.0)
    assert tg.source(again) in capsys.readouterr().out
    quiet = tg.grad(textbook, wrt=(0, 1))
    quiet(2.0, 3.0)
    assert capsys.readouterr().out == ""


# -- lazy compilation, globals -------------------------------------------------------------------


def uses_late_names(x):
    return late_sin(x) * LATE_SCALE  # noqa: F821 (defined below, after grad)


d_late = tg.grad(uses_late_names)  # compiled on first call, not here
late_sin = np.sin
LATE_SCALE = 3.0


def test_compilation_is_lazy():
    assert d_late(0.5) == pytest.approx(3.0 * math.cos(0.5))


RUNTIME_SCALE = 2.0


def scaled(x):
    return RUNTIME_SCALE * x * x


@pytest.mark.parametrize("optimized", [True, False])
@pytest.mark.parametrize("x", [1.5, np.array([1.5, -0.5])], ids=["float", "array"])
def test_globals_are_read_at_run_time(monkeypatch, optimized, x):
    df = tg.grad(scaled, optimized=optimized)
    seed = np.ones_like(x) if isinstance(x, np.ndarray) else 1.0
    np.testing.assert_allclose(df(x, seed=seed), 2.0 * 2 * x)
    monkeypatch.setattr(THIS, "RUNTIME_SCALE", 5.0)
    np.testing.assert_allclose(df(x, seed=seed), 5.0 * 2 * x)


ACTIVATION = np.sin


def activated(x):
    return ACTIVATION(x)


def test_global_function_rebound_after_compilation(monkeypatch):
    df = tg.grad(activated)
    assert df(0.5) == pytest.approx(math.cos(0.5))
    monkeypatch.setattr(THIS, "ACTIVATION", np.tanh)
    assert df(0.5) == pytest.approx(1 - math.tanh(0.5) ** 2)


# -- the compile cache ---------------------------------------------------------------------------


def test_compile_cache_does_not_keep_functions_alive():
    def local(x):
        return x * x

    df = tg.grad(local)
    assert df(3.0) == 6.0
    assert tg.grad(local, optimized=False)(3.0) == 6.0
    ref = weakref.ref(local)
    del local, df
    gc.collect()
    assert ref() is None


def test_cache_distinguishes_options():
    plain = tg.grad(textbook, wrt=(0, 1))
    mechanical = tg.grad(textbook, wrt=(0, 1), optimized=False)
    first = tg.grad(textbook, wrt=0)
    for df in (plain, mechanical, first):
        df(2.0, 3.0)
    assert len({tg.source(plain), tg.source(mechanical), tg.source(first)}) == 3
    assert first(2.0, 3.0) == textbook_grads(2.0, 3.0)[0]


def test_specializations_by_argument_type():
    df = tg.grad(textbook, wrt=(0, 1))
    assert df(2.0, 3.0) == pytest.approx(textbook_grads(2.0, 3.0))
    x1, x2 = np.array([2.0, 0.5]), np.array([3.0, -1.0])
    g1, g2 = df(x1, x2, seed=np.ones(2))
    np.testing.assert_allclose(g1, x2 + np.cos(x1))
    np.testing.assert_allclose(g2, x1)
    assert df(2.0, 3.0) == pytest.approx(textbook_grads(2.0, 3.0))  # back to floats


# -- generated code ------------------------------------------------------------------------------

_DETERMINISM_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import numpy as np
import tangentish as tg
import corpus

for case in corpus.CASES[::4]:
    for optimized in (True, False):
        df = tg.grad(case.fn, wrt=case.wrt, optimized=optimized)
        try:
            print(tg.source(df))  # the generic code, before the first call
        except tg.TangentishError as error:
            print(type(error).__name__, error)
        seed = np.ones_like(case.fn(*case.args), dtype=float)
        df(*case.args, seed=seed if seed.ndim else 1.0)
        print(tg.source(df))
        print(df.__wrapped_tangentish__.last.filename)
"""


def test_generated_source_is_deterministic_across_processes():
    script = _DETERMINISM_SCRIPT.format(tests=TESTS)
    runs = []
    for hash_seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        runs.append(
            subprocess.Popen(
                [sys.executable, "-c", script],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"def ") >= 4 * 20


def test_generated_code_is_in_linecache():
    df = tg.grad(textbook, wrt=(0, 1))
    df(2.0, 3.0)
    generated = df.__wrapped_tangentish__.last.function
    assert textwrap.dedent(inspect.getsource(generated)) == tg.source(df)
    assert generated.__code__.co_filename.startswith("<tangentish")


def sqrt_of(x):
    y = x * 2.0
    return math.sqrt(y)


def log_of(x):
    y = x * 2.0
    return math.log(y)


def _traceback_of_sqrt_at_zero() -> str:
    df = tg.grad(sqrt_of)  # d sqrt(y) = 0.5 / sqrt(y): a ZeroDivisionError at 0
    with pytest.raises(ZeroDivisionError) as caught:
        df(0.0)
    return "".join(traceback.format_exception(caught.type, caught.value, caught.tb))


def test_traceback_shows_the_generated_line():
    text = _traceback_of_sqrt_at_zero()
    assert '"<tangentish' in text
    assert "0.5 / " in text  # the generated line itself, read from linecache
    lines = range(line_of(sqrt_of, "def"), line_of(sqrt_of, "return") + 1)
    assert any(f"# {BASENAME}:{n}" in text for n in lines), text


def test_traceback_names_the_line_of_the_failing_operation():
    text = _traceback_of_sqrt_at_zero()
    assert f"# {BASENAME}:{line_of(sqrt_of, 'math.sqrt')}" in text, text


def test_traceback_of_the_primal_replay_shows_the_generated_line():
    df = tg.grad(log_of, optimized=False)
    with pytest.raises(ValueError) as caught:
        df(-1.0)
    text = "".join(traceback.format_exception(caught.type, caught.value, caught.tb))
    assert "math.log(y)" in text
    assert f"# {BASENAME}:{line_of(log_of, 'math.log')}" in text, text


def test_gradient_raises_where_the_function_raises():
    with pytest.raises(ValueError):
        log_of(-1.0)
    with pytest.raises(ValueError):
        tg.grad(log_of)(-1.0)


# -- check_grads ---------------------------------------------------------------------------------


def floor_plus_array(x):
    return np.floor(x) + x


def test_check_grads_names_the_worst_entry():
    # at x = 1.0 exactly, floor jumps: central differences see a slope of ~5e5, AD sees 0 + 1
    with pytest.raises(AssertionError, match=r"\[1\]"):
        tg.check_grads(floor_plus_array, np.array([0.5, 1.0, 2.5]))


def test_check_grads_rejects_a_wrong_derivative():
    with pytest.raises(AssertionError, match="floor_plus_array"):
        tg.check_grads(floor_plus_array, np.array([0.5, 1.0, 2.5]))


def test_check_grads_accepts_a_correct_gradient_and_skips_integers():
    tg.check_grads(textbook, 2.0, 3.0)
    tg.check_grads(only_x, 1.5, 2)  # the int is not checked
