"""How values print: Go's ``fmt`` and ``strconv`` rules (``%v``, ``%q``, ``printf``).

Helm charts rely on Go's printing: ``true`` not ``True``, ``map[a:1]``, ``"quoted\\n"`` by
``strconv.Quote``, ``%!d(float64=80)`` for a verb that does not fit its operand. The gotemplate
dialect uses these functions exactly; the jinja2 dialect keeps integers as ``int`` and asks
``sprintf`` for its ``lenient`` mode (an integral float accepts ``%d``, any value accepts ``%s``).
The values.schema.json messages (``helmlite.values.schema``) quote strings and characters with
``go_quote``/``go_quote_rune`` too, which is why this module lives at the package root, beside
``errors.py``, and not in ``render/`` (``values/`` may not import from ``render/``). It imports
nothing from helmlite, so every layer may use it.

The value model is the one of ``helmlite.render.gotemplate.funcspec``: ``None`` is nil, ``int`` is
Go's ``int``, ``float`` is ``float64``, ``bytes`` is ``[]byte``, ``dict``/``list`` are
``map[string]interface {}``/``[]interface {}``. A class may name its Go type with a ``GO_TYPE``
(and ``GO_KIND``) class attribute, e.g. an ``int`` subclass for ``int64``; objects print with their
``__str__`` (Go's ``String()`` method). Jinja's ``Undefined`` is registered as a nil type by the
jinja dialect (``register_nil_type``) so this module never imports Jinja2.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = [
    "MAX_FORMAT_WIDTH",
    "display",
    "fmt_value",
    "go_float",
    "go_kind",
    "go_quote",
    "go_quote_rune",
    "go_str",
    "go_time_format",
    "go_type",
    "is_nil",
    "register_nil_type",
    "sprint",
    "sprintf",
    "sprintln",
]

_NIL_TYPES: tuple[type, ...] = (type(None),)


def register_nil_type(cls: type) -> None:
    """Treat instances of ``cls`` as Go's nil (used for Jinja's ``Undefined``)."""
    global _NIL_TYPES
    if cls not in _NIL_TYPES:
        _NIL_TYPES = (*_NIL_TYPES, cls)


def is_nil(value: Any) -> bool:
    """True for Go's nil: ``None`` or an instance of a registered nil type (a missing key)."""
    return isinstance(value, _NIL_TYPES)


def display(value: Any) -> str:
    """How ``{{ x }}`` prints in the jinja2 dialect: Go's ``%v``, except that nil prints nothing.

    (Helm prints ``<no value>`` for a missing key and then deletes that text from the output.)
    """
    if type(value) is str:
        return value
    if is_nil(value):
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


def fmt_value(value: Any) -> str:
    """Go's ``fmt.Sprint`` of one value (``%v``): what an action ``{{ x }}`` prints.

    Strings unchanged, nil ``<nil>``, booleans ``true``/``false``, maps ``map[k:v …]`` (keys
    sorted), lists ``[a b]``, ``[]byte`` as its numbers (``[104 105]``), objects by ``__str__``.
    """
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if is_nil(value):
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if type(value) is int or not hasattr(type(value), "__go_str__"):
            return int.__repr__(value)
        return str(value.__go_str__())  # type: ignore[attr-defined]
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, (bytes, bytearray)):
        return "[" + " ".join(map(str, value)) + "]"
    if isinstance(value, _dt.datetime):
        return _go_time(value)
    # List comprehensions, not generators: called from ``join`` (C), a generator would nest the
    # C stack once per level, and printing a map that contains itself (``merge`` can make one)
    # would crash the process instead of ending in RecursionError.
    if isinstance(value, Mapping):
        items = sorted(((_key_text(k), v) for k, v in value.items()), key=lambda kv: kv[0])
        return "map[" + " ".join([f"{k}:{fmt_value(v)}" for k, v in items]) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join([fmt_value(v) for v in value]) + "]"
    return str(value)


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else fmt_value(key)


def go_str(value: Any) -> str:
    """Sprig's ``strval``: how ``toString``, ``quote`` and ``join`` print a value.

    Like ``fmt_value`` except that a ``[]byte`` is decoded as UTF-8 text.
    """
    if type(value) is str:
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return fmt_value(value)


_NAMED_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _escape_char(ch: str, quote: str) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x80:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def go_quote(text: str) -> str:
    """``strconv.Quote``: double quotes, Go escapes, printable Unicode kept as is.

    A byte that is not UTF-8 (``.Files.Get`` of a binary file) travels as a surrogate escape,
    U+DC80 + byte; Go quotes such a byte as ``\\xff``, so it is quoted here as that byte, not
    as the surrogate's ``\\udcff``.
    """
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return '"' + "".join(
        f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else _escape_char(ch, '"') for ch in text
    ) + '"'


def go_quote_rune(code: int) -> str:
    """``strconv.QuoteRune``: ``'A'``, ``'\\n'``; invalid code points print as U+FFFD."""
    if code < 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    return "'" + _escape_char(chr(code), "'") + "'"


# The Go type and kind of values of exactly these Python types (no GO_TYPE, never a nil type):
# go_type and go_kind answer them with one lookup, before the general rules.
_BUILTIN_GO_TYPES: dict[type, str] = {
    str: "string", bool: "bool", int: "int", float: "float64", dict: "map[string]interface {}",
    list: "[]interface {}", tuple: "[]interface {}", bytes: "[]uint8", bytearray: "[]uint8", type(None): "<nil>",
}
_BUILTIN_GO_KINDS: dict[type, str] = {
    str: "string", bool: "bool", int: "int", float: "float64", dict: "map", list: "slice", tuple: "slice",
    bytes: "slice", bytearray: "slice", type(None): "invalid",
}


def go_type(value: Any) -> str:
    """Go's ``%T`` name for a template value (``typeOf``)."""
    builtin = _BUILTIN_GO_TYPES.get(type(value))
    if builtin is not None:
        return builtin
    if is_nil(value):
        return "<nil>"
    named = getattr(type(value), "GO_TYPE", None)
    if named is not None:
        return str(named)
    inherited = _inherited(value, _BUILTIN_GO_TYPES)
    if inherited is not None:
        return inherited
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, _dt.datetime):
        return "time.Time"
    return type(value).__name__


def go_kind(value: Any) -> str:
    """Go's ``reflect.Kind`` name (``kindOf``): map, slice, string, bool, int, float64, invalid."""
    builtin = _BUILTIN_GO_KINDS.get(type(value))
    if builtin is not None:
        return builtin
    if is_nil(value):
        return "invalid"
    named = getattr(type(value), "GO_KIND", None)
    if named is not None:
        return str(named)
    inherited = _inherited(value, _BUILTIN_GO_KINDS)
    if inherited is not None:
        return inherited
    return "map" if isinstance(value, Mapping) else "struct"


def _inherited(value: Any, table: dict[type, str]) -> str | None:
    """The name a subclass of a builtin type inherits from its nearest builtin base."""
    for base in type(value).__mro__[1:]:
        name = table.get(base)
        if name is not None:
            return name
    return None


def sprint(args: Sequence[Any]) -> str:
    """``fmt.Sprint``: a space between two operands only when neither is a string."""
    out: list[str] = []
    previous_is_string = True
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not previous_is_string:
            out.append(" ")
        out.append(go_str(arg) if is_string else fmt_value(arg))
        previous_is_string = is_string
    return "".join(out)


def sprintln(args: Sequence[Any]) -> str:
    """``fmt.Sprintln``: operands separated by spaces, then a newline."""
    return " ".join(go_str(a) if isinstance(a, str) else fmt_value(a) for a in args) + "\n"


# %[flags][width][.precision]verb, with Go's explicit argument indexes ("%[2]d") and "*".
_VERB = re.compile(r"%([-+# 0]*)(\[\d+\])?(\d+|\*)?(\.(\[\d+\])?(\d+|\*)?)?(\[\d+\])?(.|$)", re.DOTALL)

# Bounds the width/precision a template may ask for, so ``printf "%999999999s"`` cannot
# allocate gigabytes.
MAX_FORMAT_WIDTH = 10_000


class _Spec:
    """One verb's flags, width and precision (Go's ``fmt.fmt`` state)."""

    __slots__ = ("minus", "plus", "prec", "sharp", "space", "width", "zero")

    def __init__(self, flags: str, width: int | None, prec: int | None) -> None:
        self.minus = "-" in flags
        self.plus = "+" in flags
        self.sharp = "#" in flags
        self.space = " " in flags
        # Go ignores the zero flag when padding on the right.
        self.zero = "0" in flags and not self.minus
        self.width = width
        self.prec = prec


def _pad(text: str, spec: _Spec, numeric: bool = False) -> str:
    width = spec.width
    if width is None or len(text) >= width:
        return text
    if spec.minus:
        return text + " " * (width - len(text))
    if spec.zero and numeric:
        sign = text[0] if text[:1] in ("+", "-", " ") else ""
        return sign + "0" * (width - len(text)) + text[len(sign) :]
    if spec.zero:
        return "0" * (width - len(text)) + text
    return " " * (width - len(text)) + text


def _bad_verb(verb: str, value: Any) -> str:
    if is_nil(value):
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type(value)}={fmt_value(value)})"


def _fmt_integer(value: int, verb: str, spec: _Spec) -> str:
    if verb == "c":
        return _pad(chr(value) if 0 <= value <= 0x10FFFF else "\ufffd", spec)
    if verb == "q":
        return _pad(go_quote_rune(value), spec)
    if verb == "U":
        text = f"U+{value:04X}" if value >= 0 else f"U+{value & 0xFFFFFFFFFFFFFFFF:04X}"
        if spec.sharp and 0 <= value <= 0x10FFFF and chr(value).isprintable():
            text += f" '{chr(value)}'"
        return _pad(text, spec)
    base = {"d": "d", "v": "d", "b": "b", "o": "o", "O": "o", "x": "x", "X": "X"}[verb]
    digits = format(abs(value), base)
    if spec.prec is not None:
        digits = digits.rjust(spec.prec, "0") if spec.prec or value else ""
    prefix = ""
    if verb == "O" or (spec.sharp and verb == "o" and not digits.startswith("0")):
        prefix = "0o" if verb == "O" else "0"
    elif spec.sharp and verb in "xX":
        prefix = "0" + verb
    elif spec.sharp and verb == "b":
        prefix = "0b"
    sign = "-" if value < 0 else "+" if spec.plus else " " if spec.space else ""
    text = sign + prefix + digits
    if spec.zero and spec.prec is None and spec.width is not None and len(text) < spec.width:
        return sign + prefix + "0" * (spec.width - len(text)) + digits
    return _pad(text, _Spec("-" if spec.minus else "", spec.width, None))


def _fmt_float(value: float, verb: str, spec: _Spec) -> str:
    if verb == "v":
        verb = "g"
    if math.isnan(value) or math.isinf(value):
        text = "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
        if text == "+Inf" and not spec.plus:
            text = " Inf" if spec.space else "Inf"
        elif text == "NaN" and (spec.plus or spec.space):
            text = ("+" if spec.plus else " ") + text
        return _pad(text, _Spec("-" if spec.minus else "", spec.width, None))
    if verb in "gG" and spec.prec is None:
        text = go_float(value)
        if verb == "G":
            text = text.upper()
    elif verb in "xX":
        text = float.hex(value)  # Go's %x of a float is a hex mantissa; charts never use it
    else:
        prec = 6 if spec.prec is None else spec.prec
        python_verb = "f" if verb == "F" else verb
        text = format(value, f"{'#' if spec.sharp else ''}.{prec}{python_verb}")
    if spec.plus and not text.startswith("-"):
        text = "+" + text
    elif spec.space and not text.startswith("-"):
        text = " " + text
    return _pad(text, spec, numeric=True)


def _fmt_string(text: str, verb: str, spec: _Spec) -> str:
    if verb in ("s", "v"):
        if spec.prec is not None:
            text = text[: spec.prec]
        if verb == "v" and spec.sharp:
            text = go_quote(text)
        return _pad(text, spec)
    if verb == "q":
        if spec.prec is not None:
            text = text[: spec.prec]
        if spec.sharp and "`" not in text and text.isprintable():
            return _pad(f"`{text}`", spec)
        return _pad(go_quote(text), spec)
    data = text.encode("utf-8")
    if spec.prec is not None:
        data = data[: spec.prec]
    return _pad(_hex_bytes(data, verb, spec), spec)


def _hex_bytes(data: bytes, verb: str, spec: _Spec) -> str:
    digits = data.hex() if verb == "x" else data.hex().upper()
    if spec.space:
        pairs = [digits[i : i + 2] for i in range(0, len(digits), 2)]
        prefix = ("0" + verb) if spec.sharp else ""
        return " ".join(prefix + p for p in pairs)
    return (("0" + verb) if spec.sharp and digits else "") + digits


def _fmt_arg(value: Any, verb: str, spec: _Spec, lenient: bool) -> str:
    """Go's ``pp.printArg`` for one operand and verb (containers recurse with the same verb)."""
    if verb == "T":
        return _pad(go_type(value), spec)
    if is_nil(value):
        if verb == "v":
            return _pad("<nil>", spec)
        return _bad_verb(verb, value)
    if isinstance(value, str):
        if verb in "svqxX":
            return _fmt_string(str.__str__(value), verb, spec)
        return _bad_verb(verb, value)
    if isinstance(value, bool):
        if verb in "tv":
            return _pad("true" if value else "false", spec)
        if lenient and verb == "s":
            return _pad(go_str(value), spec)
        return _bad_verb(verb, value)
    if isinstance(value, int):
        if hasattr(type(value), "__go_str__") and verb in "vsq":
            return _fmt_string(str(value.__go_str__()), "s" if verb == "v" else verb, spec)  # type: ignore[attr-defined]
        if verb in "vdboOxXcqU":
            return _fmt_integer(int(value), verb, spec)
        if lenient and verb == "s":
            return _pad(str(int(value)), spec)
        return _bad_verb(verb, value)
    if isinstance(value, float):
        if lenient and verb == "d" and value.is_integer():
            return _fmt_integer(int(value), verb, spec)
        if lenient and verb == "s":
            return _pad(go_float(value), spec)
        if verb in "vbgGxXfFeE":
            return _fmt_float(value, verb, spec)
        return _bad_verb(verb, value)
    if isinstance(value, (bytes, bytearray)):
        if verb in "sq":
            return _fmt_string(bytes(value).decode("utf-8", "replace"), verb, spec)
        if verb in "xX":
            return _pad(_hex_bytes(bytes(value), verb, spec), spec)
        if verb in "vd":
            return "[" + " ".join(_fmt_integer(b, "d", spec) for b in value) + "]"
        return _bad_verb(verb, value)
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: _key_text(kv[0]))
        inner = " ".join(
            f"{_fmt_arg(k, verb, spec, lenient)}:{_fmt_arg(v, verb, spec, lenient)}" for k, v in items
        )
        return f"map[{inner}]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_fmt_arg(v, verb, spec, lenient) for v in value) + "]"
    # Objects: Go calls their String() method for %v %s %q %x %X.
    if verb in "vsqxX":
        return _fmt_string(fmt_value(value), "s" if verb == "v" else verb, spec)
    return _bad_verb(verb, value)


def _sharp_v(value: Any) -> str:
    """Go's ``%#v`` for template values (Go-syntax representation)."""
    byte_slice = isinstance(value, (bytes, bytearray))
    if getattr(type(value), "GO_NIL", False):  # a typed nil slice or map: []byte(nil)
        return f"{'[]byte' if byte_slice else go_type(value)}(nil)"
    if is_nil(value):
        return "<nil>"
    if isinstance(value, str):
        return go_quote(value)
    if byte_slice:
        return "[]byte{" + ", ".join(f"0x{byte:x}" for byte in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: _key_text(kv[0]))
        return go_type(value) + "{" + ", ".join(f"{_sharp_v(k)}:{_sharp_v(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return go_type(value) + "{" + ", ".join(_sharp_v(v) for v in value) + "}"
    return fmt_value(value)


def _width(text: str | None, args: Sequence[Any], index: int) -> tuple[int | None, int, bool]:
    """Width or precision from the verb text, or from the next operand for ``*``."""
    if text is None:
        return None, index, True
    if text != "*":
        return min(int(text), MAX_FORMAT_WIDTH), index, True
    if index >= len(args) or isinstance(args[index], bool) or not isinstance(args[index], int):
        return None, index + 1, False
    return min(int(args[index]), MAX_FORMAT_WIDTH), index + 1, True


def sprintf(fmt: str, args: Sequence[Any], *, lenient: bool = False) -> str:
    """``fmt.Sprintf`` with Go's verbs, flags, widths, precisions and in-band errors.

    Missing operands print ``%!s(MISSING)``, extra ones ``%!(EXTRA type=value)``, a verb that does
    not fit its operand ``%!d(string=x)``. ``lenient`` (the jinja2 dialect) lets an integral
    float take ``%d`` and any value take ``%s``.
    """
    verbs = fmt.count("%")
    if verbs == fmt.count("%s") == len(args) and all(type(arg) is str for arg in args):
        # Only plain "%s" verbs, one string each (most charts' printf): Python's % does the same.
        return fmt % tuple(args)
    out: list[str] = []
    pos = 0
    index = 0
    reordered = False
    for match in _VERB.finditer(fmt):
        out.append(fmt[pos : match.start()])
        pos = match.end()
        flags, arg_index, width_text, dot, prec_index, prec_text, verb_index, verb = match.groups()
        if verb == "%" and not (width_text or dot or arg_index):
            out.append("%")
            continue
        for explicit in (arg_index, prec_index, verb_index):
            if explicit:
                index = int(explicit[1:-1]) - 1
                reordered = True
        width, index, width_ok = _width(width_text, args, index)
        prec: int | None = None
        prec_ok = True
        if dot:
            # "%.f": a dot without digits is precision zero.
            prec, index, prec_ok = _width(prec_text, args, index) if prec_text else (0, index, True)
        if width is not None and width < 0:
            flags += "-"
            width = -width
        if not verb:
            out.append("%!(NOVERB)")
            continue
        if not width_ok:
            out.append("%!(BADWIDTH)")
        if not prec_ok:
            out.append("%!(BADPREC)")
        if verb == "%":
            out.append("%")
            continue
        if index >= len(args) or index < 0:
            out.append(f"%!{verb}(MISSING)")
            continue
        value = args[index]
        index += 1
        if verb == "v" and "#" in flags:
            out.append(_sharp_v(value))
            continue
        if verb == "v" and "+" in flags:
            flags = flags.replace("+", "")
        out.append(_fmt_arg(value, verb, _Spec(flags, width, prec), lenient))
    out.append(fmt[pos:])
    if not reordered and index < len(args):
        extra = ", ".join("<nil>" if is_nil(a) else f"{go_type(a)}={fmt_value(a)}" for a in args[index:])
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
