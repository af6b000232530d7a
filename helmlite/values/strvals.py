"""The ``--set`` family's grammar (Helm's pkg/strvals; helm-behaviour.md §3.2).

``key=value[,key=value…]``: keys are paths with ``.`` between names and ``[i]`` list
indexes (``a.b[0].c``, ``m[1][2]``); a value ``{a,b}`` is a list; a backslash takes the next
character literally in keys and values (``a\\.b=1``, ``x=one\\,two``). ``--set`` infers
types (``true``/``false``/``null`` in any case, and base-10 int64 without a leading zero;
everything else stays a string); ``--set-string`` keeps strings; ``--set-json`` reads each
value as JSON; ``--set-file`` reads each value as a path; ``--set-literal`` takes the rest of
the expression, commas and backslashes included, as one string.

Every parser writes *into* a dict (Helm's ``ParseInto``), so a list index extends a list
that earlier flags put there. On error that dict may be partly updated.

Deliberate differences from Helm, where Helm crashes into a Go panic message: a key whose
current value is null is treated as absent (Helm fails), and list indexes count towards the
nesting limit, so no expression can nest without bound.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from helmlite.errors import SetParseError, ValuesError
from helmlite.values.coalesce import merge_maps
from helmlite.values.gojson import well_formed
from helmlite.values.yamlio import MAX_YAML_BYTES, MAX_YAML_DEPTH

__all__ = [
    "SetInt",
    "MAX_INDEX",
    "MAX_NESTED_NAME_LEVEL",
    "parse_set",
    "parse_set_string",
    "parse_set_json",
    "parse_set_literal",
    "parse_set_file",
]

MAX_INDEX = 65536
"""Largest list index accepted (Helm's strvals.MaxIndex)."""

MAX_NESTED_NAME_LEVEL = 30
"""Deepest key nesting accepted (Helm's strvals.MaxNestedNameLevel)."""

_KEY_STOPS = frozenset("=[,.")
_LITERAL_KEY_STOPS = frozenset("=[.")
_ITEM_STOPS = frozenset("[.=")
_INDEX_STOPS = frozenset("]")
_VALUE_STOPS = frozenset(",")
_LIST_STOPS = frozenset(",}")
# Go's strconv.ParseInt/Atoi in base 10: a sign and ASCII digits only.
_DECIMAL = re.compile(r"[-+]?[0-9]+")


def _reject_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_JSON = json.JSONDecoder(parse_constant=_reject_json_constant)


def _quote(text: str) -> str:
    """Go's %q, near enough: a double-quoted string with escapes."""
    return json.dumps(text, ensure_ascii=False)


class SetInt(int):
    """An integer typed by ``--set``: Go's ``int64``.

    Helm's values from files go through JSON and become ``float64`` (``1000000`` prints
    ``1e+06`` in a Helm chart), but ``--set`` integers stay ``int64``. Everywhere else this is a
    plain ``int``; the Go-template dialect reads ``GO_TYPE`` to keep it an integer.
    """

    __slots__ = ()
    GO_TYPE = "int64"
    GO_KIND = "int64"


def _typed(text: str) -> Any:
    """``--set`` type inference: bool, null, int64 without a leading zero, else the string."""
    folded = text.casefold()
    if folded == "true":
        return True
    if folded == "false":
        return False
    if folded == "null":
        return None
    if text == "0":
        return SetInt(0)
    if text and text[0] != "0" and _DECIMAL.fullmatch(text):
        number = int(text)
        if -(2**63) <= number < 2**63:
            return SetInt(number)
    return text


def _type_name(value: Any) -> str:
    return "int" if isinstance(value, SetInt) else type(value).__name__


def _json_depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > MAX_YAML_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_json_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_json_depth_ok(v, depth + 1) for v in value)
    return True


def _parse_json(text: str, start: int = 0) -> tuple[Any, int]:
    """One JSON value at ``text[start:]`` (leading blanks skipped): the value and where it ends."""
    while start < len(text) and text[start].isspace():
        start += 1
    try:
        value, end = _JSON.raw_decode(text, start)
    except RecursionError:
        raise SetParseError(f"JSON value nested deeper than {MAX_YAML_DEPTH} levels") from None
    except ValueError as exc:
        raise SetParseError(f"invalid JSON value: {exc}") from None
    if not _json_depth_ok(value):
        raise SetParseError(f"JSON value nested deeper than {MAX_YAML_DEPTH} levels")
    # Go's decoder puts U+FFFD where Python's keeps a lone surrogate.
    return well_formed(value), end


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    # Helm silently ignores an empty key ("=x" sets nothing).
    if key:
        data[key] = value


def _set_index(items: list[Any], index: int, value: Any) -> list[Any]:
    if index < 0:
        raise SetParseError(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        raise SetParseError(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
    if len(items) <= index:
        items.extend([None] * (index + 1 - len(items)))
    items[index] = value
    return items


def _existing_map(data: dict[str, Any], key: str) -> dict[str, Any]:
    current = data.get(key)
    if current is None:
        return {}
    if not isinstance(current, dict):
        raise SetParseError(f"unable to parse key: {_quote(key)} holds a {_type_name(current)}, not a map")
    return current


def _existing_list(current: Any, key: str) -> list[Any]:
    if current is None:
        return []
    if not isinstance(current, list):
        raise SetParseError(f"unable to parse key: {_quote(key)} holds a {_type_name(current)}, not a list")
    return current


class _Parser:
    """One pass over an expression, writing into ``data``.

    ``convert`` turns a raw value into the stored one (``--set``, ``--set-string``,
    ``--set-file``); ``json_values`` and ``literal`` select the other two value grammars.
    """

    def __init__(
        self,
        text: str,
        data: dict[str, Any],
        convert: Callable[[str], Any] = _typed,
        *,
        json_values: bool = False,
        literal: bool = False,
    ) -> None:
        self.text = text
        self.pos = 0
        self.data = data
        self.convert = convert
        self.json_values = json_values
        self.literal = literal

    def parse(self) -> None:
        while self._key(self.data, 0):
            pass

    def _read_until(self, stops: frozenset[str]) -> tuple[str, str | None]:
        """Characters up to a stop character, which is consumed and returned (None at the end)."""
        text, chars = self.text, list[str]()
        while self.pos < len(text):
            char = text[self.pos]
            self.pos += 1
            if char in stops:
                return "".join(chars), char
            if char == "\\" and not self.literal:
                if self.pos == len(text):
                    break
                char = text[self.pos]
                self.pos += 1
            chars.append(char)
        return "".join(chars), None

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _key(self, data: dict[str, Any], level: int) -> bool:
        """Parse one ``key…=value``; False when the input ended before a key started."""
        key, stop = self._read_until(_LITERAL_KEY_STOPS if self.literal else _KEY_STOPS)
        if stop is None:
            if not key:
                return False
            raise SetParseError(f"key {_quote(key)} has no value")
        if stop == "=":
            _set(data, key, self._value())
            return True
        if stop == ",":
            raise SetParseError(f"key {_quote(key)} has no value (cannot end with ,)")
        if stop == "[":
            index = self._index()
            items, more = self._list_item(_existing_list(data.get(key), key), index, self._nest(level))
            _set(data, key, items)
            return more
        # stop == "."
        level = self._nest(level)
        inner = _existing_map(data, key)
        more = self._key(inner, level)
        if more and not inner:
            raise SetParseError(f"key map {_quote(key)} has no value")
        if inner:
            _set(data, key, inner)
        return more

    def _nest(self, level: int) -> int:
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            raise SetParseError(
                f"value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
            )
        return level

    def _index(self) -> int:
        text, stop = self._read_until(_INDEX_STOPS)
        if stop is None:
            raise SetParseError("error parsing index: missing ']'")
        if not _DECIMAL.fullmatch(text):
            raise SetParseError(f"error parsing index: {_quote(text)} is not an integer")
        return int(text)

    def _list_item(self, items: list[Any], index: int, level: int) -> tuple[list[Any], bool]:
        """Parse what follows ``name[index]``; returns the list and whether input remains."""
        if index < 0:
            raise SetParseError(f"negative {index} index not allowed")
        rest, stop = self._read_until(_ITEM_STOPS)
        if rest:
            raise SetParseError(f"unexpected data at end of array index: {_quote(rest)}")
        if stop is None:
            # "name[0]" alone: Helm creates the list and sets nothing in it.
            return items, False
        if stop == "=":
            return _set_index(items, index, self._value()), True
        current = items[index] if index < len(items) else None
        level = self._nest(level)
        if stop == "[":
            nested, more = self._list_item(_existing_list(current, f"[{index}]"), self._index(), level)
            return (_set_index(items, index, nested), True) if more else (items, False)
        # stop == "."; an element that is not a map is replaced, as Helm does for out-of-order indexes
        inner = current if isinstance(current, dict) else {}
        if not self._key(inner, level):
            return items, False
        return _set_index(items, index, inner), True

    def _value(self) -> Any:
        """The value after ``=``, with the comma that ends it consumed."""
        if self.literal:
            value, self.pos = self.text[self.pos :], len(self.text)
            return value
        if self.json_values:
            if self._skip_blank_and_comma():
                return None
            value, self.pos = _parse_json(self.text, self.pos)
            self._skip_blank_and_comma()
            return value
        next_char = self._peek()
        if next_char is None:
            return ""
        if next_char == "{":
            return self._value_list()
        raw, _ = self._read_until(_VALUE_STOPS)
        return self.convert(raw)

    def _skip_blank_and_comma(self) -> bool:
        """Skip blanks, then a comma or the end (True: the value was empty); else stop before data."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == ",":
                self.pos += 1
                return True
            if not char.isspace():
                return False
            self.pos += 1
        return True

    def _value_list(self) -> list[Any]:
        self.pos += 1  # the "{"
        items = []
        while True:
            raw, stop = self._read_until(_LIST_STOPS)
            if stop is None:
                raise SetParseError("list must terminate with '}'")
            items.append(self.convert(raw))
            if stop == "}":
                if self._peek() == ",":
                    self.pos += 1
                return items


def parse_set(expr: str, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Apply one ``--set`` expression (types inferred) to ``into`` (a new dict if None).

    Returns ``into``. Raises SetParseError with Helm's message, e.g. 'key "name1" has no value'.
    """
    data = {} if into is None else into
    _Parser(expr, data).parse()
    return data


def parse_set_string(expr: str, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Apply one ``--set-string`` expression (every value a string) to ``into``.

    Returns ``into`` (a new dict if None). Raises SetParseError.
    """
    data = {} if into is None else into
    _Parser(expr, data, str).parse()
    return data


def parse_set_json(expr: str, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Apply one ``--set-json`` expression to ``into``: ``key=<json>[,key=<json>…]`` (an empty
    value is null), or a whole JSON object (text starting with ``{``) merged as a ``-f`` file is.

    Returns ``into`` (a new dict if None). Raises SetParseError for bad JSON (NaN and
    Infinity included), JSON nested deeper than MAX_YAML_DEPTH, or a bad key.
    """
    data = {} if into is None else into
    stripped = expr.strip()
    if stripped.startswith("{"):
        document, end = _parse_json(stripped)
        if stripped[end:].strip():
            raise SetParseError(f"unexpected data after the JSON object: {_quote(stripped[end:].strip())}")
        merged = merge_maps(data, document)
        data.clear()
        data.update(merged)
        return data
    _Parser(expr, data, json_values=True).parse()
    return data


def parse_set_literal(expr: str, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Apply one ``--set-literal`` expression: everything after the first ``=`` is the value.

    Returns ``into`` (a new dict if None). Raises SetParseError for a bad key.
    """
    data = {} if into is None else into
    _Parser(expr, data, literal=True).parse()
    return data


def _read_text_file(path: str) -> str:
    """A local file's text (UTF-8; invalid bytes replaced, as Helm's JSON step does)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise ValuesError(f"open {path}: {(exc.strerror or str(exc)).lower()}") from None
    if len(data) > MAX_YAML_BYTES:
        raise ValuesError(f"{path}: file is larger than the {MAX_YAML_BYTES} bytes allowed")
    return data.decode("utf-8", "replace")


def parse_set_file(
    expr: str,
    into: dict[str, Any] | None = None,
    read_file: Callable[[str], str] = _read_text_file,
) -> dict[str, Any]:
    """Apply one ``--set-file`` expression: each value is a path, the file's content (a
    string, from ``read_file``) is stored.

    Returns ``into`` (a new dict if None). Raises SetParseError for a bad expression and
    whatever ``read_file`` raises (the default raises ValuesError "open <path>: …").
    """
    data = {} if into is None else into
    _Parser(expr, data, read_file).parse()
    return data
