"""Explain: the forward and reverse pass of one call, step by step, with every value.

`explain(f, *args)` takes the mechanical adjoint of `f` (`optimized=False`: one statement per
Wengert primitive, the seed, one adjoint statement per primitive), instruments a copy of it (see
`instrument`), compiles and runs that copy on `args`, and returns a `Trace` of the steps (see
`trace`). In forward mode it takes the mechanical tangent code instead (each primitive followed by
its tangent statement) and runs it once per input direction. The symbolic view is read from the
optimized code for the same kinds of arguments; `render` prints traces as text, Markdown, LaTeX,
Graphviz and HTML.

>>> import numpy as np
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> trace = explain(f, 2.0, 3.0)
>>> from tangentish.notation import format_value
>>> [format_value(step.value, 4) for step in trace.forward]
['6', '0.9093', '6.909', '6.909']
>>> {name: float(g) for name, g in trace.gradients.items()}
{'x1': 2.5838531634528574, 'x2': 2.0}
>>> forward = explain(f, 2.0, 3.0, mode="forward")
>>> [(d.seeds, format_value(d.tangent, 4)) for d in forward.directions]
[({'x1': 1.0, 'x2': 0.0}, '2.584'), ({'x1': 0.0, 'x2': 1.0}, '2')]
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import gast
import numpy as np

from . import codegen, kinds, render
from .api import Wrt, _check_differentiable, _direction, _positions
from .errors import ShapeMismatchError, TangentishError, WrtError
from .instrument import Instrument, stored_names
from .notation import Notation
from .pipeline import Stages, stages
from .symbolic import inline, inline_tangent
from .trace import OUTPUT, Direction, Input, Node, Recorder, Site, Step

__all__ = ["Trace", "explain"]


@dataclass
class Trace:
    """What `explain` returns: print it, or render it as Markdown, LaTeX, Graphviz or HTML."""

    function: str
    mode: str
    inputs: list[Input]
    seed: Any  # reverse mode: the output's adjoint; forward mode: the inputs' tangents, or None
    forward: list[Node]  # in forward mode, the first direction's steps
    reverse: list[Node]  # empty in forward mode
    last: list[Step]  # each statement's last run, in program order: the graph's values
    value: Any
    gradients: dict[str, Any]  # reverse mode: wrt name → derivative; empty in forward mode
    symbolic: dict[str, gast.expr]  # wrt name → derivative; empty when the code has control flow
    source: str  # the optimized generated code: the derivative as a program
    notation: Notation
    digits: int
    directions: list[Direction] = field(default_factory=list)  # forward mode: one per run

    def __str__(self) -> str:
        return render.text(self)

    def to_markdown(self) -> str:
        return render.markdown(self)

    def to_latex(self) -> str:
        return render.latex(self)

    def to_dot(self) -> str:
        return render.dot(self)

    def _repr_html_(self) -> str:
        return render.html(self)


def explain(
    f: Callable[..., Any],
    *args: Any,
    wrt: Wrt | None = None,
    seed: Any = None,
    mode: str = "reverse",
    digits: int = 4,
    iterations: int = 3,
) -> Trace:
    """Run `f(*args)` and its derivative code step by step, recording every value.

    `wrt=None` differentiates with respect to every float or float-array argument (integers, such
    as loop counts, are inputs held constant). `digits` is the significant digits printed;
    `iterations` how many iterations of each loop are shown before the rest are summarized.

    In reverse mode (`mode="reverse"`), `seed` is the output's adjoint (1.0 by default). In forward
    mode (`mode="forward"`), `seed` is the inputs' tangent, as for `tg.jvp`: a tuple aligned with
    `wrt` for several inputs (a number is spread over an array), giving one run along that
    direction. Without a seed, forward mode runs once per input, seeded 1 on that input (all ones
    for an array) and 0 on the others, and shows each run: one column of the Jacobian per run,
    which is what forward mode costs, where reverse mode gets the gradient in one sweep.
    """
    if mode not in ("reverse", "forward"):
        raise TangentishError(f"mode is 'reverse' or 'forward', not {mode!r}")
    if mode == "reverse" and seed is None:
        seed = 1.0
    values = _arguments(f, args)
    positions = _floats(f, values) if wrt is None else _positions(f, wrt)
    _check_differentiable(f, values, positions)
    specialization = tuple(kinds.of_value(v) for v in values)
    options = {"kinds": specialization, "mode": mode}
    done = stages(f, positions, optimized=False, preserve_result=True, **options)
    final = stages(f, positions, **options).final
    params = done.parsed.params
    names = tuple(params[i] for i in positions)
    notation = _notation(done)
    instrument = Instrument(done, notation)
    node = instrument.function()
    output = Site(OUTPUT, "forward", done.wengert.body[-1], 0)

    def run(*extra: Any) -> tuple[Recorder, Step, Any]:
        """Run the instrumented code once: its recorder, the output's step, the derivative."""
        recorder = Recorder(instrument.sites, iterations)
        bindings = {**instrument.bindings, instrument.recorder: recorder}
        generated = codegen.generate(node, done.parsed, bindings, f"explain wrt={positions}", ())
        first, second = generated.function(*values, *extra)
        value, derivative = (second, first) if mode == "reverse" else (first, second)
        step = Step(output, value, tangent=derivative if mode == "forward" else None)
        recorder.sections["forward"].append(step)
        return recorder, step, derivative

    directions: list[Direction] = []
    if mode == "reverse":
        recorder, step, grads = run(seed)
        gradients = dict(zip(names, grads if len(names) > 1 else (grads,)))
    else:
        for seeds in _seeds(seed, names, [values[i] for i in positions]):
            recorder, step, tangent = run(*seeds.values())
            steps, last = recorder.sections["forward"], _last(recorder, step)
            expression = inline_tangent(final, tuple(seeds.values()))
            directions.append(Direction(seeds, steps, last, tangent, expression))
        gradients = {}
    return Trace(
        function=done.parsed.node.name,
        mode=mode,
        inputs=[Input(p, v, p in names) for p, v in zip(params, values)],
        seed=seed,
        forward=recorder.sections["forward"] if mode == "reverse" else directions[0].steps,
        reverse=recorder.sections["reverse"],
        last=_last(recorder, step) if mode == "reverse" else directions[0].last,
        value=step.value,
        gradients=gradients,
        symbolic=inline(final, names) if mode == "reverse" else {},
        source=codegen.render(final, done.parsed.filename),
        notation=notation,
        digits=digits,
        directions=directions,
    )


def _last(recorder: Recorder, output: Step) -> list[Step]:
    """Each statement's last run, in program order, then the output."""
    return [*(recorder.last[n] for n in sorted(recorder.last)), output]


def _seeds(seed: Any, names: tuple[str, ...], values: list[Any]) -> list[dict[str, Any]]:
    """The input directions forward mode runs along: the seed given, else one per input."""
    if seed is None:
        return [
            {n: _direction(float(i == j), v) for j, (n, v) in enumerate(zip(names, values))}
            for i in range(len(names))
        ]
    seeds = (seed,) if len(names) == 1 else tuple(seed)
    if len(seeds) != len(names):
        raise ShapeMismatchError(
            f"seed has {len(seeds)} tangents, but wrt names {len(names)} arguments"
        )
    return [{n: _direction(s, v) for n, s, v in zip(names, seeds, values)}]


def _arguments(f: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, ...]:
    """`args` with `f`'s defaults filled in, one per parameter."""
    try:
        bound = inspect.signature(f).bind(*args)
    except TypeError as error:
        raise TangentishError(f"explain({f.__name__}, ...): {error}") from None
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _floats(f: Callable[..., Any], values: tuple[Any, ...]) -> tuple[int, ...]:
    """The positions of the float and float-array arguments: what `wrt=None` differentiates."""
    found = tuple(
        i
        for i, v in enumerate(values)
        if isinstance(v, (float, np.floating))
        or (isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating))
    )
    if not found:
        raise WrtError(
            f"explain({f.__name__}, ...) has no float argument to differentiate with respect to: "
            "integers are held constant; write 2.0 rather than 2, or pass wrt="
        )
    return found


def _notation(done: Stages) -> Notation:
    """Labels for this function: its temporaries (`_v1, _v2, ...`) are w_i, its adjoints `_bar`,
    its tangents `_dot`."""
    created = done.parsed.namespace.temporaries
    stored = stored_names(done.wengert)
    temporaries = [n for n in stored if n in created and re.fullmatch(r"_v\d+", n)]
    primals = set(done.parsed.params) | set(stored)
    code = done.adjoint or done.tangent
    derivatives: dict[str, dict[str, str]] = {"bar": {}, "dot": {}}
    for name in [*(a.id for a in code.node.args.args), *stored_names(code.node)]:
        match = re.fullmatch(r"(.+)_(bar|dot)(_\d+)?", name)
        if name in created and match and match[1] in primals:
            derivatives[match[2]][name] = match[1]
    found = {**done.parsed.fn.__globals__, **code.bindings}
    modules = frozenset(n for n, v in found.items() if v is math or v is np)
    params, adjoints, tangents = done.parsed.params, derivatives["bar"], derivatives["dot"]
    return Notation(params, tuple(temporaries), adjoints, modules, tangents)
