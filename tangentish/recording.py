"""Recording: what the primal replay records for the reverse sweep, and where the sweep puts it
back (the second phase of `reverse`).

A value is recorded only when a statement overwrites it and adjoint code that runs later in the
sweep reads it: outside loops into a saved name (`y_saved = y` ... `y = y_saved`). Inside a loop,
each iteration pushes one value when it ends, which the sweep's iteration pops when it starts
(`_stack.append((_saved, y_saved, t))` ... `_saved, y_saved, t = _stack.pop()`): the values the
iteration's statements overwrite first, as the tuple `_saved = (y, ...)` taken when it starts
(put back by `y = _saved[0]`), and what it knows when it ends: values saved in a branch or by a
later overwrite (`y_saved`), the branch each `if` took (its test `t`), the trip count of each
nested loop. The branch each `if` took, loop trip counts and loop variables are recorded only
where the sweep needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gast

from . import runtime
from .activity import is_write
from .adjoint import Adjoints, assign, index_value, load
from .errors import InternalError
from .kinds import ARRAY, RANGE
from .naming import Namer

_COMPOUND = (gast.If, gast.For, gast.While)


@dataclass
class Step:
    """One primal statement and what the sweep does for it: the adjoint statements of a simple
    statement; for an `if` its two blocks, for a loop its body, with the zero adjoints that keep
    every path consistent (`zeros`: an `if`'s per branch; a loop's before it and per iteration)."""

    primal: gast.stmt
    adjoint: list[gast.stmt] = field(default_factory=list)
    replay: list[gast.stmt] | None = None  # what the primal replay runs, where it differs
    blocks: list[list[Step]] = field(default_factory=list)
    zeros: list[list[gast.stmt]] = field(default_factory=list)

    def empty(self) -> bool:
        """True if the sweep does nothing here: no adjoint statement, and no adjoint to zero
        (a branch that assigns a constant still ends the life of an adjoint)."""
        if self.adjoint or any(self.zeros):
            return False
        return all(s.empty() for block in self.blocks for s in block)


def loads(statements: list[gast.stmt]) -> set[str]:
    return {
        n.id
        for s in statements
        for n in gast.walk(s)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    }


def stores(statement: gast.stmt) -> set[str]:
    if isinstance(statement, _COMPOUND):
        return set()
    return {
        n.id
        for n in gast.walk(statement)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }


class Emit:
    """Phase 2: the primal replay with its recordings, and the reverse sweep with its restores."""

    def __init__(self, adjoints: Adjoints, namer: Namer) -> None:
        self.adjoints, self.namer = adjoints, namer
        self.stack = ""
        self.uninitialized: set[str] = set()
        self.restored: set[str] = set()  # arrays and containers the sweep writes old entries into
        self.batch: _Batch | None = None  # the loop body being emitted, if it batches saves
        self.frame: _Batch | None = None  # the innermost loop whose iteration is being emitted
        self.top = False  # emitting the frame's body itself, not a branch in it
        self.after: set[str] = set()  # names the rest of the frame's iteration may assign

    def stack_name(self) -> str:
        if not self.stack:
            self.stack = self.namer.claim("_stack")
        return self.stack

    def push(self, value: gast.expr, anchor: gast.AST) -> gast.stmt:
        call = gast.Call(
            func=gast.Attribute(value=load(self.stack_name()), attr="append", ctx=gast.Load()),
            args=[value],
            keywords=[],
        )
        return gast.copy_location(gast.Expr(value=call), anchor)

    def pop(self) -> gast.expr:
        method = gast.Attribute(value=load(self.stack_name()), attr="pop", ctx=gast.Load())
        return gast.Call(func=method, args=[], keywords=[])

    def keep(self, name: str, certain: bool) -> None:
        """Record `name`'s value at the end of the current iteration, with the iteration's tuple:
        the sweep reads it back when its iteration starts. `certain`: the iteration always
        assigns it before it ends (else it starts out unset, as the tuple reads it anyway)."""
        if self.frame is None:
            raise InternalError("only a loop iteration records values for its end")
        if name not in self.frame.ends:
            self.frame.ends.append(name)
        if not certain:
            self.uninitialized.add(name)

    def reads(self, step: Step, in_loop: bool) -> set[str]:
        """Primal names the reverse code of `step` reads (its adjoints, zeros, branch tests)."""
        names = loads(step.adjoint) | loads([z for zs in step.zeros for z in zs])
        for block in step.blocks:
            for inner in block:
                names |= self.reads(inner, in_loop or not isinstance(step.primal, gast.If))
        if isinstance(step.primal, gast.If) and not in_loop and not step.empty():
            names |= loads([gast.Expr(value=step.primal.test)])
        if self.walks_range_again(step, in_loop):
            names.add(step.primal.iter.id)
        return names

    def walks_range_again(self, step: Step, in_loop: bool) -> bool:
        """True for a loop the sweep can run by walking its `range` again, with no trip count:
        a `for` over a range, that never breaks, outside other loops (the range is made once)."""
        loop = step.primal
        if in_loop or step.empty() or not isinstance(loop, gast.For):
            return False
        walks_range = self.adjoints.kinds.get(getattr(loop.iter, "id", "")) == RANGE
        return walks_range and not _breaks(loop.body)

    def block(
        self, steps: list[Step], after: set[str], in_loop: bool, must: set[str]
    ) -> tuple[list[gast.stmt], list[gast.stmt]]:
        """The primal and the reverse code of a block. `after`: names read by reverse code that
        runs after this block's; `must`: names certainly assigned on entry."""
        reads = [self.reads(s, in_loop) for s in steps]
        must = set(must)
        primal: list[gast.stmt] = []
        reverse: list[list[gast.stmt]] = []
        batch, self.batch = self.batch, None  # only this block's own statements join it
        top, self.top = self.top, batch is not None
        outer = self.after
        rest, overwritten = [outer], set(outer)
        for step in reversed(steps[1:]):
            overwritten |= assigned(step.replay or [step.primal])
            rest.append(set(overwritten))
        rest.reverse()  # rest[i]: what may be assigned after steps[i], in this iteration
        for i, step in enumerate(steps):
            self.after = rest[i]
            later = set(after).union(*reads[:i])
            head = set().union(*(stores(s) for s in step.replay or [step.primal]))
            if isinstance(step.primal, _COMPOUND) and step.empty():
                head = assigned([step.primal])  # the sweep skips it: record it as one statement
            elif isinstance(step.primal, gast.For):
                head = {step.primal.target.id}
            if is_write(step.primal):
                saves, restores = self.record_write(step.primal, later, in_loop)
            else:
                names = sorted(head & later)
                joined = [n for n in names if batch is not None and batch.eligible.get(n) == i]
                saves, restores = self.record(
                    [n for n in names if n not in joined], step.primal, in_loop, must
                )
                restores += [batch.join(n, step.primal) for n in joined]  # type: ignore[union-attr]
                self.uninitialized |= {n for n in joined if n not in must}
            code, back = self.compound(step, later, in_loop, must)
            primal += saves + code
            reverse.append(back + restores)
            must |= _certain(step.primal)
        self.batch, self.top, self.after = batch, top, outer
        return primal, [s for back in reversed(reverse) for s in back]

    def record(
        self, names: list[str], anchor: gast.stmt, in_loop: bool, must: set[str]
    ) -> tuple[list[gast.stmt], list[gast.stmt]]:
        saves, restores = [], []
        for name in names:
            if name not in must:
                self.uninitialized.add(name)
            saved = self.namer.claim(f"{name}_saved")
            saves.append(assign(saved, load(name), anchor))
            restores.append(assign(name, load(saved), anchor))
            if in_loop:  # recorded when the iteration ends
                self.keep(saved, certain=self.top)
        return saves, restores

    def record_write(
        self, statement: gast.Assign, later: set[str], in_loop: bool
    ) -> tuple[list[gast.stmt], list[gast.stmt]]:
        """For `a[i] = v` whose old entries the sweep reads later: save `a[i]`, put it back."""
        target = statement.targets[0]
        array = target.value.id
        if array not in later:
            return [], []
        self.restored.add(array)
        if self.adjoints.kinds.get(array) == ARRAY:  # `a[i]` exists: copy it, assign it back
            old = gast.Subscript(value=load(array), slice=target.slice, ctx=gast.Load())
            helper = self.adjoints.bind("snapshot", runtime.snapshot)
            copy = gast.Call(func=load(helper), args=[old], keywords=[])
        else:  # a list or dict, whose key may be new
            index = index_value(target.slice)
            helper = self.adjoints.bind("snapshot_item", runtime.snapshot_item)
            copy = gast.Call(func=load(helper), args=[load(array), index], keywords=[])
        saved = self.namer.claim(f"{array}_saved")
        save, value = assign(saved, copy, statement), load(saved)
        if in_loop:  # recorded when the iteration ends
            self.keep(saved, certain=self.top)
        if self.adjoints.kinds.get(array) == ARRAY:
            put_back = gast.Subscript(value=load(array), slice=target.slice, ctx=gast.Store())
            restore: gast.stmt = gast.Assign(targets=[put_back], value=value, type_comment=None)
        else:
            helper = self.adjoints.bind("restore_item", runtime.restore_item)
            call = gast.Call(
                func=load(helper), args=[load(array), index_value(target.slice), value], keywords=[]
            )
            restore = gast.Expr(value=call)
        return [save], [gast.copy_location(restore, statement)]

    def compound(
        self, step: Step, later: set[str], in_loop: bool, must: set[str]
    ) -> tuple[list[gast.stmt], list[gast.stmt]]:
        statement = step.primal
        if not isinstance(statement, _COMPOUND):
            return step.replay or [statement], step.adjoint
        if step.empty():
            later = set()  # nothing in it is reversed: its block() above recorded it whole
        if isinstance(statement, gast.If):
            branches = []
            for block, zeros in zip(step.blocks, step.zeros):
                code, back = self.block(block, later | loads(zeros), in_loop, must)
                branches.append((code, back + zeros))
            (body, body_back), (orelse, else_back) = branches
            primal = gast.copy_location(
                gast.If(test=statement.test, body=body or [gast.Pass()], orelse=orelse), statement
            )
            if step.empty():
                return [primal], []
            test = statement.test
            code = [primal]
            named = isinstance(test, gast.Name)
            changed = named and test.id in assigned(statement.body + statement.orelse)
            recorded = in_loop and not isinstance(test, gast.Constant)
            if recorded:  # read as the iteration ends: the rest of it must leave it alone
                changed = changed or not named or test.id in self.after
            if changed:
                taken = self.namer.claim("_taken")  # keep the value the branch was taken on
                code.insert(0, assign(taken, test, statement))
                if not named:
                    primal.test = load(taken)
                test = load(taken)
            if recorded:
                self.keep(test.id, certain=self.top and (changed or test.id in must))
            if not body_back:  # `if not taken: ...` reads better than `if taken: pass else: ...`
                test = gast.UnaryOp(op=gast.Not(), operand=test)
                body_back, else_back = else_back, []
            back = gast.If(test=test, body=body_back, orelse=else_back)
            return code, [gast.copy_location(back, statement)]
        body_reads = set().union(*(self.reads(s, True) for s in step.blocks[0]))
        body_reads |= loads(step.zeros[1])
        if step.empty():
            body_reads = set()
        inner_must = must | ({statement.target.id} if isinstance(statement, gast.For) else set())
        batch = _Batch(self.namer.claim("_saved"), _firsts(step.blocks[0]))
        frame, after = self.frame, self.after
        self.batch, self.frame, self.after = batch, batch, set()
        body, body_back = self.block(step.blocks[0], later | body_reads, True, inner_must)
        self.batch, self.frame, self.after = None, frame, after
        loop = gast.copy_location(_with_body(statement, body), statement)
        if step.empty():
            return [loop], []
        head: list[gast.stmt] = []
        if isinstance(statement, gast.For) and statement.target.id in body_reads:
            head.append(batch.join(statement.target.id, statement))
        if batch.entries:  # the values its statements overwrite, as the iteration starts
            loop.body.insert(0, batch.capture(statement))
        if batch.entries or batch.ends:  # one push a iteration
            _before_break(loop.body, self.push(batch.record(), statement))
            head.insert(0, batch.restore(self.pop(), statement))
        counter = self.namer.claim("_")
        if self.walks_range_again(step, in_loop):
            again = gast.For(
                target=gast.Name(counter, gast.Store(), None, None),
                iter=statement.iter,
                body=head + body_back + step.zeros[1] or [gast.Pass()],
                orelse=[],
                type_comment=None,
            )
            return [loop], step.zeros[0] + [gast.copy_location(again, statement)]
        trips = self.namer.claim("_n")
        count = assign(
            trips,
            gast.BinOp(left=load(trips), op=gast.Add(), right=gast.Constant(1, None)),
            statement,
        )
        loop.body.insert(0, count)
        code = [assign(trips, gast.Constant(0, None), statement), loop]
        if in_loop:  # recorded when the enclosing loop's iteration ends
            self.keep(trips, certain=self.top)
        times: gast.expr = load(trips)
        back_loop = gast.For(
            target=gast.Name(counter, gast.Store(), None, None),
            iter=gast.Call(
                func=load(self.adjoints.bind("range", range)), args=[times], keywords=[]
            ),
            body=head + body_back + step.zeros[1] or [gast.Pass()],
            orelse=[],
            type_comment=None,
        )
        return code, step.zeros[0] + [gast.copy_location(back_loop, statement)]


class _Batch:
    """What one loop iteration records for the sweep, pushed as one value when it ends and popped
    when the sweep's iteration starts.

    `entries`: values its statements overwrite, taken as one tuple when the iteration starts
    (each by the first statement of the body that assigns it, so its value then is the value
    that statement destroys); each is put back where its overwrite's adjoint ends. `ends`:
    names read as the iteration ends (the branch each `if` took, values saved in a branch or by
    a later overwrite, a nested loop's trip count), each assigned at most once an iteration; the
    sweep's iteration starts by assigning them again.
    """

    def __init__(self, name: str, eligible: dict[str, int]) -> None:
        self.name, self.eligible = name, eligible
        self.entries: list[str] = []
        self.ends: list[str] = []

    def join(self, variable: str, anchor: gast.stmt) -> gast.stmt:
        """Record `variable` in the tuple; the statement that puts its value back."""
        if variable not in self.entries:
            self.entries.append(variable)
        index = gast.Constant(self.entries.index(variable), None)
        value = gast.Subscript(value=load(self.name), slice=index, ctx=gast.Load())
        return assign(variable, value, anchor)

    def capture(self, anchor: gast.stmt) -> gast.stmt:
        entries = gast.Tuple(elts=[load(e) for e in self.entries], ctx=gast.Load())
        return assign(self.name, entries, anchor)

    def parts(self) -> list[str]:
        return ([self.name] if self.entries else []) + self.ends

    def record(self) -> gast.expr:
        """What the iteration pushes: `_saved`, a name of `ends`, or a tuple of them."""
        names = self.parts()
        if len(names) == 1:
            return load(names[0])
        return gast.Tuple(elts=[load(n) for n in names], ctx=gast.Load())

    def restore(self, value: gast.expr, anchor: gast.stmt) -> gast.stmt:
        """`_saved, a, b = value`: the sweep's iteration takes back what `record` pushed."""
        names = self.parts()
        if len(names) == 1:
            return assign(names[0], value, anchor)
        target = gast.Tuple(elts=[load(n, gast.Store()) for n in names], ctx=gast.Store())
        return gast.copy_location(
            gast.Assign(targets=[target], value=value, type_comment=None), anchor
        )


def _firsts(body: list[Step]) -> dict[str, int]:
    """Each name a loop body assigns, with the position of the first of its statements that does
    (nested blocks included): the value that statement records is the one the name held when
    the iteration started, which a tuple can record together with the others. Later overwrites
    (in a branch, or again further down) are recorded where they happen."""
    firsts: dict[str, int] = {}
    for position, step in enumerate(body):
        for name in assigned(step.replay or [step.primal]):
            firsts.setdefault(name, position)
    return firsts


def _with_body(statement: gast.stmt, body: list[gast.stmt]) -> gast.stmt:
    if isinstance(statement, gast.For):
        return gast.For(
            target=statement.target, iter=statement.iter, body=body, orelse=[], type_comment=None
        )
    return gast.While(test=statement.test, body=body, orelse=[])


def _breaks(body: list[gast.stmt]) -> bool:
    """True if a loop body has its structured `if flag: break` (see `structure`)."""
    return any(
        isinstance(s, gast.If) and any(isinstance(b, gast.Break) for b in s.body) for s in body
    )


def _before_break(body: list[gast.stmt], statement: gast.stmt) -> None:
    """Insert `statement` where every iteration passes: before the body's structured
    `if flag: break` (a `while` loop's test is recomputed after it), else at its end."""
    for position, other in enumerate(body):
        if (
            isinstance(other, gast.If)
            and len(other.body) == 1
            and isinstance(other.body[0], gast.Break)
        ):
            body.insert(position, statement)
            return
    body.append(statement)


def assigned(statements: list[gast.stmt]) -> set[str]:
    """Every name assigned anywhere in `statements`, nested blocks included."""
    return {
        n.id
        for s in statements
        for n in gast.walk(s)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }


def _certain(statement: gast.stmt) -> set[str]:
    """Names certainly assigned once `statement` has run."""
    if isinstance(statement, gast.If):
        return _certain_block(statement.body) & _certain_block(statement.orelse)
    return stores(statement)


def certainly_assigned(statements: list[gast.stmt]) -> set[str]:
    """Names every path through `statements` assigns."""
    return _certain_block(statements)


def _certain_block(statements: list[gast.stmt]) -> set[str]:
    return set().union(*(_certain(s) for s in statements)) if statements else set()
