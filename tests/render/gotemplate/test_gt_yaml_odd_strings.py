"""Go-template ``toYaml``, ``toYamlPretty``, ``mustToYaml``, ``fromYaml``/``fromYamlArray`` and
``.Files`` on strings where go-yaml and JSON part ways, as Helm v4.3.1 prints them.

``toYaml`` is ``json.Marshal`` read back and written by go-yaml v2: a raw NEL in the JSON folds
like a line break in a quoted scalar (tabs are escaped in JSON, so only spaces go with it); a
control character (U+007F-U+009F but NEL, U+FFFE, U+FFFF) stops go-yaml's reader, and a key
that cannot be a simple key in the JSON flow mapping (a NEL in it, or a JSON form longer than
1024 characters) is a parse error: ``toYaml`` prints ``""``, ``mustToYaml`` fails with go-yaml's
message. A key with a line break of any kind is written after ``? ``. ``toYamlPretty`` (go-yaml
v3 on the value, no JSON) escapes what it cannot print. Bytes that are not UTF-8 (a file's
contents) become U+FFFD in JSON.

Every expectation was printed by the real helm binary (``helm template`` of charts like the ones
these tests render, with the same templates, values and files); no helm is needed to run them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from helmlite.errors import RenderError

X = "x" * 130  # longer than a simple key may be


def _forms(value: str) -> list[Any]:
    """The value at the top level, in a map, in a list, two maps deep, and as a key."""
    return [value, {"a": value}, [value], {"a": {"b": value}}, {value: 1, "b": [value]}]


# (value, Helm's toYaml of each of _forms(value), Helm's toYamlPretty of each)
CASES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "\u2028",
        (
            "'\u2028'",
            "a: '\u2028'",
            "- '\u2028'",
            "a:\n  b: '\u2028'",
            "? '\u2028'\n: 1\nb:\n- '\u2028'",
        ),
        (
            "'\u2028'",
            "a: '\u2028'",
            "- '\u2028'",
            "a:\n  b: '\u2028'",
            "? '\u2028'\n: 1\nb:\n  - '\u2028'",
        ),
    ),
    (
        "a\u2028",
        (
            "'a\u2028'",
            "a: 'a\u2028'",
            "- 'a\u2028'",
            "a:\n  b: 'a\u2028'",
            "? 'a\u2028'\n: 1\nb:\n- 'a\u2028'",
        ),
        (
            "'a\u2028'",
            "a: 'a\u2028'",
            "- 'a\u2028'",
            "a:\n  b: 'a\u2028'",
            "? 'a\u2028'\n: 1\nb:\n  - 'a\u2028'",
        ),
    ),
    (
        "a\u2029",
        (
            "'a\u2029'",
            "a: 'a\u2029'",
            "- 'a\u2029'",
            "a:\n  b: 'a\u2029'",
            "? 'a\u2029'\n: 1\nb:\n- 'a\u2029'",
        ),
        (
            "'a\u2029'",
            "a: 'a\u2029'",
            "- 'a\u2029'",
            "a:\n  b: 'a\u2029'",
            "? 'a\u2029'\n: 1\nb:\n  - 'a\u2029'",
        ),
    ),
    (
        "a\u2028\u2028",
        (
            "'a\u2028\u2028'",
            "a: 'a\u2028\u2028'",
            "- 'a\u2028\u2028'",
            "a:\n  b: 'a\u2028\u2028'",
            "? 'a\u2028\u2028'\n: 1\nb:\n- 'a\u2028\u2028'",
        ),
        (
            "'a\u2028\u2028'",
            "a: 'a\u2028\u2028'",
            "- 'a\u2028\u2028'",
            "a:\n  b: 'a\u2028\u2028'",
            "? 'a\u2028\u2028'\n: 1\nb:\n  - 'a\u2028\u2028'",
        ),
    ),
    (
        "a\u2028b",
        (
            "'a\u2028  b'",
            "a: 'a\u2028  b'",
            "- 'a\u2028  b'",
            "a:\n  b: 'a\u2028    b'",
            "? 'a\u2028  b'\n: 1\nb:\n- 'a\u2028  b'",
        ),
        (
            "'a\u2028  b'",
            "a: 'a\u2028  b'",
            "- 'a\u2028  b'",
            "a:\n  b: 'a\u2028    b'",
            "? 'a\u2028  b'\n: 1\nb:\n  - 'a\u2028    b'",
        ),
    ),
    (
        "a'\u2028",
        (
            "'a''\u2028'",
            "a: 'a''\u2028'",
            "- 'a''\u2028'",
            "a:\n  b: 'a''\u2028'",
            "? 'a''\u2028'\n: 1\nb:\n- 'a''\u2028'",
        ),
        (
            "'a''\u2028'",
            "a: 'a''\u2028'",
            "- 'a''\u2028'",
            "a:\n  b: 'a''\u2028'",
            "? 'a''\u2028'\n: 1\nb:\n  - 'a''\u2028'",
        ),
    ),
    (
        "a\n\u2028",
        (
            "|+\n  a\n\u2028",
            "a: |+\n  a\n\u2028",
            "- |+\n  a\n\u2028",
            "a:\n  b: |+\n    a\n\u2028",
            "? |+\n  a\n\u2028: 1\nb:\n- |+\n  a\n\u2028",
        ),
        (
            "|+\n  a\n\u2028",
            "a: |+\n  a\n\u2028",
            "- |+\n  a\n\u2028",
            "a:\n  b: |+\n    a\n\u2028",
            "? |+\n  a\n\u2028: 1\nb:\n  - |+\n    a\n\u2028",
        ),
    ),
    (
        "a\n\u2029",
        (
            "|+\n  a\n\u2029",
            "a: |+\n  a\n\u2029",
            "- |+\n  a\n\u2029",
            "a:\n  b: |+\n    a\n\u2029",
            "? |+\n  a\n\u2029: 1\nb:\n- |+\n  a\n\u2029",
        ),
        (
            "|+\n  a\n\u2029",
            "a: |+\n  a\n\u2029",
            "- |+\n  a\n\u2029",
            "a:\n  b: |+\n    a\n\u2029",
            "? |+\n  a\n\u2029: 1\nb:\n  - |+\n    a\n\u2029",
        ),
    ),
    (
        "a\n\u2028\u2028",
        (
            "|+\n  a\n\u2028\u2028",
            "a: |+\n  a\n\u2028\u2028",
            "- |+\n  a\n\u2028\u2028",
            "a:\n  b: |+\n    a\n\u2028\u2028",
            "? |+\n  a\n\u2028\u2028: 1\nb:\n- |+\n  a\n\u2028\u2028",
        ),
        (
            "|+\n  a\n\u2028\u2028",
            "a: |+\n  a\n\u2028\u2028",
            "- |+\n  a\n\u2028\u2028",
            "a:\n  b: |+\n    a\n\u2028\u2028",
            "? |+\n  a\n\u2028\u2028: 1\nb:\n  - |+\n    a\n\u2028\u2028",
        ),
    ),
    (
        "a\u2028\n",
        (
            "|+\n  a\u2028",
            "a: |+\n  a\u2028",
            "- |+\n  a\u2028",
            "a:\n  b: |+\n    a\u2028",
            "? |+\n  a\u2028\n: 1\nb:\n- |+\n  a\u2028",
        ),
        (
            "|+\n  a\u2028",
            "a: |+\n  a\u2028",
            "- |+\n  a\u2028",
            "a:\n  b: |+\n    a\u2028",
            "? |+\n  a\u2028\n: 1\nb:\n  - |+\n    a\u2028",
        ),
    ),
    (
        "a\x85",
        ("'a '", "a: 'a '", "- 'a '", "a:\n  b: 'a '", ""),
        (
            '"a\\N"',
            'a: "a\\N"',
            '- "a\\N"',
            'a:\n  b: "a\\N"',
            '? "a\\N"\n: 1\nb:\n  - "a\\N"',
        ),
    ),
    (
        "\x85",
        ("' '", "a: ' '", "- ' '", "a:\n  b: ' '", ""),
        (
            '"\\N"',
            'a: "\\N"',
            '- "\\N"',
            'a:\n  b: "\\N"',
            '? "\\N"\n: 1\nb:\n  - "\\N"',
        ),
    ),
    (
        "a\x85b",
        ("a b", "a: a b", "- a b", "a:\n  b: a b", ""),
        (
            '"a\\Nb"',
            'a: "a\\Nb"',
            '- "a\\Nb"',
            'a:\n  b: "a\\Nb"',
            '? "a\\Nb"\n: 1\nb:\n  - "a\\Nb"',
        ),
    ),
    (
        "\x85a",
        ("' a'", "a: ' a'", "- ' a'", "a:\n  b: ' a'", ""),
        (
            '"\\Na"',
            'a: "\\Na"',
            '- "\\Na"',
            'a:\n  b: "\\Na"',
            '? "\\Na"\n: 1\nb:\n  - "\\Na"',
        ),
    ),
    (
        "a\n\x85",
        ('"a\\n "', 'a: "a\\n "', '- "a\\n "', 'a:\n  b: "a\\n "', ""),
        (
            '"a\\n\\N"',
            'a: "a\\n\\N"',
            '- "a\\n\\N"',
            'a:\n  b: "a\\n\\N"',
            '? "a\\n\\N"\n: 1\nb:\n  - "a\\n\\N"',
        ),
    ),
    (
        "a\t\x85b",
        ('"a\\t b"', 'a: "a\\t b"', '- "a\\t b"', 'a:\n  b: "a\\t b"', ""),
        (
            '"a\\t\\Nb"',
            'a: "a\\t\\Nb"',
            '- "a\\t\\Nb"',
            'a:\n  b: "a\\t\\Nb"',
            '? "a\\t\\Nb"\n: 1\nb:\n  - "a\\t\\Nb"',
        ),
    ),
    (
        "a \x85 \x85 b",
        (
            "|-\n  a\n  b",
            "a: |-\n  a\n  b",
            "- |-\n  a\n  b",
            "a:\n  b: |-\n    a\n    b",
            "",
        ),
        (
            '"a \\N \\N b"',
            'a: "a \\N \\N b"',
            '- "a \\N \\N b"',
            'a:\n  b: "a \\N \\N b"',
            '? "a \\N \\N b"\n: 1\nb:\n  - "a \\N \\N b"',
        ),
    ),
    (
        "a\x85\x85",
        ("|\n  a", "a: |\n  a", "- |\n  a", "a:\n  b: |\n    a", ""),
        (
            '"a\\N\\N"',
            'a: "a\\N\\N"',
            '- "a\\N\\N"',
            'a:\n  b: "a\\N\\N"',
            '? "a\\N\\N"\n: 1\nb:\n  - "a\\N\\N"',
        ),
    ),
    (
        "\ufeffa",
        (
            '"\\uFEFF\\x61"',
            'a: "\\uFEFF\\x61"',
            '- "\\uFEFF\\x61"',
            'a:\n  b: "\\uFEFF\\x61"',
            '"\\uFEFF\\x61": 1\nb:\n- "\\uFEFF\\x61"',
        ),
        (
            '"\\uFEFF\\x61"',
            'a: "\\uFEFF\\x61"',
            '- "\\uFEFF\\x61"',
            'a:\n  b: "\\uFEFF\\x61"',
            '"\\uFEFF\\x61": 1\nb:\n  - "\\uFEFF\\x61"',
        ),
    ),
    (
        "\ufeffa\nb",
        (
            '"\\uFEFF\\x61\\n\\x62"',
            'a: "\\uFEFF\\x61\\n\\x62"',
            '- "\\uFEFF\\x61\\n\\x62"',
            'a:\n  b: "\\uFEFF\\x61\\n\\x62"',
            '? "\\uFEFF\\x61\\n\\x62"\n: 1\nb:\n- "\\uFEFF\\x61\\n\\x62"',
        ),
        (
            '"\\uFEFF\\x61\\n\\x62"',
            'a: "\\uFEFF\\x61\\n\\x62"',
            '- "\\uFEFF\\x61\\n\\x62"',
            'a:\n  b: "\\uFEFF\\x61\\n\\x62"',
            '? "\\uFEFF\\x61\\n\\x62"\n: 1\nb:\n  - "\\uFEFF\\x61\\n\\x62"',
        ),
    ),
    (
        "x\ufeffa",
        (
            '"x\\uFEFFa"',
            'a: "x\\uFEFFa"',
            '- "x\\uFEFFa"',
            'a:\n  b: "x\\uFEFFa"',
            'b:\n- "x\\uFEFFa"\n"x\\uFEFFa": 1',
        ),
        (
            '"x\\uFEFFa"',
            'a: "x\\uFEFFa"',
            '- "x\\uFEFFa"',
            'a:\n  b: "x\\uFEFFa"',
            'b:\n  - "x\\uFEFFa"\n"x\\uFEFFa": 1',
        ),
    ),
    (
        "\ufeffaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        (
            '"\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            'a: "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            '- "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            'a:\n  b: "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            '? "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"\n: 1\nb:\n- "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
        ),
        (
            '"\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            'a: "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            '- "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            'a:\n  b: "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
            '? "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"\n: 1\nb:\n  - "\\uFEFF\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61\\x61"',
        ),
    ),
    (
        "a\r",
        (
            '"a\\r"',
            'a: "a\\r"',
            '- "a\\r"',
            'a:\n  b: "a\\r"',
            '? "a\\r"\n: 1\nb:\n- "a\\r"',
        ),
        (
            '"a\\r"',
            'a: "a\\r"',
            '- "a\\r"',
            'a:\n  b: "a\\r"',
            '? "a\\r"\n: 1\nb:\n  - "a\\r"',
        ),
    ),
    (
        "a\x7f",
        ("", "", "", "", ""),
        (
            '"a\\x7F"',
            'a: "a\\x7F"',
            '- "a\\x7F"',
            'a:\n  b: "a\\x7F"',
            '"a\\x7F": 1\nb:\n  - "a\\x7F"',
        ),
    ),
    (
        "a\x80",
        ("", "", "", "", ""),
        (
            '"a\\x80"',
            'a: "a\\x80"',
            '- "a\\x80"',
            'a:\n  b: "a\\x80"',
            '"a\\x80": 1\nb:\n  - "a\\x80"',
        ),
    ),
    (
        "a\x9f",
        ("", "", "", "", ""),
        (
            '"a\\x9F"',
            'a: "a\\x9F"',
            '- "a\\x9F"',
            'a:\n  b: "a\\x9F"',
            '"a\\x9F": 1\nb:\n  - "a\\x9F"',
        ),
    ),
    (
        "\x9f",
        ("", "", "", "", ""),
        (
            '"\\x9F"',
            'a: "\\x9F"',
            '- "\\x9F"',
            'a:\n  b: "\\x9F"',
            '"\\x9F": 1\nb:\n  - "\\x9F"',
        ),
    ),
    (
        "a\ufffe",
        ("", "", "", "", ""),
        (
            '"a\\uFFFE"',
            'a: "a\\uFFFE"',
            '- "a\\uFFFE"',
            'a:\n  b: "a\\uFFFE"',
            '"a\\uFFFE": 1\nb:\n  - "a\\uFFFE"',
        ),
    ),
    (
        "a\uffff",
        ("", "", "", "", ""),
        (
            '"a\\uFFFF"',
            'a: "a\\uFFFF"',
            '- "a\\uFFFF"',
            'a:\n  b: "a\\uFFFF"',
            '"a\\uFFFF": 1\nb:\n  - "a\\uFFFF"',
        ),
    ),
    (
        "a\x85\x7f",
        ("", "", "", "", ""),
        (
            '"a\\N\\x7F"',
            'a: "a\\N\\x7F"',
            '- "a\\N\\x7F"',
            'a:\n  b: "a\\N\\x7F"',
            '? "a\\N\\x7F"\n: 1\nb:\n  - "a\\N\\x7F"',
        ),
    ),
    (
        "a\x01",
        (
            '"a\\x01"',
            'a: "a\\x01"',
            '- "a\\x01"',
            'a:\n  b: "a\\x01"',
            '"a\\x01": 1\nb:\n- "a\\x01"',
        ),
        (
            '"a\\x01"',
            'a: "a\\x01"',
            '- "a\\x01"',
            'a:\n  b: "a\\x01"',
            '"a\\x01": 1\nb:\n  - "a\\x01"',
        ),
    ),
    (
        "a\t",
        (
            '"a\\t"',
            'a: "a\\t"',
            '- "a\\t"',
            'a:\n  b: "a\\t"',
            '"a\\t": 1\nb:\n- "a\\t"',
        ),
        (
            '"a\\t"',
            'a: "a\\t"',
            '- "a\\t"',
            'a:\n  b: "a\\t"',
            '"a\\t": 1\nb:\n  - "a\\t"',
        ),
    ),
    (
        "a\tb\n",
        (
            '"a\\tb\\n"',
            'a: "a\\tb\\n"',
            '- "a\\tb\\n"',
            'a:\n  b: "a\\tb\\n"',
            '? "a\\tb\\n"\n: 1\nb:\n- "a\\tb\\n"',
        ),
        (
            "|\n  a\tb",
            "a: |\n  a\tb",
            "- |\n  a\tb",
            "a:\n  b: |\n    a\tb",
            "? |\n  a\tb\n: 1\nb:\n  - |\n    a\tb",
        ),
    ),
    (
        "a\x1b",
        (
            '"a\\e"',
            'a: "a\\e"',
            '- "a\\e"',
            'a:\n  b: "a\\e"',
            '"a\\e": 1\nb:\n- "a\\e"',
        ),
        (
            '"a\\e"',
            'a: "a\\e"',
            '- "a\\e"',
            'a:\n  b: "a\\e"',
            '"a\\e": 1\nb:\n  - "a\\e"',
        ),
    ),
    (
        "😀",
        (
            '"\\U0001F600"',
            'a: "\\U0001F600"',
            '- "\\U0001F600"',
            'a:\n  b: "\\U0001F600"',
            '"\\U0001F600": 1\nb:\n- "\\U0001F600"',
        ),
        (
            '"\\U0001F600"',
            'a: "\\U0001F600"',
            '- "\\U0001F600"',
            'a:\n  b: "\\U0001F600"',
            '"\\U0001F600": 1\nb:\n  - "\\U0001F600"',
        ),
    ),
    (
        "a\xa0",
        ("a\xa0", "a: a\xa0", "- a\xa0", "a:\n  b: a\xa0", "a\xa0: 1\nb:\n- a\xa0"),
        ("a\xa0", "a: a\xa0", "- a\xa0", "a:\n  b: a\xa0", "a\xa0: 1\nb:\n  - a\xa0"),
    ),
    (
        "a\u2028\x7f",
        ("", "", "", "", ""),
        (
            '"a\\L\\x7F"',
            'a: "a\\L\\x7F"',
            '- "a\\L\\x7F"',
            'a:\n  b: "a\\L\\x7F"',
            '? "a\\L\\x7F"\n: 1\nb:\n  - "a\\L\\x7F"',
        ),
    ),
    (
        "\ufeff\x7f",
        ("", "", "", "", ""),
        (
            '"\\uFEFF\\x7F"',
            'a: "\\uFEFF\\x7F"',
            '- "\\uFEFF\\x7F"',
            'a:\n  b: "\\uFEFF\\x7F"',
            '"\\uFEFF\\x7F": 1\nb:\n  - "\\uFEFF\\x7F"',
        ),
    ),
    (
        "a\x85\n",
        ('"a \\n"', 'a: "a \\n"', '- "a \\n"', 'a:\n  b: "a \\n"', ""),
        (
            '"a\\N\\n"',
            'a: "a\\N\\n"',
            '- "a\\N\\n"',
            'a:\n  b: "a\\N\\n"',
            '? "a\\N\\n"\n: 1\nb:\n  - "a\\N\\n"',
        ),
    ),
    (
        "a \x85",
        ("'a '", "a: 'a '", "- 'a '", "a:\n  b: 'a '", ""),
        (
            '"a \\N"',
            'a: "a \\N"',
            '- "a \\N"',
            'a:\n  b: "a \\N"',
            '? "a \\N"\n: 1\nb:\n  - "a \\N"',
        ),
    ),
    (
        "\x85 a",
        ("' a'", "a: ' a'", "- ' a'", "a:\n  b: ' a'", ""),
        (
            '"\\N a"',
            'a: "\\N a"',
            '- "\\N a"',
            'a:\n  b: "\\N a"',
            '? "\\N a"\n: 1\nb:\n  - "\\N a"',
        ),
    ),
    (
        "a\t \x85 \tb",
        ('"a\\t \\tb"', 'a: "a\\t \\tb"', '- "a\\t \\tb"', 'a:\n  b: "a\\t \\tb"', ""),
        (
            '"a\\t \\N \\tb"',
            'a: "a\\t \\N \\tb"',
            '- "a\\t \\N \\tb"',
            'a:\n  b: "a\\t \\N \\tb"',
            '? "a\\t \\N \\tb"\n: 1\nb:\n  - "a\\t \\N \\tb"',
        ),
    ),
    (
        "\ufeff\x85",
        (
            '"\\uFEFF\\x20"',
            'a: "\\uFEFF\\x20"',
            '- "\\uFEFF\\x20"',
            'a:\n  b: "\\uFEFF\\x20"',
            "",
        ),
        (
            '"\\uFEFF\\N"',
            'a: "\\uFEFF\\N"',
            '- "\\uFEFF\\N"',
            'a:\n  b: "\\uFEFF\\N"',
            '? "\\uFEFF\\N"\n: 1\nb:\n  - "\\uFEFF\\N"',
        ),
    ),
    (
        "a\x85\u2028",
        ('"a \\L"', 'a: "a \\L"', '- "a \\L"', 'a:\n  b: "a \\L"', ""),
        (
            '"a\\N\\L"',
            'a: "a\\N\\L"',
            '- "a\\N\\L"',
            'a:\n  b: "a\\N\\L"',
            '? "a\\N\\L"\n: 1\nb:\n  - "a\\N\\L"',
        ),
    ),
    (
        "a\n\x85b",
        (
            "|-\n  a\n   b",
            "a: |-\n  a\n   b",
            "- |-\n  a\n   b",
            "a:\n  b: |-\n    a\n     b",
            "",
        ),
        (
            '"a\\n\\Nb"',
            'a: "a\\n\\Nb"',
            '- "a\\n\\Nb"',
            'a:\n  b: "a\\n\\Nb"',
            '? "a\\n\\Nb"\n: 1\nb:\n  - "a\\n\\Nb"',
        ),
    ),
]

_FORMS_TEMPLATE = "{{- range .Values.forms }}[{{ toYaml . | b64enc }}|{{ toYamlPretty . | b64enc }}]{{ end }}"


def _render(
    make_chart: Callable[..., Any],
    render: Callable[..., dict[str, str]],
    template: str,
    values: dict[str, Any] | None = None,
    files: dict[str, bytes] | None = None,
) -> str:
    chart = make_chart("c", {"t.yaml": template}, files=files, engine=None)
    return render(chart, values or {})["c/templates/t.yaml"]


def _decoded(rendered: str) -> list[list[str]]:
    """``[b64|b64][…]`` as the decoded texts of each bracket."""
    return [
        [base64.b64decode(part).decode("utf-8") for part in group.split("|")]
        for group in rendered.removeprefix("[").removesuffix("]").split("][")
    ]


@pytest.mark.parametrize(
    ("value", "to_yaml", "to_yaml_pretty"),
    CASES,
    ids=[ascii(case[0])[:40] for case in CASES],
)
def test_to_yaml_and_to_yaml_pretty_of_a_string_are_helms(
    value: str,
    to_yaml: tuple[str, ...],
    to_yaml_pretty: tuple[str, ...],
    make_chart: Any,
    render: Any,
) -> None:
    printed = _decoded(
        _render(make_chart, render, _FORMS_TEMPLATE, {"forms": _forms(value)})
    )
    assert tuple(pair[0] for pair in printed) == to_yaml
    assert tuple(pair[1] for pair in printed) == to_yaml_pretty


def test_a_key_with_a_line_break_and_over_128_bytes_is_written_after_a_question_mark(
    make_chart: Any, render: Any
) -> None:
    printed = _decoded(
        _render(
            make_chart,
            render,
            _FORMS_TEMPLATE,
            {"forms": [{X + "\u2028": 1, "b": [X + "\u2028"]}]},
        )
    )
    assert printed == [
        [
            "b:\n- '" + X + "\u2028'\n? '" + X + "\u2028'\n: 1",
            "b:\n  - '" + X + "\u2028'\n? '" + X + "\u2028'\n: 1",
        ]
    ]


_MUST_PREFIX = (
    'template: c/templates/t.yaml:1:3: executing "c/templates/t.yaml" at <mustToYaml .Values.v>: '
    "error calling mustToYaml: "
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\x7f", "yaml: control characters are not allowed"),
        ({"a": ["a\x9f"]}, "yaml: control characters are not allowed"),
        ({"a": "a\uffff"}, "yaml: control characters are not allowed"),
        ({"\ufffe": 1}, "yaml: control characters are not allowed"),
        ({"a": {"\x80": 1}}, "yaml: control characters are not allowed"),
        (
            {"a\x85": 1, "b": ["a\x85"]},
            "yaml: line 1: did not find expected ',' or '}'",
        ),
        ({"a \x85 \x85 b": 1}, "yaml: line 2: did not find expected ',' or '}'"),
        # the line counts the NELs before the ":" in the JSON text (keys sorted, "a" first)
        (
            {"z": ["x\x85y", {"b\x85\x85c": 1}], "a": "\x85"},
            "yaml: line 4: did not find expected ',' or '}'",
        ),
        # go-yaml's reader decodes 512 bytes at a time ahead of the parser: a control character
        # in a chunk decoded before the parser reaches the bad key's ":" is reported instead
        ({"a\x85": 1, "b": "\x7f"}, "yaml: control characters are not allowed"),
        (
            {"a\x85": 1, "b": "x" * 600 + "\x7f"},
            "yaml: line 1: did not find expected ',' or '}'",
        ),
        (
            {"a" * 503 + "\x85": 1, "b": "xx\x7f"},
            "yaml: line 1: did not find expected ',' or '}'",
        ),
        (
            {"a" * 504 + "\x85": 1, "b": "xx\x7f"},
            "yaml: control characters are not allowed",
        ),
        (
            [1, "\x85", {"k\x85": {"x": "\x9f"}}],
            "yaml: control characters are not allowed",
        ),
        # a key whose JSON form (quotes included) is 1025 characters or more is not a simple key
        (
            {"a": "\x85\x85", "b" * 1023: 1},
            "yaml: line 2: did not find expected ',' or '}'",
        ),
        ({"\U0001f600" * 1023: 1}, "yaml: did not find expected ',' or '}'"),
        ({"\x01" * 200: 1}, "yaml: did not find expected ',' or '}'"),
    ],
    ids=lambda value: ascii(value)[:30],
)
def test_must_to_yaml_fails_with_go_yamls_message_and_to_yaml_prints_nothing(
    value: Any, message: str, make_chart: Any, render: Any
) -> None:
    with pytest.raises(RenderError) as raised:
        _render(make_chart, render, "{{ mustToYaml .Values.v }}", {"v": value})
    assert str(raised.value) == _MUST_PREFIX + message
    assert _render(make_chart, render, "[{{ toYaml .Values.v }}]", {"v": value}) == "[]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b" * 1022: 1}, "? " + "b" * 1022 + "\n: 1"),
        (
            {"<" * 170: 1},
            "? " + "<" * 170 + "\n: 1",
        ),  # 1022 characters in JSON (\u003c)
        ({"\U0001f600" * 1022: 1}, '? "' + "\\U0001F600" * 1022 + '"\n: 1'),
    ],
    ids=["1022-characters", "escaped-to-1022", "1022-runes"],
)
def test_a_key_of_up_to_1024_json_characters_reads_back(
    value: dict[str, int], expected: str, make_chart: Any, render: Any
) -> None:
    assert (
        _render(make_chart, render, "{{ mustToYaml .Values.v }}", {"v": value})
        == expected
    )


# (fromYaml's input, the message Helm puts under "Error" after "error converting YAML to JSON: ")
PARSE_ERRORS: list[tuple[str, str]] = [
    ("a: *x", "yaml: unknown anchor 'x' referenced"),
    ("*x", "yaml: unknown anchor 'x' referenced"),
    ("a: &x [*x]", "yaml: anchor 'x' value contains itself"),
    ("a: [1, 2", "yaml: line 1: did not find expected ',' or ']'"),
    ("a: [1,\n2", "yaml: line 2: did not find expected ',' or ']'"),
    ("[1, 2", "yaml: line 1: did not find expected ',' or ']'"),
    ("- 1\n- [2", "yaml: line 2: did not find expected ',' or ']'"),
    ("a: {b: 1", "yaml: line 1: did not find expected ',' or '}'"),
    ("a:\n  - 1\n  - [2,\n", "yaml: line 3: did not find expected node content"),
    ("a: 1 # c\n# d\nb: [", "yaml: line 3: did not find expected node content"),
    ("]", "yaml: did not find expected node content"),
    ("a: b: c", "yaml: mapping values are not allowed in this context"),
    (
        "key: value\n  bad: indent",
        "yaml: line 2: mapping values are not allowed in this context",
    ),
    ("a:\n- 1\n b: 2", "yaml: line 3: mapping values are not allowed in this context"),
    ('"a\nb": 1', "yaml: line 2: mapping values are not allowed in this context"),
    ("a: 'x", "yaml: found unexpected end of stream"),
    ('a: "x', "yaml: found unexpected end of stream"),
    ("a:\n\tb: 1", "yaml: line 2: found character that cannot start any token"),
    ("a: @x", "yaml: found character that cannot start any token"),
    ("a: `x", "yaml: found character that cannot start any token"),
    ("a: %x", "yaml: found character that cannot start any token"),
    ("- a\nb: 1", "yaml: line 1: did not find expected '-' indicator"),
    ("a: 1\nb", "yaml: line 3: could not find expected ':'"),
    ("a:\n  - b\n  -c\n  - [", "yaml: line 4: could not find expected ':'"),
    ("a:\n  b: 1\n c: 2", "yaml: line 2: did not find expected key"),
    ("%FOO\n---\na: 1", "yaml: found unknown directive name"),
]

# The same, for errors of go-yaml's reader and decoder and of the YAML-to-JSON step.
PARSE_ERRORS_WORDED_BY_YAMLIO: list[tuple[str, str]] = [
    ("a: \x7f", "yaml: control characters are not allowed"),
    ("a: !!binary xyz", "yaml: !!binary value contains invalid base64 data"),
    ("a: !!int x", "yaml: cannot decode !!str `x` as a !!int"),
    ("a: !!float x", "yaml: cannot decode !!str `x` as a !!float"),
    ("? [a]\n: 1", 'yaml: invalid map key: []interface {}{"a"}'),
    ("~: 1", "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"),
    ("a: .inf", "json: unsupported value: +Inf"),
]

_FROM_TEMPLATE = "{{ fromYaml .Values.s | toJson | b64enc }}|{{ fromYamlArray .Values.s | toJson | b64enc }}"


def _from_yaml_results(make_chart: Any, render: Any, text: str) -> list[str]:
    rendered = _render(make_chart, render, _FROM_TEMPLATE, {"s": text})
    return [base64.b64decode(part).decode("utf-8") for part in rendered.split("|")]


def _expected_errors(message: str) -> list[str]:
    import json

    error = f"error converting YAML to JSON: {message}"

    def go_json(value: Any) -> str:  # json.Marshal escapes <, > and & (toJson)
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    return [go_json({"Error": error}), go_json([error])]


@pytest.mark.parametrize(
    ("text", "message"),
    PARSE_ERRORS,
    ids=[ascii(case[0])[:30] for case in PARSE_ERRORS],
)
def test_from_yaml_puts_helms_message_under_error(
    text: str, message: str, make_chart: Any, render: Any
) -> None:
    assert _from_yaml_results(make_chart, render, text) == _expected_errors(message)


@pytest.mark.parametrize(
    ("text", "message"),
    PARSE_ERRORS_WORDED_BY_YAMLIO,
    ids=[ascii(case[0])[:30] for case in PARSE_ERRORS_WORDED_BY_YAMLIO],
)
def test_from_yaml_puts_helms_message_under_error_for_constructor_errors(
    text: str, message: str, make_chart: Any, render: Any
) -> None:
    assert _from_yaml_results(make_chart, render, text) == _expected_errors(message)


def test_from_yaml_reads_the_first_document_only(make_chart: Any, render: Any) -> None:
    assert _from_yaml_results(make_chart, render, "a: 1\n---\nb: [")[0] == '{"a":1}'
    assert _from_yaml_results(make_chart, render, "a: 1\n...\nb: [")[0] == '{"a":1}'


_FILES_TEMPLATE = (
    '[{{ (.Files.Glob "files/*").AsConfig | b64enc }}|{{ (.Files.Glob "files/*").AsSecrets | b64enc }}'
    '|{{ .Files.Get "files/k.txt" | toJson | b64enc }}|{{ .Files.Get "files/k.txt" | toYaml | b64enc }}'
    '|{{ dict (.Files.Get "files/k.txt") 1 | toYaml | b64enc }}|{{ .Files.Get "files/k.txt" | toRawJson | b64enc }}]'
)


# (file content, Helm's AsConfig, AsSecrets, toJson, toYaml, toYaml of {content: 1}, toRawJson)
FILE_CASES: list[tuple[bytes, tuple[str, ...]]] = [
    (
        b"a\xc2\x85b",
        ("k.txt: a b", "k.txt: YcKFYg==", '"a\x85b"', "a b", "", '"a\x85b"'),
    ),
    (
        b"a\xe2\x80\xa8",
        (
            "k.txt: 'a\u2028'",
            "k.txt: YeKAqA==",
            '"a\\u2028"',
            "'a\u2028'",
            "? 'a\u2028'\n: 1",
            '"a\\u2028"',
        ),
    ),
    (
        b"a\t\xc2\x85b",
        (
            'k.txt: "a\\t b"',
            "k.txt: YQnChWI=",
            '"a\\t\x85b"',
            '"a\\t b"',
            "",
            '"a\\t\x85b"',
        ),
    ),
    # bytes that are not UTF-8: json.Marshal writes U+FFFD for each
    (
        b"a\xffb",
        (
            "k.txt: a\ufffdb",
            "k.txt: Yf9i",
            '"a\ufffdb"',
            "a\ufffdb",
            "a\ufffdb: 1",
            '"a\ufffdb"',
        ),
    ),
    (
        b"\xed\xa0\x80",
        (
            "k.txt: \ufffd\ufffd\ufffd",
            "k.txt: 7aCA",
            '"\ufffd\ufffd\ufffd"',
            "\ufffd\ufffd\ufffd",
            "\ufffd\ufffd\ufffd: 1",
            '"\ufffd\ufffd\ufffd"',
        ),
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"), FILE_CASES, ids=[ascii(case[0]) for case in FILE_CASES]
)
def test_files_print_as_helm_prints_them(
    content: bytes, expected: tuple[str, ...], make_chart: Any, render: Any
) -> None:
    rendered = _render(
        make_chart, render, _FILES_TEMPLATE, files={"files/k.txt": content}
    )
    assert tuple(_decoded(rendered)[0]) == expected


@pytest.mark.parametrize(
    "content", [b"a\x7f", "a\x85\x7f".encode(), "a\uffff".encode()], ids=ascii
)
def test_as_config_of_a_control_character_prints_nothing(
    content: bytes, make_chart: Any, render: Any
) -> None:
    rendered = _render(
        make_chart,
        render,
        '[{{ (.Files.Glob "files/*").AsConfig }}]',
        files={"files/k.txt": content},
    )
    assert rendered == "[]"
