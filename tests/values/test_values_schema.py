"""values.schema.json validation across a chart tree (helm-behaviour.md §3.1 step 5, §4.5)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from helmlite.chart.model import Chart
from helmlite.errors import SchemaValidationError
from helmlite.values.coalesce import coalesce_values
from helmlite.values.schema import validate_values

MakeChart = Callable[..., Chart]

PARENT_SCHEMA = {
    "$schema": "https://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["name"],
    "properties": {
        "a": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "ip": {"type": "string", "format": "ipv4"},
    },
}
SUB_SCHEMA = {
    "type": "object",
    "properties": {
        "x": {"type": "string"},
        "list": {"type": "array", "items": {"type": "string"}},
        "global": {"type": "object", "properties": {"env": {"enum": ["dev", "prod"]}}},
    },
}


def tree(make_chart: MakeChart) -> Chart:
    sub = make_chart("sub", {"x": 1, "list": [1, 2]}, schema=SUB_SCHEMA)
    return make_chart("parent", {"a": 1}, sub, schema=PARENT_SCHEMA)


def test_every_violation_of_every_chart_is_reported(make_chart: MakeChart) -> None:
    chart = tree(make_chart)
    values = coalesce_values(chart, {"age": -5, "ip": "1.2.3.999", "global": {"env": "qa"}})
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, values)
    # Helm's words and order: keywords as its validator checks them, properties in values order
    # (user values first, then the chart's defaults), and a newline after each chart's list.
    assert str(info.value) == (
        "values don't meet the specifications of the schema(s) in the following chart(s):\n"
        "parent:\n"
        "- at '': missing property 'name'\n"
        "- at '/age': minimum: got -5, want 0\n"
        "- at '/ip': '1.2.3.999' is not valid ipv4: decimal must be between 0 and 255\n"
        "- at '/a': got number, want string\n"
        "sub:\n"
        "- at '/global/env': value must be one of 'dev', 'prod'\n"
        "- at '/x': got number, want string\n"
        "- at '/list/0': got number, want string\n"
        "- at '/list/1': got number, want string\n"
    )
    assert {name: [path for path, _ in found] for name, found in info.value.violations.items()} == {
        "parent": ["", "/age", "/ip", "/a"],
        "sub": ["/global/env", "/x", "/list/0", "/list/1"],
    }


def test_valid_values_pass(make_chart: MakeChart) -> None:
    chart = tree(make_chart)
    values = coalesce_values(chart, {"name": "n", "a": "s", "sub": {"x": "y", "list": ["z"]}})
    validate_values(chart, values)  # raises on any violation


def test_only_a_subchart_fails(make_chart: MakeChart) -> None:
    chart = tree(make_chart)
    values = coalesce_values(chart, {"name": "n", "a": "s", "sub": {"list": []}})
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, values)
    assert info.value.violations == {"sub": [("/x", "got number, want string")]}
    assert str(info.value).splitlines()[1:] == ["sub:", "- at '/x': got number, want string"]


def test_charts_without_schemas_are_skipped(make_chart: MakeChart) -> None:
    leaf = make_chart("leaf", {"n": "x"}, schema={"properties": {"n": {"type": "integer"}}})
    middle = make_chart("middle", {}, leaf)
    root = make_chart("root", {}, middle)
    with pytest.raises(SchemaValidationError) as info:
        validate_values(root, coalesce_values(root, {}))
    assert info.value.violations == {"leaf": [("/n", "got string, want integer")]}


def test_subchart_values_that_are_not_a_map(make_chart: MakeChart) -> None:
    chart = make_chart("app", {}, make_chart("s", schema={"type": "object"}))
    validate_values(chart, {})  # no values for the subchart: nothing to validate
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, {"s": "text"})
    assert info.value.violations == {"s": [("", "invalid type for values: expected object (map), got str")]}


def test_json_pointer_escaping(make_chart: MakeChart) -> None:
    chart = make_chart("app", schema={"additionalProperties": {"type": "string"}})
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, {"a/b~c": 1})
    assert info.value.violations == {"app": [("/a~1b~0c", "got number, want string")]}


@pytest.mark.parametrize(
    ("schema", "values", "valid"),
    [
        # Helm's validator takes 1.0 for an integer in every draft, draft 4 included
        ({"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"n": {"type": "integer"}}}, {"n": 1.0}, True),
        ({"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"n": {"type": "integer"}}}, {"n": 1.5}, False),
        ({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"n": {"type": "integer"}}}, {"n": 1.0}, True),
        # draft-04 written with https and without "#" is still draft-04
        ({"$schema": "https://json-schema.org/draft-04/schema", "properties": {"n": {"format": "ipv4"}}}, {"n": "x"}, False),
        (
            {"$schema": "https://json-schema.org/draft/2020-12/schema#", "properties": {"t": {"prefixItems": [{"type": "string"}]}}},
            {"t": [1]},
            False,
        ),
        # no $schema: 2020-12, where prefixItems and items: false exist
        ({"properties": {"t": {"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False}}}, {"t": ["a", 1]}, True),
        ({"properties": {"t": {"prefixItems": [{"type": "string"}], "items": False}}}, {"t": ["a", 1]}, False),
        # format is asserted up to draft 7; from 2019-09 on (and so without $schema) Helm only annotates
        ({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"d": {"format": "date"}}}, {"d": "2024-02-30"}, False),
        ({"properties": {"d": {"format": "date"}}}, {"d": "2024-02-30"}, True),
    ],
)
def test_draft_detection_and_formats(make_chart: MakeChart, schema: dict, values: dict, valid: bool) -> None:  # type: ignore[type-arg]
    chart = make_chart("app", schema=schema)
    if valid:
        validate_values(chart, values)
    else:
        with pytest.raises(SchemaValidationError):
            validate_values(chart, values)


def test_relative_refs_to_chart_files(make_chart: MakeChart) -> None:
    files = {
        "schemas/common.json": json.dumps({"definitions": {"port": {"$ref": "port.json"}}}).encode(),
        "schemas/port.json": b'{"type": "integer", "maximum": 65535}',
    }
    chart = make_chart(
        "app", schema={"properties": {"port": {"$ref": "schemas/common.json#/definitions/port"}}}, files=files
    )
    validate_values(chart, {"port": 80})
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, {"port": 70000})
    assert info.value.violations == {"app": [("/port", "maximum: got 70,000, want 65,535")]}


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("https://example.com/schema.json", "remote schemas are not downloaded"),
        ("../outside.json", "only files inside the chart can be referenced"),
        ("file:///etc/hostname", "only files inside the chart can be referenced"),
        ("missing.json#/x", "the chart has no file 'missing.json'"),
        ("broken.json", "app/charts/sub/broken.json: invalid JSON: unexpected EOF"),
    ],
)
def test_refs_that_cannot_be_followed(make_chart: MakeChart, ref: str, reason: str) -> None:
    sub = make_chart("sub", schema={"properties": {"a": {"$ref": ref}}}, files={"broken.json": b"{"})
    chart = make_chart("app", {}, sub)
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, {"sub": {"a": 1}})
    assert str(info.value).startswith(f"app/charts/sub/values.schema.json: cannot resolve $ref {ref!r}: {reason}")
    assert info.value.violations == {}


def test_unresolved_urn_refs_accept_anything_as_in_helm(make_chart: MakeChart) -> None:
    validate_values(make_chart("app", schema={"properties": {"a": {"$ref": "urn:example:thing"}}}), {"a": 1})


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        # Helm v4.3.1: Go's decoder error under the chart's name.
        (b'{"type": ', "values don't meet the specifications of the schema(s) in the following chart(s):\napp:\n"
                       "unexpected EOF"),
        (b'{"type": 5}', "app/values.schema.json: invalid schema: 5 is not valid under any of the given schemas"),
    ],
)
def test_broken_schema_files(make_chart: MakeChart, schema: bytes, message: str) -> None:
    with pytest.raises(SchemaValidationError) as info:
        validate_values(make_chart("app", schema=schema), {})
    assert str(info.value).startswith(message)
    assert info.value.violations == {}


def test_schema_with_byte_order_mark(make_chart: MakeChart) -> None:
    chart = make_chart("app", schema=b'\xef\xbb\xbf{"properties": {"a": {"type": "string"}}}')
    with pytest.raises(SchemaValidationError):
        validate_values(chart, {"a": 1})


def test_a_valid_schema_is_checked_against_its_meta_schema_once(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from helmlite.values import schema as schema_module

    monkeypatch.setenv("HELMLITE_CACHE_HOME", str(tmp_path / "cache"))
    valid = b'{"type": "object", "properties": {"a": {"type": "integer"}}}'
    invalid = b'{"type": "object", "properties": {"a": {"type": 5}}}'
    validator = schema_module._validator_class({})
    good, bad = schema_module._checked_marker(valid, validator), schema_module._checked_marker(invalid, validator)
    assert good is not None and bad is not None and good != bad
    schema_module._remember(good)
    assert good.exists() and not bad.exists()
    monkeypatch.setenv(schema_module.DISABLE_CACHE_ENV, "1")
    assert schema_module._checked_marker(valid, validator) is None
