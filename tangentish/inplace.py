"""In-place: `w_bar += g` into an adjoint array the sweep owns, not `w_bar = g + w_bar`.

A loop's sweep adds one contribution per iteration to the adjoint of an array it reads each time
(an RNN's weights): out of place, every addition allocates a new array. The rewrite is safe when
the adjoint holds one array only the sweep can reach:

- the primal is an array (by kinds), so `zeros_like` makes a fresh float array of its shape;
- every assignment to the adjoint is that `zeros_like(...)` or an accumulation `g + w_bar`
  (with `g` not reading `w_bar`), so it always holds the array `zeros_like` made;
- it is read only where its value is used up at once: as an operand of arithmetic, by its own
  accumulation, or returned. Never copied to another name or given to a call (a helper may hand
  its argument back, and then two names would share the array).

Adding is commutative, so `w_bar += g` gives `g + w_bar` bit for bit; a contribution is already
of the operand's shape (the rules reduce it so), and a float32 array keeps float32 adjoints.

>>> import gast
>>> tree = gast.parse('''
... def f_grad(w, xs):
...     w_bar = zeros_like(w)
...     for x in xs:
...         w_bar = x * 2.0 + w_bar
...     return w_bar
... ''').body[0]
>>> accumulate_in_place(tree, {"w_bar"}, {"zeros_like"})
>>> print(gast.unparse(tree).strip())
def f_grad(w, xs):
    w_bar = zeros_like(w)
    for x in xs:
        w_bar += x * 2.0
    return w_bar
"""

from __future__ import annotations

import gast

from .cse import ARITHMETIC
from .errors import InternalError


def accumulate_in_place(fn: gast.FunctionDef, arrays: set[str], zeros: set[str]) -> None:
    """Rewrite `v = g + v` to `v += g` in `fn` for each adjoint `v` of `arrays` (the adjoints of
    array primals) that only `zeros_like` (called by a name of `zeros`) and accumulations assign
    and nothing else reads but arithmetic and `return`."""
    parents = {id(child): node for node in gast.walk(fn) for child in gast.iter_child_nodes(node)}
    stores: dict[str, list[gast.Assign]] = {}
    eligible = set(arrays)
    for node in gast.walk(fn):
        if isinstance(node, gast.Name) and node.id in eligible:
            parent = parents.get(id(node))
            if isinstance(node.ctx, gast.Load):
                if not _used_up(node, parent, parents):
                    eligible.discard(node.id)
            elif isinstance(parent, gast.Assign) and parent.targets == [node]:
                stores.setdefault(node.id, []).append(parent)
            else:  # a tuple target, a loop variable, `del`, `+=`...
                eligible.discard(node.id)
    for name in eligible:
        assignments = stores.get(name, [])
        if not all(_zeros(a.value, zeros) or _accumulation(a, name) for a in assignments):
            continue
        for assignment in assignments:
            if _accumulation(assignment, name):
                _rewrite(assignment, parents)


def _used_up(node: gast.Name, parent: gast.AST | None, parents: dict[int, gast.AST]) -> bool:
    """Whether this read of an adjoint uses its value at once: arithmetic, or a return."""
    if isinstance(parent, (*ARITHMETIC, gast.Return)):
        return True
    if isinstance(parent, gast.Tuple):
        return isinstance(parents.get(id(parent)), gast.Return)
    return False


def _zeros(value: gast.expr, zeros: set[str]) -> bool:
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Name)
        and value.func.id in zeros
        and len(value.args) == 1
        and not value.keywords
    )


def _accumulation(assignment: gast.Assign, name: str) -> bool:
    """`name = g + name`, `g` not reading `name`."""
    value = assignment.value
    return (
        isinstance(value, gast.BinOp)
        and isinstance(value.op, gast.Add)
        and isinstance(value.right, gast.Name)
        and value.right.id == name
        and not any(isinstance(n, gast.Name) and n.id == name for n in gast.walk(value.left))
    )


def _rewrite(assignment: gast.Assign, parents: dict[int, gast.AST]) -> None:
    body = _body_of(assignment, parents)
    target = assignment.targets[0]
    augmented = gast.AugAssign(target=target, op=gast.Add(), value=assignment.value.left)
    body[[id(s) for s in body].index(id(assignment))] = gast.copy_location(augmented, assignment)


def _body_of(statement: gast.stmt, parents: dict[int, gast.AST]) -> list[gast.stmt]:
    parent = parents[id(statement)]
    for field in ("body", "orelse"):
        body = getattr(parent, field, None)
        if isinstance(body, list) and any(s is statement for s in body):
            return body
    raise InternalError("in-place accumulation: a statement outside any body")
