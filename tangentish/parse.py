"""Parse: a Python function → its gast `FunctionDef`, located in the user's file, plus its names.

The tree carries the user's real line numbers and columns (so every later error and every generated
comment points at the user's file), decorators are stripped, and `Namespace` resolves the names the
function reads against its globals, closure and builtins, as Python would at call time.

>>> def f(x):
...     return x * 2
>>> parsed = parse(f)
>>> parsed.node.name, parsed.params
('f', ('x',))
"""

from __future__ import annotations

import builtins
import inspect
import textwrap
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import gast

from .errors import SourceUnavailableError, UnsupportedSyntaxError
from .variadic import Shape, specialize

#: What `Namespace.lookup` returns for locals and unknown names.
MISSING = object()


@dataclass(frozen=True)
class Namespace:
    """The non-local names a function can read: its closure, its module's globals, builtins."""

    globals: dict[str, Any]
    closure: dict[str, Any]
    locals: frozenset[str]
    helpers: dict[str, Any] = field(default_factory=dict)  # names the compiler binds
    temporaries: set[str] = field(default_factory=set)  # names the compiler made: all local

    def lookup(self, name: str) -> Any:
        """The object `name` denotes now, or `MISSING` for locals and unknown names."""
        if name in self.helpers:
            return self.helpers[name]
        if name in self.locals or name in self.temporaries:
            return MISSING
        if name in self.closure:
            return self.closure[name]
        if name in self.globals:
            return self.globals[name]
        return getattr(builtins, name, MISSING)

    def bind(self, wanted: str, obj: Any, namer: Any) -> str:
        """A name that denotes `obj` in generated code: `wanted` itself where the function's own
        namespace already means `obj` by it, else a fresh name bound to `obj` by the compiler."""
        for name, value in self.helpers.items():
            if value is obj:
                return name
        if self.lookup(wanted) is obj:
            return wanted
        name = namer.claim(wanted)
        self.helpers[name] = obj
        return name

    def resolve(self, expr: gast.expr) -> Any:
        """The object a dotted reference like `np.linalg.norm` denotes, or None if it is local."""
        if isinstance(expr, gast.Name):
            found = self.lookup(expr.id)
            return None if found is MISSING else Resolved(found)
        if isinstance(expr, gast.Attribute):
            base = self.resolve(expr.value)
            if base is None:
                return None
            found = getattr(base.value, expr.attr, MISSING)
            return None if found is MISSING else Resolved(found)
        return None


@dataclass(frozen=True)
class Resolved:
    """A non-local object a reference denotes (wrapped, because the object may itself be None)."""

    value: Any


@dataclass(frozen=True)
class ParsedFunction:
    """A function's tree with the context every later pass needs to report and resolve."""

    fn: Callable[..., Any]
    node: gast.FunctionDef
    filename: str
    namespace: Namespace

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.node.args.args)

    @property
    def qualname(self) -> str:
        module = getattr(self.fn, "__module__", None) or "<unknown>"
        return f"{module}.{getattr(self.fn, '__qualname__', self.node.name)}"


def parse(fn: Callable[..., Any], shape: Shape | None = None) -> ParsedFunction:
    """Read `fn`'s source and return its tree with the user's line numbers, without decorators;
    a variadic `fn` specialized to the `shape` of its calls."""
    if not isinstance(fn, types.FunctionType):
        kind = type(fn).__name__
        raise SourceUnavailableError(
            f"{fn!r} is a {kind}, not a Python function with source; tangentish differentiates "
            "plain `def` functions (give builtins and compiled functions a derivative rule "
            "instead)"
        )
    try:
        lines, firstlineno = inspect.getsourcelines(fn)
        filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    except (OSError, TypeError) as error:
        raise SourceUnavailableError(
            f"cannot read the source of {fn.__qualname__}: {error}; tangentish needs the source "
            "of the functions it differentiates (functions typed at an interactive prompt or "
            "made by exec() have none)"
        ) from None
    indent = len(lines[0]) - len(lines[0].lstrip())
    if fn.__name__ == "<lambda>":
        node = _lambda(fn, lines, filename, firstlineno)
    else:
        node = gast.parse(textwrap.dedent("".join(lines))).body[0]
    for child in gast.walk(node):
        if getattr(child, "lineno", None) is not None:
            child.lineno += firstlineno - 1
            child.col_offset += indent
            if getattr(child, "end_lineno", None) is not None:
                child.end_lineno += firstlineno - 1
    if isinstance(node, gast.AsyncFunctionDef):
        raise UnsupportedSyntaxError(
            f"`async def` {fn.__qualname__} is not supported: a coroutine (and its `await`s) has "
            "no derivative; differentiate a plain `def` that it calls instead",
            filename=filename,
            lineno=node.lineno,
            col=node.col_offset,
            construct="async def",
        )
    if not isinstance(node, gast.FunctionDef):
        raise UnsupportedSyntaxError(
            f"{fn.__qualname__} is not a function definition",
            filename=filename,
            lineno=node.lineno,
            col=node.col_offset,
            construct=type(node).__name__,
        )
    node.decorator_list = []
    if shape is not None:
        specialize(node, fn, shape)
    closure = {}
    if fn.__closure__:
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an empty cell: a name bound after the function was made
                continue
    namespace = Namespace(fn.__globals__, closure, frozenset(_local_names(node)))
    return ParsedFunction(fn, node, filename, namespace)


def _lambda(fn: types.FunctionType, lines: list[str], filename: str, line: int) -> gast.FunctionDef:
    """The lambda `fn` as a one-statement `def`, found among the lambdas on its source line by its
    parameters (and, where Python records them, its columns)."""
    text = textwrap.dedent("".join(lines)).strip()
    tree = None
    for candidate in (text, f"({text})", text.rstrip(",;\\")):
        try:
            tree = gast.parse(candidate)
            break
        except SyntaxError:
            continue
    params = list(fn.__code__.co_varnames[: fn.__code__.co_argcount])
    found = (
        []
        if tree is None
        else [
            n
            for n in gast.walk(tree)
            if isinstance(n, gast.Lambda)
            and n.lineno == 1
            and [a.id for a in n.args.args] == params
        ]
    )
    if len(found) != 1:
        why = "found no lambda" if not found else "found several lambdas with those parameters"
        raise SourceUnavailableError(
            f"cannot read the source of a lambda at {filename}, line {line}: {why} there; "
            "assign it with `def` instead",
            filename=filename,
            lineno=line,
        )
    lam = found[0]
    body = gast.copy_location(gast.Return(value=lam.body), lam.body)
    node = gast.FunctionDef(
        name="_lambda",
        args=lam.args,
        body=[body],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    return gast.copy_location(node, lam)


def _local_names(node: gast.FunctionDef) -> list[str]:
    """Names bound inside the function: its parameters and every assigned name."""
    names = [a.id for a in node.args.args]
    names += [a.id for a in node.args.kwonlyargs]
    for extra in (node.args.vararg, node.args.kwarg):
        if extra is not None:
            names.append(extra.id)
    for child in gast.walk(node):
        if isinstance(child, gast.Name) and isinstance(child.ctx, (gast.Store, gast.Del)):
            names.append(child.id)
    return names


def location(parsed: ParsedFunction, node: gast.AST | None) -> dict[str, Any]:
    """Keyword arguments for a `TangentishError` pointing at `node` in the user's file."""
    return {
        "filename": parsed.filename,
        "lineno": getattr(node, "lineno", None) or parsed.node.lineno,
        "col": getattr(node, "col_offset", None),
    }
