"""How santhosh-tekuri/jsonschema prints values in its messages (what Helm shows for a schema error).

Its messages go through golang.org/x/text's printer, so integers get thousands separators
(``minLength: got 12,345``) and floats the shortest digits with a superscript exponent
(``1.5×10⁰⁶``); strings are Go's ``%q`` turned into single quotes (``'it\\'s'``). ``enum`` and
``const`` numbers print as the schema file spells them (``1.50``, ``1E3``): the driver parses
schema files with ``JsonFloat``/``json_int``, which keep that spelling.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from typing import Any, Self

from helmlite.gofmt import go_quote

__all__ = [
    "JsonFloat",
    "display",
    "go_int",
    "go_number",
    "json_int",
    "quote",
    "quoted_list",
]


class JsonFloat(float):
    """A number written with a fraction or exponent in a schema file, with its spelling.

    Helm prints ``enum`` and ``const`` numbers as the schema writes them (``1.50``, ``1E3``).
    """

    literal: str

    def __new__(cls, literal: str) -> Self:
        number = super().__new__(cls, literal)
        number.literal = literal
        return number


def json_int(literal: str) -> int | float:
    """An integer of a schema file; ``-0`` keeps its sign for the messages that print it.

    An integer too long for Python's ``int()`` (more than ``sys.get_int_max_str_digits()``
    digits, a guard against quadratic conversions) becomes a ``JsonFloat``: ±inf, so it
    compares and prints (``∞``) as Go's ``big.Rat.Float64()`` does for minimum and the like,
    and it keeps its spelling for ``enum``/``const``, which Helm prints as written.
    """
    limit = sys.get_int_max_str_digits()  # 0: no limit
    if literal == "-0" or 0 < limit < len(literal.lstrip("-")):
        return JsonFloat(literal)
    return int(literal)


def quote(text: str) -> str:
    """santhosh-tekuri's ``quote``: Go's ``%q`` turned into single quotes (``'it\\'s'``).

    Like the original, it unescapes ``\\"`` in the quoted text *with* its closing quote, so a
    string ending in a backslash loses one (``a\\`` prints as ``'a\\'``, not ``'a\\\\'``).
    """
    quoted = go_quote(text).replace('\\"', '"').replace("'", "\\'")
    return f"'{quoted[1:-1]}'"


def quoted_list(names: Iterable[str]) -> str:
    """``names`` quoted and joined by ``, `` (santhosh-tekuri's ``joinQuoted``)."""
    return ", ".join(quote(name) for name in names)


def go_int(number: int) -> str:
    """An integer as Helm's message printer writes it: thousands separated by commas."""
    return f"{number:,}"


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _shortest_digits(number: float) -> tuple[str, int]:
    """The shortest digits that identify ``number`` (> 0) and the exponent of the first one."""
    mantissa, _, exponent = f"{number!r}".partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    return digits.rstrip("0") or "0", point - 1


def go_number(number: float) -> str:
    """A number as Helm prints minimum/maximum/multipleOf (Go ``%v`` through golang.org/x/text):
    shortest digits, thousands separators, and ``1.5×10⁰⁶`` from 10⁶ on and below 10⁻⁴."""
    try:
        value = float(number)
    except OverflowError:
        # An integer beyond float64 (schema files keep integers exact): Go's big.Rat.Float64()
        # gives ±Inf for it, which the printer writes ∞. (copysign would convert it again.)
        value = math.inf if number > 0 else -math.inf
    if math.isinf(value) or math.isnan(value):
        return {math.inf: "∞", -math.inf: "-∞"}.get(value, "NaN")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}×10{_superscript(exponent)}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole, fraction = (
        digits[: exponent + 1].ljust(exponent + 1, "0"),
        digits[exponent + 1 :],
    )
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def _superscript(exponent: int) -> str:
    """Go's exponent (at least two digits, a sign only when negative) in superscript digits."""
    return (("-" if exponent < 0 else "") + f"{abs(exponent):02d}").translate(
        _SUPERSCRIPTS
    )


def display(value: Any) -> str:
    """A value of an ``enum``/``const``/``format`` message, as santhosh-tekuri's ``display``."""
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, JsonFloat):
        return value.literal
    if isinstance(value, (list, dict)):
        return "value"
    # Every other number of a schema file is an int (``json_int``), which Go's ``%v`` prints as
    # Python does (the driver refuses NaN and Infinity, as Go's JSON reader does).
    return str(value)
