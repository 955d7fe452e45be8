"""Differential fuzzing: random programs (program_generator.py) against independent references.

For each generated program and arguments the checks are:

* the primal replay inside the gradient (`preserve_result=True`) returns the function's own value;
* reverse mode agrees with float64 central differences of the function (a dot-product test along
  a random direction, with the differences' own error estimated from two step sizes);
* forward mode agrees with reverse mode: <u, J v> from `jvp` equals <J^T u, v> from `grad`;
* the optimized and the unoptimized gradients agree;
* the generated source is the same text when the function is compiled again;
* the gradient leaves its arguments alone, and each gradient has its argument's shape.

Points where the program is not smooth are rejected (`assume`): the instrumented twin of each
program records every data-dependent decision, and a point whose smallest decision margin is tiny,
or whose decisions change inside the finite-difference stencil, is not a test of derivatives.

CI runs a bounded, derandomized number of programs. `TANGENTISH_FUZZ_LONG=1` runs many more
(`TANGENTISH_FUZZ_EXAMPLES`, 20,000 by default) with fresh randomness, and does not stop at the
first failure: it logs every failing program to `TANGENTISH_FUZZ_LOG` (a JSON-lines file,
`fuzz_failures.jsonl` in the temporary directory by default) and fails at the end with the count.

Bugs found this way are kept as plain functions in fuzz_regressions.py, checked at the bottom.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import traceback
import warnings
from typing import Any

import fuzz_regressions
import numpy as np
import program_generator as pg
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from oracle import inner

import tangentish as tg
from tangentish import kinds as tg_kinds
from tangentish.pipeline import compile_gradient

LONG = pg.LONG
EXAMPLES = int(os.environ.get("TANGENTISH_FUZZ_EXAMPLES", "20000" if LONG else "200"))
LOG = os.environ.get(
    "TANGENTISH_FUZZ_LOG", os.path.join(tempfile.gettempdir(), "fuzz_failures.jsonl")
)

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG,  # CI sees the same programs every run
    database=None if not LONG else settings.default.database,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)

#: Seconds one program may take (compiling and running every mode): a generated loop that never
#: ends is a failure, not a hung test run.
TIME_LIMIT = 20.0

#: Finite differences: the step is STEP * max(1, |args|); a second estimate at 10 * STEP.
STEP = 1e-6
#: Beyond this the function is too large or too steep for float64 differences to judge.
LIMIT = 1e5


class Rejected(Exception):
    """The point is not a fair test (a decision near a tie, a value out of range)."""


def _calm(fn: Any, args: Any) -> Any:
    """`fn(*args)` on copies; Rejected if it warns, overflows or leaves its domain."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            with np.errstate(all="raise"):
                value = fn(*copy.deepcopy(list(args)))
        except (ArithmeticError, ValueError, RuntimeWarning, FloatingPointError) as error:
            raise Rejected(f"the function raised {error!r}") from error
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)) or np.max(np.abs(array), initial=0.0) > LIMIT:
        raise Rejected("the value is too large")
    return value


def _decisions(fn: Any, args: Any) -> tuple[Any, float]:
    pg.RECORDER.reset()
    _calm(fn, args)
    return list(pg.RECORDER.trace), pg.RECORDER.margin


def _moved(args: Any, wrt: tuple[int, ...], v: list[Any], h: float) -> list[Any]:
    moved = list(args)
    for i, d in zip(wrt, v):
        shifted = np.asarray(args[i], dtype=float) + h * np.asarray(d)
        moved[i] = shifted if isinstance(args[i], np.ndarray) else float(shifted)
    return moved


def _smooth(f: Any, args: Any, wrt: tuple[int, ...], v: list[Any], u: Any, h: float) -> bool:
    """True if the directional derivative (by forward mode) is nearly linear across the stencil.
    Two step sizes can agree while both are wrong, when an intermediate value is so large that
    the function oscillates inside the step (`sin` of 1e8); only the points are judged here,
    forward mode itself is checked against reverse mode below."""
    seed = v[0] if len(wrt) == 1 else tuple(v)
    slopes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sign in (1.0, 0.0, -1.0):
            _, tangent = tg.jvp(f, wrt=wrt)(*_moved(args, wrt, v, sign * h), seed=seed)
            slopes.append(inner(u, tangent))
    # A smooth slope is nearly linear across the stencil (even where it is zero at the point)
    bend = abs(slopes[0] + slopes[2] - 2 * slopes[1])
    return bend <= 1e-2 * sum(abs(s) for s in slopes) + 1e-10


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def check_program(program: pg.Program, args: tuple[Any, ...], seed: int) -> None:
    """Every check on one program at one point; raises Rejected for an unfair point and
    AssertionError (or the library's own exception) for a failure."""
    f, twin = pg.load(program)
    try:
        with pg.time_limit(TIME_LIMIT):
            check_function(f, args, program.wrt, seed, twin)
    finally:
        pg.forget(f)


def check_function(
    f: Any, args: tuple[Any, ...], wrt: tuple[int, ...], seed: int, twin: Any = None
) -> None:
    """The checks on `f` at `args`; `twin`, the instrumented copy of `f`, if there is one, tells
    whether the point is fair (without it the point is taken to be smooth)."""
    value = _calm(f, args)
    trace: Any = None
    if twin is not None:
        trace, margin = _decisions(twin, args)
        if margin < 1e-4:
            raise Rejected(f"a decision is taken by a margin of {margin:.3g}")
        twin_value = _calm(twin, args)
        assert np.array_equal(np.asarray(twin_value), np.asarray(value)), "generator bug: twin"

    rng = np.random.default_rng(seed)
    u = float(rng.normal()) if np.ndim(value) == 0 else rng.normal(size=np.shape(value))
    v = [
        float(rng.normal()) if not isinstance(args[i], np.ndarray) else rng.normal(size=pg.LENGTH)
        for i in wrt
    ]
    scale = max([1.0] + [float(np.max(np.abs(args[i]))) for i in wrt])
    estimates = []
    for step in (STEP, 10 * STEP):
        h = step * scale
        ends = []
        for sign in (1.0, -1.0):
            point = _moved(args, wrt, v, sign * h)
            if twin is not None and _decisions(twin, point)[0] != trace:
                raise Rejected("a decision changes inside the finite-difference stencil")
            ends.append(inner(u, _calm(f, point)))
        estimates.append((ends[0] - ends[1]) / (2 * h))
    fd, fd_coarse = estimates
    fd_error = abs(fd - fd_coarse)
    if fd_error > 1e-3 * (1.0 + abs(fd)) or abs(fd) > LIMIT:
        raise Rejected("central differences are unreliable here")
    if not _smooth(f, args, wrt, v, u, STEP * scale):
        raise Rejected("the derivative changes inside the stencil: differences cannot judge it")

    snapshot = copy.deepcopy(list(args))
    given_u = copy.deepcopy(u)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = tg.grad(f, wrt=wrt, preserve_result=True)
        grads, replay = df(*args, seed=u)
        for a, b in zip(args, snapshot):
            assert np.array_equal(a, b) and type(a) is type(b), "the gradient changed an argument"
        assert np.array_equal(u, given_u), "the gradient changed the seed"
        # 1. the primal replay
        assert np.shape(replay) == np.shape(value), f"replay {replay!r}, function {value!r}"
        assert np.allclose(replay, value, rtol=1e-12, atol=1e-14), (
            f"the replay inside the gradient returns {replay!r}, the function {value!r}"
        )
        grads = tuple(grads) if len(wrt) > 1 else (grads,)
        for i, g in zip(wrt, grads):
            assert np.shape(g) == np.shape(args[i]), (
                f"gradient of argument {i} has shape {np.shape(g)}, "
                f"the argument {np.shape(args[i])}"
            )
            assert np.all(np.isfinite(np.asarray(g, dtype=float))), f"gradient {g!r}"
        # 2. reverse mode against central differences
        ad = sum(inner(g, d) for g, d in zip(grads, v))
        tolerance = 1e-6 * max(abs(ad), abs(fd)) + 10 * fd_error + 1e-9 * (1.0 + abs(fd))
        assert abs(ad - fd) <= tolerance, (
            f"reverse mode <J^T u, v> = {ad!r}, central differences <u, J v> = {fd!r} "
            f"(their error about {fd_error:.2g})"
        )
        # 3. forward mode against reverse mode
        seed = v[0] if len(wrt) == 1 else tuple(v)
        primal, tangent = tg.jvp(f, wrt=wrt)(*args, seed=seed)
        assert np.allclose(primal, value, rtol=1e-12, atol=1e-14), (
            f"forward mode's value {primal!r}, the function's {value!r}"
        )
        forward = inner(u, tangent)
        assert _close(forward, ad, 1e-8, 1e-10), (
            f"forward mode <u, J v> = {forward!r}, reverse mode <J^T u, v> = {ad!r}"
        )
        # 4. optimized and unoptimized code agree
        slow = tg.grad(f, wrt=wrt, optimized=False)(*args, seed=u)
        slow = tuple(slow) if len(wrt) > 1 else (slow,)
        for g, s in zip(grads, slow):
            assert np.allclose(g, s, rtol=1e-9, atol=1e-12), f"optimized {g!r}, unoptimized {s!r}"
    # 5. the same source when compiled again
    kinds = tuple(tg_kinds.of_value(a) for a in args)
    again = compile_gradient(f, wrt, preserve_result=True, kinds=kinds).source
    assert again == tg.source(df), "compiling the function again gave different source"


# -- the fuzz test --------------------------------------------------------------------------------

STATS = {"run": 0, "rejected": 0, "failed": 0}


def _log_failure(program: pg.Program, args: Any, error: BaseException) -> None:
    STATS["failed"] += 1
    entry = {
        "error": f"{type(error).__name__}: {str(error)[:500]}",
        "where": traceback.format_exception(type(error), error, error.__traceback__)[-3:],
        "wrt": program.wrt,
        "args": [np.asarray(a).tolist() for a in args],
        "source": program.source,
    }
    with open(LOG, "a") as handle:
        handle.write(json.dumps(entry) + "\n")


@FUZZ_SETTINGS
@given(program=pg.programs(), data=st.data())
def _fuzz(program: pg.Program, data: st.DataObject) -> None:
    args = data.draw(pg.arguments(program), label="args")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    note(f"program:\n{program.source}\nwrt={program.wrt} args={args!r}")
    try:
        check_program(program, args, seed)
    except Rejected:
        STATS["rejected"] += 1
        assume(False)
    except Exception as error:
        if isinstance(error, tg.UnsupportedSyntaxError) and any(
            limit in str(error) for limit in ("may share its memory", "may be a view of")
        ):
            # A documented limitation, clearly reported in every mode: an array written in
            # place while an alias of it (an iterator over it, a view) is still in use. (The
            # check does not follow the order of statements: a write before the name becomes
            # a view is refused too.)
            STATS["rejected"] += 1
            assume(False)
        if not LONG:
            raise
        _log_failure(program, args, error)
    STATS["run"] += 1


def test_fuzz_programs():
    """Random programs: every check above (CI: a fixed set of EXAMPLES programs)."""
    for key in STATS:
        STATS[key] = 0
    _fuzz()
    print(
        f"\nfuzz: {STATS['run']} programs checked, {STATS['rejected']} points rejected, "
        f"{STATS['failed']} failed" + (f" (logged to {LOG})" if STATS["failed"] else "")
    )
    assert STATS["failed"] == 0, f"{STATS['failed']} programs failed; see {LOG}"
    assert STATS["run"] >= min(EXAMPLES, 50), "too few programs passed the filters"


# -- the regressions the fuzzer found --------------------------------------------------------------


def _regression_params() -> list[Any]:
    params = []
    for case in fuzz_regressions.CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


@pytest.mark.parametrize("case", _regression_params())
def test_fuzz_regression(case: fuzz_regressions.Regression):
    """Each bug the fuzzer found, as a plain function at a smooth point, through the same checks."""
    with pg.time_limit(5.0):  # two of them never finish
        check_function(case.fn, case.args, case.wrt, 0)
