"""Sprig's math, float math and conversion functions (numeric.go, functions.go; v3.3.0).

Conversions are spf13/cast v1.7.0: a string converts with Go's ``strconv`` syntax (base
prefixes ``0x``/``0o``/``0b``, a leading ``0`` meaning octal, ``_`` between digits) after a
trailing ``.000`` is dropped, and anything unconvertible gives 0. The integer arithmetic works
on ``int64`` and returns it (typeOf ``int64``), truncating floats first (``add 1 2.9`` is 3)
and wrapping on overflow. The ``…f`` functions compute with shopspring/decimal, so ``addf 1.1
2.2`` is exactly 3.3; ``divf`` rounds quotients to 16 decimal places.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from helmlite.gofmt import fmt_value, is_nil
from helmlite.render.gotemplate.funcs.gotypes import Int64, IntList, Uint64
from helmlite.render.gotemplate.funcspec import ANY, FLOAT64, INT, STRING, FuncError, gofunc

__all__ = ["to_int64", "to_float64", "parse_go_int", "wrap_int64"]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_DECIMAL_FLOAT = re.compile(r"[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9_]+")
# shopspring/decimal works exactly; this context never rounds a Sprig-sized operand.
_EXACT = Context(prec=2000, Emin=-10**6, Emax=10**6)
_DIVISION_PLACES = Decimal("1e-16")
# The integer types cast's type switch names; a named type such as time.Duration is not one.
_CAST_INTEGERS = (int, Int64, Uint64)


def wrap_int64(value: int) -> int:
    """Two's-complement wrap-around of Go's int64 arithmetic."""
    return (value - _INT64_MIN) % 2**64 + _INT64_MIN


def _underscore_ok(s: str) -> bool:
    """strconv's rule: ``_`` only between digits, or between a base prefix and a digit."""
    saw = "^"
    if s[:1] in ("+", "-"):
        s = s[1:]
    i = 0
    hex_digits = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i, saw, hex_digits = 2, "0", s[1] in "xX"
    for ch in s[i:]:
        if ch.isascii() and (ch.isdigit() or (hex_digits and ch in "abcdefABCDEF")):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def parse_go_int(text: str, base: int = 0) -> int | None:
    """``strconv.ParseInt(text, base, 64)``; None where Go returns an error."""
    s = text
    negative = s[:1] == "-"
    if s[:1] in ("+", "-"):
        s = s[1:]
    if not s:
        return None
    digits = s
    if base == 0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1] in "bB":
                base, digits = 2, s[2:]
            elif len(s) >= 3 and s[1] in "oO":
                base, digits = 8, s[2:]
            elif len(s) >= 3 and s[1] in "xX":
                base, digits = 16, s[2:]
            else:
                base, digits = 8, s[1:]
        if "_" in digits:
            if not _underscore_ok(text):
                return None
            digits = digits.replace("_", "")
    if not all(ch in _DIGITS[base] for ch in digits):
        return None
    value = int(digits, base) if digits else 0
    value = -value if negative else value
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def parse_go_float(text: str) -> float | None:
    """``strconv.ParseFloat(text, 64)``; None where Go returns an error (syntax or range)."""
    lowered = text.lower()
    if lowered in ("inf", "+inf", "infinity", "+infinity"):
        return math.inf
    if lowered in ("-inf", "-infinity"):
        return -math.inf
    if lowered == "nan":
        return math.nan
    if _DECIMAL_FLOAT.fullmatch(text):
        if "_" in text and not _underscore_ok(text):
            return None
        mantissa = re.split("[eE]", text.lstrip("+-"))[0]
        if not any(ch.isdigit() for ch in mantissa):
            return None
        value = float(text.replace("_", ""))
    elif _HEX_FLOAT.fullmatch(text):
        if "_" in text and not _underscore_ok(text):
            return None
        value = float.fromhex(text.replace("_", ""))
    else:
        return None
    return None if math.isinf(value) else value


def _trim_zero_decimal(s: str) -> str:
    """cast's ``trimZeroDecimal``: ``"12.000"`` becomes ``"12"``, ``"12.50"`` stays."""
    found_zero = False
    for i in range(len(s), 0, -1):
        ch = s[i - 1]
        if ch == ".":
            if found_zero:
                return s[:i - 1]
        elif ch == "0":
            found_zero = True
        else:
            return s
    return s


def _float_to_int64(value: float) -> int:
    # Go's conversion of a NaN or out-of-range float64 gives the "integer indefinite" on amd64.
    if math.isnan(value) or not -(2.0**63) <= value < 2.0**63:
        return _INT64_MIN
    return int(value)


def to_int64(value: Any) -> int:
    """``cast.ToInt64``: 0 for anything it cannot convert (a ``time.Duration`` too)."""
    if is_nil(value) or value is False:
        return 0
    if value is True:
        return 1
    if type(value) in _CAST_INTEGERS:
        return int(value)
    if isinstance(value, float):
        return _float_to_int64(value)
    if isinstance(value, str):
        return parse_go_int(_trim_zero_decimal(value)) or 0
    return 0


def to_float64(value: Any) -> float:
    """``cast.ToFloat64``: 0 for anything it cannot convert."""
    if is_nil(value) or value is False:
        return 0.0
    if value is True:
        return 1.0
    if type(value) in _CAST_INTEGERS or isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        parsed = parse_go_float(value)
        return 0.0 if parsed is None else parsed
    return 0.0


@gofunc("int64", ANY)
def int64(value: Any) -> int:
    return Int64(to_int64(value))


@gofunc("int", ANY)
def to_int(value: Any) -> int:
    return to_int64(value)


gofunc("float64", ANY)(to_float64)


@gofunc("atoi", STRING)
def atoi(text: str) -> int:
    return parse_go_int(text, 10) or 0


@gofunc("toDecimal", ANY)
def to_decimal(value: Any) -> int:
    """Reads the value's printed form as an octal number (``toDecimal "0777"`` is 511)."""
    return Int64(parse_go_int(fmt_value(value), 8) or 0)


def until_step(start: int, stop: int, step: int) -> list[int]:
    if stop < start:
        return IntList(range(start, stop, step)) if step < 0 else IntList()
    return IntList(range(start, stop, step)) if step > 0 else IntList()


gofunc("untilStep", INT, INT, INT)(until_step)


@gofunc("until", INT)
def until(count: int) -> list[int]:
    return until_step(0, count, -1 if count < 0 else 1)


@gofunc("seq", variadic=INT)
def seq(*params: int) -> str:
    """GNU seq: ``seq 3`` is "1 2 3", ``seq 2 5``, ``seq 0 2 10`` (start, step, end)."""
    if len(params) == 1:
        end = params[0]
        increment = -1 if end < 1 else 1
        numbers = until_step(1, end + increment, increment)
    elif len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
        numbers = until_step(start, end + step, step)
    elif len(params) == 3:
        start, step, end = params
        increment = 1
        if end < start:
            increment = -1
            if step > 0:
                return ""
        numbers = until_step(start, end + increment, step)
    else:
        return ""
    return " ".join(str(n) for n in numbers)


@gofunc("add1", ANY)
def add1(value: Any) -> int:
    return Int64(wrap_int64(to_int64(value) + 1))


@gofunc("add", variadic=ANY)
def add(*values: Any) -> int:
    return Int64(wrap_int64(sum(to_int64(v) for v in values)))


@gofunc("sub", ANY, ANY)
def sub(a: Any, b: Any) -> int:
    return Int64(wrap_int64(to_int64(a) - to_int64(b)))


def _go_divmod(a: int, b: int) -> tuple[int, int]:
    """Go's truncated division and remainder (Python's // and % floor instead)."""
    if b == 0:
        raise FuncError("runtime error: integer divide by zero")
    quotient = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        quotient = -quotient
    return wrap_int64(quotient), a - b * quotient


@gofunc("div", ANY, ANY)
def div(a: Any, b: Any) -> int:
    return Int64(_go_divmod(to_int64(a), to_int64(b))[0])


@gofunc("mod", ANY, ANY)
def mod(a: Any, b: Any) -> int:
    return Int64(_go_divmod(to_int64(a), to_int64(b))[1])


@gofunc("mul", ANY, variadic=ANY)
def mul(a: Any, *values: Any) -> int:
    product = to_int64(a)
    for v in values:
        product = wrap_int64(product * to_int64(v))
    return Int64(product)


@gofunc("randInt", INT, INT)
def rand_int(low: int, high: int) -> int:
    if high - low <= 0:
        raise FuncError("invalid argument to Intn")
    import random  # here: every render registers randInt, few charts call it

    return random.randrange(high - low) + low


def _max(a: Any, *values: Any) -> int:
    return Int64(max([to_int64(a), *(to_int64(v) for v in values)]))


def _min(a: Any, *values: Any) -> int:
    return Int64(min([to_int64(a), *(to_int64(v) for v in values)]))


gofunc("max", ANY, variadic=ANY)(_max)
gofunc("biggest", ANY, variadic=ANY)(_max)
gofunc("min", ANY, variadic=ANY)(_min)


def _go_max(a: float, b: float) -> float:
    """``math.Max``: NaN wins, and +0 beats -0."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == b == 0:
        return a if math.copysign(1, a) > 0 else b
    return a if a > b else b


def _go_min(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == b == 0:
        return a if math.copysign(1, a) < 0 else b
    return a if a < b else b


@gofunc("maxf", ANY, variadic=ANY)
def maxf(a: Any, *values: Any) -> float:
    result = to_float64(a)
    for v in values:
        result = _go_max(result, to_float64(v))
    return result


@gofunc("minf", ANY, variadic=ANY)
def minf(a: Any, *values: Any) -> float:
    result = to_float64(a)
    for v in values:
        result = _go_min(result, to_float64(v))
    return result


def _go_floor(number: float) -> float:
    """``math.Floor``: a float, keeping NaN, the infinities and the sign of zero."""
    if not math.isfinite(number):
        return number
    return math.copysign(float(math.floor(number)), number)


def _go_ceil(number: float) -> float:
    if not math.isfinite(number):
        return number
    return math.copysign(float(math.ceil(number)), number)


@gofunc("ceil", ANY)
def ceil(value: Any) -> float:
    return _go_ceil(to_float64(value))


@gofunc("floor", ANY)
def floor(value: Any) -> float:
    return _go_floor(to_float64(value))


@gofunc("round", ANY, INT, variadic=FLOAT64)
def round_(value: Any, places: int, *round_on: float) -> float:
    """Rounds half up at ``places`` decimals; the optional third argument moves the threshold."""
    threshold = round_on[0] if round_on else 0.5
    pow10 = math.pow(10, float(places))
    digit = pow10 * to_float64(value)
    fraction = math.modf(digit)[0]
    rounded = _go_ceil(digit) if fraction >= threshold else _go_floor(digit)
    return rounded / pow10


def _decimal(value: Any) -> Decimal:
    number = to_float64(value)
    if math.isnan(number):
        raise FuncError("Cannot create a Decimal from NaN")
    if math.isinf(number):
        raise FuncError(f"Cannot create a Decimal from {'+Inf' if number > 0 else '-Inf'}")
    # decimal.NewFromFloat keeps the shortest digits that round-trip, as repr() does.
    return Decimal(repr(number))


def _decimal_div(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise FuncError("decimal division by 0")
    return _EXACT.divide(a, b).quantize(_DIVISION_PLACES, rounding=ROUND_HALF_UP, context=_EXACT)


def _decimal_fold(first: Any, rest: tuple[Any, ...], op: str) -> float:
    result = _decimal(first)
    for v in rest:
        operand = _decimal(v)
        if op == "+":
            result = _EXACT.add(result, operand)
        elif op == "-":
            result = _EXACT.subtract(result, operand)
        elif op == "*":
            result = _EXACT.multiply(result, operand)
        else:
            result = _decimal_div(result, operand)
    return float(result)


@gofunc("add1f", ANY)
def add1f(value: Any) -> float:
    return _decimal_fold(value, (1,), "+")


@gofunc("addf", variadic=ANY)
def addf(*values: Any) -> float:
    return _decimal_fold(0.0, values, "+")


@gofunc("subf", ANY, variadic=ANY)
def subf(a: Any, *values: Any) -> float:
    return _decimal_fold(a, values, "-")


@gofunc("mulf", ANY, variadic=ANY)
def mulf(a: Any, *values: Any) -> float:
    return _decimal_fold(a, values, "*")


@gofunc("divf", ANY, variadic=ANY)
def divf(a: Any, *values: Any) -> float:
    return _decimal_fold(a, values, "/")
