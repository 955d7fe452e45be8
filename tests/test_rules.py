"""Every derivative rule in the tables, on the samples its entry declares, against the oracle.

The tests are generated from `rules.RULES`, so a rule added to the tables is checked without
touching this file. tangentish differentiates source, so each test writes a small module whose
function calls the primal (`np.sin(x0)`, `x0 + x1`, `x0.sum(axis=0)`, `x0[1:3]`), imports it from
a real file and differentiates that:

- `partials` rules: every primal, on samples of the rule's `domains` of shapes (), 0-d arrays,
  (3,) and (2, 3), and broadcasting pairs (triples) for binary (ternary) rules. Shapes the primal
  itself rejects (`math.sin` of an array, `max` of two arrays) are left out. Operators are written
  both as syntax (`x0 + x1`) and as calls (`operator.add(x0, x1)`).
- `adjoints` rules: every primal and every method form, on the rule's `samples(rng)`.
"""

from __future__ import annotations

import ast
import builtins
import copy
import dataclasses
import importlib.util
import math
import operator
import sys
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
from oracle import call, check_vjp, numeric_vjp, random_like

import tangentish as tg
from tangentish import rules

rules.load()

pytestmark = pytest.mark.filterwarnings("error")

ZERO_D = "0d"
SAME_SHAPES: tuple[Any, ...] = ((), ZERO_D, (3,), (2, 3))
BROADCAST = {
    2: [((3, 1), (1, 4)), ((2, 3), (3,)), ((), (2, 3)), ((2, 3), ())],
    3: [((2, 3), (3,), ()), ((), (2, 1), (3,))],
}
SYNTAX = {
    operator.add: "{0} + {1}",
    operator.sub: "{0} - {1}",
    operator.mul: "{0} * {1}",
    operator.truediv: "{0} / {1}",
    operator.pow: "{0} ** {1}",
    operator.mod: "{0} % {1}",
    operator.matmul: "{0} @ {1}",
    operator.neg: "-{0}",
    operator.pos: "+{0}",
}
#: Inputs that select rather than vary (by position): written as `x > 0`, so both branches run.
CONDITIONS = {np.where: (0,)}
HEADER = "import builtins\nimport math\nimport operator\n\nimport numpy as np\n\n\n"


@dataclass(frozen=True)
class RuleCase:
    """One generated test: a function's source, its arguments and the positions to differentiate."""

    id: str
    rule: int  # the index in rules.RULES
    entry: str  # the primal or method exercised
    source: str
    args: tuple[Any, ...]
    wrt: tuple[int, ...]
    aliases: tuple[tuple[str, Any], ...] = ()

    def __repr__(self) -> str:
        return f"RuleCase({self.id})"


def reference(primal: Any) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """Source text naming `primal` (`np.sin`, `math.sin`, `abs`), or else a module-global alias."""
    name = getattr(primal, "__name__", None)
    if isinstance(name, str):
        for prefix, module in (("np", np), ("math", math), ("operator", operator), ("", builtins)):
            if getattr(module, name, None) is primal:
                return (f"{prefix}.{name}" if prefix else name), ()
    return "PRIMAL", (("PRIMAL", primal),)


REJECTED = object()


def attempt(thunk: Callable[[], Any]) -> Any:
    """`thunk()` if it returns finite values (a tuple of them, say) without raising or warning;
    `REJECTED` otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = thunk()
        parts = result if isinstance(result, tuple) else (result,)
        if all(np.all(np.isfinite(np.asarray(p, dtype=float))) for p in parts):
            return result
    except Exception:
        pass
    return REJECTED


def accepts(thunk: Callable[[], Any]) -> bool:
    result = attempt(thunk)
    return result is not REJECTED and not isinstance(result, tuple)


def entry_name(entry: Any) -> str:
    return f".{entry}" if isinstance(entry, str) else rules.describe(entry)


def _unique(primals: tuple[Any, ...]) -> list[Any]:
    """The primals without repeats (`np.true_divide` is `np.divide` in NumPy 2)."""
    unique: list[Any] = []
    for primal in primals:
        if not any(primal is seen for seen in unique):
            unique.append(primal)
    return unique


def _shape_id(shape: Any) -> str:
    return shape if shape == ZERO_D else "x".join(map(str, shape)) or "scalar"


# -- partials ------------------------------------------------------------------------------------


def _partials_cases(index: int, rule: rules.Rule) -> list[RuleCase]:
    arity = len(rule.domains)
    outputs = rule.template.outputs
    shapes = [(shape,) * arity for shape in SAME_SHAPES] + BROADCAST.get(arity, [])
    found = []
    for primal in _unique(rule.primals):
        ref, aliases = reference(primal)
        conditions = CONDITIONS.get(primal, ())
        params = [f"x{i}" for i in range(arity)]
        operands = [f"{p} > 0" if i in conditions else p for i, p in enumerate(params)]
        bodies = [("call", f"{ref}({', '.join(operands)})")]
        if primal in SYNTAX:
            bodies.append(("syntax", SYNTAX[primal].format(*operands)))
        wrt = tuple(
            i for i in range(arity) if i not in conditions and i < len(outputs) and outputs[i]
        )
        for shape_tuple in shapes:
            shape_id = "-".join(map(_shape_id, shape_tuple))
            key = f"{index}:{entry_name(primal)}:{shape_id}"
            rng = np.random.default_rng(zlib.crc32(key.encode()))
            args = []
            for domain, shape in zip(rule.domains, shape_tuple):
                value = domain.sample(rng, () if shape == ZERO_D else shape)
                args.append(np.asarray(value) if shape == ZERO_D else value)
            actual = [a > 0 if i in conditions else a for i, a in enumerate(args)]
            if not accepts(lambda p=primal, a=actual: p(*copy.deepcopy(a))):
                continue
            for form, body in bodies:
                found.append(
                    RuleCase(
                        id=f"{rule.function.__name__}:{entry_name(primal)}-{form}-{shape_id}",
                        rule=index,
                        entry=entry_name(primal),
                        source=f"def f({', '.join(params)}):\n    return {body}\n",
                        args=tuple(args),
                        wrt=wrt,
                        aliases=aliases,
                    )
                )
    return found


# -- adjoints ------------------------------------------------------------------------------------


def _is_variable(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f"
    return isinstance(value, float)


def _literal(value: Any) -> str | None:
    """`value` as a Python literal, if it is one that reads back equal (ints, tuples, bools)."""
    if isinstance(value, (np.ndarray, float)):
        return None
    try:
        text = repr(value)
        return text if ast.literal_eval(text) == value else None
    except (ValueError, SyntaxError):
        return None


def _index_source(index: Any) -> str | None:
    """`index` written as subscript syntax (`1:3`, `:, 0`, `..., None, 1`), if it can be."""
    parts = index if isinstance(index, tuple) else (index,)
    written = []
    for part in parts:
        if part is None or part is Ellipsis:
            written.append("None" if part is None else "...")
        elif isinstance(part, int) and not isinstance(part, bool):
            written.append(repr(part))
        elif isinstance(part, slice):
            bounds = ["" if b is None else repr(b) for b in (part.start, part.stop)]
            written.append(":".join(bounds) + ("" if part.step is None else f":{part.step!r}"))
        else:
            return None
    return ", ".join(written) + ("," if isinstance(index, tuple) and len(index) == 1 else "")


@dataclass
class _Signature:
    """The parameters of a generated function and the arguments to call it with."""

    params: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    wrt: list[int] = field(default_factory=list)

    def operand(self, value: Any, differentiable: bool = True) -> str:
        """Source for one argument: a parameter (differentiated if a float array or float), a list
        literal of them, or a literal constant."""
        if isinstance(value, (list, tuple)) and value and all(map(_is_variable, value)):
            items = ", ".join(self.operand(v, differentiable) for v in value)
            return f"[{items}]" if isinstance(value, list) else f"({items},)"
        if not _is_variable(value):
            literal = _literal(value)
            if literal is not None:
                return literal
        name = f"a{len(self.params)}"
        if _is_variable(value) and differentiable:
            self.wrt.append(len(self.params))
        self.params.append(name)
        self.args.append(value)
        return name


def _adjoint_forms(rule: rules.Rule) -> list[tuple[Any, str]]:
    """(entry, form) pairs: each primal as a call (and operators as syntax), each method."""
    forms: list[tuple[Any, str]] = []
    for primal in _unique(rule.primals):
        forms.append((primal, "call"))
        if primal in SYNTAX or primal is operator.getitem:
            forms.append((primal, "syntax"))
    forms.extend((method, "method") for method in rule.methods)
    return forms


def _adjoint_cases(
    index: int, rule: rules.Rule, entry: Any, form: str, sample: Any, k: int
) -> list[RuleCase]:
    """The case for one sample; for a primal that returns a tuple (`eigh`, `svd`), one case per
    entry of the tuple (`np.linalg.eigh(a0)[1]`)."""
    args, kwargs = sample
    template = rule.template
    if form == "method":
        attribute = not callable(getattr(np.ndarray, entry, None))
        if attribute and (len(args) != 1 or kwargs):
            return []
        thunk = (
            (lambda: getattr(copy.deepcopy(args[0]), entry))
            if attribute
            else (lambda: getattr(copy.deepcopy(args[0]), entry)(*args[1:], **kwargs))
        )
    else:
        thunk = lambda: entry(*copy.deepcopy(args), **kwargs)  # noqa: E731
    result = attempt(thunk)
    if result is REJECTED:
        return []

    def differentiable(position: int | str) -> bool:
        if isinstance(position, str):
            position = template.params.index(position) if position in template.params else -1
        outputs = template.outputs
        return 0 <= position < len(outputs) and outputs[position] is not None

    signature = _Signature()
    operands = [signature.operand(a, differentiable(i)) for i, a in enumerate(args)]
    keywords = [f"{key}={signature.operand(v, differentiable(key))}" for key, v in kwargs.items()]
    aliases: tuple[tuple[str, Any], ...] = ()
    if form == "method":
        if attribute:
            body = f"{operands[0]}.{entry}"
        else:
            body = f"{operands[0]}.{entry}({', '.join(operands[1:] + keywords)})"
    elif form == "syntax" and entry is operator.getitem:
        written = _index_source(args[1])
        index_text = written if written is not None else operands[1]
        if written is not None:  # the index is written out: drop its parameter
            signature = _Signature()
            operands = [signature.operand(args[0])]
        body = f"{operands[0]}[{index_text}]"
    elif form == "syntax":
        body = SYNTAX[entry].format(*operands)
    else:
        ref, aliases = reference(entry)
        body = f"{ref}({', '.join(operands + keywords)})"
    if not signature.wrt:
        return []
    selections = [f"[{i}]" for i in range(len(result))] if isinstance(result, tuple) else [""]
    return [
        RuleCase(
            id=f"{rule.function.__name__}:{entry_name(entry)}-{form}-s{k}{selection}",
            rule=index,
            entry=entry_name(entry),
            source=f"def f({', '.join(signature.params)}):\n    return {body}{selection}\n",
            args=tuple(signature.args),
            wrt=tuple(signature.wrt),
            aliases=aliases,
        )
        for selection in selections
    ]


def _adjoints_cases(index: int, rule: rules.Rule) -> list[RuleCase]:
    assert rule.samples is not None, f"rule {rule.name} declares no samples"
    found = []
    for entry, form in _adjoint_forms(rule):
        rng = np.random.default_rng(zlib.crc32(f"{index}:{entry_name(entry)}".encode()))
        for k, sample in enumerate(rule.samples(rng)):
            found.extend(_adjoint_cases(index, rule, entry, form, sample, k))
    return found


def generate() -> list[RuleCase]:
    """Every case of every rule, with unique ids (two rules may share a function name)."""
    found: list[RuleCase] = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules.RULES):
        make = _partials_cases if rule.tier == "partials" else _adjoints_cases
        for case in make(index, rule):
            seen[case.id] = seen.get(case.id, 0) + 1
            if seen[case.id] > 1:
                case = dataclasses.replace(case, id=f"{case.id}#{seen[case.id]}")
            found.append(case)
    return found


RULE_CASES = generate()

#: Known library bugs, by test id → reason (strict xfails: a fix shows up as an XPASS failure).
KNOWN_BUGS: dict[str, str] = {}


def _params(cases: list[RuleCase]) -> list[Any]:
    params = []
    for case in cases:
        reason = KNOWN_BUGS.get(case.id)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rule_modules")


def load(case: RuleCase, directory: Path) -> Callable[..., Any]:
    """Write the case's function to a real module file and import it (inspect reads its source)."""
    name = f"tg_rule_{zlib.crc32(case.id.encode()):08x}"
    path = directory / f"{name}.py"
    path.write_text(HEADER + case.source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    for alias, value in case.aliases:
        setattr(module, alias, value)
    return module.f


@pytest.mark.parametrize("case", _params(RULE_CASES))
def test_rule_matches_oracle(case: RuleCase, module_dir: Path):
    f = load(case, module_dir)
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    u = random_like(rng, call(f, case.args))
    grads = tg.vjp(f, wrt=case.wrt)(*case.args, seed=u)
    # a sample may have a zero derivative (np.linalg.norm(x, 0)); test_every_rule_is_exercised
    # requires a nonzero one for each rule
    check_vjp(f, case.args, case.wrt, grads, u, rng=rng, nonzero=False)


def test_generated_cases_are_unique_and_known_bugs_exist():
    ids = [case.id for case in RULE_CASES]
    assert len(set(ids)) == len(ids)
    assert set(KNOWN_BUGS) <= set(ids)


def test_every_rule_is_exercised(module_dir: Path):
    """Each rule has a generated case, and one whose expected gradient is not all zeros (so a
    rule that returned zeros would fail)."""
    assert {rule.tier for rule in rules.RULES} <= {"partials", "adjoints"}
    covered = {case.rule for case in RULE_CASES}
    gaps = {
        i for i, rule in enumerate(rules.RULES) if {f".{m}" for m in rule.methods} & set(KNOWN_GAPS)
    }
    missing = [rule.name for i, rule in enumerate(rules.RULES) if i not in covered | gaps]
    assert not missing, f"rules no generated test exercises: {missing}"
    only_zeros = []
    for index, rule in enumerate(rules.RULES):
        if index in gaps:
            continue
        for case in (c for c in RULE_CASES if c.rule == index):
            f = load(case, module_dir)
            u = random_like(np.random.default_rng(0), call(f, case.args))
            expected = numeric_vjp(f, case.args, case.wrt, u)
            if max(float(np.max(np.abs(e))) for e in expected) > 1e-6:
                break
        else:
            only_zeros.append(rule.name)
    assert not only_zeros, f"rules whose samples all have a zero derivative: {only_zeros}"


#: Entries (a primal or a method) that the rule's own samples cannot exercise, → reason.
KNOWN_GAPS: dict[str, str] = {
    ".values": "its only argument is a dict, which the probes cannot perturb: test_containers.py",
    ".items": "its only argument is a dict, which the probes cannot perturb: test_containers.py",
    ".get": "its receiver is a dict, which the probes cannot write: test_containers.py",
}


def _entries() -> list[Any]:
    params = []
    for index, rule in enumerate(rules.RULES):
        names = [entry_name(p) for p in rule.primals] + [f".{m}" for m in rule.methods]
        for name in dict.fromkeys(names):
            marks = []
            if name in KNOWN_GAPS:
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[name])]
            params.append(pytest.param(index, name, id=f"{rule.name}:{name}", marks=marks))
    return params


@pytest.mark.parametrize(("index", "name"), _entries())
def test_every_primal_and_method_is_exercised(index: int, name: str):
    assert any(case.rule == index and case.entry == name for case in RULE_CASES), (
        f"no sample of rule {rules.RULES[index].name} fits {name}"
    )


# -- regressions: rule bugs found by the tests above (fixed since) -------------------------------


def clip_with_bounds_crossed(a, a_min, a_max):
    return np.clip(a, a_min, a_max)


def where_third_argument(c, a, b):
    return np.where(c > 0, a, b)


def dot_of_vectors(a, b):
    return np.dot(a, b)


def test_clip_with_crossed_bounds_sends_the_adjoint_to_a_max():
    # np.clip(0.0, 1.0, 0.5) is 0.5 = a_max: the derivative is 1 for a_max and 0 for a_min
    assert np.clip(0.0, 1.0, 0.5) == 0.5
    grads = tg.grad(clip_with_bounds_crossed, wrt=(0, 1, 2))(0.0, 1.0, 0.5)
    assert grads == (0.0, 0.0, 1.0)


def test_where_third_argument_gets_its_gradient():
    assert tg.grad(where_third_argument, wrt=(1, 2))(-1.0, 2.0, 3.0) == (0.0, 1.0)


def test_dot_of_vectors():
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    da, db = tg.grad(dot_of_vectors, wrt=(0, 1))(a, b)
    np.testing.assert_array_equal(da, b)
    np.testing.assert_array_equal(db, a)
