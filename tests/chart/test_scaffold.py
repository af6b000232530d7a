"""``create_chart``: the files it writes, the name substitution, validation and overwriting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from helmlite.chart.scaffold import CHART_NAME_PLACEHOLDER, create_chart
from helmlite.errors import ChartError

SCAFFOLD_FILES = {
    ".helmignore",
    "Chart.yaml",
    "values.yaml",
    "templates/NOTES.txt",
    "templates/_helpers.tpl",
    "templates/deployment.yaml",
    "templates/hpa.yaml",
    "templates/httproute.yaml",
    "templates/ingress.yaml",
    "templates/service.yaml",
    "templates/serviceaccount.yaml",
    "templates/tests/test-connection.yaml",
}
HELPERS = ("name", "fullname", "chart", "labels", "selectorLabels", "serviceAccountName")


def _files(chart_dir: Path) -> set[str]:
    return {p.relative_to(chart_dir).as_posix() for p in chart_dir.rglob("*") if p.is_file()}


def test_writes_helms_layout(tmp_path: Path) -> None:
    chart_dir = create_chart("mychart", tmp_path)

    assert chart_dir == tmp_path / "mychart"
    assert _files(chart_dir) == SCAFFOLD_FILES
    assert (chart_dir / "charts").is_dir()
    assert not any((chart_dir / "charts").iterdir())


def test_chart_yaml_is_helms_plus_the_jinja2_annotation(tmp_path: Path) -> None:
    meta = yaml.safe_load((create_chart("mychart", tmp_path) / "Chart.yaml").read_text())

    assert meta == {
        "apiVersion": "v2",
        "name": "mychart",
        "description": "A Helm chart for Kubernetes",
        "type": "application",
        "version": "0.1.0",
        "appVersion": "1.16.0",
        "annotations": {"helmlite.io/template-engine": "jinja2"},
    }


def test_name_is_substituted_everywhere(tmp_path: Path) -> None:
    chart_dir = create_chart("shop-api", tmp_path)

    for name in SCAFFOLD_FILES:
        assert CHART_NAME_PLACEHOLDER not in (chart_dir / name).read_text(), name
    helpers = (chart_dir / "templates/_helpers.tpl").read_text()
    for helper in HELPERS:
        assert f'{{% define "shop-api.{helper}"' in helpers
    assert 'include("shop-api.fullname", ctx)' in (chart_dir / "templates/deployment.yaml").read_text()
    assert (chart_dir / "values.yaml").read_text().startswith("# Default values for shop-api.\n")


def test_values_have_helms_keys_and_defaults(tmp_path: Path) -> None:
    values = yaml.safe_load((create_chart("mychart", tmp_path) / "values.yaml").read_text())

    assert values["replicaCount"] == 1
    assert values["image"] == {"repository": "nginx", "pullPolicy": "IfNotPresent", "tag": ""}
    assert values["service"] == {"type": "ClusterIP", "port": 80}
    assert values["serviceAccount"]["create"] is True
    assert values["ingress"]["enabled"] is False
    assert values["httpRoute"]["enabled"] is False
    assert values["autoscaling"] == {
        "enabled": False,
        "minReplicas": 1,
        "maxReplicas": 100,
        "targetCPUUtilizationPercentage": 80,
    }


@pytest.mark.parametrize("name", ["true", "null", "1.10", "0x1F", "-", "..."])
def test_chart_yaml_keeps_yaml_lookalike_names_strings(tmp_path: Path, name: str) -> None:
    # Helm writes these bare and then cannot load its own Chart.yaml (a bool/number/null name).
    meta = yaml.safe_load((create_chart(name, tmp_path) / "Chart.yaml").read_text())

    assert meta["name"] == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "chart name must be between 1 and 250 characters"),
        ("x" * 251, "chart name must be between 1 and 250 characters"),
        ("my chart", 'chart name must match the regular expression "^[a-zA-Z0-9._-]+$"'),
        ("a@b", 'chart name must match the regular expression "^[a-zA-Z0-9._-]+$"'),
        ("é", 'chart name must match the regular expression "^[a-zA-Z0-9._-]+$"'),
        ("trailing-newline\n", 'chart name must match the regular expression "^[a-zA-Z0-9._-]+$"'),
        ("nested/chart", 'chart name must match the regular expression "^[a-zA-Z0-9._-]+$"'),
        (".", 'chart name "." is not a directory name; give the chart a name'),
        ("..", 'chart name ".." is not a directory name; give the chart a name'),
    ],
)
def test_rejects_invalid_names(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(ChartError) as err:
        create_chart(name, tmp_path)

    assert str(err.value) == message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["Foo", "foo_bar", "1abc", "a.b", "abc-", "x" * 250])
def test_accepts_what_helm_accepts(tmp_path: Path, name: str) -> None:
    assert (create_chart(name, tmp_path) / "Chart.yaml").is_file()


def test_missing_parent_directory(tmp_path: Path) -> None:
    with pytest.raises(ChartError, match="^no such directory "):
        create_chart("mychart", tmp_path / "absent")


def test_target_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "mychart").write_text("not a chart")

    with pytest.raises(ChartError, match=r"mychart already exists and is not a directory$"):
        create_chart("mychart", tmp_path)


def test_existing_files_are_overwritten_and_reported(tmp_path: Path) -> None:
    chart_dir = create_chart("mychart", tmp_path)
    (chart_dir / "values.yaml").write_text("replicaCount: 7\n")
    (chart_dir / "templates" / "configmap.yaml").write_text("kind: ConfigMap\n")
    overwritten: list[Path] = []

    create_chart("mychart", tmp_path, on_overwrite=overwritten.append)

    assert {p.relative_to(chart_dir).as_posix() for p in overwritten} == SCAFFOLD_FILES
    assert yaml.safe_load((chart_dir / "values.yaml").read_text())["replicaCount"] == 1
    assert (chart_dir / "templates" / "configmap.yaml").read_text() == "kind: ConfigMap\n"


def test_scaffold_lints_clean(tmp_path: Path, cli: Any) -> None:
    result = cli("lint", "--strict", str(create_chart("mychart", tmp_path)))

    assert result.exit_code == 0, result.stdout + result.stderr


def test_scaffold_loads_as_a_jinja2_chart(tmp_path: Path) -> None:
    from helmlite.chart.loader import load_chart
    from helmlite.chart.model import ENGINE_JINJA2

    chart = load_chart(create_chart("mychart", tmp_path))

    assert chart.metadata.name == "mychart"
    assert chart.metadata.version == "0.1.0"
    assert chart.metadata.app_version == "1.16.0"
    assert chart.metadata.template_engine == ENGINE_JINJA2
    assert {t.name for t in chart.templates} == {n for n in SCAFFOLD_FILES if n.startswith("templates/")}
    assert chart.values["service"]["port"] == 80
    assert chart.dependencies == []
