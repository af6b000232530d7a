"""values.schema.json files Go's JSON reader refuses and Python's takes (issue #6): NaN and
±Infinity; bytes that are not UTF-8 and deep nesting, which Go takes.

``helm lint`` prints the reader's error alone under values.yaml, and in the schema report
under templates/; ``helm package`` (``chartutil.Save``) refuses such a schema anywhere in the
chart tree with ``json.Valid``'s verdict. Expected outputs were printed by Helm v4.3.1 for the
charts built below.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from helmlite.chart import lint
from helmlite.chart.archive import package_chart
from helmlite.chart.loader import load_chart
from helmlite.errors import ChartError, SchemaValidationError
from helmlite.values.gojson import MAX_NESTING_DEPTH, json_valid
from helmlite.values.schema import validate_values

NAN_SCHEMA = '{"type":"object","properties":{"x":{"maximum":NaN}}}'
CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  x: "{{ .Values.x }}"\n'


def make_chart(root: Path, name: str, schema: str | bytes | None, chart_yaml_extra: str = "") -> Path:
    """A Helm chart ``root/name`` with one ConfigMap, ``x: 1`` and ``schema`` as its schema."""
    chart = root / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n{chart_yaml_extra}")
    (chart / "values.yaml").write_text("x: 1\n")
    (chart / "templates" / "cm.yaml").write_text(CONFIGMAP)
    if schema is not None:
        path = chart / "values.schema.json"
        path.write_bytes(schema) if isinstance(schema, bytes) else path.write_text(schema)
    return chart


def lint_report(name: str, values_error: str, schema_error: str) -> str:
    return (
        f"==> Linting {name}\n"
        "[INFO] Chart.yaml: icon is recommended\n"
        f"[ERROR] values.yaml: {values_error}\n"
        "[ERROR] templates/: values don't meet the specifications of the schema(s) in the following chart(s):\n"
        f"{name}:\n{schema_error}\n\n"
    )


@pytest.mark.parametrize(
    ("schema", "go_error"),
    [
        (NAN_SCHEMA, "invalid character 'N' looking for beginning of value"),
        ('{"type":"object","properties":{"x":{"maximum":Infinity}}}', "invalid character 'I' looking for beginning of value"),
        ('{"type":"object","properties":{"x":{"minimum":-Infinity}}}', "invalid character 'I' in numeric literal"),
    ],
    ids=["NaN", "Infinity", "-Infinity"],
)
def test_lint_prints_go_readers_error_as_helm_does(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schema: str, go_error: str
) -> None:
    make_chart(tmp_path, "c", schema)
    monkeypatch.chdir(tmp_path)  # Helm names the chart as given on the command line
    result = cli("lint", "c")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        lint_report("c", go_error, go_error),
        "Error: 1 chart(s) linted, 1 chart(s) failed\n",
    )


def test_lint_of_parent_reports_a_subcharts_refused_schema_under_templates_only(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The values.yaml rule checks the chart's own schema only, which is valid here.
    parent = make_chart(tmp_path, "parent", '{"type":"object","required":["x"]}',
                        "dependencies:\n- name: sub\n  version: 0.1.0\n")  # fmt: skip
    make_chart(parent / "charts", "sub", NAN_SCHEMA)
    (parent / "values.yaml").write_text("x: 1\nsub:\n  x: 2\n")
    monkeypatch.chdir(tmp_path)
    result = cli("lint", "parent")
    assert (result.exit_code, result.stdout) == (
        1,
        "==> Linting parent\n"
        "[INFO] Chart.yaml: icon is recommended\n"
        "[ERROR] templates/: values don't meet the specifications of the schema(s) in the following chart(s):\n"
        "sub:\ninvalid character 'N' looking for beginning of value\n\n",
    )


def test_lint_values_rule_gives_the_go_error_alone(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, "c", NAN_SCHEMA)
    [message] = lint.lint_values(chart)
    assert (message.severity, message.path, message.text) == (
        lint.Severity.ERROR,
        "values.yaml",
        "invalid character 'N' looking for beginning of value",
    )
    assert lint.lint_values(chart, skip_schema_validation=True) == []


def test_schema_validation_error_carries_each_refused_charts_reason(tmp_path: Path) -> None:
    parent = make_chart(tmp_path, "parent", '{"type":"object","properties":{"x":{"maximum":0}}}')
    make_chart(parent / "charts", "sub", '{"properties":{"x":{"minimum":-Infinity}}}')
    with pytest.raises(SchemaValidationError) as raised:
        validate_values(load_chart(parent), {"x": 1, "sub": {"x": 2}})
    assert raised.value.refused == {"sub": "invalid character 'I' in numeric literal"}
    assert raised.value.violations == {"parent": [("/x", "maximum: got 1, want 0")]}


def test_schema_validation_error_keeps_its_two_argument_constructor() -> None:
    err = SchemaValidationError("message", {"c": [("/x", "m")]})
    assert (str(err), err.violations, err.refused) == ("message", {"c": [("/x", "m")]}, {})


# --- helm package: chartutil.Save's json.Valid check -------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        NAN_SCHEMA,
        '{"a":-Infinity}',
        "",
        '{"a":\n',
        "{} x",
        "[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1),
    ],
    ids=["NaN", "-Infinity", "empty", "truncated", "two-values", "too-deep"],
)
def test_package_refuses_what_go_finds_invalid(tmp_path: Path, schema: str) -> None:
    with pytest.raises(ChartError) as raised:
        package_chart(make_chart(tmp_path, "c", schema), tmp_path / "out")
    assert str(raised.value) == "invalid JSON in values.schema.json"
    assert not (tmp_path / "out" / "c-0.1.0.tgz").exists()


@pytest.mark.parametrize(
    "schema",
    [
        b'{"a":"\xff"}',  # Go's scanner does not check UTF-8
        b'{"a":"\\ud800"}',
        b"\xef\xbb\xbf{}",  # the loader strips a BOM from every file, as Helm's does
        b'{"a":1}\n\n  ',
        b"[" * MAX_NESTING_DEPTH + b"]" * MAX_NESTING_DEPTH,
    ],
    ids=["not-utf8", "lone-surrogate-escape", "bom", "trailing-blanks", "deepest"],
)
def test_package_takes_what_go_finds_valid(tmp_path: Path, schema: bytes) -> None:
    out = package_chart(make_chart(tmp_path, "c", schema), tmp_path / "out")
    with tarfile.open(out) as archive:
        packaged = archive.extractfile("c/values.schema.json")
        assert packaged is not None and packaged.read() == schema.removeprefix(b"\xef\xbb\xbf")


def test_package_refuses_a_subcharts_schema_directory_or_archive(tmp_path: Path) -> None:
    as_directory = make_chart(tmp_path / "a", "parent", None, "dependencies:\n- name: sub\n  version: 0.1.0\n")
    make_chart(as_directory / "charts", "sub", NAN_SCHEMA)
    as_archive = make_chart(tmp_path / "b", "parent", None, "dependencies:\n- name: sub\n  version: 0.1.0\n")
    (as_archive / "charts").mkdir()
    with tarfile.open(as_archive / "charts" / "sub-0.1.0.tgz", "w:gz") as archive:
        archive.add(make_chart(tmp_path / "src", "sub", NAN_SCHEMA), arcname="sub")
    for chart in (as_directory, as_archive):
        with pytest.raises(ChartError, match="^invalid JSON in values.schema.json$"):
            package_chart(chart, tmp_path / "out")


def test_helmlite_package_says_what_helm_package_says(cli, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, "pk", '{"type": NaN}')
    result = cli("package", str(chart), "-d", str(tmp_path / "out"))
    # helm v4.3.1: chartutil.Save's error, wrapped by the package action.
    assert (result.exit_code, result.stderr) == (1, "Error: failed to save: invalid JSON in values.schema.json\n")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_dependency_update_fails_as_helm_does_on_a_local_dependency(cli, tmp_path: Path) -> None:
    make_chart(tmp_path, "dep", '{"a":-Infinity}')
    parent = make_chart(
        tmp_path, "parent", None, "dependencies:\n- name: dep\n  version: 0.1.0\n  repository: file://../dep\n"
    )
    result = cli("dependency", "update", str(parent))
    assert (result.exit_code, result.stderr) == (1, "Error: invalid JSON in values.schema.json\n")


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        (b"{}", True),
        (b' [1, -0, 2.5e+3, "a\\u00e9", true, false, null, {"k": {}}] \r\n', True),
        (b'"a\x7f"', True),
        (b"", False),
        (b" ", False),
        (b"[1,]", False),
        (b'{"a":1,}', False),
        (b"01", False),
        (b"1.", False),
        (b"-", False),
        (b"1e", False),
        (b'"\\u12"', False),
        (b'"\\x"', False),
        (b'"a\tb"', False),  # a control character must be escaped
        (b"\x0c{}", False),  # form feed is no JSON blank
        (b"nullx", False),
        (b"1 2", False),
        (b'{"a" 1}', False),
        (b"{1:2}", False),
        (b"NaN", False),
    ],
)
def test_json_valid_is_gos(text: bytes, valid: bool) -> None:
    assert json_valid(text) is valid
