"""Threads: compiling and calling derivatives from 8 threads at once gives the right answers, and
the caches behind compilation do not grow without bound.

The references are computed first, in the main thread, by central differences (oracle.py); the
threads then race to compile (every thread starts at a barrier, on functions nobody has compiled
yet) and to run, and every result is compared with its reference.
"""

from __future__ import annotations

import gc
import linecache
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import calls_corpus
import control_flow_corpus
import corpus
import numpy as np
import program_generator as pg
from oracle import numeric_vjp, positions

import tangentish as tg
from tangentish import calls, codegen

THREADS = 8


def _cases() -> list[Any]:
    """A mix of corpus cases with scalar outputs: straight-line, control flow, calls, arrays."""
    names = {
        "textbook",
        "branch_elif",
        "for_range",
        "while_newton_sqrt",
        "recursion",
        "mutual_recursion",
        "lambda_called",
        "nested_def",
        "dict_literal",
        "list_append_loop",
        "sum_of_squares",
        "mlp_layer",
        "math_trig",
        "function_argument",
    }
    chosen = []
    for module in (corpus, control_flow_corpus, calls_corpus):
        for case in module.CASES:
            if case.name in names and np.ndim(case.fn(*case.args)) == 0:
                chosen.append(case)
    assert len(chosen) >= 8, [c.name for c in chosen]
    return chosen


CASES = _cases()


def _reference(case: Any) -> tuple[np.ndarray, ...]:
    return tuple(numeric_vjp(case.fn, case.args, positions(case.fn, case.wrt), 1.0))


def _as_tuple(grads: Any, case: Any) -> tuple[Any, ...]:
    return tuple(grads) if len(positions(case.fn, case.wrt)) > 1 else (grads,)


def _close(got: tuple[Any, ...], expected: tuple[np.ndarray, ...]) -> bool:
    return len(got) == len(expected) and all(
        np.shape(g) == np.shape(e) and np.allclose(g, e, rtol=1e-5, atol=1e-7)
        for g, e in zip(got, expected)
    )


def _race(work: Callable[[int], Any]) -> list[Any]:
    """`work(i)` in THREADS threads that start together; their results (exceptions re-raised)."""
    barrier = threading.Barrier(THREADS)

    def run(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def _fresh_module(tag: str) -> Any:
    """A module nobody has compiled yet (so the threads race to compile it)."""
    source = f"""
import numpy as np


def helper(t, k):
    if k == 0:
        return t
    return np.sin(helper(t, k - 1)) + t * 0.5


def f(x, a):
    total = 0.0
    for i in range(3):
        total = total + helper(x * a[i], 2)
    return total * {len(tag)}.0 + np.sum(a * a) * x
"""
    return pg.import_source(source + f"\n# {tag}\n", "threads")


def test_same_function_compiled_by_eight_threads_at_once():
    module = _fresh_module("same")
    x, a = 0.7, np.array([0.5, -1.2, 2.0])
    expected = tuple(numeric_vjp(module.f, (x, a), (0, 1), 1.0))
    df = tg.grad(module.f, wrt=(0, 1))  # one gradient object shared by every thread

    def work(i: int) -> Any:
        own = tg.grad(module.f, wrt=(0, 1))  # and one per thread
        return df(x, a), own(x, a)

    for shared, own in _race(work):
        assert _close(tuple(shared), expected) and _close(tuple(own), expected)


def test_different_functions_and_modes_from_eight_threads():
    cases = CASES
    expected = [_reference(case) for case in cases]

    def work(i: int) -> list[str]:
        wrong = []
        for k in range(len(cases)):
            j = (i + k) % len(cases)  # each thread starts at a different case
            case = cases[j]
            grads = _as_tuple(tg.grad(case.fn, wrt=case.wrt)(*case.args), case)
            if not _close(grads, expected[j]):
                wrong.append(f"grad of {case.name} in thread {i}")
            v = [np.ones(np.shape(case.args[p])) for p in positions(case.fn, case.wrt)]
            seed = v[0] if len(v) == 1 else tuple(v)
            _, tangent = tg.jvp(case.fn, wrt=case.wrt)(*case.args, seed=seed)
            if not np.isclose(tangent, sum(np.sum(e) for e in expected[j]), rtol=1e-5, atol=1e-7):
                wrong.append(f"jvp of {case.name} in thread {i}")
        return wrong

    problems = [p for result in _race(work) for p in result]
    assert not problems, problems


def test_specializations_compiled_concurrently():
    """Floats, ints, 0-d arrays and float64 arrays of the same function, compiled at once."""
    module = _fresh_module("kinds")
    inputs = [
        (0.7, np.array([0.5, -1.2, 2.0])),
        (1, np.array([0.5, -1.2, 2.0])),
        (np.float64(0.7), np.array([0.5, -1.2, 2.0])),
        (0.7, np.array([1.0, 2.0, 3.0])),
    ]
    expected = [tuple(numeric_vjp(module.f, args, (0, 1), 1.0)) for args in inputs]
    df = tg.grad(module.f, wrt=(0, 1))

    def work(i: int) -> bool:
        k = i % len(inputs)
        return _close(tuple(df(*inputs[k])), expected[k])

    assert all(_race(work))


def test_many_calls_while_other_threads_compile():
    """Threads that only call a compiled gradient, while the others compile new functions."""
    module = _fresh_module("busy")
    x, a = 0.3, np.array([1.5, -0.5, 0.25])
    expected = tuple(numeric_vjp(module.f, (x, a), (0, 1), 1.0))
    df = tg.grad(module.f, wrt=(0, 1))
    df(x, a)
    others = [_fresh_module(f"other{i}") for i in range(THREADS)]

    def work(i: int) -> bool:
        if i % 2:
            g = tg.grad(others[i].f, wrt=(0, 1))(x, a)
            return _close(tuple(g), tuple(numeric_vjp(others[i].f, (x, a), (0, 1), 1.0)))
        return all(_close(tuple(df(x, a)), expected) for _ in range(50))

    assert all(_race(work))


# -- the caches --------------------------------------------------------------------------------


def _tangentish_lines() -> int:
    return sum(1 for name in list(linecache.cache) if name.startswith("<tangentish"))


def make_closure(k: float) -> Callable[..., Any]:
    def closure(x):
        return np.sin(x) * k + x * x

    return closure


def test_closures_are_not_kept_alive_by_the_caches():
    """Functions made in a loop (closures) are released once the user drops them; the compile
    cache and the callee caches are weak in the function."""
    gc.collect()
    alive = []
    for k in range(30):
        fn = make_closure(float(k))
        tg.grad(fn)(0.5)
        tg.jvp(fn)(0.5)
        alive.append(weakref.ref(fn))
        del fn
    gc.collect()
    assert not any(ref() is not None for ref in alive)


def test_linecache_holds_one_entry_per_distinct_source():
    """The same generated text (closures differing only in their cells) shares one entry."""
    make_closure(0.0)
    tg.grad(make_closure(0.0))(0.5)
    before = _tangentish_lines()
    for k in range(30):
        tg.grad(make_closure(float(k)))(0.5)
    assert _tangentish_lines() == before


def test_one_gradient_object_keeps_one_entry_per_kind_of_argument():
    module = _fresh_module("table")
    df = tg.grad(module.f, wrt=(0, 1))
    for _ in range(20):
        df(0.5, np.ones(3))
        df(0.5, np.ones(3) * 2.0)
        df(0.5, np.ones(3), seed=2.0)
    state = df.__wrapped_tangentish__
    assert len(state.units) == len(state.table) == 1  # the default seed's code, the seeded one
    assert len(codegen.cache_of(module.f, "api")) == 2


def test_functions_of_a_discarded_module_are_released():
    refs = []
    for k in range(5):
        module = _fresh_module(f"discarded{k}")
        tg.grad(module.f, wrt=(0, 1))(0.5, np.ones(3))
        refs.append(weakref.ref(module.f))
        del module
    gc.collect()
    assert all(ref() is None for ref in refs)


def test_linecache_does_not_grow_without_bound():
    before = _tangentish_lines()
    for k in range(20):
        module = _fresh_module(f"linecache{k}")
        tg.grad(module.f, wrt=(0, 1))(0.5, np.ones(3))
        del module
    gc.collect()
    assert _tangentish_lines() <= before + 10


def test_the_caller_cache_is_bounded():
    """calls._caller (the wrapper around a NumPy function passed as a value) is an LRU cache."""
    assert calls._caller.cache_info().maxsize is not None
