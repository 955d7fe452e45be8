"""The command line: `tangentish grad` prints the code tangentish generates for a function,
`tangentish explain` its forward and reverse pass step by step.

    tangentish grad examples/textbook.py:f --wrt x1,x2
    tangentish explain examples/textbook.py:f 2 3 --format markdown

Numbers on the command line are floats, so that they are variables to differentiate, except for a
parameter the function uses as an integer: one annotated `int`, passed to `range()`, or used as an
index or slice bound (`a[n]`, `a[:n]`); `--int NAME` says so for any other. A value in brackets,
`"[1, 2, 3]"`, is a NumPy array. Errors print one line and exit with status 1 (2 for bad usage).

>>> def f(x, n, a, k):
...     return a[n] + a[:k].sum() * sum(x for _ in range(3))
>>> sorted(integer_parameters(f))
['k', 'n']
>>> parse_value("3", integer=True), parse_value("3", integer=False), parse_value("[1, 2]", False)
(3, 3.0, array([1., 2.]))
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

import gast
import numpy as np

from . import kinds
from .api import _positions
from .errors import TangentishError
from .explain import explain
from .parse import parse
from .pipeline import compile_gradient, compile_tangent

FORMATS = ("text", "markdown", "latex", "dot", "html")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tangentish",
        description="Source-transformation automatic differentiation for Python and NumPy: "
        "print the derivative code tangentish generates, or a step-by-step trace of it.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(command: argparse.ArgumentParser, values_help: str) -> None:
        command.add_argument("target", metavar="FILE.py:FUNC", help="the function to differentiate")
        command.add_argument("values", nargs="*", metavar="VALUE", help=values_help)
        command.add_argument(
            "--wrt",
            metavar="NAMES",
            help="the parameters to differentiate with respect to, by name or position, "
            "separated by commas (x1,x2 or 0,1)",
        )
        command.add_argument(
            "--mode",
            choices=("reverse", "forward"),
            default="reverse",
            help="reverse mode (the adjoint; the default) or forward mode (the tangent code)",
        )
        command.add_argument(
            "--int",
            metavar="NAMES",
            default="",
            help="parameters whose values are integers, separated by commas, besides those the "
            "function passes to range() or uses as an index",
        )

    grad = commands.add_parser(
        "grad",
        help="print the generated derivative code",
        description="Print the Python source of the gradient function tangentish generates.",
    )
    common(
        grad,
        "example arguments: the code is specialized for their kinds (numbers or arrays); "
        "without them, for Python numbers",
    )
    grad.add_argument(
        "--unoptimized",
        action="store_true",
        help="the mechanical code: every primitive, the seed, one adjoint statement per primitive",
    )
    grad.set_defaults(run=_grad)

    show = commands.add_parser(
        "explain",
        help="print the forward and reverse pass step by step, with every value",
        description="Run the function and its adjoint on the given arguments and print every "
        "step: the forward pass, the seed, the reverse pass with each local partial, and the "
        "derivative as an expression. With --mode forward: the forward pass with each step's "
        "tangent, once per input direction.",
    )
    common(show, "the function's arguments (floats unless used as integers; [..] for arrays)")
    show.add_argument(
        "--seed",
        type=_seed,
        help="reverse mode: the output's adjoint (default 1); forward mode: the inputs' tangents, "
        "separated by commas, one per --wrt parameter (default: one run per input, seeded 1)",
    )
    show.add_argument("--format", choices=FORMATS, default="text", help="the output format")
    show.add_argument(
        "--digits", type=int, default=4, help="significant digits of the values (default 4)"
    )
    show.add_argument(
        "--iterations",
        type=int,
        default=3,
        help="iterations of each loop shown before the rest are summarized (default 3)",
    )
    show.set_defaults(run=_explain)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status."""
    arguments = _parser().parse_args(argv)
    try:
        function = load(arguments.target)
        values = arguments_for(function, arguments.values, arguments.int)
        print(arguments.run(function, values, arguments), end="")
    except Exception as error:  # the one line a person reads; not a traceback
        kind = "" if isinstance(error, TangentishError) else f"{type(error).__name__}: "
        message = " ".join(str(error).split())
        print(f"tangentish: error: {kind}{message}", file=sys.stderr)
        return 1
    return 0


def _wrt(text: str | None) -> Any:
    """`--wrt x1,x2` as `wrt=("x1", "x2")`; positions as ints."""
    if text is None:
        return None
    items = tuple(int(t) if t.strip().lstrip("-").isdigit() else t.strip() for t in text.split(","))
    return items if len(items) > 1 else items[0]


def _seed(text: str) -> Any:
    """`--seed 2` as 2.0, `--seed 1,0` as (1.0, 0.0)."""
    values = tuple(float(t) for t in text.split(","))
    return values if len(values) > 1 else values[0]


def _grad(function: Callable[..., Any], values: list[Any], arguments: argparse.Namespace) -> str:
    wrt = _wrt(arguments.wrt)
    positions = _positions(function, (0,) if wrt is None else wrt)
    given = tuple(kinds.of_value(v) for v in values)
    specialization = given + (kinds.SCALAR,) * (len(parse(function).params) - len(given))
    compile_ = compile_tangent if arguments.mode == "forward" else compile_gradient
    generated = compile_(
        function, positions, optimized=not arguments.unoptimized, kinds=specialization
    )
    return generated.source


def _explain(function: Callable[..., Any], values: list[Any], arguments: argparse.Namespace) -> str:
    trace = explain(
        function,
        *values,
        wrt=_wrt(arguments.wrt),
        seed=arguments.seed,
        mode=arguments.mode,
        digits=arguments.digits,
        iterations=arguments.iterations,
    )
    formats = {
        "text": str,
        "markdown": type(trace).to_markdown,
        "latex": type(trace).to_latex,
        "dot": type(trace).to_dot,
        "html": lambda t: t._repr_html_() + "\n",
    }
    return formats[arguments.format](trace)


def load(target: str) -> Callable[..., Any]:
    """The function `FUNC` of `FILE.py:FUNC`, from the file run as a module (not as __main__)."""
    filename, colon, name = target.rpartition(":")
    if not colon or not filename or not name:
        raise TangentishError(f"{target!r} is not FILE.py:FUNC")
    path = Path(filename).resolve()
    if not path.is_file():
        raise TangentishError(f"no such file: {filename}")
    sys.path.insert(0, str(path.parent))  # the file's own imports of its neighbours
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise TangentishError(f"cannot load {filename} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    function = getattr(module, name, None)
    if not callable(function):
        found = sorted(
            n for n, v in vars(module).items() if getattr(v, "__module__", None) == path.stem
        )
        raise TangentishError(f"{filename} has no function {name!r}; it has {', '.join(found)}")
    return function


def integer_parameters(function: Callable[..., Any]) -> set[str]:
    """Parameters `function` uses as integers: annotated `int`, passed to `range()`, or used
    directly as an index or slice bound."""
    node = parse(function).node
    params = {a.id for a in node.args.args}
    found = {
        a.id
        for a in node.args.args
        if isinstance(a.annotation, gast.Name) and a.annotation.id == "int"
    }
    for child in gast.walk(node):
        used: list[gast.AST | None] = []
        if isinstance(child, gast.Call) and getattr(child.func, "id", None) == "range":
            used = list(child.args)
        elif isinstance(child, gast.Subscript):
            index = child.slice
            for part in index.elts if isinstance(index, gast.Tuple) else [index]:
                slices = isinstance(part, gast.Slice)
                used += [part.lower, part.upper, part.step] if slices else [part]
        found |= {u.id for u in used if isinstance(u, gast.Name) and u.id in params}
    return found


def parse_value(text: str, integer: bool) -> Any:
    """A command-line value: a number (a float unless `integer`) or a list (a NumPy array)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise TangentishError(f"{text!r} is not a number or a [list] of numbers") from None
    if isinstance(value, (list, tuple)):
        array = np.asarray(value)
        if array.dtype.kind not in "iuf":
            raise TangentishError(f"{text!r} is not a [list] of numbers")
        return array.astype(int if integer else float)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TangentishError(f"{text!r} is not a number")
    if integer:
        if value != int(value):
            raise TangentishError(f"{text!r} is not an integer")
        return int(value)
    return float(value)


def arguments_for(function: Callable[..., Any], texts: list[str], forced: str) -> list[Any]:
    """The values of `texts`, each parsed for the parameter it is given to."""
    params = [a.id for a in parse(function).node.args.args]
    if len(texts) > len(params):
        raise TangentishError(
            f"{function.__name__} takes {len(params)} arguments ({', '.join(params)}), "
            f"not {len(texts)}"
        )
    named = {n.strip() for n in forced.split(",") if n.strip()}
    if named - set(params):
        unknown = ", ".join(sorted(named - set(params)))
        raise TangentishError(f"--int names {unknown}, not parameters of {function.__name__}")
    integers = integer_parameters(function) | named
    return [parse_value(text, name in integers) for text, name in zip(texts, params)]
