"""YAML in Helm's dialect (helm-behaviour.md §3.12), its bounds, and dump_yaml round trips."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.errors import ValuesError
from helmlite.values.yamlio import (
    HELM_LINE_WIDTH,
    MAX_ALIAS_NODES,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    dump_yaml,
    load_values,
    load_yaml,
    load_yaml_documents,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # booleans: YAML 1.1 words, and y/n as Helm reads them
        ("yes", True),
        ("on", True),
        ("True", True),
        ("NO", False),
        ("off", False),
        ("y", True),
        ("Y", True),
        ("n", False),
        ("N", False),
        ("tRUE", "tRUE"),
        # nulls
        ("~", None),
        ("null", None),
        ("NULL", None),
        ("", None),
        # integers stay ints, in every base Go reads
        ("1000000", 1000000),
        ("0o17", 15),
        ("017", 15),
        ("-017", -15),
        ("0x1F", 31),
        ("-0x1F", -31),
        ("0b101", 5),
        ("1_000", 1000),
        ("+1", 1),
        ("-0", 0),
        ("12345678901234567890", 12345678901234567890),
        # floats as Go reads them
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("1.5e3", 1500.0),
        ("1e-3", 0.001),
        (".5", 0.5),
        ("1.", 1.0),
        ("08", 8.0),
        ("1_000.5", 1000.5),
        # strings
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14T21:59:43.10-05:00", "2001-12-14T21:59:43.10-05:00"),
        ("=", "="),
        ("190:20:30", "190:20:30"),
        ("0o9", "0o9"),
        ("0x", "0x"),
        ('"123"', "123"),
        ("'yes'", "yes"),
        ("!!str 123", "123"),
        ("!!int '3'", 3),
        ("!!float 1", 1.0),
        ("!!timestamp 2001-12-14", "2001-12-14"),
        ("!!binary aGVsbG8=", "hello"),
        ("!custom 5", "5"),
        ("!custom {a: 1}", {"a": 1}),
    ],
)
def test_scalar_values(text: str, expected: Any) -> None:
    value = load_yaml(f"v: {text}\n", "values.yaml")["v"]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("on", "true"),
        ("yes", "true"),
        ("y", "true"),
        ("true", "true"),
        ("no", "false"),
        ("off", "false"),
        ("n", "false"),
        ("1", "1"),
        ("0x10", "16"),
        ("-0x10", "-16"),
        ("1.5", "1.5"),
        ("1.0", "1"),
        ("1e6", "1e+06"),
        ("0.00001", "1e-05"),
        ("123456.0", "123456"),
        ("1234567.0", "1.234567e+06"),
        ("3.14159265", "3.1415927"),  # Helm formats float keys as float32
        ("-0.0", "-0"),
        ("1e39", ".inf"),
        ("-1e39", "-.inf"),
        ("08", "8"),
        ("2001-12-14", "2001-12-14"),
        ("''", ""),
        ("plain", "plain"),
    ],
)
def test_mapping_keys_become_strings_as_in_helm(key: str, expected: str) -> None:
    assert load_yaml(f"{key}: x\n", "values.yaml") == {expected: "x"}


def test_flow_mapping_key_y_is_true() -> None:
    assert load_yaml("base: {x: 1, y: 2}", "v") == {"base": {"x": 1, "true": 2}}


def test_duplicate_keys_last_wins_including_converted_keys() -> None:
    assert load_yaml("a: 1\na: 2\n", "v") == {"a": 2}
    assert load_yaml("on: a\nyes: b\ntrue: c\n", "v") == {"true": "c"}


def test_set_tag_is_a_map_of_nulls() -> None:
    assert load_yaml("a: !!set {x, y}", "v") == {"a": {"x": None, "true": None}}


def test_merge_keys() -> None:
    text = "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\n"
    assert load_yaml(text, "v")["merged"] == {"x": 1, "true": 3}


def test_aliases_give_independent_copies() -> None:
    loaded = load_yaml("base: &b {l: [1, 2]}\ncopy: *b\n", "v")
    loaded["copy"]["l"].append(3)
    assert loaded["base"] == {"l": [1, 2]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: .inf", "values.yaml: line 1: json: unsupported value: +Inf"),
        ("a: -.Inf", "values.yaml: line 1: json: unsupported value: -Inf"),
        ("a: .nan", "values.yaml: line 1: json: unsupported value: NaN"),
        ("a: !!float nan", "values.yaml: line 1: cannot decode !!str `nan` as a !!float"),
        ("x: 1\n~: 1", "values.yaml: line 2: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"),
        ("? [1]\n: 2", "values.yaml: line 1: invalid map key: []interface {}{1}"),
        ("a: [1, 2\nb: 3", "values.yaml: line 2: did not find expected ',' or ']'"),
        ("a:\n  b: 1\n c: 2", "values.yaml: line 3: did not find expected key"),
        ("a: *nope", "values.yaml: line 1: unknown anchor 'nope' referenced"),
        ("a: !!int abc", "values.yaml: line 1: cannot decode !!str `abc` as a !!int"),
        ("a: !!bool maybe", "values.yaml: line 1: cannot decode !!str `maybe` as a !!bool"),
        ("a: !!binary '%%%'", "values.yaml: line 1: !!binary value contains invalid base64 data"),
        ("a: \x01", "values.yaml: control characters are not allowed"),
        ("a: 1\n---\nb: 2", "values.yaml: line 2: but found another document"),
    ],
)
def test_errors_are_one_line_and_name_the_source(text: str, message: str) -> None:
    with pytest.raises(ValuesError) as info:
        load_yaml(text, "values.yaml")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_invalid_utf8_is_an_error() -> None:
    with pytest.raises(ValuesError, match=r"^v: invalid leading UTF-8 octet"):
        load_yaml(b"a: \xff\n", "v")


def test_byte_order_marks_and_utf16() -> None:
    assert load_yaml(b"\xef\xbb\xbfa: 1", "v") == {"a": 1}
    assert load_yaml("\ufeffa: 1", "v") == {"a": 1}
    assert load_yaml("a: ü".encode("utf-16"), "v") == {"a": "ü"}


def test_depth_bound() -> None:
    depth = MAX_YAML_DEPTH
    assert load_yaml("[" * depth + "]" * depth, "v") is not None
    with pytest.raises(ValuesError, match=f"nesting is deeper than {MAX_YAML_DEPTH} levels"):
        load_yaml("[" * (depth + 1) + "]" * (depth + 1), "v")
    with pytest.raises(ValuesError, match=f"line {depth + 1}: nesting is deeper"):
        load_yaml("".join(" " * i + "a:\n" for i in range(depth + 5)), "v")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 200_000 + "]" * 200_000,  # libyaml's own composer crashes the interpreter on this
        "- " * 200_000 + "1",
    ],
)
def test_very_deep_input_fails_cleanly(text: str) -> None:
    with pytest.raises(ValuesError, match="nesting is deeper"):
        load_yaml(text, "v")


def test_depth_bound_counts_alias_expansion() -> None:
    text = "a: &a " + "[" * 90 + "]" * 90 + "\nb: " + "[" * 70 + "*a" + "]" * 70
    with pytest.raises(ValuesError, match="line 2: nesting is deeper"):
        load_yaml(text, "v")


def test_alias_expansion_bound() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(ValuesError, match=f"aliases expand to more than {MAX_ALIAS_NODES} nodes"):
        load_yaml("\n".join(lines), "bomb.yaml")


@pytest.mark.parametrize("text", ["a: &a [*a]", "a: &a {b: *a}"])
def test_recursive_aliases_are_rejected(text: str) -> None:
    with pytest.raises(ValuesError, match="line 1: anchor 'a' value contains itself"):
        load_yaml(text, "v")


def test_size_bound() -> None:
    with pytest.raises(ValuesError, match=f"more than the {MAX_YAML_BYTES} allowed"):
        load_yaml(b"#" * (MAX_YAML_BYTES + 1), "big.yaml")


def test_load_yaml_documents() -> None:
    assert load_yaml_documents("a: 1\n---\n---\n- 2\n", "v") == [{"a": 1}, None, [2]]
    assert load_yaml("", "v") is None


def test_load_values_merges_documents_in_order() -> None:
    text = "a: 1\nm: {p: 1, q: 1}\nl: [1, 2]\n---\nb: 2\n---\na: {c: 1}\nm: {q: 2}\nl: [3]\n"
    assert load_values(text, "v") == {"a": {"c": 1}, "b": 2, "m": {"p": 1, "q": 2}, "l": [3]}


@pytest.mark.parametrize("text", ["", "# only a comment\n", "null\n", "---\n---\n"])
def test_load_values_empty(text: str) -> None:
    assert load_values(text, "v") == {}


@pytest.mark.parametrize(("text", "kind"), [("[1, 2]", "list"), ("hello", "str"), ("a: 1\n---\n- 1", "list")])
def test_load_values_top_level_must_be_a_map(text: str, kind: str) -> None:
    with pytest.raises(
        ValuesError, match=f"^failed to parse my-values.yaml: values must be a map of keys to values, got {kind}$"
    ):
        load_values(text, "my-values.yaml")


def test_dump_yaml_format() -> None:
    text = dump_yaml({"b": [1, {"y": None, "x": True}], "a": "ü", "long": "word " * 40, "multi": "one\ntwo\n"})
    assert text == (
        "a: ü\n"
        "b:\n"
        "- 1\n"
        "- x: true\n"
        '  "y": null\n'
        f"long: '{'word ' * 40}'\n"
        "multi: |\n"
        "  one\n"
        "  two\n"
    )
    assert dump_yaml({}) == "{}\n"
    assert dump_yaml("x") == "x\n"


def test_dump_yaml_writes_what_helms_to_yaml_writes() -> None:
    # go-yaml's key order: non-letters before letters, digit runs compared as numbers
    keys = ["b", "a10", "a9", "Zfoo", "_foo", "a-b", "a.b", "a01", "a1", "B", "1", "10", "2"]
    assert [line.split(":")[0].strip('"') for line in dump_yaml({k: 0 for k in keys}).splitlines()] == [
        "_foo", "1", "2", "10", "B", "Zfoo", "a-b", "a.b", "a1", "a01", "a9", "a10", "b",
    ]  # fmt: skip
    # a string that reads back as something else is double-quoted; others stay plain when they can
    values = {"a": "9.9", "b": "", "c": "y", "d": "2001-12-14", "e": "=", "f": "x: y", "g": "tab\there", "h": "a'b"}
    assert dump_yaml(values) == (
        'a: "9.9"\nb: ""\nc: "y"\nd: "2001-12-14"\ne: =\nf: \'x: y\'\ng: "tab\\there"\nh: a\'b\n'
    )
    assert dump_yaml({"m": "a\nb", "k": "a\nb\n", "t": "trail \nx"}) == 'k: |\n  a\n  b\nm: |-\n  a\n  b\nt: "trail \\nx"\n'


def test_dump_yaml_folds_only_when_asked() -> None:
    text = "word " * 30 + "end"
    assert dump_yaml({"s": text}) == f"s: {text}\n"
    folded = dump_yaml({"s": text}, width=HELM_LINE_WIDTH)
    assert max(len(line) for line in folded.splitlines()) <= HELM_LINE_WIDTH + len("word")
    assert load_yaml(folded, "v") == {"s": text}


def test_dump_yaml_handles_subclasses_and_shared_parts() -> None:
    class Values(dict):  # type: ignore[type-arg]
        pass

    class Items(list):  # type: ignore[type-arg]
        pass

    class Text(str):
        pass

    shared = {"k": 1}
    text = dump_yaml(Values(a=Items([Text("t")]), b=shared, c=shared, d=(1, 2)))
    assert text == "a:\n- t\nb:\n  k: 1\nc:\n  k: 1\nd:\n- 1\n- 2\n"


@pytest.mark.parametrize(
    "value",
    ["y", "n", "yes", "on", "0o17", "017", "1e3", "08", "2001-12-14", "=", "1:30", "null", "~", "", "1_000", ".inf", "<<"],
)
def test_dump_quotes_strings_that_would_read_back_as_something_else(value: str) -> None:
    assert load_yaml(dump_yaml({"v": value}), "v") == {"v": value}


def test_dump_load_round_trip() -> None:
    values = {"n": 1000000, "f": 1.5, "b": False, "s": "text: with colon", "l": [None, "x\ny"], "m": {"deep": {"k": "v"}}}
    assert load_yaml(dump_yaml(values), "v") == values
