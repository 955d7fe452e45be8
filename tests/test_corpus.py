"""Every corpus case through the public API, against the central-difference oracle.

The reference is always `oracle.py` (finite differences of the function itself), never tangentish:
the gradient (optimized and not), the VJP with a random seed, `check_grads`, `preserve_result`,
`value_and_grad`, the types of the gradients, and that the caller's arrays are left untouched.
Warnings are errors here: a gradient that evaluates `log` of a negative number, say, fails.
"""

from __future__ import annotations

import copy
import inspect
import zlib
from typing import Any

import numpy as np
import pytest
from corpus import ALIAS_CASES, CASES, Case
from oracle import call, check_vjp, numeric_vjp, positions, random_like

import tangentish as tg

pytestmark = pytest.mark.filterwarnings("error")

_ZERO_D = "BUG: the gradient of a 0-d array argument is a NumPy scalar, not a 0-d array"

#: Known library bugs: case name → {test name (or "*" for every test) → reason}. Each one is a
#: strict xfail, so a fix shows up as an XPASS failure and its entry must then be removed.
KNOWN_BUGS: dict[str, dict[str, str]] = {
    "broadcast_zero_d": {"test_gradients_are_floats_of_the_arguments_shape": _ZERO_D},
}

IDS = [case.name for case in CASES]
#: The cases with a scalar output, which `grad` differentiates with its default seed 1.0.
SCALAR_CASES = [case for case in CASES if np.ndim(call(case.fn, case.args)) == 0]


def cases(test: str, chosen: list[Case] = CASES) -> list[Any]:
    """`chosen` as pytest parameters, the known bugs of `test` marked as strict xfails."""
    params = []
    for case in chosen:
        bugs = KNOWN_BUGS.get(case.name, {})
        reason = bugs.get(test) or bugs.get("*")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def _rng(case: Case, salt: str = "") -> np.random.Generator:
    return np.random.default_rng(zlib.crc32((case.name + salt).encode()))


def _seed(case: Case) -> Any:
    """A random output cotangent for the case (a Python float when the output is a scalar)."""
    return random_like(_rng(case, "seed"), call(case.fn, case.args))


def _tuple(grads: Any, case: Case) -> tuple[Any, ...]:
    return tuple(grads) if len(positions(case.fn, case.wrt)) > 1 else (grads,)


def _same(a: Any, b: Any) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))


def test_corpus_is_large_and_unique():
    assert len(CASES) >= 60
    assert len(set(IDS)) == len(IDS)
    assert set(KNOWN_BUGS) <= set(IDS), "a known bug names a case that is not in the corpus"


@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "unoptimized"])
@pytest.mark.parametrize("case", cases("test_grad_with_random_seed_matches_oracle"))
def test_grad_with_random_seed_matches_oracle(case: Case, optimized: bool):
    u = _seed(case)
    df = tg.grad(case.fn, wrt=case.wrt, optimized=optimized)
    check_vjp(case.fn, case.args, case.wrt, df(*case.args, seed=u), u, rng=_rng(case))


@pytest.mark.parametrize("case", cases("test_grad_with_default_seed_matches_oracle", SCALAR_CASES))
def test_grad_with_default_seed_matches_oracle(case: Case):
    grads = tg.grad(case.fn, wrt=case.wrt)(*case.args)
    check_vjp(case.fn, case.args, case.wrt, grads, 1.0, rng=_rng(case))


@pytest.mark.parametrize("case", cases("test_vjp_matches_oracle"))
def test_vjp_matches_oracle(case: Case):
    u = _seed(case)
    grads = tg.vjp(case.fn, wrt=case.wrt)(*case.args, seed=u)
    check_vjp(case.fn, case.args, case.wrt, grads, u, rng=_rng(case))


@pytest.mark.parametrize("case", cases("test_check_grads_accepts"))
def test_check_grads_accepts(case: Case):
    tg.check_grads(case.fn, *case.args, wrt=case.wrt)


@pytest.mark.parametrize("case", cases("test_optimized_and_unoptimized_agree"))
def test_optimized_and_unoptimized_agree(case: Case):
    u = _seed(case)
    fast = _tuple(tg.grad(case.fn, wrt=case.wrt)(*case.args, seed=u), case)
    slow = _tuple(tg.grad(case.fn, wrt=case.wrt, optimized=False)(*case.args, seed=u), case)
    for a, b in zip(fast, slow):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "unoptimized"])
@pytest.mark.parametrize("case", cases("test_preserve_result_returns_the_value"))
def test_preserve_result_returns_the_value(case: Case, optimized: bool):
    u = _seed(case)
    df = tg.grad(case.fn, wrt=case.wrt, optimized=optimized, preserve_result=True)
    grads, value = df(*case.args, seed=u)
    expected = call(case.fn, case.args)
    assert type(value) is type(expected)
    assert _same(value, expected), f"value {value!r}, the function returns {expected!r}"
    check_vjp(case.fn, case.args, case.wrt, grads, u, rng=_rng(case))


@pytest.mark.parametrize("case", cases("test_value_and_grad_agrees"))
def test_value_and_grad_agrees(case: Case):
    u = _seed(case)
    value, grads = tg.value_and_grad(case.fn, wrt=case.wrt)(*case.args, seed=u)
    assert _same(value, call(case.fn, case.args))
    check_vjp(case.fn, case.args, case.wrt, grads, u, rng=_rng(case))


@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "unoptimized"])
@pytest.mark.parametrize("case", cases("test_gradient_does_not_mutate_inputs"))
def test_gradient_does_not_mutate_inputs(case: Case, optimized: bool):
    args = copy.deepcopy(list(case.args))
    before = copy.deepcopy(args)
    u = _seed(case)
    seed = copy.deepcopy(u)
    tg.grad(case.fn, wrt=case.wrt, optimized=optimized)(*args, seed=u)
    for a, b in zip(args, before):
        assert type(a) is type(b)
        assert _same(a, b)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype
    assert _same(u, seed)


@pytest.mark.parametrize("case", cases("test_gradients_are_floats_of_the_arguments_shape"))
def test_gradients_are_floats_of_the_arguments_shape(case: Case):
    grads = _tuple(tg.grad(case.fn, wrt=case.wrt)(*case.args, seed=_seed(case)), case)
    for i, g in zip(positions(case.fn, case.wrt), grads):
        arg = case.args[i]
        assert np.shape(g) == np.shape(arg)
        if isinstance(arg, np.ndarray):
            assert isinstance(g, np.ndarray), f"argument {i} is an array, its gradient {g!r}"
            assert g.dtype.kind == "f", f"gradient for argument {i} has dtype {g.dtype}"
        else:
            assert isinstance(g, (float, np.floating)), f"gradient {g!r} of {arg!r} is not float"


def test_oracle_rejects_wrong_gradients():
    """The oracle itself: zeros, a scaled gradient and a transposed one all fail."""
    case = next(c for c in CASES if c.name == "dot_mm")
    u = _seed(case)
    expected = numeric_vjp(case.fn, case.args, positions(case.fn, case.wrt), u)
    check_vjp(case.fn, case.args, case.wrt, tuple(expected), u)
    for wrong in (
        tuple(np.zeros_like(e) for e in expected),
        tuple(1.01 * e for e in expected),
        (expected[0], expected[1][::-1]),
    ):
        with pytest.raises(AssertionError):
            check_vjp(case.fn, case.args, case.wrt, wrong, u)


@pytest.mark.parametrize("case", ALIAS_CASES, ids=[c.name for c in ALIAS_CASES])
def test_in_place_update_of_an_alias_is_an_error_or_right(case: Case):
    """Python semantics: the in-place `+=` is seen through every alias. Before issue 4 a clear
    UnsupportedSyntaxError naming the line is fine; a silently wrong gradient is not, nor is
    writing into the caller's array."""
    args = copy.deepcopy(list(case.args))
    u = _seed(case)
    try:
        grads = tg.grad(case.fn, wrt=case.wrt)(*args, seed=u)
    except tg.UnsupportedSyntaxError as error:
        line = next(
            case.fn.__code__.co_firstlineno + i
            for i, text in enumerate(inspect.getsource(case.fn).splitlines())
            if "=" in text and ("+=" in text or "*=" in text)
        )
        assert f"line {line}" in str(error) and "corpus.py" in str(error), str(error)
        return
    check_vjp(case.fn, case.args, case.wrt, grads, u)
    for a, b in zip(args, case.args):
        assert _same(a, b), "the gradient wrote into the caller's array"
