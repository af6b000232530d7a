"""``toJson``/``toYaml`` byte-identical to Helm's: Go's ``encoding/json`` and go-yaml's encoder.

``toYaml`` is ``sigs.k8s.io/yaml.Marshal``: ``json.Marshal`` the value, read the JSON back with
go-yaml v2 (so integral floats become ints: ``1000000`` not ``1e+06``), then emit it with go-yaml
v2: keys in go-yaml's "natural" order, block style, sequences not indented under their key,
strings quoted only when they would read back as something else, literal blocks for multi-line
strings, plain and quoted scalars folded at column 80. ``toYamlPretty`` is go-yaml v3 on the
value itself (no JSON step: ``1e+06`` stays), sequences indented, no folding.

The emitter below is a port of the relevant parts of go-yaml's ``emitterc.go`` (scalar analysis,
style selection, the writers with their column arithmetic), not a generic YAML library.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from helmlite.errors import YAMLReadBackError
from helmlite.gofmt import go_float
from helmlite.values.yamlio import GO_YAML_SIMPLE_KEY_LIMIT, go_yaml_read_back_error

__all__ = [
    "JSONError",
    "YAMLReadBackError",
    "natural_key_order",
    "to_go_json_model",
    "to_json",
    "to_yaml",
    "to_yaml_pretty",
]


class JSONError(Exception):
    """``json.Marshal`` failed (``json: unsupported value: NaN``)."""


class JSONStruct(dict[str, Any]):
    """A Go struct's JSON object: fields in declaration order (maps are sorted, structs are not)."""

    __slots__ = ()


# --- encoding/json ----------------------------------------------------------------------------------

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
# A lone surrogate stands for a byte that is not UTF-8 (the "surrogateescape" decoding of file
# contents): json.Marshal writes U+FFFD for each such byte.
_JSON_SPECIAL = re.compile('["\\\\\x00-\x1f<>&\u2028\u2029\ud800-\udfff]')
_JSON_SPECIAL_NO_HTML = re.compile('["\\\\\x00-\x1f\u2028\u2029\ud800-\udfff]')
_NOT_UTF8 = re.compile("[\ud800-\udfff]")


def _json_escape_char(match: re.Match[str], escape_html: bool) -> str:
    ch = match.group(0)
    if ch in _JSON_ESCAPES:
        return _JSON_ESCAPES[ch]
    if escape_html and ch in _HTML_ESCAPES:
        return _HTML_ESCAPES[ch]
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return f"\\u{ord(ch):04x}"


def _json_string(text: str, escape_html: bool) -> str:
    pattern = _JSON_SPECIAL if escape_html else _JSON_SPECIAL_NO_HTML
    if pattern.search(text) is None:
        return f'"{text}"'
    return '"' + pattern.sub(lambda m: _json_escape_char(m, escape_html), text) + '"'


def json_float(value: float) -> str:
    """Go's JSON number for a float64: fixed notation, exponent only below 1e-6 or from 1e21."""
    if math.isnan(value) or math.isinf(value):
        raise JSONError(f"json: unsupported value: {go_float(value)}")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    magnitude = abs(value)
    if 1e-6 <= magnitude < 1e21:
        return format(Decimal(repr(value)).normalize(), "f")
    # Outside that range go_float is already in exponent form with Go's shortest digits.
    mantissa, exponent = go_float(value).split("e")
    sign = exponent[0]
    digits = exponent[1:].lstrip("0") or "0"
    return f"{mantissa}e{sign}{digits}"


def _time_rfc3339(value: _dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.astimezone()
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.utcoffset() or _dt.timedelta(0)
    if not offset:
        return text + "Z"
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    return f"{text}{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}"


def to_go_json_model(value: Any) -> Any:
    """What ``json.Marshal`` sees: objects replaced by their JSON form (``__go_json__``), bytes as base64."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if getattr(type(value), "GO_NIL", False):
        return None
    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, str) else k: to_go_json_model(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_go_json_model(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, _dt.datetime):
        return _time_rfc3339(value)
    hook = getattr(value, "__go_json__", None)
    if hook is not None:
        # An object's JSON form is its struct's fields, in declaration order.
        result = hook()
        if isinstance(result, dict):
            return JSONStruct((k, to_go_json_model(v)) for k, v in result.items())
        return to_go_json_model(result)
    return {}


def to_json(value: Any, *, escape_html: bool = True, indent: str | None = None) -> str:
    """``json.Marshal`` (``indent`` given: ``json.MarshalIndent(v, "", indent)``).

    Keys sorted bytewise, ``<>&`` escaped unless ``escape_html`` is false. Raises JSONError for
    NaN and infinities.
    """
    out: list[str] = []
    _write_json(to_go_json_model(value), out, escape_html, indent, 0)
    return "".join(out)


def _write_json(value: Any, out: list[str], escape_html: bool, indent: str | None, level: int) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, str):
        out.append(_json_string(value, escape_html))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(json_float(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        for i, key in enumerate(value if isinstance(value, JSONStruct) else sorted(value)):
            if i:
                out.append(",")
            if indent is not None:
                out.append("\n" + indent * (level + 1))
            out.append(_json_string(key, escape_html))
            out.append(": " if indent is not None else ":")
            _write_json(value[key], out, escape_html, indent, level + 1)
        if indent is not None:
            out.append("\n" + indent * level)
        out.append("}")
    else:
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            if indent is not None:
                out.append("\n" + indent * (level + 1))
            _write_json(item, out, escape_html, indent, level + 1)
        if indent is not None:
            out.append("\n" + indent * level)
        out.append("]")


# --- the JSON round trip of sigs.k8s.io/yaml ----------------------------------------------------------


class _ReadBackFailure(Exception):
    """Raised by the round trip at the first thing go-yaml would refuse; ``to_yaml`` then works
    out which error go-yaml reports first (``_read_back_error``)."""


# What json.Marshal leaves raw in a string and go-yaml's reader refuses.
_GO_YAML_CONTROL = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
# A raw NEL in a JSON string is a line break inside a double-quoted scalar, so it folds: with
# the spaces around it (json.Marshal escapes tabs) one becomes a space, n of them n-1 newlines.
_NEL_RUN = re.compile(" *(?:\x85 *)+")
# JSON writes a character in at most 6 (\u0001): a key this short always fits in a simple key.
_SHORT_KEY_CHARS = (GO_YAML_SIMPLE_KEY_LIMIT - 2) // 6


def _fold_nel(match: re.Match[str]) -> str:
    breaks = match.group(0).count("\x85")
    return " " if breaks == 1 else "\n" * (breaks - 1)


def _read_back_string(text: str) -> str:
    """A string with a character outside ASCII (or a DEL) as go-yaml reads it back from JSON:
    bytes that are not UTF-8 replaced, NELs folded; raises _ReadBackFailure for a control
    character."""
    if _GO_YAML_CONTROL.search(text) is not None:
        raise _ReadBackFailure
    text = _NOT_UTF8.sub("\ufffd", text)
    return _NEL_RUN.sub(_fold_nel, text) if "\x85" in text else text


def _read_back_key(key: str) -> str:
    """A map key that may not read back as one: raises _ReadBackFailure for a control
    character, a NEL (a line break in a flow key) or a JSON form too long for a simple key."""
    if (
        _GO_YAML_CONTROL.search(key) is not None
        or "\x85" in key
        or (len(key) > _SHORT_KEY_CHARS and len(_json_string(key, True)) > GO_YAML_SIMPLE_KEY_LIMIT)
    ):
        raise _ReadBackFailure
    return _NOT_UTF8.sub("\ufffd", key)


def _round_trip(value: Any) -> Any:
    """The value go-yaml reads back from ``json.Marshal(value)``: numbers retyped, NEL folded.
    Raises _ReadBackFailure where go-yaml cannot read it back."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        return value if value.isascii() and "\x7f" not in value else _read_back_string(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _number_from_json(json_float(value))
    if isinstance(value, dict):
        return {
            key if key.isascii() and "\x7f" not in key and len(key) <= _SHORT_KEY_CHARS else _read_back_key(key):
            _round_trip(item)
            for key, item in value.items()
        }
    return [_round_trip(v) for v in value]


def _json_round_trip(value: Any) -> Any:
    """``_round_trip(to_go_json_model(value))`` after ``_check_json``, in one pass over the plain
    parts of the tree (maps with string keys, lists, strings, numbers, booleans, nil); any
    other value takes the three steps. Raises JSONError for NaN and infinities, in the same
    (depth-first) order as ``_check_json``, and _ReadBackFailure as ``_round_trip`` does."""
    value_type = type(value)
    if value_type is str:
        # Only a string with a character outside ASCII (or a DEL) can read back otherwise.
        return value if value.isascii() and "\x7f" not in value else _read_back_string(value)
    if value_type is dict:
        return {
            _read_back_key(_json_key(key))
            if type(key) is not str or not key.isascii() or "\x7f" in key or len(key) > _SHORT_KEY_CHARS
            else key: _json_round_trip(item)
            for key, item in value.items()
        }
    if value_type is list:
        return [_json_round_trip(item) for item in value]
    if value is None or value_type is bool or value_type is int:
        return value
    if value_type is float:
        return _number_from_json(json_float(value))
    model = to_go_json_model(value)
    _check_json(model)
    return _round_trip(model)


def _read_back_error(value: Any) -> str:
    """go-yaml's error for reading back ``json.Marshal(value)`` (which ``_round_trip`` refused),
    by the rule ``dump_yaml`` uses too. Raises JSONError when ``json.Marshal`` fails first (NaN)."""
    return go_yaml_read_back_error(to_json(value))


def _json_key(key: Any) -> str:
    return key if isinstance(key, str) else str(key)  # to_go_json_model's key rule


def _number_from_json(text: str) -> int | float:
    # go-yaml v2 resolve(): int64, else uint64, else float64.
    if "." not in text and "e" not in text:
        number = int(text)
        if -(1 << 63) <= number < (1 << 64):
            return number
    return float(text)


# --- go-yaml v2 resolver (what needs quoting) --------------------------------------------------------

_RESOLVE_MAP = frozenset(
    ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<"]
) | {""}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_TIMESTAMP_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIMESTAMP_TIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
    r"|[ ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)"
)
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")


def _valid_date(year: str, month: str, day: str) -> bool:
    try:
        _dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _is_timestamp(text: str) -> bool:
    if len(text) < 5 or not text[:4].isdigit() or text[4] != "-":
        return False
    match = _TIMESTAMP_DATE.fullmatch(text)
    if match is not None:
        return _valid_date(*match.groups())
    match = _TIMESTAMP_TIME.fullmatch(text)
    if match is None:
        return False
    groups = match.groups()
    hms = [g for g in groups[3:] if g is not None]
    return _valid_date(*groups[:3]) and int(hms[0]) < 24 and int(hms[1]) < 60 and int(hms[2]) < 60


def _fits_int(text: str) -> bool:
    if not _GO_INT.fullmatch(text):
        return False
    body = text.lstrip("+-")
    negative = text.startswith("-")
    lower = body[:2].lower()
    base = {"0x": 16, "0o": 8, "0b": 2}.get(lower)
    digits = body[2:] if base else body
    if base is None:
        base = 8 if len(body) > 1 and body[0] == "0" else 10
    value = int(digits, base) if digits else 0
    return value <= (1 << 63) if negative else value < (1 << 64)


def resolves_to_string(text: str) -> bool:
    """True when go-yaml v2 reads the plain scalar ``text`` back as a string (so it needs no quotes)."""
    if text in _RESOLVE_MAP:
        return False
    first = text[0]
    if first == ".":
        try:
            float(text)
        except ValueError:
            return True
        return not text[1:2].isalpha()  # Go's ParseFloat rejects ".inf"-like words here
    if first in "+-0123456789":
        if _is_timestamp(text):
            return False
        plain = text.replace("_", "")
        if _fits_int(plain):
            return False
        if _YAML_FLOAT.fullmatch(plain):
            return False
        if plain.startswith(("0b", "-0b")):
            digits = plain[2:] if plain[0] == "0" else plain[3:]
            if digits and all(c in "01" for c in digits):
                return False
    return True


# --- go-yaml's "natural" key order (sortkeys.go keyList.Less) ----------------------------------------


def _is_letter(ch: str) -> bool:
    return ch.isalpha()


def _key_less(a: str, b: str) -> bool:
    ar, br = a, b
    i = 0
    while i < len(ar) and i < len(br):
        if ar[i] == br[i]:
            i += 1
            continue
        al, bl = _is_letter(ar[i]), _is_letter(br[i])
        if al and bl:
            return ar[i] < br[i]
        if al or bl:
            return bl
        an = bn = 0
        if ar[i] == "0" or br[i] == "0":
            j = i - 1
            while j >= 0 and "0" <= ar[j] <= "9":
                if ar[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(ar) and "0" <= ar[ai] <= "9":
            an = an * 10 + ord(ar[ai]) - 48
            ai += 1
        bi = i
        while bi < len(br) and "0" <= br[bi] <= "9":
            bn = bn * 10 + ord(br[bi]) - 48
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ar[i] < br[i]
    return len(ar) < len(br)


class _NaturalKey:
    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __lt__(self, other: _NaturalKey) -> bool:
        return _key_less(self.key, other.key)


# Keys made only of these characters sort the same way by plain comparison (no digit runs, and
# every non-letter sorts below every letter), which is much faster.
_PLAIN_ORDER = (re.compile(r"[A-Za-z .:/\-]*"), re.compile(r"[a-z_ .:/\-]*"))


def natural_key_order(keys: Any) -> list[str]:
    """Keys in go-yaml's order: letters after non-letters, digit runs compared as numbers."""
    keys = list(keys)
    for pattern in _PLAIN_ORDER:
        if all(pattern.fullmatch(k) for k in keys):
            return sorted(keys)
    return sorted(keys, key=_NaturalKey)


# --- the emitter ----------------------------------------------------------------------------------------

_BEST_WIDTH = 80
_BEST_INDENT = 2
_BREAKS = "\r\n\x85\u2028\u2029"
_OTHER_BREAKS = "\r\x85\u2028\u2029"
_OTHER_BREAK = re.compile(f"[{_OTHER_BREAKS}]")
_PLAIN, _SINGLE, _DOUBLE, _LITERAL = range(4)


def _printable(ch: str) -> bool:
    code = ord(ch)
    return (
        ch == "\n"
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


_FLOW_INDICATORS = frozenset(",?[]{}:")  # inside a scalar, each makes it unfit for flow context


class _Analysis:
    __slots__ = ("block", "block_plain", "flow_plain", "multiline", "single_quoted")

    def __init__(self, value: str, allow_tab_literal: bool) -> None:
        if not value:
            self.multiline = False
            self.flow_plain = False
            self.block_plain = True
            self.single_quoted = True
            self.block = False
            return
        if value.isascii() and (value.isprintable() or value.replace("\n", " ").isprintable()):
            self._analyse_ascii_text(value)
            return
        block_indicators = flow_indicators = False
        if value.startswith(("---", "...")):
            block_indicators = flow_indicators = True
        line_breaks = special = False
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = previous_space = previous_break = False
        preceded_by_whitespace = True
        n = len(value)
        for i, ch in enumerate(value):
            nxt = value[i + 1] if i + 1 < n else ""
            followed_by_whitespace = nxt == "" or nxt in " \t"
            if i == 0:
                if ch in "#,[]{}&*!|>'\"%@`":
                    flow_indicators = block_indicators = True
                elif ch in "?:":
                    flow_indicators = True
                    if followed_by_whitespace:
                        block_indicators = True
                elif ch == "-" and followed_by_whitespace:
                    flow_indicators = block_indicators = True
            else:
                if ch in ",?[]{}":
                    flow_indicators = True
                elif ch == ":":
                    flow_indicators = True
                    if followed_by_whitespace:
                        block_indicators = True
                elif ch == "#" and preceded_by_whitespace:
                    flow_indicators = block_indicators = True
            if not _printable(ch) and not (allow_tab_literal and ch == "\t"):
                special = True
            if ch == " ":
                if i == 0:
                    leading_space = True
                if i == n - 1:
                    trailing_space = True
                if previous_break:
                    break_space = True
                previous_space, previous_break = True, False
            elif ch in _BREAKS:
                line_breaks = True
                if i == 0:
                    leading_break = True
                if i == n - 1:
                    trailing_break = True
                if previous_space:
                    space_break = True
                previous_space, previous_break = False, True
            else:
                previous_space = previous_break = False
            preceded_by_whitespace = ch in " \t" or ch in _BREAKS
        self.multiline = line_breaks
        self.flow_plain = self.block_plain = self.single_quoted = self.block = True
        if leading_space or leading_break or trailing_space or trailing_break:
            self.flow_plain = self.block_plain = False
        if trailing_space:
            self.block = False
        if break_space:
            self.flow_plain = self.block_plain = self.single_quoted = False
        if space_break or special:
            self.flow_plain = self.block_plain = self.single_quoted = self.block = False
        if line_breaks:
            self.flow_plain = self.block_plain = False
        if flow_indicators:
            self.flow_plain = False
        if block_indicators:
            self.block_plain = False

    def _analyse_ascii_text(self, value: str) -> None:
        """The loop above for printable ASCII with "\\n" as the only break (no tab, no special
        character: most scalars), with string operations instead of a step per character."""
        first = value[0]
        followed_by_space = len(value) == 1 or value[1] == " "
        rest = value[1:]
        flow_indicators = block_indicators = (value.startswith(("---", "...")) or " #" in value or "\n#" in value)
        if first in "#,[]{}&*!|>'\"%@`" or (first == "-" and followed_by_space):
            flow_indicators = block_indicators = True
        elif first in "?:":
            flow_indicators = True
            block_indicators = block_indicators or followed_by_space
        if not flow_indicators and not _FLOW_INDICATORS.isdisjoint(rest):
            flow_indicators = True
        if not block_indicators and (": " in rest or rest.endswith(":")):
            block_indicators = True
        line_breaks = "\n" in value
        space_break = " \n" in value
        break_space = "\n " in value
        edge_space = first == " " or first == "\n" or value[-1] == " " or value[-1] == "\n"
        self.multiline = line_breaks
        self.single_quoted = not (break_space or space_break)
        self.block = not (value[-1] == " " or space_break)
        self.flow_plain = not (edge_space or break_space or space_break or line_breaks or flow_indicators)
        self.block_plain = not (edge_space or break_space or space_break or line_breaks or block_indicators)


class _Emitter:
    """go-yaml's emitter state for block-style output: column, indent, whitespace/indention flags."""

    def __init__(self, *, fold: bool, v3: bool, sequence_indent: bool) -> None:
        self.out: list[str] = []
        self.column = 0
        self.indent = -1
        self.whitespace = True
        self.indention = True
        self.fold = fold
        self.v3 = v3
        self.sequence_indent = sequence_indent

    # -- primitives (emitterc.go) --

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = True
        self.indention = True

    def write_indicator(self, indicator: str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(indicator)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    # -- scalars --

    def scalar(self, value: str, requested: int, simple_key: bool) -> None:
        analysis = _Analysis(value, allow_tab_literal=self.v3 and requested == _LITERAL)
        style = requested
        if simple_key and analysis.multiline:
            style = _DOUBLE
        if style == _PLAIN and (not analysis.block_plain or (not value and simple_key)):
            style = _SINGLE
        if style == _SINGLE and not analysis.single_quoted:
            style = _DOUBLE
        if style == _LITERAL and (not analysis.block or simple_key):
            style = _DOUBLE
        saved = self.indent
        self.indent = _BEST_INDENT if self.indent < 0 else self.indent + _BEST_INDENT
        allow_breaks = self.fold and not simple_key
        if style == _PLAIN:
            self.write_plain(value, allow_breaks)
        elif style == _SINGLE:
            self.write_single(value, allow_breaks)
        elif style == _DOUBLE:
            self.write_double(value, allow_breaks)
        else:
            self.write_literal(value)
        self.indent = saved

    def write_plain(self, value: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self.put(" ")
        if not allow_breaks or self.column + len(value) <= _BEST_WIDTH or " " not in value:
            # No space can be a fold point: the loop below would copy the value unchanged.
            self.put(value)
            self.whitespace = False
            self.indention = False
            return
        spaces = False
        n = len(value)
        i = 0
        buf: list[str] = []
        while i < n:
            ch = value[i]
            if ch == " ":
                if allow_breaks and not spaces and self.column + len(buf) > _BEST_WIDTH and value[i + 1 : i + 2] != " ":
                    self.put("".join(buf))
                    buf = []
                    self.write_indent()
                else:
                    buf.append(ch)
                spaces = True
            else:
                buf.append(ch)
                spaces = False
            i += 1
        self.put("".join(buf))
        self.whitespace = False
        self.indention = False

    def write_single(self, value: str, allow_breaks: bool) -> None:
        self.write_indicator("'", True, False, False)
        spaces = breaks = False
        n = len(value)
        for i, ch in enumerate(value):
            if ch == " ":
                if (allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < n - 1
                        and value[i + 1] != " "):
                    self.write_indent()
                else:
                    self.put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                if ch == "\n":
                    self.put_break()
                else:  # go-yaml's write_break copies other breaks and starts a new line
                    self.out.append(ch)
                    self.column = 0
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put("''" if ch == "'" else ch)
                self.indention = False
                spaces = breaks = False
        self.write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def write_double(self, value: str, allow_breaks: bool) -> None:
        self.write_indicator('"', True, False, False)
        spaces = False
        n = len(value)
        # go-yaml's is_bom() looks at the start of the string whatever the position: a string
        # starting with a BOM has every character escaped.
        bom = value.startswith("\ufeff")
        for i, ch in enumerate(value):
            if bom or not _printable(ch) or ch in _BREAKS or ch in '"\\' or ch == "\ufeff":
                self.put(_double_escape(ch))
                spaces = False
            elif ch == " ":
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < n - 1:
                    self.write_indent()
                    if value[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put(ch)
                spaces = False
        self.write_indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def write_literal(self, value: str) -> None:
        self.write_indicator("|", True, False, False)
        if value[:1] == " " or value[:1] in _BREAKS and value:
            self.write_indicator(str(_BEST_INDENT), False, False, False)
        chomp = ""
        if not value or value[-1] not in _BREAKS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in _BREAKS:
            chomp = "+"
        if chomp:
            self.write_indicator(chomp, False, False, False)
        self.put_break()
        self.indention = True
        self.whitespace = True
        if not any(brk in value for brk in _OTHER_BREAKS):
            self._write_literal_lines(value)
            return
        breaks = True
        for ch in value:
            if ch in _BREAKS:
                if ch == "\n" or ch == "\r":
                    self.put_break()
                else:
                    self.out.append(ch)
                    self.column = 0
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(ch)
                self.indention = False
                breaks = False

    def _write_literal_lines(self, value: str) -> None:
        """The loop of write_literal for text whose only break is "\\n", a line at a time: each
        non-empty line is indented (write_indent after a break), an empty one is just its break."""
        margin = " " * max(self.indent, 0)
        for number, line in enumerate(value.split("\n")):
            if number:
                self.put_break()
                self.indention = True
            if line:
                self.put(margin + line)
                self.indention = False

    # -- nodes --

    def node(self, value: Any, *, mapping_context: bool, sequence_item: bool = False) -> None:
        if isinstance(value, dict):
            if not value:
                self.write_indicator("{}", True, False, False)
                return
            self.mapping(value)
        elif isinstance(value, list):
            if not value:
                self.write_indicator("[]", True, False, False)
                return
            self.sequence(value, mapping_context)
        else:
            text, style = self.scalar_text(value)
            self.scalar(text, style, simple_key=False)

    def scalar_text(self, value: Any) -> tuple[str, int]:
        if value is None:
            return "null", _PLAIN
        if value is True:
            return "true", _PLAIN
        if value is False:
            return "false", _PLAIN
        if isinstance(value, int):
            return int.__repr__(value), _PLAIN
        if isinstance(value, float):
            text = go_float(value)
            return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text), _PLAIN
        text = str(value)
        if "\n" in text:
            return text, _LITERAL
        if text and resolves_to_string(text) and (":" not in text or not _BASE60.fullmatch(text)):
            return text, _PLAIN
        return text, _DOUBLE

    def mapping(self, value: dict[str, Any]) -> None:
        saved = self.indent
        self.indent = 0 if self.indent < 0 else self.indent + _BEST_INDENT
        for key in natural_key_order(value):
            self.write_indent()
            text, style = self.scalar_text(key)
            # go-yaml's check_simple_key: a key with a line break of any kind or longer than 128
            # bytes (32 characters are at most 128 bytes of UTF-8) is not a simple key.
            if (
                style == _LITERAL
                or "\r" in text
                or (not text.isascii() and _OTHER_BREAK.search(text) is not None)
                or (len(text) > 32 and len(text.encode("utf-8")) > 128)
            ):
                # "? key" then ": value" on its own line.
                self.write_indicator("?", True, False, True)
                self.scalar(text, style, simple_key=False)
                self.write_indent()
                self.write_indicator(":", True, False, True)
            else:
                self.scalar(text, style, simple_key=True)
                self.write_indicator(":", False, False, False)
            self.node(value[key], mapping_context=True)
        self.indent = saved

    def sequence(self, value: list[Any], mapping_context: bool) -> None:
        saved = self.indent
        indentless = mapping_context and not self.indention and not self.sequence_indent
        if self.indent < 0:
            self.indent = 0
        elif not indentless:
            self.indent += _BEST_INDENT
        for item in value:
            self.write_indent()
            self.write_indicator("-", True, False, True)
            self.node(item, mapping_context=False)
        self.indent = saved


_DOUBLE_ESCAPES = {
    "\x00": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f", "\r": "r",
    "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}  # fmt: skip


def _double_escape(ch: str) -> str:
    short = _DOUBLE_ESCAPES.get(ch)
    if short is not None:
        return "\\" + short
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def _yaml_model(value: Any) -> Any:
    """The Go value as go-yaml v3 sees it (no JSON step): objects by their JSON form."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _yaml_model(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_yaml_model(v) for v in value]
    return to_go_json_model(value)


def _emit(value: Any, *, fold: bool, v3: bool, sequence_indent: bool) -> str:
    emitter = _Emitter(fold=fold, v3=v3, sequence_indent=sequence_indent)
    emitter.node(value, mapping_context=False)
    # Document end: go-yaml ends the last line unless a block scalar already did.
    emitter.indent = -1
    emitter.write_indent()
    return "".join(emitter.out)


def to_yaml(value: Any) -> str:
    """``sigs.k8s.io/yaml.Marshal(value)`` (what Helm's ``toYaml`` trims one newline from).

    Raises JSONError when the value has no JSON form (NaN, infinities), YAMLReadBackError when
    go-yaml cannot read that JSON back (a control character U+007F-U+009F other than NEL,
    U+FFFE or U+FFFF anywhere; a NEL in a map key; a key longer than 1024 characters in JSON).
    """
    try:
        model = _json_round_trip(value)
    except _ReadBackFailure:
        raise YAMLReadBackError(_read_back_error(value)) from None
    return _emit(model, fold=True, v3=False, sequence_indent=False)


def to_yaml_pretty(value: Any) -> str:
    """go-yaml v3 ``Encoder`` with ``SetIndent(2)`` (Helm's ``toYamlPretty``, before trimming)."""
    return _emit(_yaml_model(value), fold=False, v3=True, sequence_indent=True)


def _check_json(value: Any) -> None:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise JSONError(f"json: unsupported value: {go_float(value)}")
    if isinstance(value, dict):
        for item in value.values():
            _check_json(item)
    elif isinstance(value, list):
        for item in value:
            _check_json(item)

