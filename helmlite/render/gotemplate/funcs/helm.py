"""Helm's own template functions (``pkg/engine/funcs.go``), registered after Sprig's so they win.

``toYaml``/``toJson`` and friends swallow errors (``""``) unless named ``must…``; ``fromYaml``/
``fromJson`` put the error text under ``Error``; numbers read from YAML/JSON are ``float64``.
``include``, ``tpl``, ``required``, ``fail`` and ``lookup`` depend on the render (the template set,
lint mode, the cluster): they are registered here for their signatures and bound per render by
``helmlite.render.gotemplate.engine``. Helm removes Sprig's ``env`` and ``expandenv``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from typing import Any

from helmlite.gofmt import fmt_value, go_float, go_quote
from helmlite.render.gotemplate.funcspec import ANY, REGISTRY, STRING, FuncError, gofunc
from helmlite.render.gotemplate.gotypes import Duration, Int64, go_json_values
from helmlite.render.gotemplate.yamlfmt import (
    JSONError,
    YAMLReadBackError,
    to_go_json_model,
    to_json,
    to_yaml,
    to_yaml_pretty,
)
from helmlite.values.gojson import well_formed

__all__ = ["WARN_END", "WARN_START", "parse_go_duration", "to_toml"]

WARN_START = "HELM_ERR_START"
WARN_END = "HELM_ERR_END"

for _removed in ("env", "expandenv"):
    REGISTRY.pop(_removed, None)


def _trim_newline(text: str) -> str:
    return text.removesuffix("\n")


# --- YAML ---------------------------------------------------------------------------------------------


@gofunc("toYaml", ANY)
def _to_yaml(value: Any) -> str:
    try:
        return _trim_newline(to_yaml(value))
    except (JSONError, YAMLReadBackError):
        return ""


@gofunc("mustToYaml", ANY, returns_error=True)
def _must_to_yaml(value: Any) -> str:
    try:
        return _trim_newline(to_yaml(value))
    except JSONError as exc:
        raise FuncError(f"error marshaling into JSON: {exc}") from None
    except YAMLReadBackError as exc:
        raise FuncError(str(exc)) from None  # go-yaml's words, unwrapped as Helm prints them


@gofunc("toYamlPretty", ANY)
def _to_yaml_pretty(value: Any) -> str:
    return _trim_newline(to_yaml_pretty(value))


def _load_yaml(text: str) -> Any:
    """sigs.k8s.io/yaml's Unmarshal: YAML 1.1 in Helm's dialect, then JSON's number model.

    Raises FuncError with the message Helm puts under ``Error``."""
    from helmlite.errors import ValuesError
    from helmlite.values.yamlio import unmarshal_yaml

    try:
        return go_json_values(unmarshal_yaml(text))
    except ValuesError as exc:
        raise FuncError(str(exc)) from None


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "object"


@gofunc("fromYaml", STRING)
def _from_yaml(text: str) -> dict[str, Any]:
    try:
        value = _load_yaml(text)
    except FuncError as exc:
        return {"Error": str(exc)}
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {
            "Error": "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_json_kind(value)} into Go value of type map[string]interface {{}}"
        }
    return value


@gofunc("fromYamlArray", STRING)
def _from_yaml_array(text: str) -> list[Any]:
    try:
        value = _load_yaml(text)
    except FuncError as exc:
        return [str(exc)]
    if value is None:
        return []
    if not isinstance(value, list):
        return [
            (
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                f"{_json_kind(value)} into Go value of type []interface {{}}"
            )
        ]
    return value


# --- JSON ---------------------------------------------------------------------------------------------


@gofunc("toJson", ANY)
def _to_json(value: Any) -> str:
    try:
        return to_json(value)
    except JSONError:
        return ""


@gofunc("mustToJson", ANY, returns_error=True)
def _must_to_json(value: Any) -> str:
    try:
        return to_json(value)
    except JSONError as exc:
        raise FuncError(str(exc)) from None


def _json_error(exc: json.JSONDecodeError, text: str) -> str:
    """An approximation of Go's ``encoding/json`` syntax error for ``exc``."""
    if exc.pos >= len(text.rstrip()):
        return "unexpected end of JSON input"
    return f"invalid character {go_quote(text[exc.pos]).replace(chr(34), chr(39))} looking for beginning of value"


def _decode_json(text: str) -> Any:
    def reject(name: str) -> Any:
        raise ValueError(name)

    try:
        value = json.loads(text, parse_constant=reject)
    except json.JSONDecodeError as exc:
        raise FuncError(_json_error(exc, text)) from None
    except ValueError as exc:
        raise FuncError(f"invalid character {str(exc)[0]!r} looking for beginning of value") from None
    # Go's decoder puts U+FFFD where Python's keeps a lone surrogate (``"\ud800"``).
    return go_json_values(well_formed(value))


@gofunc("fromJson", STRING)
def _from_json(text: str) -> Any:
    try:
        value = _decode_json(text)
    except FuncError as exc:
        return {"Error": str(exc)}
    if value is None:
        return None
    if not isinstance(value, dict):
        return {"Error": f"json: cannot unmarshal {_json_kind(value)} into Go value of type map[string]interface {{}}"}
    return value


@gofunc("fromJsonArray", STRING)
def _from_json_array(text: str) -> Any:
    try:
        value = _decode_json(text)
    except FuncError as exc:
        return [str(exc)]
    if value is None:
        return None
    if not isinstance(value, list):
        return [f"json: cannot unmarshal {_json_kind(value)} into Go value of type []interface {{}}"]
    return value


# --- TOML (BurntSushi/toml v1.6 encoder; tomllib decoder) -----------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        # Go's shortest 'g' formatting, with ".0" added to integral values (1.0, 1e+06).
        text = go_float(value)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(value, _dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_scalar(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_scalar(v)}" for k, v in sorted(value.items()) if v is not None)
        return "{" + inner + "}"
    return _toml_string(value if isinstance(value, str) else fmt_value(value))


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(table: dict[str, Any], path: list[str], out: list[str], indent: str) -> None:
    """BurntSushi's ``eMapOrStruct``: scalars, then sub-tables, then arrays of tables.

    A blank line precedes top-level tables and every array-of-tables entry (not nested tables).
    """
    keys = sorted(table)
    for key in keys:
        value = table[key]
        if value is None or _is_table(value) or _is_table_array(value):
            continue
        out.append(f"{indent}{_toml_key(key)} = {_toml_scalar(value)}\n")
    for key in keys:
        value = table[key]
        sub = [*path, key]
        header = ".".join(_toml_key(p) for p in sub)
        if _is_table(value):
            out.append(f"{'' if path else chr(10)}{indent}[{header}]\n")
            _toml_table(value, sub, out, indent + "  ")
        elif _is_table_array(value):
            for item in value:
                out.append(f"\n{indent}[[{header}]]\n")
                _toml_table(item, sub, out, indent + "  ")


def to_toml(value: Any) -> str:
    """BurntSushi/toml's ``Encoder.Encode`` of a map: scalars first, then tables indented by two."""
    model = to_go_json_model(value) if not isinstance(value, dict) else value
    if not isinstance(model, dict):
        raise FuncError(f"toml: top-level values must be Go maps or structs, not {type(model).__name__}")
    out: list[str] = []
    _toml_table(model, [], out, "")
    text = "".join(out)
    return text.removeprefix("\n")


@gofunc("toToml", ANY)
def _to_toml(value: Any) -> str:
    try:
        return to_toml(value)
    except FuncError as exc:
        return str(exc)


@gofunc("mustToToml", ANY, returns_error=True)
def _must_to_toml(value: Any) -> str:
    return to_toml(value)


def _go_toml(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _go_toml(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_toml(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return Int64(value)
    return value


@gofunc("fromToml", STRING)
def _from_toml(text: str) -> dict[str, Any]:
    import tomllib  # imported here: a sixth of the function table's import; charts rarely read TOML

    try:
        return _go_toml(tomllib.loads(text))  # type: ignore[no-any-return]
    except tomllib.TOMLDecodeError as exc:
        return {"Error": f"toml: {exc}"}


# --- durations (Helm v4) ---------------------------------------------------------------------------------

_DURATION_UNITS = {
    "ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9,
}  # fmt: skip
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_go_duration(text: str) -> int:
    """``time.ParseDuration``: ``1h30m``, ``1.5s``, ``-2m``; nanoseconds. ValueError when invalid."""
    original = text
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise ValueError(f"time: invalid duration {go_quote(original)}")
    total = 0
    pos = 0
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if match is None or match.group(1) in ("", "."):
            raise ValueError(f"time: invalid duration {go_quote(original)}")
        number, unit = match.groups()
        whole, _, frac = number.partition(".")
        scale = _DURATION_UNITS[unit]
        total += int(whole or "0") * scale
        if frac:
            total += int(frac) * scale // 10 ** len(frac)
        pos = match.end()
    return sign * total


def _to_duration(value: Any) -> int:
    """Helm's duration argument: a Duration, a Go duration string, or seconds (number or numeric string)."""
    if isinstance(value, Duration):
        return int(value)
    if isinstance(value, bool) or value is None:
        raise FuncError(f"cannot convert {fmt_value(value)} to a duration")
    if isinstance(value, int):
        return int(value) * 10**9
    if isinstance(value, float):
        return int(value * 10**9)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(float(text) * 10**9)
        except ValueError:
            pass
        try:
            return parse_go_duration(text)
        except ValueError:
            raise FuncError(f"could not parse duration {go_quote(value)}") from None
    raise FuncError(f"cannot convert {fmt_value(value)} to a duration")


def _duration_or_zero(value: Any) -> int:
    try:
        return _to_duration(value)
    except FuncError:
        return 0


@gofunc("mustToDuration", ANY, returns_error=True)
def _must_to_duration(value: Any) -> Duration:
    return Duration(_to_duration(value))


def _in_units(unit: int, integral: bool) -> Any:
    def convert(value: Any) -> Any:
        nanos = _duration_or_zero(value)
        if integral:
            return Int64(int(nanos / unit))
        return nanos / unit

    return convert


for _name, _unit, _integral in (
    ("durationSeconds", 10**9, False),
    ("durationMinutes", 60 * 10**9, False),
    ("durationHours", 3600 * 10**9, False),
    ("durationDays", 86400 * 10**9, False),
    ("durationWeeks", 7 * 86400 * 10**9, False),
    ("durationMilliseconds", 10**6, True),
    ("durationMicroseconds", 10**3, True),
    ("durationNanoseconds", 1, True),
):
    gofunc(_name, ANY)(_in_units(_unit, _integral))


def _round_half_away(value: int, multiple: int) -> int:
    if multiple <= 0:
        return value
    remainder = value % multiple
    if value < 0:
        remainder = -((-value) % multiple)
        if -remainder + -remainder < multiple:
            return value - remainder
        return value - remainder - multiple
    if remainder + remainder < multiple:
        return value - remainder
    return value + multiple - remainder


@gofunc("durationRoundTo", ANY, ANY)
def _duration_round_to(value: Any, multiple: Any) -> Duration:
    return Duration(_round_half_away(_duration_or_zero(value), _duration_or_zero(multiple)))


@gofunc("durationTruncateTo", ANY, ANY)
def _duration_truncate_to(value: Any, multiple: Any) -> Duration:
    nanos, step = _duration_or_zero(value), _duration_or_zero(multiple)
    if step <= 0:
        return Duration(nanos)
    return Duration(nanos - int(math.fmod(nanos, step)))


# --- cluster-dependent and render-bound functions --------------------------------------------------------


@gofunc("getHostByName", STRING)
def _get_host_by_name(name: str) -> str:
    # helm template resolves nothing unless --enable-dns (not supported here).
    return ""


@gofunc("lookup", STRING, STRING, STRING, STRING, returns_error=True)
def _lookup(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
    return {}


def _unbound(name: str) -> Any:
    def fail(*args: Any) -> Any:
        raise FuncError(f"{name} is only available while rendering a chart")

    return fail


# Bound per render by the engine; registered here so every name parses.
gofunc("include", STRING, ANY, returns_error=True)(_unbound("include"))
gofunc("tpl", STRING, ANY, returns_error=True)(_unbound("tpl"))
gofunc("required", STRING, ANY, returns_error=True)(_unbound("required"))
gofunc("fail", STRING, returns_error=True)(_unbound("fail"))
