"""``helmlite template``: flags → render pipeline → Helm's output, on native charts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

NATIVE = "annotations:\n  helmlite.io/template-engine: jinja2\n"


def make_chart(root: Path, files: dict[str, str], *, name: str = "demo", chart_extra: str = "") -> Path:
    chart = root / name
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\nappVersion: '1.2'\n{chart_extra}{NATIVE}")
    for rel, text in files.items():
        path = chart / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return chart


CONFIGMAP = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-cm\n  namespace: {{ Release.Namespace }}\n"
    "data:\n  replicas: {{ Values.replicas | quote }}\n  big: {{ Values.big }}\n"
    "  kube: {{ Capabilities.KubeVersion.Version }}\n  upgrade: {{ Release.IsUpgrade | quote }}\n"
)


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    return make_chart(tmp_path, {"values.yaml": "replicas: 1\nbig: 1000000\n", "templates/cm.yaml": CONFIGMAP})


def docs(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d]


def test_renders_with_helm_layout_and_values(cli, chart: Path) -> None:
    result = cli("template", "web", str(chart), "--set", "replicas=3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("---\n# Source: demo/templates/cm.yaml\n")
    (cm,) = docs(result.stdout)
    assert cm["metadata"]["name"] == "web-cm"
    assert cm["data"]["replicas"] == "3"
    # Integers from values files stay integers (Helm would print 1e+06).
    assert cm["data"]["big"] == 1000000


def test_default_release_name_and_namespace_flag(cli, chart: Path) -> None:
    result = cli("template", str(chart), "-n", "prod")
    assert result.exit_code == 0, result.stderr
    (cm,) = docs(result.stdout)
    assert cm["metadata"] == {"name": "release-name-cm", "namespace": "prod"}


def test_global_flag_before_the_subcommand(cli, chart: Path) -> None:
    result = cli("-n", "early", "template", "web", str(chart))
    assert docs(result.stdout)[0]["metadata"]["namespace"] == "early"


def test_values_flag_precedence_is_by_flag_type(cli, chart: Path, tmp_path: Path) -> None:
    values_file = tmp_path / "v.yaml"
    values_file.write_text("replicas: 7\n")
    # --set wins over -f even though -f comes later on the command line.
    result = cli("template", "web", str(chart), "--set", "replicas=2", "-f", str(values_file))
    assert docs(result.stdout)[0]["data"]["replicas"] == "2"


def test_values_from_stdin(cli, chart: Path) -> None:
    result = cli("template", "web", str(chart), "-f", "-", stdin="replicas: 5\n")
    assert result.exit_code == 0, result.stderr
    assert docs(result.stdout)[0]["data"]["replicas"] == "5"


def test_kube_version_and_is_upgrade_flags(cli, chart: Path) -> None:
    result = cli("template", "web", str(chart), "--kube-version", "1.29", "--is-upgrade")
    cm = docs(result.stdout)[0]
    assert cm["data"]["kube"] == "v1.29.0"
    assert cm["data"]["upgrade"] == "true"


def test_kube_version_constraint_is_enforced(cli, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"templates/cm.yaml": CONFIGMAP}, chart_extra="kubeVersion: '>=1.40.0-0'\n")
    result = cli("template", "web", str(chart))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: chart requires kubeVersion: >=1.40.0-0 which is incompatible with Kubernetes v1.37.0\n"
    )


def test_api_versions_flag(cli, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
        "  has: {{ Capabilities.APIVersions.Has('example.com/v1') | quote }}\n")})
    without = docs(cli("template", "x", str(chart)).stdout)[0]
    with_flag = docs(cli("template", "x", str(chart), "-a", "example.com/v1,other/v2").stdout)[0]
    assert (without["data"]["has"], with_flag["data"]["has"]) == ("false", "true")


def test_invalid_release_name(cli, chart: Path) -> None:
    result = cli("template", "Bad_Name", str(chart))
    assert result.exit_code == 1
    assert result.stderr.startswith('Error: release name check failed: release name "Bad_Name": invalid release name')


def test_generate_name_conflicts_with_a_name(cli, chart: Path) -> None:
    result = cli("template", "x", str(chart), "--generate-name")
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot set --generate-name and also specify a name\n"


def test_generate_name_uses_chart_basename(cli, chart: Path) -> None:
    result = cli("template", str(chart), "-g")
    assert result.exit_code == 0, result.stderr
    name = docs(result.stdout)[0]["metadata"]["name"]
    assert name.startswith("demo-") and name.endswith("-cm")


def test_library_chart_is_not_installable(cli, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"templates/_h.tpl": "{% define 'x' %}x{% enddefine %}"}, chart_extra="type: library\n")
    result = cli("template", "x", str(chart))
    assert (result.exit_code, result.stderr) == (1, "Error: library charts are not installable\n")


def test_go_template_chart_renders_and_fails_as_helm_does(cli, tmp_path: Path) -> None:
    chart = tmp_path / "gochart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: gochart\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n")
    result = cli("template", "x", str(chart))
    assert (result.exit_code, result.stdout) == (0, "---\n# Source: gochart/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: x\n")
    (chart / "templates" / "cm.yaml").write_text('name: {{ required "name is required" .Values.name }}\n')
    result = cli("template", "x", str(chart))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: execution error at (gochart/templates/cm.yaml:1:9): name is required\n")


def test_missing_chart_path(cli, tmp_path: Path) -> None:
    result = cli("template", "x", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "nope" in result.stderr


def test_render_error_names_file_and_line(cli, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"templates/cm.yaml": "a: 1\nb: {{ Values.missing.deeper }}\n"})
    result = cli("template", "x", str(chart))
    assert result.exit_code == 1
    assert "demo/templates/cm.yaml" in result.stderr and ":2" in result.stderr


def test_unknown_command_and_flag_exit_1_with_one_line(cli) -> None:
    for args in (("frobnicate",), ("template", "--no-such-flag", "x")):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
