"""``dump_yaml`` writes what Helm v4.3.1's ``toYaml`` writes for strings where go-yaml and
libyaml part ways: line breaks other than ``\\n`` (U+2028, U+2029, NEL), a leading BOM, a final
line break kept by the block (libyaml's ``...`` document end), control characters.

Every expectation was printed by the real helm binary (``helm template`` of
``{{ toYaml X | toJson }}`` with the value set by ``--set-json``), so these tests need no helm.
``toYaml`` is ``dump_yaml`` without its final newline (Helm trims one).
"""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.errors import ValuesError, YAMLReadBackError
from helmlite.values.yamlio import dump_yaml, load_yaml
from tests.render.gotemplate.test_gt_yaml_odd_strings import CASES as GO_TEMPLATE_CASES

X = "x" * 130  # longer than a simple key may be
A = "a" * 130


def _forms(value: str) -> tuple[Any, ...]:
    """The value at the top level, in a map, in a list, two maps deep, and as a key."""
    return value, {"a": value}, [value], {"a": {"b": value}}, {value: 1, "b": [value]}


def _to_yaml(obj: Any) -> str:
    """Helm's ``toYaml``: one final newline trimmed, ``""`` when the value cannot be written."""
    try:
        return dump_yaml(obj).removesuffix("\n")
    except ValueError:
        return ""


# (value, Helm's toYaml of each of _forms(value)) for strings only this dialect's tests ran
# through Helm; the Go-template tests' recorded outputs (Helm's too) are checked as well.
_DUMP_ONLY_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("a", ("a", "a: a", "- a", "a:\n  b: a", "a: 1\nb:\n- a")),
    ("a ", ("'a '", "a: 'a '", "- 'a '", "a:\n  b: 'a '", "'a ': 1\nb:\n- 'a '")),
    (
        "a\n",
        (
            "|\n  a",
            "a: |\n  a",
            "- |\n  a",
            "a:\n  b: |\n    a",
            "? |\n  a\n: 1\nb:\n- |\n  a",
        ),
    ),
    (
        "a\n\n",
        (
            "|+\n  a\n",
            "a: |+\n  a\n",
            "- |+\n  a\n",
            "a:\n  b: |+\n    a\n",
            "? |+\n  a\n\n: 1\nb:\n- |+\n  a\n",
        ),
    ),
    (
        "\n",
        ("|2+\n", "a: |2+\n", "- |2+\n", "a:\n  b: |2+\n", "? |2+\n\n: 1\nb:\n- |2+\n"),
    ),
    (
        "a\nb",
        (
            "|-\n  a\n  b",
            "a: |-\n  a\n  b",
            "- |-\n  a\n  b",
            "a:\n  b: |-\n    a\n    b",
            "? |-\n  a\n  b\n: 1\nb:\n- |-\n  a\n  b",
        ),
    ),
    (
        " a\nb",
        (
            "|2-\n   a\n  b",
            "a: |2-\n   a\n  b",
            "- |2-\n   a\n  b",
            "a:\n  b: |2-\n     a\n    b",
            "? |2-\n   a\n  b\n: 1\nb:\n- |2-\n   a\n  b",
        ),
    ),
    (
        X + "\u2028",
        (
            "'" + X + "\u2028'",
            "a: '" + X + "\u2028'",
            "- '" + X + "\u2028'",
            "a:\n  b: '" + X + "\u2028'",
            "b:\n- '" + X + "\u2028'\n? '" + X + "\u2028'\n: 1",
        ),
    ),
    ("y", ('"y"', 'a: "y"', '- "y"', 'a:\n  b: "y"', 'b:\n- "y"\n"y": 1')),
    (
        "...",
        ("'...'", "a: '...'", "- '...'", "a:\n  b: '...'", "'...': 1\nb:\n- '...'"),
    ),
    (
        "a\n...",
        (
            "|-\n  a\n  ...",
            "a: |-\n  a\n  ...",
            "- |-\n  a\n  ...",
            "a:\n  b: |-\n    a\n    ...",
            "? |-\n  a\n  ...\n: 1\nb:\n- |-\n  a\n  ...",
        ),
    ),
]
CASES = _DUMP_ONLY_CASES + [(value, to_yaml) for value, to_yaml, _ in GO_TEMPLATE_CASES]


@pytest.mark.parametrize(
    ("value", "expected"), CASES, ids=[ascii(case[0])[:40] for case in CASES]
)
def test_to_yaml_of_a_string_is_helms(value: str, expected: tuple[str, ...]) -> None:
    assert tuple(_to_yaml(obj) for obj in _forms(value)) == expected


def test_no_document_end_marker_after_a_block_ending_in_a_paragraph_separator() -> None:
    # libyaml ends such a document with "..."; go-yaml writes nothing after the separator.
    assert dump_yaml({"a": "a\n\u2029"}) == "a: |+\n  a\n\u2029"
    assert dump_yaml("a\n\n") == "|+\n  a\n\n"


def test_width_folding_around_odd_line_breaks() -> None:
    # HELM_LINE_WIDTH, as index.yaml uses it: each line recorded from helm's toYaml.
    nine, words = " ".join(["word"] * 9), " ".join(["word"] * 16)
    assert (
        dump_yaml({"a": [f"a\u2028 {nine} a\u2028"]}, width=80)
        == f'a:\n- "a\\L {nine} a\\L"\n'
    )
    assert (
        dump_yaml({"a": [f"{words} a\u2028"]}, width=80)
        == f"a:\n- '{words}\n  a\u2028'\n"
    )
    assert (
        dump_yaml({"a": [f"{words}\u2028 \u2029"]}, width=80)
        == f'a:\n- "{words}\\L\n  \\P"\n'
    )


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        # helm: "error calling mustToYaml: <message>"; toYaml prints "" for these
        ("a\x7f", "yaml: control characters are not allowed"),
        ({"a": ["a\x9f"]}, "yaml: control characters are not allowed"),
        ({"a": "a\uffff"}, "yaml: control characters are not allowed"),
        (
            {"a\x85\x7f": 1, "b": ["a\x85\x7f"]},
            "yaml: control characters are not allowed",
        ),
        (
            {"a\x85": 1, "b": ["a\x85"]},
            "yaml: line 1: did not find expected ',' or '}'",
        ),
        (
            {"a\x85\x85": 1, "b": ["a\x85\x85"]},
            "yaml: line 2: did not find expected ',' or '}'",
        ),
        (
            {"a \x85 \x85 b": 1, "b": ["a \x85 \x85 b"]},
            "yaml: line 2: did not find expected ',' or '}'",
        ),
        # the line counts the NELs before the key in the JSON text (keys sorted, "a" first)
        (
            {"z": ["x\x85y", {"b\x85\x85c": 1}], "a": "\x85"},
            "yaml: line 4: did not find expected ',' or '}'",
        ),
    ],
)
def test_what_go_yaml_cannot_read_back_fails_with_its_message(
    obj: Any, message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        dump_yaml(obj)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        # go-yaml's reader decodes 512 bytes at a time ahead of the parser: a control character
        # in a chunk decoded before the parser reaches the bad key's ":" is reported instead
        ({"a\x85": 1, "b": "\x7f"}, "yaml: control characters are not allowed"),
        ({"a\x85": 1, "b": "x" * 600 + "\x7f"}, "yaml: line 1: did not find expected ',' or '}'"),
        ({"a" * 503 + "\x85": 1, "b": "xx\x7f"}, "yaml: line 1: did not find expected ',' or '}'"),
        ({"a" * 504 + "\x85": 1, "b": "xx\x7f"}, "yaml: control characters are not allowed"),
        # a key whose JSON form (quotes included) is 1025 characters or more is not a simple key
        ({"a": "\x85\x85", "b" * 1023: 1}, "yaml: line 2: did not find expected ',' or '}'"),
        ({"\U0001f600" * 1023: 1}, "yaml: did not find expected ',' or '}'"),
        ({"\x01" * 200: 1}, "yaml: did not find expected ',' or '}'"),
        ({"<" * 171: 1}, "yaml: did not find expected ',' or '}'"),  # 1025 characters as \u003c
    ],
    ids=lambda value: ascii(value)[:30],
)
def test_dump_yaml_fails_where_helms_to_yaml_does_in_its_order(obj: Any, message: str) -> None:
    # the same cases, printed by helm's mustToYaml, as tests/render/gotemplate/test_gt_yaml_odd_strings.py
    with pytest.raises(YAMLReadBackError) as raised:
        dump_yaml(obj)
    assert str(raised.value) == message
    assert isinstance(raised.value, ValuesError) and isinstance(raised.value, ValueError)


def test_dump_yaml_writes_a_key_of_up_to_1024_json_characters() -> None:
    assert dump_yaml({"b" * 1022: 1}) == "? " + "b" * 1022 + "\n: 1\n"
    assert dump_yaml({"<" * 170: 1}) == "? " + "<" * 170 + "\n: 1\n"


def test_strings_without_odd_characters_still_read_back_unchanged() -> None:
    value = {
        "s": [
            "a\u2028b",
            "\u2028",
            "x\ufeffa",
            "a\n\u2028",
            "y",
            "1e3",
            "a ",
            "\u2029\n",
        ]
    }
    assert load_yaml(dump_yaml(value), "v") == value
