"""Optimize: fold the mechanical adjoint into what a person would write.

Three rewrites run to a fixed point over straight-line code:
- copy propagation: after `a = b`, read `b` for `a` (until either is reassigned);
- forward substitution: a generated name (`_v3`, `x_bar`) used exactly once is folded into its use,
  so `x_bar = c1; x_bar = c2 + x_bar` becomes `x_bar = c2 + c1`;
- dead-code elimination: pure assignments nobody reads are dropped (primal values the adjoint
  does not need go with them).
plus algebraic simplification of the adjoints that result (`simplify.py`: `x * 1`, `0 + x`).
User variables keep their names, results are never folded into `return`, and calls that may have
side effects (anything without a derivative rule, such as `print`) are never moved or dropped.

>>> import gast
>>> tree = gast.parse('''
... def f_grad(x, seed=1.0):
...     _v1 = x * x
...     _v1_bar = seed
...     x_bar = _v1_bar * x
...     x_bar = _v1_bar * x + x_bar
...     return x_bar
... ''').body[0]
>>> names = {"_v1", "_v1_bar", "x_bar"}
>>> print(gast.unparse(optimize(tree, names, Effects(lambda call: True))).strip())
def f_grad(x, seed=1.0):
    x_bar = seed * x + seed * x
    return x_bar
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import gast

from .simplify import number, simplify


@dataclass(frozen=True)
class Effects:
    """What the optimizer must know about calls: which have no side effects (they may move or
    go), and which may raise where the user's function would (`math.log(-1)`)."""

    pure: Callable[[gast.Call], bool]
    may_raise: Callable[[gast.Call], bool] = lambda call: False
    #: Calls that return floats (`math.cos`, `np.exp`): `1.0 * cos(x)` is `cos(x)`, where
    #: `1.0 * n` is not `n` for an integer `n`.
    floating: Callable[[gast.Call], bool] = lambda call: False


#: The most syntax nodes a folded statement may have: beyond it, lines stop reading like math.
FOLD_LIMIT = 30


def optimize(
    fn: gast.FunctionDef,
    generated: set[str],
    effects: Effects,
    stack: str = "",
    adjoints: frozenset[str] = frozenset(),
    floats: frozenset[str] = frozenset(),
) -> gast.FunctionDef:
    """Copy propagation, forward substitution and dead-code elimination, to a fixed point.
    `stack` names the recording stack: its pushes and pops touch no value an expression reads,
    so expressions move past them (but they are never dropped). `floats` names the parameters
    known to be Python floats, which multiplying by 1.0 leaves as they are."""
    fn = copy.deepcopy(fn)
    block = _Block(generated, effects, stack, adjoints)
    for statement in fn.body:
        access = _access(statement)
        block.captured |= {n.id for n in access.loads if id(n) in access.deferred}
    block.optimize(fn.body, set())
    simplify(fn, adjoints, floats, effects)
    return fn


_COMPOUND = (gast.If, gast.For, gast.While)


def _target(statement: gast.stmt) -> str | None:
    if isinstance(statement, gast.Assign) and isinstance(statement.targets[0], gast.Name):
        return statement.targets[0].id
    return None


#: Nodes with a scope of their own: the names they bind are not the function's variables.
_SCOPES = (
    gast.Lambda,
    gast.FunctionDef,
    gast.ListComp,
    gast.SetComp,
    gast.DictComp,
    gast.GeneratorExp,
)


@dataclass(frozen=True)
class _Access:
    """The names a statement or expression reads and assigns, and the arrays it writes into."""

    loads: list[gast.Name]
    stores: set[str]  # names it assigns, and arrays it writes into (`a` of `a[i] = v`)
    written: set[str]  # arrays it writes into in place
    deferred: set[int]  # the loads (by node id) a lambda or nested def in it reads when called


def _access(node: gast.AST) -> _Access:
    """What `node` reads and assigns of the function's own variables, in one walk where it has
    no nested scope (the common case: the optimizer asks this of every statement, often)."""
    loads, stores, written = [], set(), set()
    for n in gast.walk(node):
        if isinstance(n, gast.Name):
            if isinstance(n.ctx, gast.Load):
                loads.append(n)
            elif isinstance(n.ctx, gast.Store):
                stores.add(n.id)
        elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store):
            written |= {m.id for m in gast.walk(n.value) if isinstance(m, gast.Name)}
        elif isinstance(n, _SCOPES):
            return _scoped_access(node)
    return _Access(loads, stores | written, written, set())


def _scoped_access(node: gast.AST) -> _Access:
    """`_access` of a node with a lambda, nested def or comprehension in it: a parameter, a name
    a nested def assigns or a comprehension's variable is another variable of the same spelling
    (substituting for it would change the other one); what a nested function reads from the
    function is read when it is called, not where it is made."""
    found = _scoped(node, frozenset(), False)
    outer = {id(n) for n, _ in found}
    written = {
        m.id
        for n in gast.walk(node)
        if isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store)
        for m in gast.walk(n.value)
        if isinstance(m, gast.Name) and id(m) in outer
    }
    stores = {n.id for n, _ in found if isinstance(n.ctx, gast.Store)} | written
    if isinstance(node, gast.FunctionDef):
        stores.add(node.name)
    loads = [n for n, _ in found if isinstance(n.ctx, gast.Load)]
    deferred = {id(n) for n, later in found if later and isinstance(n.ctx, gast.Load)}
    return _Access(loads, stores, written, deferred)


def _scoped(node: gast.AST, bound: frozenset[str], later: bool) -> list[tuple[gast.Name, bool]]:
    """The names in `node` not `bound` by a nested scope, each with whether it is read at call
    time (in the body of a lambda or nested def)."""
    if isinstance(node, gast.Name):
        return [] if node.id in bound else [(node, later)]
    if isinstance(node, (gast.Lambda, gast.FunctionDef)):
        args = node.args
        params = [
            p
            for p in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            if p is not None
        ]
        made = [*args.defaults, *args.kw_defaults, *(p.annotation for p in params)]
        made += [*getattr(node, "decorator_list", []), getattr(node, "returns", None)]
        found = [  # defaults, annotations and decorators: evaluated where the function is made
            pair for part in made if part is not None for pair in _scoped(part, bound, later)
        ]
        inner = bound | {p.id for p in params}
        body = node.body if isinstance(node, gast.FunctionDef) else [node.body]
        if isinstance(node, gast.FunctionDef):
            inner |= _local_stores(body)
        return found + [pair for part in body for pair in _scoped(part, inner, True)]
    if isinstance(node, (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)):
        first, *rest = node.generators
        found = _scoped(first.iter, bound, later)  # evaluated in the enclosing scope
        inner = bound | {n.id for g in node.generators for n, _ in _scoped(g.target, bound, later)}
        lazy = later or isinstance(node, gast.GeneratorExp)
        parts = [*first.ifs, *(p for g in rest for p in (g.iter, *g.ifs))]
        parts += [node.key, node.value] if isinstance(node, gast.DictComp) else [node.elt]
        return found + [pair for part in parts for pair in _scoped(part, inner, lazy)]
    return [pair for child in gast.iter_child_nodes(node) for pair in _scoped(child, bound, later)]


def _local_stores(body: list[gast.stmt]) -> set[str]:
    """The names a function body assigns in its own scope (its locals), nested scopes aside."""
    found: set[str] = set()
    pending: list[gast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            found.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            found.add(node.name)
        elif not isinstance(node, _SCOPES):
            pending.extend(gast.iter_child_nodes(node))
    return found


def _loads(node: gast.AST) -> list[gast.Name]:
    return _access(node).loads


def _is_atom(node: gast.expr) -> bool:
    if isinstance(node, (gast.Name, gast.Constant)):
        return True
    return isinstance(node, gast.Attribute) and _is_atom(node.value)


def _may_raise(value: gast.expr, effects: Effects) -> bool:
    """True if computing `value` can raise where the user's function would: a `math` function
    outside its domain, or Python number division by zero. Such primal statements stay even
    when dead, so that the gradient fails where the function fails."""
    for node in gast.walk(value):
        if isinstance(node, gast.BinOp) and isinstance(
            node.op, (gast.Div, gast.FloorDiv, gast.Mod)
        ):
            divisor = number(node.right)
            if divisor is None or divisor == 0:
                return True
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Pow):
            exponent = number(node.right)
            if exponent is None or exponent < 0:
                return True
        if isinstance(node, gast.Call) and effects.may_raise(node):
            return True
    return False


def _value_of(statement: gast.stmt) -> gast.expr:
    """The expression a simple statement computes (a `pass` computes nothing)."""
    value = getattr(statement, "value", None)
    return value if value is not None else gast.Constant(None, None)


def _is_same_name(node: gast.expr, name: str | None) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def _does_nothing_but_pass(body: list[gast.stmt]) -> bool:
    return all(isinstance(s, gast.Pass) for s in body)


def _does_nothing(statement: gast.stmt) -> bool:
    """An `if` or `for` left with nothing but `pass` (its test or iterable may still have an
    effect: a pop off the stack)."""
    if isinstance(statement, gast.Pass):
        return True
    if isinstance(statement, (gast.If, gast.For)):
        return all(isinstance(s, gast.Pass) for s in statement.body + statement.orelse)
    return False


def live_in(statements: list[gast.stmt], live_out: set[str]) -> set[str]:
    """The names `statements` may read before assigning them, given those live after them."""
    live = set(live_out)
    for statement in reversed(statements):
        if isinstance(statement, gast.If):
            test = {n.id for n in _loads(statement.test)}
            live = test | live_in(statement.body, live) | live_in(statement.orelse, live)
        elif isinstance(statement, (gast.For, gast.While)):
            live = _loop_live(statement, live)
        else:
            access = _access(statement)
            live = (live - access.stores) | {n.id for n in access.loads}
    return live


def _live_after_each(statements: list[gast.stmt], live_out: set[str]) -> list[set[str]]:
    """The names live after each statement, in one backward pass."""
    after = [live_out]
    for statement in reversed(statements[1:]):
        after.append(live_in([statement], after[-1]))
    return after[::-1]


def _loop_live(loop: gast.For | gast.While, after: set[str]) -> set[str]:
    """Names live at a loop's head: read after it, or by an iteration before it assigns them."""
    head = loop.iter if isinstance(loop, gast.For) else loop.test
    live = after | {n.id for n in _loads(head)}
    while True:
        grown = live | live_in(loop.body, live)
        if grown == live:
            return live
        live = grown


def size(node: gast.AST) -> int:
    """How many expressions and statements `node` holds: how much a line says."""
    return sum(1 for n in gast.walk(node) if isinstance(n, (gast.expr, gast.stmt)))


@dataclass(frozen=True)
class _Summary:
    """The names one statement reads, assigns and writes into: computed once per version."""

    statement: gast.stmt
    loads: list[gast.Name]
    stores: set[str]
    written: set[str]
    pure: bool  # no side effects: expressions may move past it
    names: set[str]  # every name it mentions: loads, stores and writes
    deferred: set[int]  # the loads (by node id) a lambda or nested def reads when called


class _Block:
    """The rewrites on one block at a time, given the names live after it."""

    def __init__(
        self, generated: set[str], effects: Effects, stack: str, adjoints: frozenset[str]
    ) -> None:
        self.generated, self.effects, self.stack = generated, effects, stack
        self.adjoints = adjoints
        self.summaries: dict[int, _Summary] = {}  # by statement id; dropped when one changes
        # How many statements of the block being swept mention each name, in all and before the
        # current one: a scan for a name's uses stops at its last mention, so a sweep is linear.
        self.mentions: Counter[str] = Counter()
        self.mentions_before: Counter[str] = Counter()
        # Variables a lambda or nested def reads when it is called, which may be after any of
        # their assignments: those all stay.
        self.captured: set[str] = set()

    def summary(self, statement: gast.stmt) -> _Summary:
        found = self.summaries.get(id(statement))
        if found is None or found.statement is not statement:
            access = _access(statement)
            loads, stores, written = access.loads, access.stores, access.written
            pure = self.is_pure_statement(statement)
            names = {n.id for n in loads} | stores
            found = _Summary(statement, loads, stores, written, pure, names, access.deferred)
            self.summaries[id(statement)] = found
        return found

    def is_pure(self, node: gast.AST) -> bool:
        return all(self.effects.pure(n) for n in gast.walk(node) if isinstance(n, gast.Call))

    def optimize(self, body: list[gast.stmt], live_out: set[str]) -> None:
        changed = True
        while changed:  # a sweep substitutes wherever it can, then the dead code goes
            changed, i = False, 0
            self.mentions = Counter(n for s in body for n in self.summary(s).names)
            self.mentions_before = Counter()
            while i < len(body):
                if self.substitute(body, i, live_out):
                    changed = True  # body[i] is gone or has fewer uses: look at i again
                else:
                    self.mentions_before.update(self.summary(body[i]).names)
                    i += 1
            changed = self.eliminate_dead(body, live_out) or changed
        for statement, after in zip(body, _live_after_each(body, live_out)):
            if isinstance(statement, _COMPOUND):
                if isinstance(statement, gast.If):
                    self.optimize(statement.body, after)
                    self.optimize(statement.orelse, after)
                else:  # the next iteration reads what this one leaves
                    self.optimize(statement.body, _loop_live(statement, after))
        for statement in body:
            empty = isinstance(statement, gast.If) and _does_nothing_but_pass(statement.body)
            if empty and statement.orelse:  # `if c: pass else: s` → `if not c: s`
                statement.test = gast.UnaryOp(op=gast.Not(), operand=statement.test)
                statement.body, statement.orelse = statement.orelse, []
            for field in ("body", "orelse"):
                block = getattr(statement, field, None)
                if block is not None and not block and field == "body":
                    block.append(gast.copy_location(gast.Pass(), statement))
        kept = []
        for statement in body:
            header = getattr(statement, "test", None) or getattr(statement, "iter", None)
            if not _does_nothing(statement):
                kept.append(statement)
            elif header is not None and not self.is_pure(header):  # a pop pairs with a push
                if isinstance(statement, gast.If):
                    statement = gast.copy_location(gast.Expr(value=statement.test), statement)
                kept.append(statement)
        body[:] = kept

    def substitute(self, body: list[gast.stmt], i: int, live_out: set[str]) -> bool:
        """Put `body[i]`'s value in place of every use of its target, and drop it; True if done.

        An atom (a name or constant) goes everywhere, into nested blocks too; any other pure
        expression only into the single use of a generated name, in this block, past no statement
        with side effects. Every use must see the operands the definition saw, no use may be a
        `return` (results keep their names), and a name still needed after the block stays.
        """
        if i >= len(body):
            return False
        name = _target(body[i])
        if name is None:
            return False
        value = body[i].value
        atom = _is_atom(value)
        if not atom and (name not in self.generated or not self.is_pure(value)):
            return False
        remaining = self.mentions[name] - self.mentions_before[name] - 1  # after body[i]
        reads = {n.id for n in _loads(value)}
        uses: list[tuple[int, gast.Name]] = []
        blocked = False
        redefined = False
        stranded = False  # a use the value cannot reach: the definition stays
        for j in range(i + 1, len(body)):
            if remaining <= 0:
                break  # no later statement mentions the name
            statement, summary = body[j], self.summary(body[j])
            stored = summary.stores
            if name not in summary.names:
                blocked = blocked or bool(reads & stored) or not (atom or summary.pure)
                continue
            remaining -= 1
            if name in summary.written:
                return False  # an array written into in place keeps its name
            here = [n for n in summary.loads if n.id == name]
            compound = isinstance(statement, _COMPOUND)
            if here:
                unreachable = blocked or isinstance(statement, gast.Return)
                if any(id(n) in summary.deferred for n in here):
                    unreachable = True  # a function made here reads the name when it is called
                if compound and (not atom or name in stored or reads & stored):
                    unreachable = True
                if unreachable and not atom:
                    return False
                if unreachable:
                    stranded = True
                else:
                    uses += [(j, n) for n in here]
            if name in stored and not compound:
                redefined = True
                break
            if name in stored:
                return False  # assigned on some paths only: the old value may live on
            if reads & stored or not (atom or summary.pure):
                blocked = True
        if not uses or (not atom and len(uses) != 1):
            return False
        if not atom and size(value) + size(body[uses[0][0]]) > FOLD_LIMIT:
            return False  # a person would keep this one on its own line
        keep = stranded or name in self.captured or (not redefined and name in live_out)
        if keep and (not atom or name not in self.generated):
            return False  # user variables are only renamed away when they disappear entirely
        if keep and name in reads:  # `x = x`, `x = x.T`: the uses would read the new value
            return False  # (and `x = x` would change nothing, again and again)
        for j in sorted({j for j, _ in uses}):
            self.mentions.subtract(self.summary(body[j]).names)
            raises = not atom and _may_raise(value, self.effects)
            if raises and not _may_raise(_value_of(body[j]), self.effects):
                gast.copy_location(body[j], body[i])  # errors name the line of what raised
            for k, use in uses:
                if k == j:
                    _replace(body[j], use, value)
            self.summaries.pop(id(body[j]), None)
            self.mentions.update(self.summary(body[j]).names)
        if not keep:
            self.mentions.subtract(self.summary(body[i]).names)
            del body[i]
        return True

    def is_pure_statement(self, statement: gast.stmt) -> bool:
        if isinstance(statement, (gast.Assign, gast.Expr)) and isinstance(
            statement.value, gast.Call
        ):
            func = statement.value.func
            on_stack = isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            if on_stack and self.stack and func.value.id == self.stack:
                return all(self.is_pure(a) for a in statement.value.args)
        return isinstance(statement, gast.Assign) and self.is_pure(statement.value)

    def eliminate_dead(self, body: list[gast.stmt], live_out: set[str]) -> bool:
        """Drop pure assignments whose value nobody reads before the name is assigned again."""
        changed = False
        live = set(live_out)
        kept: list[gast.stmt] = []
        for statement in reversed(body):
            if isinstance(statement, _COMPOUND):
                live = live_in([statement], live)
                kept.append(statement)
                continue
            summary = self.summary(statement)
            stores = summary.stores
            idle = _target(statement) is not None and _is_same_name(
                statement.value, _target(statement)
            )
            droppable = (
                self.is_pure(statement.value) if isinstance(statement, gast.Assign) else False
            )
            if droppable and _target(statement) not in self.adjoints:
                droppable = not _may_raise(statement.value, self.effects)
            droppable = droppable and not stores & self.captured
            if isinstance(statement, gast.Assign) and (idle or not stores & live and droppable):
                changed = True
                continue
            live = (live - stores) | {n.id for n in summary.loads}
            kept.append(statement)
        body[:] = reversed(kept)
        return changed


def _replace(statement: gast.stmt, old: gast.Name, new: gast.expr) -> None:
    class Replace(gast.NodeTransformer):
        def visit_Name(self, node: gast.Name) -> gast.expr:
            return copy.deepcopy(new) if node is old else node

    Replace().visit(statement)
