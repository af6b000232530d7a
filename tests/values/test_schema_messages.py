"""values.schema.json errors word for word as Helm v4.3.1 prints them (issue #6).

Every expected text below was printed by the real ``helm template`` / ``helm lint`` (v4.3.1)
on a chart with the same schema and values. Helm lists the failing properties of one object
in Go map order, which changes from run to run; where a case has several, the expectation is
the run whose order follows the values (Helm's most frequent one, and helmlite's rule).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helmlite.chart.model import Chart
from helmlite.errors import SchemaValidationError
from helmlite.values.coalesce import coalesce_values
from helmlite.values.schema import validate_values

MakeChart = Callable[..., Chart]
HEADLINE = (
    "values don't meet the specifications of the schema(s) in the following chart(s):"
)
DRAFT7 = "http://json-schema.org/draft-07/schema#"


def schema_lines(
    make_chart: MakeChart, schema: Any, values: dict[str, Any]
) -> list[str]:
    """The lines helmlite prints under ``sc:`` for ``values`` against ``schema`` (an object, or JSON text)."""
    chart = make_chart(
        "sc",
        schema=(schema if isinstance(schema, str) else json.dumps(schema)).encode(),
    )
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, values)
    text = str(info.value)
    assert text.startswith(f"{HEADLINE}\nsc:\n") and text.endswith("\n")
    return text[len(HEADLINE) + 5 : -1].split("\n")


CASES: list[tuple[str, Any, dict[str, Any], list[str]]] = [
    ("brief example", {"type": "object", "properties": {"port": {"type": "number"}, "name": {"type": "string", "minLength": 3}}},
     {"port": "abc", "name": "ab"},
     ["- at '/port': got string, want number", "- at '/name': minLength: got 2, want 3"]),
    ("type names in the validator's order", {"properties": {"a": {"type": ["string", "null", "integer", "object"]}, "b": {"type": ["number", "boolean", "array"]}}},
     {"a": True, "b": "x"},
     ["- at '/a': got boolean, want null or integer or string or object", "- at '/b': got string, want boolean or number or array"]),
    ("an integer that is not", {"properties": {"a": {"type": "integer"}}}, {"a": 2.5}, ["- at '/a': got number, want integer"]),
    ("enum", {"properties": {"a": {"enum": ["x", "y", 3, None, True]}, "b": {"enum": ["x"]}, "c": {"enum": ["x", [1], {"k": 1}]}}},
     {"a": "z", "b": "z", "c": "z"},
     ["- at '/a': value must be one of 'x', 'y', 3, <nil>, true", "- at '/b': value must be 'x'", "- at '/c': 'enum' failed"]),
    ("const", {"properties": {"a": {"const": "x"}, "b": {"const": 5}, "c": {"const": [1]}, "d": {"const": None}}},
     {"a": "z", "b": 6, "c": [2], "d": 1},
     ["- at '/a': value must be 'x'", "- at '/b': value must be 5", "- at '/c': 'const' failed", "- at '/d': value must be <nil>"]),
    ("required", {"required": ["a", "b", "c"], "properties": {"o": {"required": ["q"]}}}, {"b": 1, "o": {}},
     ["- at '': missing properties 'a', 'c'", "- at '/o': missing property 'q'"]),
    ("numbers in Go's words", {"properties": {k: {"maximum": -1e300} for k in "abcdefgh"}},
     {"a": 1000000, "b": 123456789012, "c": 0.0000001, "d": -1000, "e": 12345.678, "f": 999999, "g": 0.0001, "h": 123456789012345678},
     ["- at '/a': maximum: got 1×10⁰⁶, want -1×10³⁰⁰", "- at '/b': maximum: got 1.23456789012×10¹¹, want -1×10³⁰⁰",
      "- at '/c': maximum: got 1×10⁻⁰⁷, want -1×10³⁰⁰", "- at '/d': maximum: got -1,000, want -1×10³⁰⁰",
      "- at '/e': maximum: got 12,345.678, want -1×10³⁰⁰", "- at '/f': maximum: got 999,999, want -1×10³⁰⁰",
      "- at '/g': maximum: got 0.0001, want -1×10³⁰⁰", "- at '/h': maximum: got 1.2345678901234568×10¹⁷, want -1×10³⁰⁰"]),
    ("number keywords in order", {"properties": {"a": {"minimum": 9, "maximum": 1, "exclusiveMinimum": 9, "exclusiveMaximum": 1, "multipleOf": 7, "not": {}}, "e": {"multipleOf": 0.5}}},
     {"a": 5, "e": 1.3},
     ["- at '/a': minimum: got 5, want 9", "- at '/a': maximum: got 5, want 1", "- at '/a': exclusiveMinimum: got 5, want 9",
      "- at '/a': exclusiveMaximum: got 5, want 1", "- at '/a': multipleOf: got 5, want 7", "- at '/a': 'not' failed",
      "- at '/e': multipleOf: got 1.3, want 0.5"]),
    ("draft 4 exclusiveMinimum", {"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"a": {"minimum": 3, "exclusiveMinimum": True}, "b": {"type": "integer"}}},
     {"a": 3, "b": 1.0}, ["- at '/a': exclusiveMinimum: got 3, want 3"]),
    ("strings", {"properties": {"a": {"minLength": 3}, "b": {"maxLength": 2}, "c": {"pattern": "^[a-z]+$"}, "d": {"pattern": "it's\\d"}, "e": {"maxLength": 2}}},
     {"a": "ab", "b": "abc", "c": "A1", "d": "x", "e": "héé"},
     ["- at '/a': minLength: got 2, want 3", "- at '/b': maxLength: got 3, want 2", "- at '/c': 'A1' does not match pattern '^[a-z]+$'",
      "- at '/d': 'x' does not match pattern 'it\\'s\\\\d'", "- at '/e': maxLength: got 3, want 2"]),
    ("counts with thousands separators", {"properties": {"a": {"maxLength": 3}, "b": {"minItems": 1001}}}, {"a": "x" * 1234, "b": [1]},
     ["- at '/a': maxLength: got 1,234, want 3", "- at '/b': minItems: got 1, want 1,001"]),
    ("array and object sizes", {"properties": {"a": {"minItems": 3}, "b": {"maxItems": 1}, "c": {"uniqueItems": True}, "d": {"minProperties": 3}, "e": {"maxProperties": 1}}},
     {"a": [1], "b": [1, 2], "c": [1, 2, 1, 2], "d": {"x": 1}, "e": {"x": 1, "y": 2}},
     ["- at '/a': minItems: got 1, want 3", "- at '/b': maxItems: got 2, want 1", "- at '/c': items at 0 and 2 are equal",
      "- at '/d': minProperties: got 1, want 3", "- at '/e': maxProperties: got 2, want 1"]),
    ("pointers: escapes and indexes", {"properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}, "e'f": {"type": "string"}, "l": {"items": {"type": "string"}}}},
     {"a/b": 1, "c~d": 1, "e'f": 1, "l": [1, "x", 2]},
     ["- at '/a~1b': got number, want string", "- at '/c~0d': got number, want string", "- at '/e\\'f': got number, want string",
      "- at '/l/0': got number, want string", "- at '/l/2': got number, want string"]),
    ("the root", {"type": "array"}, {"a": 1}, ["- at '': got object, want array"]),
    ("a failing type hides the other keywords", {"properties": {"a": {"type": "string", "enum": ["q"], "minLength": 5}, "b": {"enum": ["q"], "minLength": 5, "const": "x"}}},
     {"a": 5, "b": "z"}, ["- at '/a': got number, want string", "- at '/b': value must be 'x'"]),
    ("nested objects are flattened", {"properties": {"a": {"properties": {"x": {"type": "string"}, "y": {"minimum": 3}}, "required": ["z"]}}},
     {"a": {"x": 1, "y": 1}},
     ["- at '/a': missing property 'z'", "- at '/a/x': got number, want string", "- at '/a/y': minimum: got 1, want 3"]),
    ("allOf: a subschema failing twice is grouped", {"properties": {"a": {"allOf": [{"minLength": 5, "pattern": "^x"}, {"maxLength": 1}]}}}, {"a": "ab"},
     ["- at '/a': 'allOf' failed", "  - at '/a': validation failed", "    - at '/a': minLength: got 2, want 5",
      "    - at '/a': 'ab' does not match pattern '^x'", "  - at '/a': maxLength: got 2, want 1"]),
    ("anyOf", {"properties": {"a": {"anyOf": [{"type": "object", "required": ["x", "y"], "properties": {"z": {"type": "string"}}}, {"minProperties": 5, "maxProperties": 0}]}}},
     {"a": {"z": 1}},
     ["- at '/a': 'anyOf' failed", "  - at '/a': validation failed", "    - at '/a': missing properties 'x', 'y'",
      "    - at '/a/z': got number, want string", "  - at '/a': validation failed", "    - at '/a': minProperties: got 1, want 5",
      "    - at '/a': maxProperties: got 1, want 0"]),
    ("oneOf", {"properties": {"a": {"oneOf": [{"type": "string"}, {"type": "boolean"}]}, "b": {"oneOf": [{"type": "string"}, {"minimum": 0}, {"maximum": 5}, {"type": "number"}]}}},
     {"a": 1, "b": 1},
     ["- at '/a': 'oneOf' failed, none matched", "  - at '/a': got number, want string", "  - at '/a': got number, want boolean",
      "- at '/b': 'oneOf' failed, subschemas 1, 2 matched"]),
    ("if/then/else are flattened", {"properties": {"a": {"if": {"properties": {"k": {"const": "x"}}}, "then": {"required": ["t"]}, "else": {"required": ["e"], "minProperties": 4}}}},
     {"a": {"k": "y"}}, ["- at '/a': minProperties: got 1, want 4", "- at '/a': missing property 'e'"]),
    ("$ref: one cause passes through, two are grouped", {"$defs": {"p": {"minLength": 4, "pattern": "^x"}, "q": {"minLength": 4}},
                                                        "properties": {"a": {"$ref": "#/$defs/p"}, "b": {"$ref": "#/$defs/q", "maxLength": 1}}},
     {"a": "ab", "b": "ab"},
     ["- at '/a': validation failed", "  - at '/a': minLength: got 2, want 4", "  - at '/a': 'ab' does not match pattern '^x'",
      "- at '/b': minLength: got 2, want 4", "- at '/b': maxLength: got 2, want 1"]),
    ("draft 7 ignores $ref siblings", {"$schema": DRAFT7, "definitions": {"p": {"minLength": 4}}, "properties": {"a": {"$ref": "#/definitions/p", "maxLength": 1}}},
     {"a": "ab"}, ["- at '/a': minLength: got 2, want 4"]),
    ("$ref at the root", {"$ref": "#/$defs/r", "$defs": {"r": {"required": ["q", "w"], "properties": {"a": {"type": "string"}}}}}, {"a": 1},
     ["- at '': validation failed", "  - at '': missing properties 'q', 'w'", "  - at '/a': got number, want string"]),
    ("false schemas", {"properties": {"a": False, "p": {"prefixItems": [{"type": "string"}, {"type": "number"}], "items": False}}},
     {"a": 1, "p": [1, "x", 3, 4]},
     ["- at '/a': false schema", "- at '/p/0': got number, want string", "- at '/p/1': got string, want number",
      "- at '/p/2': false schema", "- at '/p/3': false schema"]),
    ("a false root", False, {"a": 1}, ["- at '': false schema"]),
    ("additionalProperties", {"properties": {"a": {}}, "patternProperties": {"^p": {}}, "additionalProperties": False}, {"zz": 1, "pq": 1, "a": 1, "b": 2},
     ["- at '': additional properties 'zz', 'b' not allowed"]),
    ("additionalProperties schema", {"properties": {"a": {}}, "additionalProperties": {"type": "string"}}, {"a": 1, "b": 2, "c": 3},
     ["- at '/b': got number, want string", "- at '/c': got number, want string"]),
    ("unevaluated", {"properties": {"a": {}, "l": {"prefixItems": [{"type": "number"}], "unevaluatedItems": False}}, "unevaluatedProperties": False},
     {"a": 1, "l": [1, 2, 3], "b": 2},
     ["- at '/l/1': false schema", "- at '/l/2': false schema", "- at '/b': false schema"]),
    ("draft 7 additionalItems", {"$schema": DRAFT7, "properties": {"a": {"items": [{"type": "string"}], "additionalItems": False},
                                                                   "b": {"items": [{"type": "string"}], "additionalItems": {"type": "string"}}}},
     {"a": ["x", 2, 3], "b": ["x", 2, 3]},
     ["- at '/a': last 2 additionalItem(s) not allowed", "- at '/b/1': got number, want string", "- at '/b/2': got number, want string"]),
    ("contains", {"properties": {"a": {"contains": {"type": "string", "minLength": 3}}, "b": {"contains": {"type": "string"}, "minContains": 2},
                                 "c": {"contains": {"type": "string"}, "minContains": 2}, "d": {"contains": {"type": "string"}, "maxContains": 1}}},
     {"a": [1, "ab"], "b": [1, "x", 3], "c": [1, 2], "d": ["x", 1, True, "z"]},
     ["- at '/a': no items match contains schema", "  - at '/a/0': got number, want string", "  - at '/a/1': minLength: got 2, want 3",
      "- at '/b': min 2 items required to match contains schema, but matched 1 items at 1",
      "  - at '/b/0': got number, want string", "  - at '/b/2': got number, want string",
      "- at '/c': min 2 items required to match contains schema, but none matched",
      "  - at '/c/0': got number, want string", "  - at '/c/1': got number, want string",
      "- at '/d': max 1 items required to match contains schema, but matched 2 items at 0 3"]),
    ("propertyNames", {"propertyNames": {"pattern": "^[a-z]+$", "minLength": 2}}, {"A": 1, "ok": 2},
     ["- at '': invalid propertyName 'A'", "  - at '': minLength: got 1, want 2", "  - at '': 'A' does not match pattern '^[a-z]+$'"]),
    ("dependencies", {"dependentRequired": {"a": ["b", "c"]}, "dependentSchemas": {"a": {"required": ["x", "y"], "maxProperties": 0}}}, {"a": 1},
     ["- at '': maxProperties: got 1, want 0", "- at '': missing properties 'x', 'y'", "- at '': properties 'b', 'c' required, if 'a' exists"]),
    ("draft 7 dependencies", {"$schema": DRAFT7, "dependencies": {"a": ["b"], "c": {"required": ["q"]}}}, {"a": 1, "c": 1},
     ["- at '': properties 'b' required, if 'a' exists", "- at '': missing property 'q'"]),
    ("object keywords in order", {"properties": {"a": {"minProperties": 9, "required": ["r"], "dependentRequired": {"k": ["m"]}, "additionalProperties": False,
                                                       "propertyNames": {"maxLength": 1}, "properties": {"k": {"type": "string"}}, "not": {}, "allOf": [False]}}},
     {"a": {"k": 1, "zz": 2}},
     ["- at '/a': minProperties: got 2, want 9", "- at '/a': missing property 'r'", "- at '/a/k': got number, want string",
      "- at '/a': additional properties 'zz' not allowed", "- at '/a': invalid propertyName 'zz'", "  - at '': maxLength: got 2, want 1",
      "- at '/a': properties 'm' required, if 'k' exists", "- at '/a': 'not' failed", "- at '/a': 'allOf' failed", "  - at '/a': false schema"]),
    ("array keywords in order", {"properties": {"a": {"minItems": 9, "maxItems": 1, "uniqueItems": True, "items": {"type": "string"}, "contains": {"type": "string"}, "not": {}}}},
     {"a": [1, 1]},
     ["- at '/a': minItems: got 2, want 9", "- at '/a': maxItems: got 2, want 1", "- at '/a': items at 0 and 1 are equal",
      "- at '/a/0': got number, want string", "- at '/a/1': got number, want string", "- at '/a': no items match contains schema",
      "  - at '/a/0': got number, want string", "  - at '/a/1': got number, want string", "- at '/a': 'not' failed"]),
    ("formats (draft 7)", {"$schema": DRAFT7, "properties": {k: {"format": f} for k, f in
                           [("a", "ipv4"), ("b", "email"), ("c", "date-time"), ("d", "uri"), ("e", "hostname"), ("f", "uuid"), ("g", "date"),
                            ("h", "ipv6"), ("i", "regex"), ("j", "duration"), ("k", "time"), ("l", "uri-reference"), ("m", "json-pointer"),
                            ("n", "idn-email"), ("o", "semver"), ("p", "period"), ("q", "uri-template"), ("r", "relative-json-pointer")]}},
     {"a": "1.2.3.x", "b": "nope", "c": "yesterday", "d": "http://h:x/", "e": "-bad-", "f": "x", "g": "2020-1-01", "h": "1:2", "i": "(a",
      "j": "P", "k": "25:00:00", "l": "a\\b", "m": "a/b", "n": "x", "o": "x", "p": "x", "q": "{a", "r": "x"},
     ["- at '/a': '1.2.3.x' is not valid ipv4: strconv.Atoi: parsing \"x\": invalid syntax",
      "- at '/b': 'nope' is not valid email: missing @",
      "- at '/c': 'yesterday' is not valid date-time: less than 20 characters long",
      "- at '/d': 'http://h:x/' is not valid uri: parse \"http://h:x/\": invalid port \":x\" after host",
      "- at '/e': '-bad-' is not valid hostname: label starts with hyphen",
      "- at '/f': 'x' is not valid uuid: must have 5 elements",
      "- at '/g': '2020-1-01' is not valid date: parsing time \"2020-1-01\" as \"2006-01-02\": cannot parse \"1-01\" as \"01\"",
      "- at '/h': '1:2' is not valid ipv6: ParseAddr(\"1:2\"): address string too short",
      "- at '/i': '(a' is not valid regex: error parsing regexp: missing closing ): `(a`",
      "- at '/j': 'P' is not valid duration: nothing after P",
      "- at '/k': '25:00:00' is not valid time: less than 9 characters long",
      "- at '/l': 'a\\\\b' is not valid uri-reference: contains \\",
      "- at '/m': 'a/b' is not valid json-pointer: not starting with /",
      "- at '/o': 'x' is not valid semver: versionCore must have 3 numbers separated by dot",
      "- at '/p': 'x' is not valid period: missing slash",
      "- at '/q': '{a' is not valid uri-template: no matching closing brace",
      "- at '/r': 'x' is not valid relative-json-pointer: must start with non-negative integer"]),
    ("more format reasons", {"$schema": DRAFT7, "properties": {"a": {"format": "ipv6"}, "b": {"format": "date"}, "c": {"format": "uri"}, "d": {"format": "uri"}, "e": {"format": "iri"}}},
     {"a": "::g", "b": "2020-13-01", "c": "http://[::g]/", "d": ":x", "e": "//host/p"},
     ["- at '/a': '::g' is not valid ipv6: ParseAddr(\"::g\"): each colon-separated field must have at least one digit (at \"g\")",
      "- at '/b': '2020-13-01' is not valid date: parsing time \"2020-13-01\": month out of range",
      "- at '/c': 'http://[::g]/' is not valid uri: parse \"http://[::g]/\": invalid host: ParseAddr(\"::g\"): each colon-separated field must have at least one digit (at \"g\")",
      "- at '/d': ':x' is not valid uri: parse \":x\": missing protocol scheme",
      "- at '/e': '//host/p' is not valid iri: relative url"]),
    ("enum and const numbers as the schema writes them", '{"properties":{"a":{"enum":[1.50, 1E3, 2.0, -0, 100]},"b":{"const":1.50}}}', {"a": "z", "b": 2},
     ["- at '/a': value must be one of 1.50, 1E3, 2.0, -0, 100", "- at '/b': value must be 1.50"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("schema", "values", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_messages_match_helm(
    make_chart: MakeChart, schema: Any, values: dict[str, Any], expected: list[str]
) -> None:
    assert schema_lines(make_chart, schema, values) == expected


def test_formats_are_annotations_from_draft_2019_09_on(make_chart: MakeChart) -> None:
    for dialect in (
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
        None,
    ):
        schema: dict[str, Any] = {
            "properties": {"a": {"format": "ipv4"}, "b": {"format": "date"}}
        }
        if dialect:
            schema["$schema"] = dialect
        validate_values(
            make_chart("sc", schema=schema), {"a": "1.2.3.999", "b": "yesterday"}
        )


def test_a_backslash_before_the_closing_quote_is_lost_as_in_helm(
    make_chart: MakeChart,
) -> None:
    # santhosh-tekuri unescapes \" in the quoted string together with its closing quote.
    lines = schema_lines(
        make_chart,
        {"$schema": DRAFT7, "properties": {"a": {"format": "uri-reference"}}},
        {"a": "\\\\"},
    )
    assert lines == ["- at '/a': '\\\\\\' is not valid uri-reference: contains \\"]


def test_parent_and_subcharts_in_one_error(make_chart: MakeChart) -> None:
    sub = make_chart(
        "sub",
        {"x": 1, "z": 2},
        schema={
            "properties": {
                "x": {"type": "string"},
                "z": {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
            }
        },
    )
    sub2 = make_chart("sub2", {"a": 1}, schema={"required": ["q"]})
    sub3 = make_chart("sub3", {"a": 1})
    parent = make_chart(
        "parent",
        {"age": -5},
        sub,
        sub2,
        sub3,
        schema={"required": ["name"], "properties": {"age": {"minimum": 0}}},
    )
    with pytest.raises(SchemaValidationError) as info:
        validate_values(parent, coalesce_values(parent, {}))
    # What `helm template` printed after "Error: " (its output ends with a blank line).
    assert str(info.value) == (
        f"{HEADLINE}\n"
        "parent:\n- at '': missing property 'name'\n- at '/age': minimum: got -5, want 0\n"
        "sub:\n- at '/x': got number, want string\n- at '/z': 'anyOf' failed\n"
        "  - at '/z': got number, want string\n  - at '/z': got number, want boolean\n"
        "sub2:\n- at '': missing property 'q'\n"
    )
    assert info.value.violations["sub"][1] == (
        "/z",
        "'anyOf' failed\n  - at '/z': got number, want string\n  - at '/z': got number, want boolean",
    )


def test_lint_prints_helms_lines(tmp_path: Path) -> None:
    from helmlite.actions.lint import Lint, format_report

    chart = tmp_path / "sc"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: sc\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("a: 1\n")
    schema = {
        "properties": {
            "a": {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
            "b": {"type": "string"},
        }
    }
    (chart / "values.schema.json").write_text(json.dumps(schema))
    report = format_report(Lint().run([str(chart)]))
    # `helm lint sc` (v4.3.1), after its "==> Linting" line.
    assert report.text.split("\n", 1)[1] == (
        "[INFO] Chart.yaml: icon is recommended\n"
        "[ERROR] values.yaml: - at '/a': 'anyOf' failed\n"
        "  - at '/a': got number, want string\n"
        "  - at '/a': got number, want boolean\n"
        "\n"
        "[ERROR] templates/: values don't meet the specifications of the schema(s) in the following chart(s):\n"
        "sc:\n"
        "- at '/a': 'anyOf' failed\n"
        "  - at '/a': got number, want string\n"
        "  - at '/a': got number, want boolean\n"
        "\n"
        "\n"
    )
    assert report.summary == "1 chart(s) linted, 1 chart(s) failed"
