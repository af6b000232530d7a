"""``<<`` merge keys and infinite or NaN keys in rendered output and ``fromYaml``, and values at
helmlite's nesting limit, as Helm v4.3.1 renders them.

The expected outputs were printed by the real helm binary (``helm template x c`` for a chart
whose only template is the text shown); no helm is needed to run these tests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.render.conftest import write_one_template_chart
from tests.values.test_yaml_depth_at_the_limit import nested_values_text

_ERROR_PREFIX = "Error: YAML parse error on c/templates/t.yaml: error converting YAML to JSON: "
_ERROR_SUFFIX = "\n\nUse --debug flag to render out invalid YAML\n"
_NO_MERGE = "yaml: map merge requires map or sequence of maps as the value"
_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n"

# (name, template text, the problem as helm prints it)
FAILING: list[tuple[str, str, str]] = [
    ("merge-scalar", _HEAD + "  <<: 1\n", _NO_MERGE),
    ("merge-null", _HEAD + "  <<:\n  a: x\n", _NO_MERGE),
    ("merge-list-with-scalar", _HEAD + "  <<: [{a: x}, b]\n", _NO_MERGE),
    (
        "merge-alias-to-list",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\nl: &l [{a: x}]\ndata:\n  <<: *l\n",
        _NO_MERGE,
    ),
    ("merge-alias-to-scalar", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n n\ndata:\n  <<: *n\n", _NO_MERGE),
    ("explicit-merge-tag", _HEAD + "  ? !!merge <<\n  : x\n", _NO_MERGE),
    ("nan-key-aliased-as-value", _HEAD + "  &k .nan : x\n  b: *k\n", "json: unsupported value: NaN"),
]


@pytest.mark.parametrize(("name", "template", "problem"), FAILING, ids=[case[0] for case in FAILING])
def test_rendered_merge_errors_are_helms(cli, tmp_path: Path, name: str, template: str, problem: str) -> None:
    result = cli("template", "x", str(write_one_template_chart(tmp_path, template)))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", _ERROR_PREFIX + problem + _ERROR_SUFFIX)


def test_rendered_merges_and_float_keys_helm_accepts(cli, tmp_path: Path) -> None:
    template = _HEAD + "  a: x\n  <<: {a: y}\n  .nan: z\n  -.inf: w\n"
    result = cli("template", "x", str(write_one_template_chart(tmp_path, template)))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "---\n# Source: c/templates/t.yaml\n" + template


# (text given to fromYaml, what helm prints for ``{{ fromYaml TEXT | toJson }}``)
FROM_YAML: list[tuple[str, str]] = [
    ("a: 1\n<<: {a: 2, b: 2}", '{"a":2,"b":2}'),
    ("b: 1\n<<: [{b: 2, c: 2}, {c: 3, d: 3}]\n<<: {d: 4}", '{"b":2,"c":2,"d":4}'),
    (".inf: 1\n-.inf: 2\n.nan: 3\n1e39: 4", '{"-.inf":2,".inf":4,".nan":3}'),
    ("<<: 1", '{"Error":"error converting YAML to JSON: ' + _NO_MERGE + '"}'),
    ("s: &s [{a: 1}]\n<<: *s", '{"Error":"error converting YAML to JSON: ' + _NO_MERGE + '"}'),
    ("s: &s\n  <<: [*s, 1]", '{"Error":"error converting YAML to JSON: ' + _NO_MERGE + '"}'),
    ("s: &s\n  <<: [1, *s]", '{"Error":"error converting YAML to JSON: yaml: anchor \'s\' value contains itself"}'),
    ("<<: [1, {a: !!int x}]", '{"Error":"error converting YAML to JSON: yaml: cannot decode !!str `x` as a !!int"}'),
]


@pytest.mark.parametrize(("text", "expected"), FROM_YAML, ids=[ascii(case[0])[:40] for case in FROM_YAML])
def test_from_yaml_merges_as_helm(cli, tmp_path: Path, text: str, expected: str) -> None:
    template = "x: {{ fromYaml " + json.dumps(text) + " | toJson }}\n"
    result = cli("template", "x", str(write_one_template_chart(tmp_path, template)))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"---\n# Source: c/templates/t.yaml\nx: {expected}\n"


def test_values_at_the_nesting_limit_render_as_helm(cli, tmp_path: Path) -> None:
    """``-f`` values 150 levels deep (helmlite's limit) printed with toJson and toYaml: the
    6,868 bytes helm prints, byte for byte (their SHA-256)."""
    template = _HEAD + "  json: {{ toJson .Values | quote }}\n  yaml: {{ toYaml .Values | quote }}\n"
    chart = write_one_template_chart(tmp_path, template)
    values = tmp_path / "deep.yaml"
    values.write_text(nested_values_text(150))
    result = cli("template", "x", str(chart), "-f", str(values))
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(result.stdout) == 6868
    assert hashlib.sha256(result.stdout.encode()).hexdigest() == (
        "ccc85b4da3ac818f7721744ede608e7b7d874e9d29b3d6726a9e5df15e400c98"
    )
