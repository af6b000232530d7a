"""Rendered output Helm refuses while converting it to JSON: ``helm template`` fails as Helm v4.3.1 does.

Helm reads each rendered document with sigs.k8s.io/yaml: go-yaml v2 decodes it (checking the
value of an explicit standard tag, refusing a collection as a map key), then the YAML→JSON step
refuses a null key, and JSON an infinity or NaN — except where the head Helm reads has a string
field (``apiVersion``, ``kind``, ``metadata.name``, an annotation's value; matched without
regard to case), which turns the number into text. Documents Helm accepts although they look
alike (other tags, ``~`` as a value, ``.inf`` quoted, in prose or in a block scalar, an infinite
key) must render unchanged.

The expected outputs were printed by the real helm binary (``helm template x c``) for a chart
whose only template is the text shown; no helm is needed to run these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.conftest import write_one_template_chart

# helm's stderr is _ERROR_PREFIX + problem + _ERROR_SUFFIX, exit code 1
_ERROR_PREFIX = (
    "Error: YAML parse error on c/templates/t.yaml: error converting YAML to JSON: "
)
_ERROR_SUFFIX = "\n\nUse --debug flag to render out invalid YAML\n"

# (name, template text, the problem as helm prints it)
FAILING: list[tuple[str, str, str]] = [
    (
        "int-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!int x\n",
        "yaml: cannot decode !!str `x` as a !!int",
    ),
    (
        "float-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!float x\n",
        "yaml: cannot decode !!str `x` as a !!float",
    ),
    (
        "float-tag-too-large",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!float 1e400\n",
        "yaml: cannot decode !!str `1e400` as a !!float",
    ),
    (
        "bool-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!bool 1\n",
        "yaml: cannot decode !!int `1` as a !!bool",
    ),
    (
        "null-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!null x\n",
        "yaml: cannot decode !!str `x` as a !!null",
    ),
    (
        "timestamp-tag-bad-date",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!timestamp 2020-13-45\n",
        "yaml: cannot decode !!str `2020-13-45` as a !!timestamp",
    ),
    (
        "verbatim-int-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !<tag:yaml.org,2002:int> x\n",
        "yaml: cannot decode !!str `x` as a !!int",
    ),
    (
        "binary-not-base64",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!binary xyz\n",
        "yaml: !!binary value contains invalid base64 data",
    ),
    (
        "int-tag-in-flow",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata: {a: 1, b: [!!int x]}\n",
        "yaml: cannot decode !!str `x` as a !!int",
    ),
    (
        "tilde-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  ~: 1\n",
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
    ),
    (
        "null-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  null: 1\n",
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
    ),
    (
        "Null-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  Null: 1\n",
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
    ),
    (
        "NULL-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  NULL: 1\n",
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
    ),
    (
        "null-key-in-flow",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata: {a: {~: 1}}\n",
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
    ),
    (
        "null-key-in-list",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  - ~ : x\n",
        'unsupported map key of type: %!s(<nil>), key: <nil>, value: "x"',
    ),
    (
        "empty-explicit-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  ?\n  : 1\n",
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
    ),
    (
        "explicit-list-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  ? [a]\n  : 1\n",
        'yaml: invalid map key: []interface {}{"a"}',
    ),
    (
        "explicit-map-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  ? {a: 1}\n  : 1\n",
        'yaml: invalid map key: map[interface {}]interface {}{"a":1}',
    ),
    (
        "flow-list-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  [a, 1]: 2\n",
        'yaml: invalid map key: []interface {}{"a", 1}',
    ),
    (
        "flow-map-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  {a: 1}: 2\n",
        'yaml: invalid map key: map[interface {}]interface {}{"a":1}',
    ),
    (
        "inf",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: .inf\n",
        "json: unsupported value: +Inf",
    ),
    (
        "minus-inf",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: -.Inf\n",
        "json: unsupported value: -Inf",
    ),
    (
        "nan",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: .NaN\n",
        "json: unsupported value: NaN",
    ),
    (
        "inf-in-flow",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata: {a: [x,.inf]}\n",
        "json: unsupported value: +Inf",
    ),
    (
        "float-tagged-inf",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!float .inf\n",
        "json: unsupported value: +Inf",
    ),
    (
        "first-in-key-order",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  z: .inf\n  b: -.inf\n",
        "json: unsupported value: -Inf",
    ),
    (
        "namespace-is-no-head-string",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n  namespace: .inf\n",
        "json: unsupported value: +Inf",
    ),
    (
        "labels-are-no-head-string",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n  labels:\n    a: .nan\n",
        "json: unsupported value: NaN",
    ),
    (
        "annotation-value-map",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n  annotations:\n    a: {b: .nan}\n",
        "json: unsupported value: NaN",
    ),
    (
        "metadata-inf",
        "apiVersion: v1\nkind: A\nmetadata: .inf\n",
        "json: unsupported value: +Inf",
    ),
    (
        "head-string-and-elsewhere",
        "apiVersion: .inf\nkind: A\nmetadata:\n  name: .nan\nspec: [-.inf]\n",
        "json: unsupported value: -Inf",
    ),
    (
        "anchored-head-string-aliased",
        "apiVersion: v1\nkind: A\nmetadata:\n  name: &n .inf\nspec: *n\n",
        "json: unsupported value: +Inf",
    ),
    ("list-root", "- .inf\n- 1\n", "json: unsupported value: +Inf"),
    (
        "tag-error-before-null-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  ~: 1\n  b: !!int x\n",
        "yaml: cannot decode !!str `x` as a !!int",
    ),
    (
        "null-key-after-an-alias",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: &x 1\n  b: *x\n  ~: 1\n",
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
    ),
]

# (name, template text): helm prints the text unchanged after its "# Source" line
ACCEPTED: list[tuple[str, str]] = [
    (
        "str-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!str x\n",
    ),
    (
        "valid-int-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!int 5\n",
    ),
    (
        "valid-tags",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata: {a: !!float 1, b: !!bool true, c: !!null , d: !!timestamp 2001-12-14t21:59:43.10-05:00, e: !!binary aGk=}\n",
    ),
    (
        "local-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !custom x\n",
    ),
    (
        "non-specific-tag",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: ! 5\n",
    ),
    (
        "tag-on-collection",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: !!int [1]\n  b: !!set {x}\n",
    ),
    (
        "tilde-value",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: ~\n  b: [~, null, NULL]\n",
    ),
    (
        "explicit-scalar-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  ? x\n  : 1\n",
    ),
    (
        "quoted-inf",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: \".inf\"\n  b: '.nan'\n",
    ),
    (
        "inf-in-prose",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: x .inf\n  b: .infinity\n  c: 1e400\n",
    ),
    (
        "block-scalar",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: |\n    !!int x\n    ? [y]\n    : 1\n    .inf\n    ~: 1\n    null: 2\n    <<: 3\n    [a]: b\n",
    ),
    (
        "prose",
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  a: "Hello ! world? [x]: y {z}: w"\n  b: x ? y\n  c: a != b\n  d: listen [::]:8080\n  e: "x}: b"\n',
    ),
    (
        "inf-key",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  .inf: 1\n  -.Inf: 2\n  .NaN: 3\n  x: !!str y\n",
    ),
    (
        "head-strings",
        "apiVersion: .inf\nkind: !!float -.inf\nmetadata:\n  name: .nan\n  annotations:\n    a: .NaN\n",
    ),
    (
        "head-strings-any-case",
        "apiVersion: v1\nKind: .inf\nMETADATA:\n  NAME: .nan\n  Annotations:\n    a: .inf\n",
    ),
    ("anchored-head-string", "apiVersion: v1\nkind: A\nmetadata:\n  name: &n .inf\n"),
    (
        "merge",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  <<: {a: 1}\n  b: <<\n",
    ),
]


@pytest.mark.parametrize(
    ("name", "template", "problem"), FAILING, ids=[case[0] for case in FAILING]
)
def test_conversion_errors_are_helms(
    cli, tmp_path: Path, name: str, template: str, problem: str
) -> None:
    result = cli("template", "x", str(write_one_template_chart(tmp_path, template)))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        _ERROR_PREFIX + problem + _ERROR_SUFFIX,
    )


@pytest.mark.parametrize(
    ("name", "template"), ACCEPTED, ids=[case[0] for case in ACCEPTED]
)
def test_lookalikes_helm_accepts(cli, tmp_path: Path, name: str, template: str) -> None:
    result = cli("template", "x", str(write_one_template_chart(tmp_path, template)))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "---\n# Source: c/templates/t.yaml\n" + template
