"""MkDocs hook: fills the pages with tangentish's own output while the site is built.

A page asks for output with a one-line HTML comment, replaced before Markdown is rendered:

    <!-- tangentish explain examples/textbook.py:f 2 3 -->     the command line's output
    <!-- source tangentish.rules.builtins:sin -->              a module's function's source
    <!-- source examples/control_flow.py:power_tower -->       a function in a file's source

Text output becomes a code block that starts with the command; `--format markdown` and
`--format latex` output is inserted as it is (MathJax renders the LaTeX); `--format dot` output
becomes inline SVG, drawn by Graphviz's `dot` where it is installed (the DOT source otherwise).
A command that fails fails the build.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's tangentish, when it is not installed

from tangentish.cli import load, main  # noqa: E402

DIRECTIVE = re.compile(r"^( *)<!-- (tangentish|source|rules) ?(.*?) -->$", re.MULTILINE)


def on_page_markdown(markdown: str, **_: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        indent = match[1]
        return "\n".join(indent + line for line in _expand(match[2], match[3]).splitlines())

    return DIRECTIVE.sub(replace, markdown)


def _expand(kind: str, argument: str) -> str:
    if kind == "rules":
        from tangentish import rules

        return rules.table()
    if kind == "source":
        where, _, name = argument.partition(":")
        if where.endswith(".py"):
            found = load(str(ROOT / argument))
        else:
            found = getattr(importlib.import_module(where), name)
        return f"```python\n{inspect.getsource(found).rstrip()}\n```"
    args = shlex.split(argument)
    output = _run(args)
    form = args[args.index("--format") + 1] if "--format" in args else "text"
    if form in ("markdown", "latex"):
        return output
    if form == "dot":
        return _graph(output, argument)
    language = "python" if args[0] == "grad" else "text"
    return f"```{language}\n# $ tangentish {argument}\n{output.rstrip()}\n```"


def _run(args: list[str]) -> str:
    """The command line's output, run in this process from the repository's top."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(args)
    finally:
        os.chdir(previous)
    if status:
        raise RuntimeError(f"tangentish {shlex.join(args)} failed: {err.getvalue().strip()}")
    return out.getvalue()


def _graph(dot: str, argument: str) -> str:
    """Inline SVG of a DOT graph, or its source when Graphviz is not installed."""
    if shutil.which("dot") is None:
        return (
            '!!! note "Graphviz is not installed where these pages were built"\n'
            "    Install it (`apt-get install graphviz`, `brew install graphviz`) and rebuild to "
            "see the picture; this is its DOT source.\n\n"
            f"```dot\n{dot.rstrip()}\n```"
        )
    svg = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=True)
    picture = svg.stdout[svg.stdout.index("<svg") :]
    picture = "\n".join(line for line in picture.splitlines() if line.strip())
    command = f"tangentish {argument} | dot -Tsvg"
    return f'<div class="tangentish-graph" title="{command}">\n{picture}\n</div>'
