"""Calls and data structures in reverse mode, against float64 central differences."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from calls_corpus import CASES, CONTAINER_INPUTS, apply, pair, scaled
from oracle import check_vjp, random_like

import tangentish as tg


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gradient_matches_central_differences(case):
    u = random_like(np.random.default_rng(0), case.fn(*case.args))
    grads = tg.vjp(case.fn, case.wrt)(*case.args, seed=u)
    check_vjp(case.fn, case.args, case.wrt, grads, u)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_grads_accepts(case):
    tg.check_grads(case.fn, *case.args, wrt=case.wrt)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_inputs_are_not_modified(case):
    before = [np.copy(a) if isinstance(a, np.ndarray) else a for a in case.args]
    tg.grad(case.fn, case.wrt)(*case.args)
    for old, new in zip(before, case.args):
        np.testing.assert_array_equal(old, new)


def _flat(value):
    """The numbers of a nested structure, in order."""
    if isinstance(value, dict):
        return np.concatenate([_flat(v) for v in value.values()])
    if isinstance(value, (list, tuple)):
        return np.concatenate([_flat(v) for v in value])
    return np.ravel(np.asarray(value, dtype=float))


@pytest.mark.parametrize("name,fn,args", CONTAINER_INPUTS, ids=[c[0] for c in CONTAINER_INPUTS])
def test_gradient_of_a_container_has_its_structure(name, fn, args):
    grad = tg.grad(fn)(*args)
    assert type(grad) is type(args[0])
    if isinstance(grad, dict):
        assert list(grad) == list(args[0])
    else:
        assert len(grad) == len(args[0])
    flat, rebuilt = _flat(args[0]), []

    def f_flat(v):
        return fn(_unflat(v, args[0]), *args[1:])

    h = 1e-6
    for i in range(flat.size):
        e = np.zeros(flat.size)
        e[i] = h
        rebuilt.append((f_flat(flat + e) - f_flat(flat - e)) / (2 * h))
    np.testing.assert_allclose(_flat(grad), rebuilt, rtol=1e-6, atol=1e-8)
    assert np.max(np.abs(rebuilt)) > 1e-3


def _unflat(v, like):
    """`v` (flat numbers) in the structure of `like`."""
    out, position = [], 0
    items = like.values() if isinstance(like, dict) else like
    for item in items:
        size = np.size(item)
        chunk = v[position : position + size]
        out.append(float(chunk[0]) if np.ndim(item) == 0 else chunk.reshape(np.shape(item)))
        position += size
    if isinstance(like, dict):
        return dict(zip(like, out))
    return type(like)(out)


def test_tuple_output_takes_a_tuple_seed():
    grad = tg.vjp(pair)(0.5, seed=(1.0, 2.0))
    assert grad == pytest.approx(2.0 - 2.0 * np.sin(0.5))
    with pytest.raises(tg.ShapeMismatchError, match="same structure"):
        tg.vjp(pair)(0.5, seed=(1.0, 2.0, 3.0))


def test_recursion_deep_enough_for_data_dependent_depth():
    from calls_corpus import halve_rec

    grad = tg.grad(halve_rec)(1000.0)  # ten levels of recursion
    tg.check_grads(halve_rec, 1000.0)
    assert grad > 1.0


def _escaping_closure(w, x):
    def inner(v):
        return v * w

    return apply(inner, x)  # passed as a value: its calls cannot be given `w`


def _recursive_closure(w, x):
    def inner(v, n):
        return v * w if n == 0 else inner(v, n - 1)

    return inner(x, 2)


def _varied_default(w, x):
    inner = lambda v, c=w: v * c  # noqa: E731
    return inner(x)


def _inline_lambda(w, x):
    return apply(lambda v: v * w, x)


def _partial_over_varied(w, x):
    return functools.partial(scaled, w)(x)


@pytest.mark.parametrize(
    ("fn", "line", "message"),
    [
        (_escaping_closure, 4, "reads `w` .* used as a value"),
        (_recursive_closure, 1, "reads `w` .* calls itself"),
        (_varied_default, 1, "a default value reads `w`"),
        (_inline_lambda, 1, "a lambda passed as a value reads `w`"),
        (_partial_over_varied, 1, "functools.partial binds `w`"),
    ],
    ids=lambda p: getattr(p, "__name__", None),
)
def test_closures_that_cannot_be_given_their_variables_are_refused(fn, line, message):
    """What closure conversion cannot reach is a clear error at the user's line; with respect to
    the other argument only, the same functions are fine."""
    where = fn.__code__.co_firstlineno + line
    with pytest.raises(tg.UnsupportedSyntaxError, match=f"line {where}, .*{message}"):
        tg.grad(fn, wrt=(0, 1))(1.5, 2.0)
    tg.check_grads(fn, 1.5, 2.0, wrt=1)


def test_golden_recursive_function_and_write_in_loop(update_golden):
    import pathlib

    from calls_corpus import power_rec, write_slice_in_loop

    here = pathlib.Path(__file__).parent / "golden"
    for name, fn, args in [
        ("calls_recursive", power_rec, (1.1, 3)),
        ("calls_write_in_loop", write_slice_in_loop, (np.ones(3), 2)),
    ]:
        df = tg.grad(fn)
        df(*args)
        path = here / f"{name}.py"
        if update_golden or not path.exists():
            path.write_text(tg.source(df))
        assert tg.source(df) == path.read_text()
