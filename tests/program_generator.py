"""Random well-formed programs for differential fuzzing: Hypothesis strategies.

`programs()` draws a module of Python source: a main function `f` and a few helpers it calls, built
from the constructs tangentish supports: arithmetic and `math`/NumPy calls on scalars and arrays
of length 3, `if`/`elif`/`else` on data-dependent comparisons, conditional expressions, `and`/`or`,
`for` over `range`, arrays, lists, `enumerate` and `zip`, `while` with a bounded counter, `break`,
`continue`, early `return`, calls to helpers (also recursive ones and lambdas), tuples (packing,
unpacking, indexing), lists (`append`, indexing), dicts, and subscript writes into arrays made with
`np.zeros` or passed in as arguments.

Nothing is undefined by construction: logarithms and square roots see `1 + s * s`, divisions divide
by `2 + s * s`, exponentials see bounded arguments, powers with a varying exponent have a positive
base, loops have small constant bounds and every `while` counts up at the top of its body.

Each program comes twice: the `source` that tangentish differentiates, and an `instrumented` twin
in which every data-dependent decision (a comparison of floats, `abs`, `max`/`min`, `np.maximum`,
`np.where`'s condition, `np.max`) goes through a recorder. Running the twin gives the decision trace
(which way each comparison went, which argument `max` picked) and the smallest margin by which any
decision was taken; the fuzz tests reject (`assume`) points whose margin is tiny or whose trace
changes inside the finite-difference stencil, so the programs are smooth where they are checked.

`load(program)` writes both to a temporary directory (tangentish reads source from files) and
imports them.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import importlib.util
import inspect
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

LENGTH = 3  # every array in a generated program has this length

#: Parameter lists of the main function: `x`, `y` are floats, `a`, `b` arrays of LENGTH.
SIGNATURES = (("x",), ("x", "y"), ("x", "a"), ("a",), ("x", "y", "a"), ("a", "b"))

#: Constructs that trigger a known, open library bug (each has a strict xfail regression case in
#: fuzz_regressions.py): the generator leaves them out so the fuzzer looks for new bugs. Remove an
#: entry when its bug is fixed.
KNOWN_BUGS: set[str] = set()

#: A constant matrix the programs multiply by (module global `M`).
MATRIX = "np.array([[0.5, -0.25, 0.1], [0.3, 0.8, -0.6], [-0.2, 0.4, 0.7]])"


@dataclasses.dataclass(frozen=True)
class Expr:
    """An expression in both renderings: plain (for tangentish) and instrumented (recorded)."""

    plain: str
    inst: str


def _fmt(template: str, *parts: Expr) -> Expr:
    return Expr(
        template.format(*(p.plain for p in parts)), template.format(*(p.inst for p in parts))
    )


def _lit(text: str) -> Expr:
    return Expr(text, text)


@dataclasses.dataclass(frozen=True)
class Helper:
    """A module-level function the main function may call: its name and parameter kinds."""

    name: str
    kinds: tuple[str, ...]  # "s" scalar or "a" array, per parameter; "n" a small int (recursion)


@dataclasses.dataclass
class Scope:
    """What a point in a generated function may use."""

    scalars: list[str]
    arrays: list[str]
    ints: list[str]  # int variables (loop counters), used as multipliers
    indices: list[str]  # int variables known to lie in range(LENGTH)
    lists: dict[str, int]  # list of scalars → its guaranteed length
    tuples: dict[str, int]
    dicts: dict[str, tuple[str, ...]]
    lambdas: list[str]
    helpers: tuple[Helper, ...]
    output: str  # "s" or "a": what `return` returns
    loop_depth: int = 0
    nesting: int = 0

    def copy(self) -> Scope:
        return Scope(
            list(self.scalars),
            list(self.arrays),
            list(self.ints),
            list(self.indices),
            dict(self.lists),
            dict(self.tuples),
            dict(self.dicts),
            list(self.lambdas),
            self.helpers,
            self.output,
            self.loop_depth,
            self.nesting,
        )

    def keep_common(self, branches: list[Scope]) -> None:
        """After a block: keep what every branch defined, with the smallest guaranteed lengths."""
        for attr in ("scalars", "arrays", "lambdas"):
            mine = getattr(self, attr)
            for name in getattr(branches[0], attr):
                if name not in mine and all(name in getattr(b, attr) for b in branches):
                    mine.append(name)
        for attr in ("lists", "tuples"):
            mine = getattr(self, attr)
            for name in getattr(branches[0], attr):
                lengths = [getattr(b, attr).get(name) for b in branches]
                if all(n is not None for n in lengths):
                    mine[name] = min(n for n in lengths if n is not None)
        for name in branches[0].dicts:
            if name not in self.dicts and all(name in b.dicts for b in branches):
                self.dicts[name] = tuple(
                    k for k in branches[0].dicts[name] if all(k in b.dicts[name] for b in branches)
                )


@dataclasses.dataclass(frozen=True)
class Program:
    """A generated module: its source, its instrumented twin, and how to call `f`."""

    source: str
    instrumented: str
    params: tuple[str, ...]
    wrt: tuple[int, ...]
    output: str  # "s": `f` returns a number; "a": an array of LENGTH

    def __repr__(self) -> str:  # Hypothesis prints this for a falsifying example
        return f"Program(wrt={self.wrt}, output={self.output!r}, source=\n{self.source})"


def _recorder(a: Expr, b: Expr) -> str:
    """The recording comparison: one of the same expression on both sides is always a tie, by
    construction rather than by accident, so it is safe however small its margin."""
    return "_cmp_same" if a.plain == b.plain else "_cmp"


def _picker(a: Expr, b: Expr) -> str:
    return "_kink_pick_same" if a.plain == b.plain else "_kink_pick"


class _Builder:
    """Draws one program; every choice goes through Hypothesis, so failures shrink."""

    def __init__(self, draw: Callable[[Any], Any], max_statements: int) -> None:
        self.draw = draw
        self.budget = max_statements
        self.counter = 0
        self.writes: list[tuple[int, str]] = []  # in-place writes: (line index, array written)
        self.tainted: set[str] = set()  # arrays that may share memory with an argument

    # -- choices ---------------------------------------------------------------------------------

    def pick(self, n: int) -> int:
        """An index in range(n); Hypothesis shrinks it towards 0, the simplest production."""
        return self.draw(st.integers(0, n - 1)) if n > 1 else 0

    def chance(self, p_percent: int) -> bool:
        return self.draw(st.integers(0, 99)) < p_percent

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self) -> Expr:
        value = self.draw(st.sampled_from((0.5, 1.5, -0.7, 2.0, 0.25, -1.3, 3.0)))
        return _lit(repr(value))

    # -- expressions -----------------------------------------------------------------------------

    def scalar(self, scope: Scope, depth: int) -> Expr:
        if depth <= 0:
            return self.scalar_leaf(scope)
        d = depth - 1
        kind = self.pick(14)
        if kind == 0:
            return self.scalar_leaf(scope)
        if kind == 1:
            op = self.draw(st.sampled_from(("+", "-", "*")))
            return _fmt("({} " + op + " {})", self.scalar(scope, d), self.scalar(scope, d))
        if kind == 2:
            return self.unary(scope, d)
        if kind == 3:
            num, den = self.scalar(scope, d), self.scalar(scope, d)
            return _fmt("({} / (2.0 + {} * {}))", num, den, den)
        if kind == 4:
            return _fmt("(-{})", self.scalar(scope, d))
        if kind == 5:
            return self.reduction(scope, d)
        if kind == 6:
            return self.powers(scope, d)
        if kind == 7:
            return self.kink(scope, d)
        if kind == 8:
            test = self.condition(scope, d)
            return _fmt("({} if {} else {})", self.scalar(scope, d), test, self.scalar(scope, d))
        if kind == 9 and scope.helpers:
            return self.call(scope, d)
        if kind == 10 and (scope.lists or scope.tuples or scope.dicts):
            return self.element(scope)
        if kind == 11 and scope.ints:
            name = self.draw(st.sampled_from(scope.ints))
            form = self.pick(3)
            if form == 0:
                return _fmt("({} * " + name + ")", self.scalar(scope, d))
            if form == 1:
                return _lit(f"float({name})")
            return _fmt("({} * (" + name + " + 1) * 0.5)", self.scalar(scope, d))
        if kind == 12 and scope.lambdas:
            name = self.draw(st.sampled_from(scope.lambdas))
            return _fmt(name + "({})", self.scalar(scope, d))
        if kind == 13 and scope.lists:
            name = self.draw(st.sampled_from(sorted(scope.lists)))
            return _lit(f"sum({name})") if self.chance(50) else _lit(f"(len({name}) * 0.5)")
        return self.scalar_leaf(scope)

    def scalar_leaf(self, scope: Scope) -> Expr:
        if scope.scalars and not self.chance(15):
            return _lit(self.draw(st.sampled_from(scope.scalars)))
        if scope.arrays and self.chance(50):
            array = self.draw(st.sampled_from(scope.arrays))
            if scope.indices and self.chance(40):
                return _lit(f"{array}[{self.draw(st.sampled_from(scope.indices))}]")
            return _lit(f"{array}[{self.draw(st.sampled_from((0, 1, 2, -1)))}]")
        return self.constant()

    def unary(self, scope: Scope, d: int) -> Expr:
        s = self.scalar(scope, d)
        forms = (
            "np.sin({0})",
            "np.cos({0})",
            "np.tanh({0})",
            "math.sin({0})",
            "math.cos({0})",
            "math.tanh({0})",
            "np.exp(np.sin({0}))",
            "math.exp(math.tanh({0}))",
            "np.log(1.0 + {0} * {0})",
            "math.log(1.0 + {0} * {0})",
            "np.sqrt(1.0 + {0} * {0})",
            "math.sqrt(2.0 + {0} * {0})",
            "np.arctan({0})",
            "math.atan({0})",
            "np.log1p({0} * {0})",
            "float({0})",
            "np.square({0})",
            "math.hypot({0}, 1.5)",
            "np.expm1(np.tanh({0}))",
        )
        return _fmt(self.draw(st.sampled_from(forms)), s)

    def powers(self, scope: Scope, d: int) -> Expr:
        s = self.scalar(scope, d)
        form = self.pick(6)
        if form == 0:
            return _fmt("({} ** 2)", s)
        if form == 1:
            return _fmt("({} ** 3)", s)
        if form == 2:
            return _fmt("({} ** 2.0)", s)
        if form == 3:
            return _fmt("((1.0 + {0} * {0}) ** 0.5)", s)
        if form == 4:
            return _fmt("((1.5 + np.sin({})) ** np.tanh({}))", s, self.scalar(scope, d))
        return _fmt("(2.0 ** np.tanh({}))", s)

    def kink(self, scope: Scope, d: int) -> Expr:
        """Functions with a kink, through the recorder in the instrumented twin."""
        a, b = self.scalar(scope, d), self.scalar(scope, d)
        form = self.pick(5)
        if form == 0:
            return Expr(f"abs({a.plain})", f"_kink_abs({a.inst})")
        if form == 1:
            return Expr(f"max({a.plain}, {b.plain})", f"{_picker(a, b)}(max, {a.inst}, {b.inst})")
        if form == 2:
            return Expr(f"min({a.plain}, {b.plain})", f"{_picker(a, b)}(min, {a.inst}, {b.inst})")
        if form == 3:
            return Expr(f"np.abs({a.plain})", f"_kink_abs({a.inst})")
        return Expr(
            f"np.maximum({a.plain}, {b.plain})", f"{_picker(a, b)}(np.maximum, {a.inst}, {b.inst})"
        )

    def reduction(self, scope: Scope, d: int) -> Expr:
        a = self.array(scope, d)
        form = self.pick(9)
        if form == 0:
            return _fmt("np.sum({})", a)
        if form == 1:
            return _fmt("np.mean({})", a)
        if form == 2:
            return _fmt("np.dot({}, {})", a, self.array(scope, d))
        if form == 3:
            return _fmt("{}[" + str(self.draw(st.sampled_from((0, 1, 2, -1)))) + "]", a)
        if form == 4:
            return _fmt("np.prod({})", a)
        if form == 5:
            return _fmt("np.sum({}[1:])", a)
        if form == 6:
            return Expr(f"np.max({a.plain})", f"_kink_extreme(np.max, {a.inst})")
        if form == 7:
            return Expr(f"np.min({a.plain})", f"_kink_extreme(np.min, {a.inst})")
        return _fmt("({} @ {})", a, self.array(scope, d))

    def call(self, scope: Scope, d: int) -> Expr:
        helper = self.draw(st.sampled_from(scope.helpers))
        args = []
        for kind in helper.kinds:
            if kind == "s":
                args.append(self.scalar(scope, d))
            elif kind == "a":
                args.append(self.array(scope, d))
            else:
                args.append(_lit(str(self.pick(3))))
        return _fmt(helper.name + "(" + ", ".join("{}" for _ in args) + ")", *args)

    def element(self, scope: Scope) -> Expr:
        options = [("l", n) for n in sorted(scope.lists) if scope.lists[n] > 0]
        options += [("t", n) for n in sorted(scope.tuples)]
        options += [("d", n) for n in sorted(scope.dicts) if scope.dicts[n]]
        if not options:
            return self.scalar_leaf(scope)
        kind, name = self.draw(st.sampled_from(options))
        if kind == "d":
            return _lit(f"{name}[{self.draw(st.sampled_from(scope.dicts[name]))!r}]")
        length = scope.lists[name] if kind == "l" else scope.tuples[name]
        index = self.draw(st.integers(-length, length - 1))
        return _lit(f"{name}[{index}]")

    def condition(self, scope: Scope, depth: int) -> Expr:
        kind = self.pick(5)
        d = max(depth - 1, 0)
        if kind in (0, 1):
            op = self.draw(st.sampled_from((">", "<", ">=", "<=")))
            a, b = self.scalar(scope, d), self.scalar(scope, d)
            return Expr(
                f"{a.plain} {op} {b.plain}", f"{_recorder(a, b)}({a.inst}, {op!r}, {b.inst})"
            )
        if kind == 2:
            return _fmt("not {}", self.condition(scope, d))
        if kind == 3:
            op = self.draw(st.sampled_from(("and", "or")))
            return _fmt("({} " + op + " {})", self.condition(scope, d), self.condition(scope, d))
        a = self.scalar(scope, d)
        return Expr(
            f"(-0.5 < {a.plain} < 0.75)",
            f"(_cmp(-0.5, '<', {a.inst}) and _cmp({a.inst}, '<', 0.75))",
        )

    def array(self, scope: Scope, depth: int) -> Expr:
        if depth <= 0:
            return self.array_leaf(scope)
        d = depth - 1
        kind = self.pick(10)
        if kind == 0:
            return self.array_leaf(scope)
        if kind == 1:
            op = self.draw(st.sampled_from(("+", "-", "*")))
            return _fmt("({} " + op + " {})", self.array(scope, d), self.array(scope, d))
        if kind == 2:
            op = self.draw(st.sampled_from(("+", "-", "*")))
            s, a = self.scalar(scope, d), self.array(scope, d)
            return (
                _fmt("({} " + op + " {})", s, a)
                if self.chance(50)
                else _fmt("({} " + op + " {})", a, s)
            )
        if kind == 3:
            forms = (
                "np.sin({0})",
                "np.cos({0})",
                "np.tanh({0})",
                "np.exp(np.sin({0}))",
                "np.log(1.0 + {0} * {0})",
                "np.sqrt(1.0 + {0} * {0})",
                "np.square({0})",
                "({0} ** 2)",
                "np.arctan({0})",
            )
            return _fmt(self.draw(st.sampled_from(forms)), self.array(scope, d))
        if kind == 4:
            num, den = self.array(scope, d), self.array(scope, d)
            return _fmt("({} / (2.0 + {} * {}))", num, den, den)
        if kind == 5:
            forms = ("np.cumsum({0})", "np.flip({0})", "{0}[::-1]", "np.roll({0}, 1)", "(M @ {0})")
            return _fmt(self.draw(st.sampled_from(forms)), self.array(scope, d))
        if kind == 6:
            a, b = self.array(scope, d), self.array(scope, d)
            fn = self.draw(st.sampled_from(("np.maximum", "np.minimum")))
            return Expr(f"{fn}({a.plain}, {b.plain})", f"{_picker(a, b)}({fn}, {a.inst}, {b.inst})")
        if kind == 7:
            a, s = self.array(scope, d), self.scalar(scope, d)
            yes, no = self.array(scope, d), self.array(scope, d)
            return Expr(
                f"np.where({a.plain} > {s.plain}, {yes.plain}, {no.plain})",
                f"np.where(_cmp({a.inst}, '>', {s.inst}), {yes.inst}, {no.inst})",
            )
        if kind == 8:
            parts = [self.scalar(scope, d) for _ in range(LENGTH)]
            return _fmt("np.array([{}, {}, {}])", *parts)
        return _fmt("(np.ones(3) * {})", self.scalar(scope, d))

    def array_leaf(self, scope: Scope) -> Expr:
        if scope.arrays and not self.chance(10):
            return _lit(self.draw(st.sampled_from(scope.arrays)))
        return _lit("np.array([0.5, -1.0, 1.5])")

    def value(self, scope: Scope, kind: str, depth: int) -> Expr:
        return self.scalar(scope, depth) if kind == "s" else self.array(scope, depth)

    # -- statements --------------------------------------------------------------------------------

    def block(
        self, scope: Scope, indent: int, lines: list[tuple[int, str, str]], size: int
    ) -> bool:
        """Append up to `size` statements (at least one); True if the block ends in a `return`,
        `break` or `continue` (nothing may follow)."""
        count = self.draw(st.integers(1, size))
        return any(self.statement(scope, indent, lines) for _ in range(count))

    def statement(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        """Append one statement; True if it leaves the block (return/break/continue)."""
        self.budget -= 1
        nested = scope.nesting < 2 and self.budget > 0
        kind = self.pick(16)

        def emit(expr_plain: str, expr_inst: str | None = None, at: int = indent) -> None:
            lines.append((at, expr_plain, expr_plain if expr_inst is None else expr_inst))

        if kind == 1:  # an array variable
            value = self.array(scope, 2)
            name = self.target(scope.arrays, "b")
            self.tainted.add(name)  # it may be a view of an argument (`a[::-1]`, `np.flip(a)`)
            emit(f"{name} = {value.plain}", f"{name} = {value.inst}")
            return False
        if kind == 2:  # augmented assignment
            if scope.arrays and self.chance(40):
                name = self.draw(st.sampled_from(scope.arrays))
                value = self.array(scope, 1) if self.chance(50) else self.scalar(scope, 1)
                op = self.draw(st.sampled_from(("+=", "-=", "*=")))
            elif scope.scalars:
                name = self.draw(st.sampled_from(scope.scalars))
                value = self.scalar(scope, 1)
                op = self.draw(st.sampled_from(("+=", "-=", "*=")))
            else:
                return self.assign_scalar(scope, indent, lines)
            if name in scope.arrays:
                self.writes.append((len(lines), name))
            emit(f"{name} {op} {value.plain}", f"{name} {op} {value.inst}")
            return False
        if kind == 3 and nested:  # if / elif / else
            return self.branch(scope, indent, lines)
        if kind == 4 and nested:  # for over range
            counter = self.fresh("i")
            emit(f"for {counter} in range({self.draw(st.integers(0, LENGTH))}):")
            inner = self.loop_scope(scope)
            inner.ints.append(counter)
            inner.indices.append(counter)
            self.block(inner, indent + 1, lines, 3)
            self.after_loop(scope, inner)
            return False
        if kind == 5 and nested:  # for over an array, a list, enumerate or zip
            return self.for_each(scope, indent, lines)
        if kind == 6 and nested:  # while with a bounded counter
            counter = self.fresh("k")
            emit(f"{counter} = 0")
            bound = self.draw(st.integers(1, 4))
            if self.chance(50):
                test = self.condition(scope, 1)
                emit(
                    f"while {counter} < {bound} and {test.plain}:",
                    f"while {counter} < {bound} and {test.inst}:",
                )
            else:
                emit(f"while {counter} < {bound}:")
            emit(f"{counter} = {counter} + 1", at=indent + 1)
            inner = self.loop_scope(scope)
            inner.ints.append(counter)
            self.block(inner, indent + 1, lines, 3)
            self.after_loop(scope, inner)
            return False
        if kind == 7:  # subscript writes into an array made with np.zeros, or an existing one
            return self.subscript_write(scope, indent, lines)
        if kind == 8:  # lists
            return self.list_statement(scope, indent, lines)
        if kind == 9:  # tuples
            return self.tuple_statement(scope, indent, lines)
        if kind == 10 and scope.loop_depth > 0:  # break / continue under a condition
            test = self.condition(scope, 1)
            emit(f"if {test.plain}:", f"if {test.inst}:")
            emit(self.draw(st.sampled_from(("break", "continue"))), at=indent + 1)
            return False
        if kind == 11:  # an early return under a condition
            test = self.condition(scope, 1)
            value = self.value(scope, scope.output, 2)
            emit(f"if {test.plain}:", f"if {test.inst}:")
            emit(f"return {value.plain}", f"return {value.inst}", at=indent + 1)
            return False
        if kind == 12:  # dicts
            return self.dict_statement(scope, indent, lines)
        if kind == 13 and scope.loop_depth == 0:  # a lambda (reads only its own parameter)
            name = self.fresh("g")
            inner = Scope([], [], [], [], {}, {}, {}, [], (), "s")
            inner.scalars.append("t")
            body = self.scalar(inner, 2)
            emit(f"{name} = lambda t: {body.plain}", f"{name} = lambda t: {body.inst}")
            scope.lambdas.append(name)
            return False
        if kind == 14 and scope.scalars and len(scope.scalars) >= 2:  # swap
            u, w = (
                self.draw(st.sampled_from(scope.scalars)),
                self.draw(st.sampled_from(scope.scalars)),
            )
            emit(f"{u}, {w} = {w}, {u}")
            return False
        if kind == 15 and scope.nesting == 0 and scope.loop_depth == 0 and self.chance(30):
            value = self.value(scope, scope.output, 2)  # an unconditional return ends the body
            emit(f"return {value.plain}", f"return {value.inst}")
            return True
        return self.assign_scalar(scope, indent, lines)

    def assign_scalar(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        value = self.scalar(scope, 2)
        name = self.target(scope.scalars, "v")
        lines.append((indent, f"{name} = {value.plain}", f"{name} = {value.inst}"))
        return False

    def target(self, existing: list[str], prefix: str) -> str:
        """A name to assign: often a new one, sometimes one to overwrite."""
        if existing and self.chance(35):
            return self.draw(st.sampled_from(existing))
        name = self.fresh(prefix)
        existing.append(name)
        return name

    def loop_scope(self, scope: Scope) -> Scope:
        inner = scope.copy()
        inner.loop_depth += 1
        inner.nesting += 1
        return inner

    def after_loop(self, scope: Scope, inner: Scope) -> None:
        """Names a loop defined may be unset after it (zero iterations, a break): drop them."""
        del inner

    def branch(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        arms = self.pick(3)  # 0: if; 1: if/else; 2: if/elif/else
        branches = []
        header = "if"
        for arm in range(arms + 1):
            inner = scope.copy()
            inner.nesting += 1
            if arm == arms and arms > 0:
                lines.append((indent, "else:", "else:"))
            else:
                test = self.condition(scope, 2)
                lines.append((indent, f"{header} {test.plain}:", f"{header} {test.inst}:"))
                header = "elif"
            self.block(inner, indent + 1, lines, 3)
            branches.append(inner)
        if arms > 0:
            scope.keep_common(branches)
        return False

    def for_each(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        inner = self.loop_scope(scope)
        form = self.pick(4)
        element = self.fresh("t")
        inner.scalars.append(element)
        if form == 1 and scope.lists:
            name = self.draw(st.sampled_from(sorted(scope.lists)))
            lines.append((indent, f"for {element} in {name}:", f"for {element} in {name}:"))
            del inner.lists[name]  # appending to it would make Python's loop go on (refused)
        elif form == 2:
            index = self.fresh("j")
            array = self.array(scope, 1)
            inner.ints.append(index)
            inner.indices.append(index)
            lines.append(
                (
                    indent,
                    f"for {index}, {element} in enumerate({array.plain}):",
                    f"for {index}, {element} in enumerate({array.inst}):",
                )
            )
        elif form == 3:
            other = self.fresh("t")
            inner.scalars.append(other)
            first, second = self.array(scope, 1), self.array(scope, 1)
            lines.append(
                (
                    indent,
                    f"for {element}, {other} in zip({first.plain}, {second.plain}):",
                    f"for {element}, {other} in zip({first.inst}, {second.inst}):",
                )
            )
        else:
            array = self.array(scope, 1)
            lines.append(
                (indent, f"for {element} in {array.plain}:", f"for {element} in {array.inst}:")
            )
        self.block(inner, indent + 1, lines, 3)
        return False

    def subscript_write(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        if scope.arrays and self.chance(50):
            name = self.draw(st.sampled_from(scope.arrays))
        else:
            name = self.fresh("z")
            lines.append((indent, f"{name} = np.zeros({LENGTH})", f"{name} = np.zeros({LENGTH})"))
            scope.arrays.append(name)
        form = self.pick(3)
        value = self.scalar(scope, 2)
        if form == 2 and scope.indices:
            index = self.draw(st.sampled_from(scope.indices))
        else:
            index = str(self.draw(st.sampled_from((0, 1, 2, -1))))
        op = "+=" if form == 1 else "="
        self.writes.append((len(lines), name))
        lines.append(
            (indent, f"{name}[{index}] {op} {value.plain}", f"{name}[{index}] {op} {value.inst}")
        )
        return False

    def list_statement(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        if scope.lists and self.chance(60):
            name = self.draw(st.sampled_from(sorted(scope.lists)))
            value = self.scalar(scope, 2)
            lines.append((indent, f"{name}.append({value.plain})", f"{name}.append({value.inst})"))
            scope.lists[name] += 1
            return False
        count = self.pick(4)
        items = [self.scalar(scope, 2) for _ in range(count)]
        name = self.fresh("l")
        plain = ", ".join(i.plain for i in items)
        inst = ", ".join(i.inst for i in items)
        lines.append((indent, f"{name} = [{plain}]", f"{name} = [{inst}]"))
        scope.lists[name] = count
        return False

    def tuple_statement(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        if scope.tuples and self.chance(50):
            name = self.draw(st.sampled_from(sorted(scope.tuples)))
            targets = [self.fresh("u") for _ in range(scope.tuples[name])]
            unpack = ", ".join(targets) + ("," if len(targets) == 1 else "")
            lines.append((indent, f"{unpack} = {name}", f"{unpack} = {name}"))
            scope.scalars.extend(targets)
            return False
        count = self.draw(st.integers(1, 3))
        items = [self.scalar(scope, 2) for _ in range(count)]
        name = self.fresh("p")
        plain = ", ".join(i.plain for i in items) + ("," if count == 1 else "")
        inst = ", ".join(i.inst for i in items) + ("," if count == 1 else "")
        lines.append((indent, f"{name} = ({plain})", f"{name} = ({inst})"))
        scope.tuples[name] = count
        return False

    def dict_statement(self, scope: Scope, indent: int, lines: list[tuple[int, str, str]]) -> bool:
        if scope.dicts and self.chance(50):
            name = self.draw(st.sampled_from(sorted(scope.dicts)))
            key = self.draw(st.sampled_from(("a", "b", "c")))
            value = self.scalar(scope, 2)
            lines.append(
                (indent, f"{name}[{key!r}] = {value.plain}", f"{name}[{key!r}] = {value.inst}")
            )
            if key not in scope.dicts[name]:
                scope.dicts[name] = (*scope.dicts[name], key)
            return False
        keys = ("a", "b")[: self.draw(st.integers(1, 2))]
        items = [(k, self.scalar(scope, 2)) for k in keys]
        name = self.fresh("d")
        plain = ", ".join(f"{k!r}: {v.plain}" for k, v in items)
        inst = ", ".join(f"{k!r}: {v.inst}" for k, v in items)
        lines.append((indent, f"{name} = {{{plain}}}", f"{name} = {{{inst}}}"))
        scope.dicts[name] = keys
        return False

    # -- functions -------------------------------------------------------------------------------

    def function(
        self,
        name: str,
        params: tuple[str, ...],
        kinds: tuple[str, ...],
        helpers: tuple[Helper, ...],
        output: str,
    ) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
        scope = Scope([], [], [], [], {}, {}, {}, [], helpers, output)
        for param, kind in zip(params, kinds):
            (scope.scalars if kind == "s" else scope.arrays).append(param)
        lines: list[tuple[int, str, str]] = []
        header = f"def {name}({', '.join(params)}):"
        self.writes, self.tainted = [], {p for p, k in zip(params, kinds) if k == "a"}
        ended = self.block(scope, 1, lines, 6)
        if not ended:
            value = self.value(scope, output, 3)
            lines.append((1, f"return {value.plain}", f"return {value.inst}"))
        if name != "f":
            # A helper writes only into arrays it made itself: never into its arguments, nor
            # into anything that may be a view of one (tangentish refuses a called function
            # that changes its arguments in place: see test_unsupported.py).
            for index, target in self.writes:
                if target in self.tainted:
                    lines[index] = (lines[index][0], "pass", "pass")
        return [(0, header, header)], lines


RECURSIVE = """\
def {name}(p, n):
    if n <= 0:
        return p
    return np.sin({name}(p, n - 1)) * 0.5 + p * p * 0.25
"""


@st.composite
def programs(draw: Callable[[Any], Any], max_statements: int = 12) -> Program:
    """A module with helpers and a main function `f`, its instrumented twin, and `f`'s `wrt`."""
    builder = _Builder(draw, max_statements)
    plain_parts = ["import math", "", "import numpy as np", "", f"M = {MATRIX}", ""]
    inst_parts = list(plain_parts)
    helpers: list[Helper] = []
    if draw(st.booleans()):
        plain_parts.append(RECURSIVE.format(name="rec"))
        inst_parts.append(RECURSIVE.format(name="rec"))
        helpers.append(Helper("rec", ("s", "n")))
    for h in range(draw(st.integers(0, 2))):
        kinds = draw(st.sampled_from((("s",), ("s", "s"), ("a",), ("s", "a"))))
        params = tuple(f"q{i}" for i in range(len(kinds)))
        builder.budget = max_statements // 2
        header, body = builder.function(f"h{h}", params, kinds, tuple(helpers), "s")
        for parts, column in ((plain_parts, 1), (inst_parts, 2)):
            parts.extend(_render(header + body, column))
            parts.append("")
        helpers.append(Helper(f"h{h}", kinds))
    params = draw(st.sampled_from(SIGNATURES))
    kinds = tuple("s" if p in ("x", "y") else "a" for p in params)
    output = "a" if draw(st.integers(0, 4)) == 0 else "s"
    builder.budget = max_statements
    header, body = builder.function("f", params, kinds, tuple(helpers), output)
    plain_parts.extend(_render(header + body, 1))
    inst_parts.extend(_render(header + body, 2))
    subsets = [
        tuple(i for i in range(len(params)) if mask >> i & 1) for mask in range(1, 1 << len(params))
    ]
    wrt = draw(st.sampled_from(sorted(subsets, key=lambda s: -len(s))))
    return Program("\n".join(plain_parts) + "\n", "\n".join(inst_parts) + "\n", params, wrt, output)


def _render(lines: list[tuple[int, str, str]], column: int) -> list[str]:
    return ["    " * line[0] + line[column] for line in lines]


#: Values of the arguments: away from 0 and from each other's simple multiples.
_NUMBERS = st.integers(-19, 19).map(lambda k: k / 10.0 + 0.013)


@st.composite
def arguments(draw: Callable[[Any], Any], program: Program) -> tuple[Any, ...]:
    """Arguments for `program`'s `f`: Python floats for `x`, `y`, float64 arrays for `a`, `b`."""
    args: list[Any] = []
    for param in program.params:
        if param in ("x", "y"):
            args.append(draw(_NUMBERS))
        else:
            args.append(np.array([draw(_NUMBERS) for _ in range(LENGTH)]))
    return tuple(args)


# -- the decision recorder of the instrumented twin ----------------------------------------------


class Recorder:
    """The decisions an instrumented program took, and the smallest margin of any of them."""

    def __init__(self) -> None:
        self.trace: list[Any] = []
        self.margin = math.inf

    def reset(self) -> None:
        self.trace = []
        self.margin = math.inf

    def note(self, kind: str, outcome: Any, margin: Any) -> None:
        self.trace.append((kind, outcome))
        margin = float(np.min(np.abs(margin))) if np.size(margin) else math.inf
        self.margin = min(self.margin, margin) if margin == margin else 0.0  # NaN: no margin


RECORDER = Recorder()

_COMPARE = {
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
}


def _cmp(a: Any, op: str, b: Any) -> Any:
    result = _COMPARE[op](a, b)
    RECORDER.note("cmp", np.asarray(result).tolist(), np.subtract(a, b))
    return result


def _cmp_same(a: Any, op: str, b: Any) -> Any:
    result = _COMPARE[op](a, b)
    RECORDER.note("cmp", np.asarray(result).tolist(), math.inf)
    return result


def _kink_pick_same(fn: Callable[..., Any], a: Any, b: Any) -> Any:
    RECORDER.note("pick", "same", math.inf)
    return fn(a, b)


def _kink_abs(a: Any) -> Any:
    RECORDER.note("abs", np.sign(a).tolist(), a)
    return np.abs(a) if isinstance(a, np.ndarray) else abs(a)


def _kink_pick(fn: Callable[..., Any], a: Any, b: Any) -> Any:
    RECORDER.note("pick", np.sign(np.subtract(a, b)).tolist(), np.subtract(a, b))
    return fn(a, b)


def _kink_extreme(fn: Callable[..., Any], a: Any) -> Any:
    ordered = np.sort(np.ravel(a))
    gap = ordered[-1] - ordered[-2] if fn is np.max else ordered[1] - ordered[0]
    where = int(np.argmax(a)) if fn is np.max else int(np.argmin(a))
    RECORDER.note("extreme", where, gap)
    return fn(a)


INSTRUMENTS = {
    "_cmp": _cmp,
    "_kink_abs": _kink_abs,
    "_kink_pick": _kink_pick,
    "_cmp_same": _cmp_same,
    "_kink_pick_same": _kink_pick_same,
    "_kink_extreme": _kink_extreme,
}


# -- running ---------------------------------------------------------------------------------------

#: `TANGENTISH_FUZZ_LONG=1`: the fuzz tests run tens of thousands of examples, not a few hundred.
LONG = os.environ.get("TANGENTISH_FUZZ_LONG", "") not in ("", "0")


class TimeLimitExceeded(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in the block after `seconds` (where SIGALRM exists, in the main
    thread; elsewhere, no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeLimitExceeded(f"still running after {seconds} s: a loop that never ends?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- loading ---------------------------------------------------------------------------------------

_DIRECTORY: list[str] = []


def _directory() -> str:
    if not _DIRECTORY:
        path = tempfile.mkdtemp(prefix="tangentish_fuzz_")
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _DIRECTORY.append(path)
    return _DIRECTORY[0]


def import_source(source: str, prefix: str = "fuzz", namespace: dict[str, Any] | None = None):
    """Write `source` to a file named for its content and import it as a fresh module (not put in
    `sys.modules`: it is garbage once the test drops it)."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    name = f"{prefix}_{digest}"
    path = f"{_directory()}/{name}.py"
    with open(path, "w") as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__dict__.update(namespace or {})
    spec.loader.exec_module(module)
    return module


def forget(fn: Callable[..., Any]) -> None:
    """Drop tangentish's compiled code for `fn` and the functions of its module now, rather than
    when the garbage collector finds their cycles: thousands of generated programs add up."""
    for value in list(fn.__globals__.values()):
        if inspect.isfunction(value):
            value.__dict__.pop("__tangentish_caches__", None)


def load(program: Program) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """`f` of the program, and `f` of its instrumented twin."""
    plain = import_source(program.source, "fuzz")
    instrumented = import_source(program.instrumented, "fuzz_inst", INSTRUMENTS)
    return plain.f, instrumented.f
