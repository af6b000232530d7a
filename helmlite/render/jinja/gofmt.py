"""How values print: Go's ``fmt`` rules (``%v``, ``%q``, ``printf``), as Helm templates print them.

Helm charts rely on Go's printing: ``true`` not ``True``, ``map[a:1]``, ``"quoted\\n"`` by
``strconv.Quote``. The one deliberate difference is numbers: helmlite keeps integers as ``int``
(Helm turns every values-file number into ``float64`` and prints ``1e+06``), so an ``int`` prints
as an integer; a real ``float`` prints with Go's ``%v`` rule.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from jinja2 import Undefined

__all__ = ["is_nil", "display", "go_float", "go_str", "go_quote", "go_type", "go_kind", "sprint", "sprintf"]


def is_nil(value: Any) -> bool:
    """True for Go's nil: ``None`` or a Jinja ``Undefined`` (a missing key)."""
    return value is None or isinstance(value, Undefined)


def display(value: Any) -> str:
    """How ``{{ x }}`` and ``~`` print a value: Go's ``%v``, except that nil prints nothing.

    (Helm prints ``<no value>`` for a missing key and then deletes that text from the output.)
    """
    if type(value) is str:
        return value
    if value is None or isinstance(value, Undefined):
        return ""
    return go_str(value)


def go_float(value: float) -> str:
    """Go's ``%v`` of a float64: shortest round-trip digits, exponent form iff exp < -4 or >= 6.

    So ``1000000.0`` prints ``1e+06``, ``100000.5`` prints ``100000.5``, ``2.0`` prints ``2``.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    digit_text = "".join(map(str, digits)).rstrip("0") or "0"
    assert isinstance(exponent, int)  # finite by the checks above
    # Scientific exponent of the first significant digit.
    sci = len(digits) + exponent - 1
    prefix = "-" if sign else ""
    if sci < -4 or sci >= 6:
        mantissa = digit_text[0] + ("." + digit_text[1:] if len(digit_text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if sci < 0 else '+'}{abs(sci):02d}"
    if sci < 0:
        return f"{prefix}0.{'0' * (-sci - 1)}{digit_text}"
    if len(digit_text) <= sci + 1:
        return prefix + digit_text + "0" * (sci + 1 - len(digit_text))
    return f"{prefix}{digit_text[: sci + 1]}.{digit_text[sci + 1 :]}"


def _go_time(value: _dt.datetime) -> str:
    """``time.Time.String()``: ``2006-01-02 15:04:05.999999999 -0700 MST``."""
    if value.tzinfo is None:
        value = value.astimezone()
    frac = f".{value.microsecond:06d}".rstrip("0") if value.microsecond else ""
    offset = value.strftime("%z")
    zone = value.tzname() or offset
    return f"{value:%Y-%m-%d %H:%M:%S}{frac} {offset} {zone}"


def go_str(value: Any) -> str:
    """Sprig's ``strval`` / Go's ``%v``: how ``toString``, ``printf "%v"`` and ``{{ x }}`` print.

    Strings are unchanged, nil is ``<nil>``, booleans ``true``/``false``, maps ``map[k:v …]``
    (keys sorted), lists ``[a b]``, bytes are decoded as UTF-8.
    """
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, Undefined):
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, _dt.datetime):
        return _go_time(value)
    if isinstance(value, Mapping):
        items = sorted(((str(k), v) for k, v in value.items()), key=lambda kv: kv[0])
        return "map[" + " ".join(f"{k}:{go_str(v)}" for k, v in items) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_str(v) for v in value) + "]"
    return str(value)


_NAMED_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """``strconv.Quote``: double quotes, Go escapes, printable Unicode kept as is."""
    out = ['"']
    for ch in text:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            if code < 0x80:
                out.append(f"\\x{code:02x}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def go_type(value: Any) -> str:
    """Go's ``%T`` name for a template value (``typeOf``)."""
    if value is None or isinstance(value, Undefined):
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, _dt.datetime):
        return "time.Time"
    return type(value).__name__


def go_kind(value: Any) -> str:
    """Go's ``reflect.Kind`` name (``kindOf``): map, slice, string, bool, int, float64, invalid."""
    if value is None or isinstance(value, Undefined):
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, (list, tuple, bytes, bytearray)):
        return "slice"
    return "struct"


def sprint(args: Sequence[Any]) -> str:
    """``fmt.Sprint``: a space between two operands only when neither is a string."""
    out: list[str] = []
    previous_is_string = True
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not previous_is_string:
            out.append(" ")
        out.append(go_str(arg))
        previous_is_string = is_string
    return "".join(out)


# %[flags][width][.precision]verb; '*' widths are rare in charts and not supported.
_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])")

# Bounds the width/precision a template may ask for, so ``printf "%999999999s"`` cannot
# allocate gigabytes (see SandboxedEnvironment limits in environment.py).
MAX_FORMAT_WIDTH = 10_000


def _bad(verb: str, value: Any) -> str:
    return f"%!{verb}({go_type(value)}={go_str(value)})"


def _pad(text: str, flags: str, width: int | None, numeric: bool) -> str:
    if width is None or len(text) >= width:
        return text
    if "-" in flags:
        return text.ljust(width)
    if "0" in flags and numeric:
        sign = text[0] if text[:1] in "+-" else ""
        return sign + text[len(sign) :].rjust(width - len(sign), "0")
    return text.rjust(width)


def _format_one(verb: str, flags: str, width: int | None, precision: int | None, value: Any) -> str:
    numeric = False
    if verb == "v":
        text = go_str(value)
    elif verb == "s":
        text = go_str(value)
        if precision is not None:
            text = text[:precision]
    elif verb == "q":
        if isinstance(value, int) and not isinstance(value, bool):
            text = "'" + chr(value) + "'"
        else:
            text = go_quote(go_str(value))
    elif verb == "t":
        text = go_str(value) if isinstance(value, bool) else _bad(verb, value)
    elif verb in "dboxXc":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (str, bytes)) and verb in "xX":
            data = value.encode() if isinstance(value, str) else value
            text = data.hex() if verb == "x" else data.hex().upper()
        elif not isinstance(value, int) or isinstance(value, bool):
            return _bad(verb, value)
        elif verb == "c":
            text = chr(value)
        else:
            numeric = True
            spec = {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[verb]
            text = format(abs(value), spec)
            if value < 0:
                text = "-" + text
            elif "+" in flags:
                text = "+" + text
            elif " " in flags:
                text = " " + text
    elif verb in "feEgG":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _bad(verb, value)
        numeric = True
        number = float(value)
        if verb in "gG" and precision is None:
            text = go_float(number)
        else:
            text = format(number, f".{6 if precision is None else precision}{verb}")
        if "+" in flags and number >= 0:
            text = "+" + text
    elif verb == "T":
        text = go_type(value)
    else:
        return f"%!{verb}({go_type(value)}={go_str(value)})"
    return _pad(text, flags, width, numeric)


def sprintf(fmt: str, args: Sequence[Any]) -> str:
    """``fmt.Sprintf`` for the verbs charts use: ``%s %d %v %q %f %e %g %t %x %X %o %b %c %T %%``.

    Missing operands print ``%!s(MISSING)``, extra ones ``%!(EXTRA type=value)``, a verb that
    does not fit its operand ``%!d(string=x)`` — Go's in-band error forms. An integral float
    accepts ``%d`` (Helm's values are floats; printing them as integers is what users mean).
    """
    out: list[str] = []
    pos = 0
    arg_index = 0
    for match in _VERB.finditer(fmt):
        out.append(fmt[pos : match.start()])
        pos = match.end()
        flags, width_text, precision_text, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        width = min(int(width_text), MAX_FORMAT_WIDTH) if width_text else None
        precision = None
        if precision_text is not None:
            precision = min(int(precision_text or "0"), MAX_FORMAT_WIDTH)
        if arg_index >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_format_one(verb, flags, width, precision, args[arg_index]))
        arg_index += 1
    out.append(fmt[pos:])
    if arg_index < len(args):
        extra = ", ".join(f"{go_type(a)}={go_str(a)}" for a in args[arg_index:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


# Go reference-time layout elements, longest alternatives first (time.nextStdChunk's order).
_LAYOUT = re.compile(
    r"January|Jan|Monday|Mon|MST|002|0[1-6]|15|1|2006|2|__2|_2|3|4|5|PM|pm"
    r"|[-Z](?:070000|07:00:00|0700|07:00|07)|[.,](?:0+|9+)(?!\d)"
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _zone(token: str, value: _dt.datetime) -> str:
    offset = value.utcoffset() or _dt.timedelta(0)
    seconds = int(offset.total_seconds())
    if token[0] == "Z" and seconds == 0:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hh, mm, ss = seconds // 3600, seconds // 60 % 60, seconds % 60
    body = token[1:]
    if body == "07":
        return f"{sign}{hh:02d}"
    if body == "0700":
        return f"{sign}{hh:02d}{mm:02d}"
    if body == "07:00":
        return f"{sign}{hh:02d}:{mm:02d}"
    if body == "070000":
        return f"{sign}{hh:02d}{mm:02d}{ss:02d}"
    return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}"


def _layout_element(token: str, value: _dt.datetime) -> str:
    hour12 = value.hour % 12 or 12
    simple = {
        "January": _MONTHS[value.month - 1],
        "Jan": _MONTHS[value.month - 1][:3],
        "Monday": _DAYS[value.weekday()],
        "Mon": _DAYS[value.weekday()][:3],
        "MST": value.tzname() or _zone("-0700", value),
        "002": f"{value.timetuple().tm_yday:03d}",
        "__2": f"{value.timetuple().tm_yday:3d}",
        "01": f"{value.month:02d}",
        "02": f"{value.day:02d}",
        "03": f"{hour12:02d}",
        "04": f"{value.minute:02d}",
        "05": f"{value.second:02d}",
        "06": f"{value.year % 100:02d}",
        "15": f"{value.hour:02d}",
        "1": str(value.month),
        "2006": f"{value.year:04d}",
        "2": str(value.day),
        "_2": f"{value.day:2d}",
        "3": str(hour12),
        "4": str(value.minute),
        "5": str(value.second),
        "PM": "PM" if value.hour >= 12 else "AM",
        "pm": "pm" if value.hour >= 12 else "am",
    }
    if token in simple:
        return simple[token]
    if token[0] in "-Z":
        return _zone(token, value)
    # Fractional seconds: ".000" fixed width, ".999" with trailing zeros (and the dot) dropped.
    digits = f"{value.microsecond:06d}000"[: len(token) - 1]
    if token[1] == "9":
        digits = digits.rstrip("0")
        return token[0] + digits if digits else ""
    return token[0] + digits


def go_time_format(layout: str, value: _dt.datetime) -> str:
    """``time.Time.Format(layout)`` with Go's reference-time layout (``2006-01-02T15:04:05Z07:00``)."""
    return _LAYOUT.sub(lambda m: _layout_element(m.group(0), value), layout)
