"""Where Go's ``encoding/json`` and Python's ``json`` disagree, Go's answer.

Helm reads JSON with Go's decoder: ``--set-json`` values, ``fromJson``/``mustFromJson``/
``fromJsonArray`` in templates, values.schema.json. Python's reader differs in two ways that
show in what Helm prints:

- an unpaired surrogate escape (``"\\ud800"``) stays a lone surrogate in Python, which no UTF-8
  output can hold; Go puts U+FFFD in its place (``well_formed``);
- Python's reader takes ``NaN``, ``Infinity`` and ``-Infinity`` as numbers, refuses bytes that
  are not UTF-8 (Go's takes them inside strings), and recurses, so its nesting is bounded by
  the interpreter's recursion limit rather than Go's 10 000 levels. ``json_valid`` is Go's
  ``json.Valid``, which ``helm package`` asks of every values.schema.json it writes.

``scan_json`` is Go's decoder's verdict with its error text (what Helm prints for a broken
values.schema.json). The module imports only helmlite.gofmt (to quote, when wording an error),
so the chart, values and render layers may all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_NESTING_DEPTH", "JsonScan", "json_valid", "scan_json", "well_formed"]

MAX_NESTING_DEPTH = 10_000
"""Go's scanner's ``maxNestingDepth``: more arrays and objects open at once are invalid."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(value: Any) -> Any:
    """``value`` (decoded JSON) with every surrogate in its strings and keys replaced by U+FFFD.

    That is what Go's JSON decoder puts for an unpaired ``\\ud800`` escape; Python's keeps the
    surrogate, and such a string cannot be written out as UTF-8 later. Paired escapes were
    joined by the decoder already; a surrogate in the text itself (undecodable bytes read with
    ``surrogateescape``, one per byte) is replaced too, as Go replaces each byte of invalid
    UTF-8. Returns a new structure for dicts and lists; on a key collision the later key wins,
    as in Go's map.
    """
    if isinstance(value, str):
        return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {well_formed(key): well_formed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [well_formed(item) for item in value]
    return value


# One token of Go's JSON grammar after optional blanks. A string may hold any byte from 0x20 up
# (Go's scanner does not check UTF-8); a number is Go's (no leading zeros, no bare "." or "e":
# the lookaheads make "1." and "1e" fail here rather than match "1", since Go reports them as
# broken numbers). The possessive quantifiers (++, *+) never backtrack, so a long or
# unterminated string costs one pass.
_TOKEN = re.compile(
    rb'[ \t\r\n]*(?:(?P<string>"(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+")'
    rb"|(?P<scalar>-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++|(?!\.))(?:[eE][+-]?[0-9]++|(?![eE]))"
    rb"|true|false|null)"
    rb"|(?P<punct>[\[\]{}:,]))"
)
_BLANKS = re.compile(rb"[ \t\r\n]*")
_HEX_PREFIX = re.compile(rb"\\u[0-9a-fA-F]{0,3}")
_HEX4 = re.compile(rb"[0-9a-fA-F]{4}")
_DIGITS = re.compile(rb"[0-9]*")
_READ_BUFFER = 64  # the first read of Go's json.Decoder (encoding/json/jsontext)

# What the next token may be.
_VALUE, _FIRST_ITEM, _FIRST_KEY, _KEY, _COLON, _NEXT, _END = range(7)

# Go's words for where a character was found, by what was expected there.
_WHERE = {
    _VALUE: "looking for beginning of value",
    _FIRST_ITEM: "looking for beginning of value",
    _FIRST_KEY: "looking for beginning of object key string",
    _KEY: "looking for beginning of object key string",
    _COLON: "after object key",
}


@dataclass(frozen=True)
class JsonScan:
    """What Go's JSON decoder makes of some bytes (see ``scan_json``)."""

    error: str | None
    """Go's error for the first value: ``EOF`` when there is none (blank input), ``unexpected
    EOF`` when it is cut short, ``invalid character 'x' …``, ``invalid escape sequence …`` or
    ``exceeded max depth``; None when it decodes."""
    trailing: bool
    """Whether anything but blanks follows a first value that decodes."""
    depth: int
    """The deepest nesting of arrays and objects met before the scan stopped."""


def json_valid(data: bytes) -> bool:
    """Go's ``json.Valid(data)``: whether ``data`` is exactly one JSON value, blanks around it.

    Iterative, so any nesting is answered (more than ``MAX_NESTING_DEPTH`` levels is invalid,
    as in Go) in time linear in ``len(data)``.
    """
    scan = scan_json(data)
    return scan.error is None and not scan.trailing


def scan_json(data: bytes) -> JsonScan:
    """Read the first JSON value of ``data`` as Go's ``json.Decoder`` (Go 1.26, whose v1 API
    runs on encoding/json/v2) reads it, with its error text, checked against Helm v4.3.1.

    Go's decoder takes bytes that are not UTF-8 inside strings and an unpaired ``\\ud800``
    escape, and refuses NaN, Infinity and nesting deeper than ``MAX_NESTING_DEPTH``.
    Iterative and linear in ``len(data)``, but a Python loop per token (about 25 times
    slower than ``json.loads``): callers that only need a value try ``json.loads`` first and
    ask this for the reason when it refuses.
    """
    containers = bytearray()  # b"[" or b"{" for each open array or object, innermost last
    deepest = 0
    expect = _VALUE
    pos = 0
    while (token := _TOKEN.match(data, pos)) is not None:
        start = token.start(token.lastgroup or 0)
        kind, text = token.lastgroup, data[start : token.end()]
        if expect == _END:
            return JsonScan(None, True, deepest)
        pos = token.end()
        if expect == _COLON:
            if text != b":":
                return JsonScan(_invalid_character(data, start, _WHERE[_COLON]), False, deepest)
            expect = _VALUE
        elif expect in (_FIRST_KEY, _KEY):
            if kind == "string":
                expect = _COLON
            elif expect == _FIRST_KEY and text == b"}":
                containers.pop()
                expect = _NEXT if containers else _END
            else:
                return JsonScan(_invalid_character(data, start, _WHERE[expect]), False, deepest)
        elif expect == _NEXT:
            in_array = containers[-1] == ord("[")
            if text == b",":
                expect = _VALUE if in_array else _KEY
            elif text == (b"]" if in_array else b"}"):
                containers.pop()
                expect = _NEXT if containers else _END
            else:
                return JsonScan(_invalid_character(data, start, _after_element(in_array)), False, deepest)
        elif expect == _FIRST_ITEM and text == b"]":
            containers.pop()
            expect = _NEXT if containers else _END
        elif kind in ("string", "scalar"):
            expect = _NEXT if containers else _END
        elif text in (b"[", b"{"):
            if len(containers) == MAX_NESTING_DEPTH:
                return JsonScan("exceeded max depth", False, deepest)
            containers.append(text[0])
            deepest = max(deepest, len(containers))
            expect = _FIRST_ITEM if text == b"[" else _FIRST_KEY
        else:
            return JsonScan(_invalid_character(data, start, _WHERE[expect]), False, deepest)
    pos = _BLANKS.match(data, pos).end()  # type: ignore[union-attr]  # matches every position
    if expect == _END:
        return JsonScan(None, pos < len(data), deepest)
    if pos == len(data):
        # Blank input has no value at all (io.EOF); anything else stopped inside one.
        return JsonScan("EOF" if expect == _VALUE and not containers else "unexpected EOF", False, deepest)
    if expect in (_COLON, _NEXT):
        where = _WHERE[_COLON] if expect == _COLON else _after_element(containers[-1] == ord("["))
        return JsonScan(_invalid_character(data, pos, where), False, deepest)
    return JsonScan(_broken_token(data, pos, expect), False, deepest)


def _after_element(in_array: bool) -> str:
    return "after array element" if in_array else "after object key:value pair"


def _broken_token(data: bytes, pos: int, expect: int) -> str:
    """Go's error for the token at ``pos`` (a value or key is expected there) that _TOKEN refused."""
    first = data[pos : pos + 1]
    if first == b'"':
        return _broken_string(data, pos)
    if expect in (_FIRST_KEY, _KEY):
        return _invalid_character(data, pos, _WHERE[expect])
    if first in b"-0123456789" and first:
        return _broken_number(data, pos)
    for literal in ("true", "false", "null"):
        if first == literal[:1].encode():
            return _broken_literal(data, pos, literal)
    return _invalid_character(data, pos, _WHERE[expect])


def _broken_string(data: bytes, pos: int) -> str:
    """Go's error for the string opening at ``pos``: a control character, a bad escape, or no end."""
    from helmlite.gofmt import go_quote

    index = pos + 1
    while index < len(data):
        byte = data[index]
        if byte < 0x20:
            return _invalid_character(data, index, "in string")
        if byte != ord("\\"):
            index += 1
            continue
        escape = data[index + 1 : index + 2]
        if not escape:
            break
        if escape in b'"\\/bfnrt':
            index += 2
            continue
        what = data[index : index + 2]
        if escape == b"u":
            if _HEX4.fullmatch(data, index + 2, index + 6):
                index += 6
                continue
            # Go's decoder reads the file into a buffer of 64 bytes that doubles each time a
            # value needs more. When the buffer ends inside the six bytes of \uXXXX, it reads
            # on only if what it holds may still begin one, and otherwise quotes just that.
            held = _READ_BUFFER
            while held < index + 2:
                held *= 2
            if held < index + 6 and _HEX_PREFIX.fullmatch(data, index, held):
                held = index + 6
            what = data[index : min(index + 6, held)]
            if _HEX_PREFIX.fullmatch(what):
                break  # the file ends inside a well-begun \uXXXX
        # Go quotes the text it could not read as an escape with backquotes, or as a Go string
        # when that text has blanks, backquotes or characters that do not print.
        text = what.decode("utf-8", "surrogateescape")
        if text.isprintable() and "`" not in text and not any(ch.isspace() for ch in text):
            return f"invalid escape sequence `{text}` in string"
        return f"invalid escape sequence {go_quote(text)} in string"
    return "unexpected EOF"


def _broken_number(data: bytes, pos: int) -> str:
    """Go's error for the number at ``pos``: a sign, point or exponent with no digit after it."""
    index = pos + 1 if data[pos] == ord("-") else pos
    problem = _missing_digit(data, index)
    if problem is None:
        index = index + 1 if data[index] == ord("0") else _DIGITS.match(data, index).end()  # type: ignore[union-attr]
        if data[index : index + 1] == b".":
            problem = _missing_digit(data, index + 1)
            index = _DIGITS.match(data, index + 1).end()  # type: ignore[union-attr]
        if problem is None and data[index : index + 1] in (b"e", b"E"):
            index += 2 if data[index + 1 : index + 2] in (b"+", b"-") else 1
            problem = _missing_digit(data, index)
    # _TOKEN takes every number that has its digits, so one part above lacks them.
    return problem or "unexpected EOF"


def _missing_digit(data: bytes, index: int) -> str | None:
    """Go's error when a number needs a digit at ``index``, None when there is one."""
    if index == len(data):
        return "unexpected EOF"
    if not 0x30 <= data[index] <= 0x39:
        return _invalid_character(data, index, "in numeric literal")
    return None


def _broken_literal(data: bytes, pos: int, literal: str) -> str:
    """Go's error for ``true``, ``false`` or ``null`` misspelled from its second letter on."""
    from helmlite.gofmt import go_quote_rune

    for offset in range(1, len(literal)):
        if pos + offset == len(data):
            break
        if data[pos + offset] != ord(literal[offset]):
            expecting = go_quote_rune(ord(literal[offset]))
            return _invalid_character(data, pos + offset, f"in literal {literal} (expecting {expecting})")
    return "unexpected EOF"


def _invalid_character(data: bytes, pos: int, where: str) -> str:
    """``invalid character 'c' <where>`` for the character that begins at ``pos``.

    Go quotes the whole UTF-8 character (``'é'``, ``'\\ufeff'`` for a byte-order mark), or
    ``'\\xff'`` for a byte that does not begin one.
    """
    from helmlite.gofmt import go_quote_rune

    lead = data[pos]
    length = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    try:
        char = data[pos : pos + length].decode("utf-8")
    except UnicodeDecodeError:
        char = ""
    quoted = go_quote_rune(ord(char)) if len(char) == 1 else f"'\\x{lead:02x}'"
    return f"invalid character {quoted} {where}"
