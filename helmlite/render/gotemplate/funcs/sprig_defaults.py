"""Sprig's defaults and flow functions (defaults.go, v3.3.0): ``default``, ``empty``, ``coalesce``…

Emptiness is Sprig's ``empty``, by reflection: nil, ``false``, a zero number, and a string,
list or map of length 0 are empty; a struct (a ``time.Time``, a certificate) never is. So
``default "x" 0`` and ``default "x" false`` give "x" — and ``default true false`` gives true.

defaults.go also holds Sprig's JSON functions. Helm replaces ``toJson``, ``mustToJson`` and
``fromJson`` with its own; ``toPrettyJson``, ``toRawJson`` (no HTML escaping), their ``must``
forms and ``mustFromJson`` (any JSON value, numbers as float64) remain Sprig's.
"""

from __future__ import annotations

import json
from typing import Any

from helmlite.gofmt import go_kind, go_quote_rune, is_nil
from helmlite.render.gotemplate.funcspec import ANY, BOOL, STRING, FuncError, gofunc
from helmlite.render.gotemplate.gotypes import go_json_values
from helmlite.render.gotemplate.yamlfmt import JSONError, to_json
from helmlite.values.gojson import well_formed

__all__ = ["empty"]

_SIZED_KINDS = frozenset(("map", "slice", "array", "string"))
_NUMBER_KINDS = frozenset(("int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
                           "uint64", "uintptr", "float32", "float64", "complex64", "complex128"))


@gofunc("empty", ANY)
def empty(given: Any) -> bool:
    if is_nil(given):
        return True
    kind = go_kind(given)
    if kind in _SIZED_KINDS:
        return len(given) == 0
    if kind == "bool":
        return not given
    if kind in _NUMBER_KINDS:
        return bool(given == 0)
    return False


@gofunc("default", ANY, variadic=ANY)
def default(d: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return d
    return given[0]


@gofunc("coalesce", variadic=ANY)
def coalesce(*values: Any) -> Any:
    return next((v for v in values if not empty(v)), None)


@gofunc("all", variadic=ANY)
def all_(*values: Any) -> bool:
    return not any(empty(v) for v in values)


@gofunc("any", variadic=ANY)
def any_(*values: Any) -> bool:
    return not all(empty(v) for v in values)


@gofunc("ternary", ANY, ANY, BOOL)
def ternary(if_true: Any, if_false: Any, condition: bool) -> Any:
    return if_true if condition else if_false


def _pretty_json(value: Any) -> str:
    return to_json(value, indent="  ")


def _raw_json(value: Any) -> str:
    return to_json(value, escape_html=False)


def _or_empty(encode: Any) -> Any:
    """The non-``must`` form: Sprig drops the encoding error and returns ""."""

    def encode_or_empty(value: Any) -> str:
        try:
            return str(encode(value))
        except JSONError:
            return ""

    return encode_or_empty


def _or_error(encode: Any) -> Any:
    def encode_or_fail(value: Any) -> str:
        try:
            return str(encode(value))
        except JSONError as error:
            raise FuncError(str(error)) from None

    return encode_or_fail


gofunc("toPrettyJson", ANY)(_or_empty(_pretty_json))
gofunc("toRawJson", ANY)(_or_empty(_raw_json))
gofunc("mustToPrettyJson", ANY, returns_error=True)(_or_error(_pretty_json))
gofunc("mustToRawJson", ANY, returns_error=True)(_or_error(_raw_json))


def _json_syntax_error(error: json.JSONDecodeError) -> str:
    """Go's ``encoding/json`` wording for the usual syntax errors (Python names them differently)."""
    text, pos = error.doc, error.pos
    if pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"):
        return "unexpected end of JSON input"
    char = go_quote_rune(ord(text[pos]))
    context = {
        "Extra data": "after top-level value",
        "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
        "Expecting ':' delimiter": "after object key",
    }.get(error.msg, "looking for beginning of value")
    return f"invalid character {char} {context}"


@gofunc("mustFromJson", STRING, returns_error=True)
def must_from_json(text: str) -> Any:
    def reject(constant: str) -> Any:
        raise json.JSONDecodeError("Expecting value", text, text.index(constant))

    try:
        # Go's decoder puts U+FFFD where Python's keeps a lone surrogate (``"\ud800"``).
        return go_json_values(well_formed(json.loads(text, parse_constant=reject)))
    except json.JSONDecodeError as error:
        raise FuncError(_json_syntax_error(error)) from None
