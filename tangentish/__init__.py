"""tangentish: source-transformation automatic differentiation for Python and NumPy.

`grad(f)` reads `f`'s source, lowers it to a Wengert list, and generates a plain Python function
that replays the forward pass and runs the adjoint sweep; `source(df)` shows that code, and
`explain(f, *args)` every step of both passes with its value.
"""

from .api import grad, jvp, source, value_and_grad, vjp
from .errors import (
    InternalError,
    MissingRuleError,
    NonDifferentiableError,
    ShapeMismatchError,
    SourceUnavailableError,
    TangentishError,
    UnsupportedSyntaxError,
    WrtError,
)
from .explain import explain
from .gradcheck import check_grads
from .jacobians import hessian, jacobian
from .rules.user import RuleError, adjoint, register_partials, tangent

__version__ = "0.1.0"

__all__ = [
    "InternalError",
    "MissingRuleError",
    "NonDifferentiableError",
    "ShapeMismatchError",
    "SourceUnavailableError",
    "TangentishError",
    "UnsupportedSyntaxError",
    "WrtError",
    "check_grads",
    "explain",
    "RuleError",
    "adjoint",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "register_partials",
    "source",
    "tangent",
    "value_and_grad",
    "vjp",
]
