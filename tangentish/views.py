"""Views: an adjoint spread over an array, used only as an operand, is spread without a copy.

`sum_adjoint` returns a new array of its operand's size (a gradient may be handed to the caller,
who may write into it). Where its value is only an operand of arithmetic
(`sum_adjoint(g, e, 1, True) * e`), the arithmetic makes the new array, and the spread can be a
read-only broadcast of `g` (`sum_adjoint_view`): one full-size array instead of two. The helpers
and their variants are `adjoint_ops.VIEWS`.

>>> import gast
>>> from tangentish.rules.numpy.adjoint_ops import sum_adjoint, sum_adjoint_view
>>> tree = gast.parse('''
... def f_grad(e, g):
...     e_bar = sum_adjoint(g, e, 1, True) * e
...     return (e_bar, sum_adjoint(g, e, 1, True))
... ''').body[0]
>>> names = {"sum_adjoint": sum_adjoint}
>>> def bind(wanted, obj):
...     names[wanted] = obj
...     return wanted
>>> spread_operands(tree, names, bind)
>>> print(gast.unparse(tree).strip())
def f_grad(e, g):
    e_bar = sum_adjoint_view(g, e, 1, True) * e
    return (e_bar, sum_adjoint(g, e, 1, True))
"""

from __future__ import annotations

from typing import Any, Callable

import gast

from .cse import ARITHMETIC
from .rules.numpy.adjoint_ops import VIEWS


def spread_operands(
    fn: gast.FunctionDef, bindings: dict[str, Any], bind: Callable[[str, Any], str]
) -> None:
    """Call the view variant of each helper of `VIEWS` (`bindings` says what a name denotes)
    whose value is an operand of arithmetic in `fn`; `bind` names an object for generated code."""
    for node in gast.walk(fn):
        if not isinstance(node, ARITHMETIC):
            continue
        for operand in gast.iter_child_nodes(node):
            if isinstance(operand, gast.Call) and isinstance(operand.func, gast.Name):
                helper = bindings.get(operand.func.id)
                view = next((v for h, v in VIEWS.items() if h is helper), None)
                if view is not None:
                    operand.func = gast.Name(bind(view.__name__, view), gast.Load(), None, None)
