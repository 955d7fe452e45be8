"""Codegen: a generated `FunctionDef` → readable source → a live Python function.

The source is printed statement by statement with `gast.unparse` (the same text on every supported
Python), each statement followed by a comment naming the user's file and line it came from. It is
compiled under a deterministic file name registered in `linecache`, so tracebacks, `inspect` and
`pdb` show the generated lines. Rule helpers (`np`, `unbroadcast`, ...) and the user's closure
variables are bound as closure cells; globals are the user's module globals, read at run time.
"""

from __future__ import annotations

import hashlib
import linecache
import math
import os
import re
import textwrap
import threading
import types
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import gast

from .errors import InternalError
from .parse import ParsedFunction


@dataclass(frozen=True)
class Generated:
    """A compiled function with the source it was compiled from."""

    function: Callable[..., Any]
    source: str
    filename: str
    node: gast.FunctionDef
    #: Global names whose functions the code was compiled for: rebinding one recompiles.
    guards: tuple[tuple[str, Any], ...] = ()
    scalar_output: bool = False  # the code checks no seed: the output is a number


def render(node: gast.FunctionDef, filename: str) -> str:
    """The source of `node`, each statement commented with the user's `file:line`."""
    _SignedConstants().visit(node)
    base = os.path.basename(filename)
    header = gast.FunctionDef(
        name=node.name,
        args=node.args,
        body=[gast.Pass()],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(header, node)
    lines = [gast.unparse(header).strip().splitlines()[0]]
    lines += _statements(node.body, base, "    ")
    return "\n".join(lines) + "\n"


class _SignedConstants(gast.NodeTransformer):
    """A negative number folded into a constant is printed as `-0.5`, which in `-0.5 ** 2` means
    `-(0.5 ** 2)`: as a unary minus it is printed with the parentheses it needs."""

    def visit_Constant(self, node: gast.Constant) -> gast.expr:
        value = node.value
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number and math.copysign(1.0, value) < 0:  # -0.0 too
            positive = gast.copy_location(gast.Constant(-value, None), node)
            return gast.copy_location(gast.UnaryOp(op=gast.USub(), operand=positive), node)
        return node


def _statements(body: list[gast.stmt], base: str, indent: str) -> list[str]:
    """Our statement printer: `gast.unparse` for each simple statement, the source comment after
    it, and blocks printed recursively so that their headers get comments too."""
    lines: list[str] = []
    for statement in body:
        where = getattr(statement, "lineno", None)
        comment = f"  # {base}:{where}" if where else ""
        if isinstance(statement, gast.If):
            lines += _branches(statement, base, indent, "if", comment)
        elif isinstance(statement, gast.For):
            target, iterable = _expr(statement.target), _expr(statement.iter)
            lines.append(f"{indent}for {target} in {iterable}:{comment}")
            lines += _statements(statement.body, base, indent + "    ")
        elif isinstance(statement, gast.While):
            lines.append(f"{indent}while {_expr(statement.test)}:{comment}")
            lines += _statements(statement.body, base, indent + "    ")
        else:  # a simple statement, or a nested function printed as it is
            first, *rest = gast.unparse(statement).strip().splitlines()
            lines.append(f"{indent}{first}{comment}")
            lines += [f"{indent}{line}" for line in rest]
    return lines


def _branches(node: gast.If, base: str, indent: str, keyword: str, comment: str) -> list[str]:
    lines = [f"{indent}{keyword} {_expr(node.test)}:{comment}"]
    lines += _statements(node.body, base, indent + "    ")
    orelse = node.orelse
    if len(orelse) == 1 and isinstance(orelse[0], gast.If):
        where = getattr(orelse[0], "lineno", None)
        inner = f"  # {base}:{where}" if where else ""
        lines += _branches(orelse[0], base, indent, "elif", inner)
    elif orelse:
        lines.append(f"{indent}else:")
        lines += _statements(orelse, base, indent + "    ")
    return lines


def _expr(node: gast.expr) -> str:
    return gast.unparse(node).strip()


def generate(
    node: gast.FunctionDef,
    parsed: ParsedFunction,
    bindings: dict[str, Any],
    label: str,
    defaults: tuple[Any, ...] | None = None,
) -> Generated:
    """Compile `node` into a function whose globals are the user's and whose closure holds
    `bindings` and the user's own closure cells."""
    source = render(node, parsed.filename)
    user_cells = dict(zip(parsed.fn.__code__.co_freevars, parsed.fn.__closure__ or ()))
    free = sorted(set(bindings) | set(user_cells))
    factory = f"def __tangentish_factory__({', '.join(free)}):\n"
    text = factory + textwrap.indent(source, "    ") + f"    return {node.name}\n"
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    filename = f"<tangentish {label} of {parsed.qualname} {digest}>"
    module_code = compile(text, filename, "exec")
    inner = _inner_code(module_code, node.name)
    closure = []
    for name in inner.co_freevars:
        if name in bindings:
            closure.append(types.CellType(bindings[name]))
        elif name in user_cells:
            closure.append(user_cells[name])
        else:
            raise InternalError(f"generated code reads {name!r}, which nothing binds")
    if defaults is None:  # the user's defaults, then the seed's
        defaults = (parsed.fn.__defaults__ or ()) + (1.0,)
    function = types.FunctionType(inner, parsed.fn.__globals__, node.name, defaults, tuple(closure))
    function.__qualname__ = node.name
    _register(function, filename, text, parsed.filename)
    return Generated(function, source, filename, node)


#: Generated file name → [the user's file it came from, how many live functions run its code].
_FILES: dict[str, list[Any]] = {}
_FILES_LOCK = threading.Lock()
#: The `# file.py:12` comment that ends a generated line.
_COMMENT = re.compile(r"#\s*[^#]*:(\d+)\s*$")


def _register(function: Callable[..., Any], filename: str, text: str, origin: str) -> None:
    """Put `text` in `linecache` under `filename` while a function runs it, so tracebacks and
    `pdb` show generated lines, and a process that differentiates ever new functions does not
    keep the text of those it dropped."""
    with _FILES_LOCK:
        entry = _FILES.setdefault(filename, [origin, 0])
        entry[1] += 1
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    weakref.finalize(function, _release, filename)


def _release(filename: str) -> None:
    with _FILES_LOCK:
        entry = _FILES[filename]
        entry[1] -= 1
        if not entry[1]:
            del _FILES[filename]
            linecache.cache.pop(filename, None)


def note_source_lines(error: BaseException) -> None:
    """Add a note to an error raised in generated code naming the user's file and line of each
    generated frame it passed through: the traceback shows generated lines, the note leads back to
    the source. Python 3.11 and later (`add_note`); before, the line comments say it."""
    if not hasattr(error, "add_note") or any(
        note.startswith("tangentish:") for note in getattr(error, "__notes__", ())
    ):
        return
    lines = []
    frame = error.__traceback__
    while frame is not None:
        generated = frame.tb_frame.f_code.co_filename
        entry = _FILES.get(generated)
        match = _COMMENT.search(linecache.getline(generated, frame.tb_lineno)) if entry else None
        if match:
            origin, line = entry[0], int(match[1])
            code = linecache.getline(origin, line).strip()
            lines.append(f'  File "{origin}", line {line}' + (f": {code}" if code else ""))
        frame = frame.tb_next
    if lines:
        error.add_note("tangentish: raised by derivative code generated from\n" + "\n".join(lines))


def cache_of(fn: Callable[..., Any], kind: str) -> dict[Any, Any]:
    """The compile cache `kind` of `fn`, kept on the function itself: generated code holds `fn`'s
    module globals, which hold `fn`, so a cache outside it (even a weak one) would keep both alive
    forever; an attribute of `fn` is garbage-collected with it. The caller holds a lock."""
    caches = fn.__dict__.setdefault("__tangentish_caches__", {})
    return caches.setdefault(kind, {})


def _inner_code(module_code: types.CodeType, name: str) -> types.CodeType:
    factory = next(c for c in module_code.co_consts if isinstance(c, types.CodeType))
    return next(c for c in factory.co_consts if isinstance(c, types.CodeType) and c.co_name == name)
