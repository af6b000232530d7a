"""Chart.yaml / requirements.yaml / lock parsing and validation (Helm's Metadata.Validate)."""

from __future__ import annotations

import copy

import pytest
import yaml

from helmlite.chart.metadata import dump_metadata, parse_lock, parse_metadata, parse_requirements, sanitize_string
from helmlite.chart.model import ChartMetadata, ImportValue
from helmlite.errors import ChartLoadError, IncompatibleChartError


def meta(text: str) -> ChartMetadata:
    return parse_metadata(text.encode(), "mychart/Chart.yaml")


def test_minimal_v2() -> None:
    md = meta("apiVersion: v2\nname: mychart\nversion: 0.1.0\n")
    assert (md.name, md.version, md.api_version, md.type) == ("mychart", "0.1.0", "v2", "")


def test_missing_api_version_means_v1() -> None:
    assert meta("name: old\nversion: 1.0.0\n").api_version == "v1"


def test_utf8_bom_is_stripped() -> None:
    assert parse_metadata(b"\xef\xbb\xbfname: bom\nversion: 1.0.0\n").name == "bom"


@pytest.mark.parametrize("version", ["1.2", "v1.2.3", "1", "1.0.0-rc.1+build.5"])
def test_version_is_parsed_leniently(version: str) -> None:
    assert meta(f"name: x\nversion: {version}\n").version == version


def test_scalar_text_is_kept_for_string_fields() -> None:
    # Helm would turn these into "1.1", "1.1" and "true"; helmlite keeps what the author wrote.
    md = meta("name: x\nversion: 1.10\nappVersion: 1.10\ndescription: y\nkeywords: [010, yes]\n")
    assert (md.version, md.app_version, md.description, md.keywords) == ("1.10", "1.10", "y", ("010", "yes"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1.0.0\n", 'mychart/Chart.yaml: field "name" is required'),
        ("name: x\n", 'mychart/Chart.yaml: field "version" is required'),
        ("name: x\nversion: abc\n", 'mychart/Chart.yaml: field "version" has invalid value "abc"'),
        ("name: a/b\nversion: 1.0.0\n", 'mychart/Chart.yaml: field "name" has invalid value "a/b"'),
        ("name: ..\nversion: 1.0.0\n", 'mychart/Chart.yaml: field "name" has invalid value ".."'),
        ("name: .\nversion: 1.0.0\n", 'mychart/Chart.yaml: field "name" has invalid value "."'),
        ("name: [a]\nversion: 1.0.0\n", 'mychart/Chart.yaml: field "name" must be a string'),
        (
            "apiVersion: v2\nname: x\nversion: 1.0.0\ntype: foo\n",
            'field "type" has invalid value "foo": chart.metadata.type must be application or library',
        ),
        ("apiVersion: v7\nname: x\nversion: 1.0.0\n", 'field "apiVersion" has unsupported value "v7"'),
        ("name: x\nversion: 1.0.0\nmaintainers:\n- null\n", 'field "maintainers" must not contain empty or null'),
        ("name: x\nversion: 1.0.0\ndependencies:\n- null\n", 'field "dependencies[0]" must not contain empty or null'),
        ("name: x\nversion: 1.0.0\ndependencies:\n- version: 1.0.0\n", 'field "dependencies[0].name" is required'),
        (
            "name: x\nversion: 1.0.0\ndependencies:\n- name: sub\n  alias: a.b\n",
            'field "dependencies[0].alias" is invalid: dependency "sub" has disallowed characters in the alias',
        ),
        (
            "name: x\nversion: 1.0.0\ndependencies:\n- name: sub\n- name: other\n  alias: sub\n",
            'more than one dependency with name or alias "sub"',
        ),
        ("name: x\nversion: 1.0.0\ndeprecated: maybe\n", 'field "deprecated" must be a boolean'),
        ("name: x\nversion: 1.0.0\nkeywords: abc\n", 'field "keywords" must be a list of strings'),
        ("name: x\nversion: 1.0.0\nannotations: [1]\n", 'field "annotations" must be a mapping'),
        ("- a\n- b\n", "mychart/Chart.yaml: expected a YAML mapping at the top level"),
        ("name: [\n", "mychart/Chart.yaml: invalid YAML"),
    ],
)
def test_errors_name_file_and_field(text: str, message: str) -> None:
    with pytest.raises(ChartLoadError) as err:
        meta(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_empty_chart_yaml_needs_a_name() -> None:
    with pytest.raises(ChartLoadError, match='field "name" is required'):
        parse_metadata(b"")


def test_api_version_v3_is_incompatible() -> None:
    with pytest.raises(IncompatibleChartError, match='apiVersion "v3" is not supported'):
        meta("apiVersion: v3\nname: x\nversion: 1.0.0\n")


def test_deeply_nested_yaml_is_an_error_not_a_crash() -> None:
    with pytest.raises(ChartLoadError, match="invalid YAML"):
        parse_metadata(b"name: " + b"[" * 5_000)


def test_full_metadata() -> None:
    md = meta(
        """
apiVersion: v2
name: full
version: 1.2.3
appVersion: "2.0"
kubeVersion: ">=1.20.0"
description: A   chart
type: library
keywords: [a, b]
home: https://example.com
sources: [https://github.com/x/y]
maintainers:
- name: Ann
  email: ann@example.com
icon: https://example.com/i.png
deprecated: true
annotations:
  helmlite.io/template-engine: jinja2
  number: 5
dependencies:
- name: sub
  version: ~1.0
  repository: file://../sub
  condition: sub.enabled,global.sub.enabled
  tags: [front, back]
  import-values:
  - data
  - child: a.b
    parent: c.d
  alias: sub_1
"""
    )
    assert md.is_library and md.deprecated and md.template_engine == "jinja2"
    assert md.annotations == {"helmlite.io/template-engine": "jinja2", "number": "5"}
    assert md.maintainers[0].email == "ann@example.com"
    (dep,) = md.dependencies
    assert (dep.name, dep.alias, dep.effective_name, dep.version) == ("sub", "sub_1", "sub_1", "~1.0")
    assert dep.tags == ("front", "back")
    assert dep.import_values == (
        ImportValue(child="exports.data", parent="", raw="data"),
        ImportValue(child="a.b", parent="c.d", raw={"child": "a.b", "parent": "c.d"}),
    )


def test_strings_are_sanitised() -> None:
    md = meta('name: x\nversion: 1.0.0\ndescription: "tab\\there\\u0007bell"\n')
    assert md.description == "tab herebell"
    assert sanitize_string("a\u00a0b\x1fc") == "a bc"


def test_merge_keys_are_applied() -> None:
    md = meta("base: &b {description: shared}\nname: x\nversion: 1.0.0\n<<: *b\n")
    assert md.description == "shared"


def test_requirements_yaml() -> None:
    deps = parse_requirements(b"dependencies:\n- name: a\n  version: 1.0.0\n  repository: https://x\n- name: b\n")
    assert [d.name for d in deps] == ["a", "b"]
    with pytest.raises(ChartLoadError, match='requirements.yaml: field "dependencies" has more than one'):
        parse_requirements(b"dependencies:\n- name: a\n- name: a\n")


def test_lock_file() -> None:
    lock = parse_lock(
        b"dependencies:\n- name: a\n  repository: file://../a\n  version: 0.1.0\n"
        b'digest: sha256:abc\ngenerated: "2026-11-22T02:22:15.015791169Z"\n',
        "Chart.lock",
    )
    assert lock.digest == "sha256:abc"
    assert lock.generated == "2026-11-22T02:22:15.015791169Z"
    assert [(d.name, d.version, d.repository) for d in lock.dependencies] == [("a", "0.1.0", "file://../a")]


def test_dump_metadata_sorts_keys_and_quotes_ambiguous_strings() -> None:
    md = meta('apiVersion: v2\nname: x\nversion: 1.0.0\nappVersion: "9.9"\ndescription: "y"\nhome: "0o17"\n')
    text = dump_metadata(md).decode()
    keys = [line.split(":")[0] for line in text.splitlines() if not line.startswith(" ")]
    assert keys == sorted(keys)
    assert 'appVersion: "9.9"' in text
    assert 'description: "y"' in text
    assert 'home: "0o17"' in text
    assert parse_metadata(dump_metadata(md)) == md


def test_dump_metadata_leaves_v1_dependencies_to_requirements_yaml() -> None:
    md = meta("name: x\nversion: 1.0.0\ndependencies:\n- name: a\n")
    assert "dependencies" not in yaml.safe_load(dump_metadata(md))


def test_dependencies_with_import_values_are_hashable() -> None:
    md = meta(
        "name: x\nversion: 1.0.0\ndependencies:\n- name: a\n  import-values:\n  - child: c\n    parent: p\n  - s\n"
    )
    (dep,) = md.dependencies
    assert {dep: 1}[dep] == 1
    raw = dep.import_values[0].raw
    assert raw == {"child": "c", "parent": "p"}
    assert copy.deepcopy(md) == md


def test_merge_key_chains_cannot_explode() -> None:
    # Each level merges the previous one twice: flattened naively, level 40 holds 2**40 entries.
    lines = ["a0: &a0 {description: deep}"]
    lines += [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}" for i in range(1, 41)]
    lines += ["name: x", "version: 1.0.0", "<<: *a40"]
    assert meta("\n".join(lines) + "\n").description == "deep"


def test_recursive_merge_is_an_error() -> None:
    with pytest.raises(ChartLoadError, match="recursive <<"):
        meta("&r {name: x, version: 1.0.0, <<: *r}\n")


def test_merge_precedence() -> None:
    md = meta(
        "a: &a {description: from-a, home: a}\nb: &b {description: from-b, icon: b}\n"
        "name: x\nversion: 1.0.0\n<<: [*a, *b]\nicon: own\n"
    )
    assert (md.description, md.home, md.icon) == ("from-a", "a", "own")
