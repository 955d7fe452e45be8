"""The derivative rule tables, in three tiers (DESIGN.md §5).

1. `partials`: elementwise rules, one partial derivative per input as an expression of the inputs
   and the output `y`. Reverse mode multiplies them by the output's adjoint, forward mode by the
   inputs' tangents: both modes come from one entry, so they cannot drift apart.
2. `adjoints`: structural rules (`sum`, `dot`, `reshape`, indexing, ...): one adjoint expression per
   differentiable input, of the inputs, the output `y` and its adjoint `g`.
3. `zero`: functions whose derivative is zero everywhere it exists (`floor`, `sign`, `len`, ...).

Each entry names the sample inputs it accepts (`Domain`s for elementwise rules, a generator of
argument tuples for structural ones), so the tests check every rule on the shapes it declares.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Optional

import gast
import numpy as np

from ..templates import Binder, Template, template_of


class Domain(Enum):
    """Where an elementwise rule's input may be sampled: the rule's derivative exists there."""

    REAL = (-2.0, 2.0)
    POSITIVE = (0.2, 3.0)
    UNIT = (-0.9, 0.9)
    ABOVE_ONE = (1.1, 3.0)
    NONZERO = (0.5, 2.0)  # sampled with random signs

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
        low, high = self.value
        value = rng.uniform(low, high, size=shape)
        if self is Domain.NONZERO:
            value = value * rng.choice([-1.0, 1.0], size=shape)
        return float(value) if shape == () else value


#: Picks the rule for a call whose parameter `name` is the literal number `value` (None: the
#: general rule): a case decided when compiling costs nothing when the derivative runs.
LiteralChoice = Callable[[str, Any], Optional[Callable[..., Any]]]


@dataclass(frozen=True)
class ByLiteral(Template):
    """A rule's template that hands a call with a literal number operand to the rule `choose`
    picks for it: `x ** 2` gets `2 * x ** (2 - 1)`, with no run-time test for a zero exponent."""

    choose: LiteralChoice = lambda name, value: None

    def expand(
        self, args: dict[str, gast.expr], binder: Binder, only: set[int] | None = None
    ) -> tuple[gast.expr | None, ...]:
        for name in self.params:
            node = args.get(name)
            if isinstance(node, gast.Constant) and type(node.value) in (int, float):
                rule = self.choose(name, node.value)
                if rule is not None:
                    return template_of(rule).expand(args, binder, only)
        return super().expand(args, binder, only)


@functools.cache
def _by_literal(function: Callable[..., Any], choose: LiteralChoice) -> ByLiteral:
    template = template_of(function)
    fields = {f.name: getattr(template, f.name) for f in dataclasses.fields(template)}
    return ByLiteral(**fields, choose=choose)


#: Builds sample argument lists for a structural rule: rng → [(args, kwargs), ...].
Samples = Callable[[np.random.Generator], list[tuple[tuple[Any, ...], dict[str, Any]]]]


@dataclass(frozen=True)
class Rule:
    """One table entry: the primal functions it covers and the template that differentiates them."""

    tier: str  # "partials" or "adjoints"
    function: Callable[..., Any]
    primals: tuple[Any, ...]
    domains: tuple[Domain, ...] = ()
    samples: Samples | None = None
    methods: tuple[str, ...] = field(default=())
    built: Template | None = None  # a user's rule: its template, made rather than parsed
    tangent: Template | None = None  # a user's forward-mode rule: `y_dot` as one expression
    literal: LiteralChoice | None = None  # the rule for a call with a literal operand (`x ** 2`)

    @property
    def template(self) -> Template:
        if self.literal is not None:
            return _by_literal(self.function, self.literal)
        return self.built or template_of(self.function)

    @property
    def linearity(self) -> str:
        """How forward mode differentiates the primal: "linear" (jointly linear in its
        differentiable inputs: apply it to their tangents), "multilinear" (linear in each one:
        the product rule), or "" (use the reverse rule, one sweep per output element)."""
        return _LINEARITY.get(self.function, "")

    @property
    def name(self) -> str:
        return " / ".join(describe(p) for p in self.primals) or ".".join(self.methods)


_BY_PRIMAL: dict[Any, list[Rule]] = {}
_LINEARITY: dict[Callable[..., Any], str] = {}
_BY_METHOD: dict[str, Rule] = {}
_ZERO: dict[Any, str] = {}
_ZERO_METHODS: set[str] = set()
RULES: list[Rule] = []


def describe(obj: Any) -> str:
    """A short, stable name for a primal function: `numpy.sin`, `math.sin`, `operator.mul`."""
    module = getattr(obj, "__module__", None) or ("numpy" if isinstance(obj, np.ufunc) else "")
    module = "numpy" if module.startswith("numpy") else module
    name = getattr(obj, "__name__", repr(obj))
    return f"{module}.{name}" if module and module != "builtins" else name


def _register(rule: Rule, first: bool = False) -> None:
    """Add `rule` to the tables; `first`: a user's rule, looked up before tangentish's own (and
    not listed in `RULES`, tangentish's tables)."""
    if not first:
        RULES.append(rule)
    for primal in rule.primals:
        found = _BY_PRIMAL.setdefault(primal, [])
        found.insert(0, rule) if first else found.append(rule)
    for method in rule.methods:
        _BY_METHOD[method] = rule


def partials(
    *primals: Any, domains: tuple[Domain, ...] = (), literal: LiteralChoice | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an elementwise rule: the decorated function returns one partial per input.
    `literal` picks another rule for calls with a literal operand (see `LiteralChoice`)."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        arity = len(template_of(function).params)
        domains_ = domains or (Domain.REAL,) * arity
        _register(Rule("partials", function, primals, domains=domains_, literal=literal))
        return function

    return register


def adjoints(
    *primals: Any, samples: Samples, methods: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a structural rule: the decorated function returns one adjoint per input."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        template_of(function)  # parse now: a malformed rule fails at import, not at use
        _register(Rule("adjoints", function, primals, samples=samples, methods=methods))
        return function

    return register


def linear(*functions: Callable[..., Any]) -> None:
    """Mark structural rules whose primal is linear in its differentiable inputs, jointly (a sum,
    a reshape, indexing): forward mode applies the primal to the tangents."""
    _LINEARITY.update(dict.fromkeys(functions, "linear"))


def multilinear(*functions: Callable[..., Any]) -> None:
    """Mark structural rules whose primal is linear in each input separately (`dot`, `matmul`):
    forward mode uses the product rule."""
    _LINEARITY.update(dict.fromkeys(functions, "multilinear"))


def zero(*primals: Any, methods: tuple[str, ...] = (), why: str = "piecewise constant") -> None:
    """Register functions whose outputs carry no derivative (integer-valued, boolean, shapes)."""
    for primal in primals:
        _ZERO[primal] = why
    _ZERO_METHODS.update(methods)


def numpy_semantics(primal: Any) -> bool:
    """True for NumPy's and SciPy's functions: their partials compute with NumPy even on Python
    floats, so a derivative gives inf or nan (with NumPy's warning) where the function the user
    called does, where `math` and float division would raise."""
    module = getattr(primal, "__module__", None) or ""
    return isinstance(primal, np.ufunc) or module.split(".")[0] in ("numpy", "scipy")


def lookup(primal: Any, nargs: int) -> Rule | None:
    """The rule for calling `primal` with `nargs` positional operands, if one is registered."""
    try:
        candidates = _BY_PRIMAL.get(primal, ())
    except TypeError:  # unhashable objects have no rules
        return None
    for rule in candidates:
        template = rule.template
        required = len([p for p in template.params if p not in template.defaults])
        if required <= nargs and (nargs <= len(template.params) or template.varargs):
            return rule
    return None


def lookup_method(name: str) -> Rule | None:
    """The rule for the array method or attribute `name` (`x.sum(...)`, `x.T`)."""
    return _BY_METHOD.get(name)


def is_zero(primal: Any) -> bool:
    """True when `primal`'s output never carries a derivative."""
    try:
        return primal in _ZERO
    except TypeError:
        return False


def is_zero_method(name: str) -> bool:
    return name in _ZERO_METHODS


def load() -> None:
    """Import every rule module (they register themselves); SciPy's when SciPy is installed."""
    from . import builtins  # noqa: F401
    from .numpy import (  # noqa: F401
        adjoint_rules,
        elementwise,
        linalg,
        reductions,
        selection,
        shape,
        structural,
    )

    try:  # SciPy is optional: its rules load when it is installed
        import scipy  # noqa: F401
    except ImportError:
        return
    from .scipy import linalg as scipy_linalg  # noqa: F401
    from .scipy import multivariate, special, stats  # noqa: F401


def table() -> str:
    """Every rule and its modes, as a Markdown table (the docs' rules page is made from it)."""
    load()
    forward = {
        "partials": "partials",
        "linear": "applies the function to the tangents",
        "multilinear": "product rule",
        "": "through the reverse rule, one sweep per output entry",
    }
    rows = ["| function | reverse mode | forward mode |", "|---|---|---|"]
    for rule in RULES:
        names = list(
            dict.fromkeys(describe(p).replace("_operator.", "operator.") for p in rule.primals)
        )
        names += [f"array `.{m}`" for m in rule.methods]
        how = "partials" if rule.tier == "partials" else "adjoint rule"
        mode = forward["partials"] if rule.tier == "partials" else forward[rule.linearity]
        rows.append(
            f"| {', '.join(f'`{n}`' if '`' not in n else n for n in names)} | {how} | {mode} |"
        )
    zeros = sorted({describe(p) for p in _ZERO} | {f".{m}" for m in _ZERO_METHODS})
    rows += ["", f"Zero derivative ({len(zeros)}): " + ", ".join(f"`{z}`" for z in zeros) + "."]
    return "\n".join(rows)
