"""The errors tangentish raises on purpose.

Every error a user can provoke is a `TangentishError`; the message names the user's file, line and
construct where there is one. `InternalError` means tangentish broke one of its own invariants.
"""

from __future__ import annotations


class TangentishError(Exception):
    """Base of every error the library raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        filename: str | None = None,
        lineno: int | None = None,
        col: int | None = None,
        construct: str | None = None,
    ) -> None:
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.construct = construct
        where = ""
        if filename is not None and lineno is not None:
            where = f"{filename}, line {lineno}"
            if col is not None:
                where += f", column {col + 1}"
            where += ": "
        super().__init__(where + message)


class UnsupportedSyntaxError(TangentishError):
    """The function uses syntax tangentish cannot differentiate (yet)."""


class SourceUnavailableError(TangentishError):
    """The function has no Python source to read: a builtin, a C extension, or code made by exec."""


class NonDifferentiableError(TangentishError):
    """The derivative asked for does not exist (an integer, boolean or complex variable, say)."""


class MissingRuleError(TangentishError):
    """A function on the differentiated path has no derivative rule for the mode asked for."""


class WrtError(TangentishError):
    """`wrt` names an argument the function does not have, or names one twice."""


class ShapeMismatchError(TangentishError):
    """A seed or an adjoint does not have the shape of the value it belongs to."""


class InternalError(TangentishError):
    """A broken invariant inside tangentish: please report it with the function that caused it."""

    def __init__(self, message: str, **where: object) -> None:
        super().__init__(
            f"{message} (this is a bug in tangentish: please report it, with the function "
            "being differentiated)",
            **where,  # type: ignore[arg-type]
        )
