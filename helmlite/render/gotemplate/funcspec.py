"""How a template function declares its Go signature, so calls behave as in Go's text/template.

Go converts and checks every argument against the function's parameter types by reflection:
a float64 from values passed to an ``int`` parameter is an error (``wrong type for value;
expected int; got float64``), an untyped number literal converts to the parameter's type, and a
function returning ``(T, error)`` aborts the template when the error is non-nil. Each Python
implementation therefore registers its Go signature with ``@gofunc``; the runtime does the checks.

The Go value model in Python: ``None`` = nil, ``bool``, ``int`` = Go ``int``, ``float`` =
``float64``, ``str`` = ``string``, ``list`` = ``[]interface {}``, ``dict`` (string keys) =
``map[string]interface {}``, ``bytes`` = ``[]byte``, an aware ``datetime`` = ``time.Time``.
Types whose printing or ``typeOf`` differs from these get wrapper classes in the runtime's
value module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "GoType", "ANY", "INT", "INT64", "FLOAT64", "STRING", "BOOL", "LIST", "DICT", "STRINGS", "BYTES", "TIME",
    "FuncSpec", "FuncError", "REGISTRY", "gofunc",
]


# Go types that a value of exactly this Python type has (``gofmt.go_type``), so the interpreter
# accepts such a value for a parameter of the type without asking ``go_type``.
_EXACT_PYTHON_TYPES: dict[str, type] = {
    "string": str, "int": int, "float64": float, "bool": bool, "[]interface {}": list, "map[string]interface {}": dict,
}


@dataclass(frozen=True)
class GoType:
    """A Go parameter type, named as Go prints it in error messages.

    ``accepts_any`` (``interface {}``) and ``python_type`` are derived from the name for the
    interpreter's argument checks, which run for every argument of every call.
    """

    name: str
    accepts_any: bool = field(init=False, compare=False, repr=False)
    python_type: type | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "accepts_any", self.name == "interface {}")
        object.__setattr__(self, "python_type", _EXACT_PYTHON_TYPES.get(self.name))


ANY = GoType("interface {}")
INT = GoType("int")
INT64 = GoType("int64")
FLOAT64 = GoType("float64")
STRING = GoType("string")
BOOL = GoType("bool")
LIST = GoType("[]interface {}")
DICT = GoType("map[string]interface {}")
STRINGS = GoType("[]string")
BYTES = GoType("[]uint8")
TIME = GoType("time.Time")


class FuncError(Exception):
    """Raised by a function to return Go's non-nil ``error``; the message is Go's error text."""


@dataclass(frozen=True)
class FuncSpec:
    name: str
    fn: Callable[..., Any]
    params: tuple[GoType, ...]
    variadic: GoType | None = None
    returns_error: bool = False


REGISTRY: dict[str, FuncSpec] = {}


def gofunc(name: str, *params: GoType, variadic: GoType | None = None,
           returns_error: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as template function ``name`` with Go parameter types ``params``.

    ``variadic`` is the element type of a trailing ``...T`` parameter; ``returns_error``
    marks a ``(T, error)`` signature (the function raises FuncError for the error).
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[name] = FuncSpec(name, fn, tuple(params), variadic, returns_error)
        return fn

    return register
