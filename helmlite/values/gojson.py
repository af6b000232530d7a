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

It imports nothing from helmlite, so the chart, values and render layers may all use it.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_NESTING_DEPTH", "json_valid", "well_formed"]

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
# (Go's scanner does not check UTF-8); a number is Go's (no leading zeros, no bare "." or "e").
# The possessive quantifiers (++, *+) never backtrack, so a long or unterminated string costs
# one pass.
_TOKEN = re.compile(
    rb'[ \t\r\n]*(?:(?P<string>"(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+")'
    rb"|(?P<scalar>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)"
    rb"|(?P<punct>[\[\]{}:,]))"
)
_BLANKS = re.compile(rb"[ \t\r\n]*")

# What the next token may be.
_VALUE, _FIRST_ITEM, _FIRST_KEY, _KEY, _COLON, _NEXT, _END = range(7)


def json_valid(data: bytes) -> bool:
    """Go's ``json.Valid(data)``: whether ``data`` is exactly one JSON value, blanks around it.

    Iterative, so any nesting is answered (more than ``MAX_NESTING_DEPTH`` levels is invalid,
    as in Go) in time linear in ``len(data)``.
    """
    containers = bytearray()  # b"[" or b"{" for each open array or object, innermost last
    expect = _VALUE
    pos = 0
    while (token := _TOKEN.match(data, pos)) is not None:
        pos = token.end()
        kind, text = token.lastgroup, token.group().lstrip(b" \t\r\n")
        if expect == _COLON:
            if text != b":":
                return False
            expect = _VALUE
        elif expect in (_FIRST_KEY, _KEY):
            if kind == "string":
                expect = _COLON
            elif expect == _FIRST_KEY and text == b"}":
                containers.pop()
                expect = _NEXT if containers else _END
            else:
                return False
        elif expect == _NEXT:
            in_array = containers[-1] == ord("[")
            if text == b",":
                expect = _VALUE if in_array else _KEY
            elif text == (b"]" if in_array else b"}"):
                containers.pop()
                expect = _NEXT if containers else _END
            else:
                return False
        elif expect == _END:
            return False  # a second top-level value
        elif expect == _FIRST_ITEM and text == b"]":
            containers.pop()
            expect = _NEXT if containers else _END
        elif kind in ("string", "scalar"):
            expect = _NEXT if containers else _END
        elif text in (b"[", b"{"):
            if len(containers) == MAX_NESTING_DEPTH:
                return False
            containers.append(text[0])
            expect = _FIRST_ITEM if text == b"[" else _FIRST_KEY
        else:
            return False
    return expect == _END and _BLANKS.fullmatch(data, pos) is not None
