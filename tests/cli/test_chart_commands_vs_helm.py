"""``show``, ``dependency list|update|build`` and ``package`` compared with the real Helm on the same chart.

None of these render templates, so Helm can read a native chart directory as it is, and the
outputs must match byte for byte (timestamps aside).
"""

from __future__ import annotations

import hashlib
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.helm

CHART_YAML = """\
apiVersion: v2
name: shop
description: A web shop
type: application
version: 1.2.3
appVersion: "4.5"
kubeVersion: ">=1.20.0-0"
keywords: [shop, web]
home: https://shop.example.com
sources: [https://github.com/example/shop]
icon: https://shop.example.com/icon.png
maintainers:
- name: Ada
  email: ada@example.com
annotations:
  helmlite.io/template-engine: jinja2
  category: commerce
dependencies:
- name: db
  version: ~0.3.0
  repository: file://../db
  condition: db.enabled
  tags: [backend]
  import-values: [settings, {child: conn, parent: database}]
- name: cache
  version: 1.x
  repository: file://../cache
  alias: redis
"""


def _chart(root: Path) -> Path:
    chart = root / "shop"
    (chart / "templates").mkdir(parents=True)
    (chart / "crds").mkdir()
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text("# Shop defaults\nreplicas: 2  # keep two\n\nimage:\n  tag: ''\n")
    (chart / "README.md").write_text("# Shop\n\nSells things.\n")
    (chart / "crds" / "order.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: orders.shop.io\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    for name, version in (("db", "0.3.4"), ("cache", "1.9.0")):
        dep = root / name
        (dep / "templates").mkdir(parents=True)
        (dep / "Chart.yaml").write_text(
            f"apiVersion: v2\nname: {name}\nversion: {version}\nannotations:\n  helmlite.io/template-engine: jinja2\n")
        (dep / "values.yaml").write_text("exports:\n  settings:\n    pool: 5\nconn: {host: db}\n")
    return chart


def run_helm(helm_bin: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm_bin, *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("kind", ["chart", "values", "readme", "crds", "all"])
def test_show_matches_helm(helm_bin: str, cli, tmp_path: Path, kind: str) -> None:
    chart = _chart(tmp_path)
    expected = run_helm(helm_bin, "show", kind, str(chart))
    assert expected.returncode == 0, expected.stderr
    result = cli("show", kind, str(chart))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected.stdout


def test_dependency_list_matches_helm_before_and_after_update(helm_bin: str, cli, tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    assert cli("dependency", "list", str(chart)).stdout == run_helm(helm_bin, "dependency", "list", str(chart)).stdout

    result = cli("dependency", "update", str(chart))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Saving 2 charts\nDeleting outdated charts\n"
    ours = yaml.safe_load((chart / "Chart.lock").read_text())
    assert sorted(p.name for p in (chart / "charts").iterdir()) == ["cache-1.9.0.tgz", "db-0.3.4.tgz"]
    assert cli("dependency", "list", str(chart)).stdout == run_helm(helm_bin, "dependency", "list", str(chart)).stdout

    # Helm computes the same lock digest from the same declarations.
    run_helm(helm_bin, "dependency", "update", str(chart)).check_returncode()
    theirs = yaml.safe_load((chart / "Chart.lock").read_text())
    assert ours["digest"] == theirs["digest"]
    assert ours["dependencies"] == theirs["dependencies"]
    # ...and our build accepts Helm's lock.
    (chart / "charts" / "db-0.3.4.tgz").unlink()
    build = cli("dependency", "build", str(chart))
    assert build.exit_code == 0, build.stderr
    assert (chart / "charts" / "db-0.3.4.tgz").exists()


def test_dependency_update_reports_unsatisfiable_constraints(helm_bin: str, cli, tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    (chart / "Chart.yaml").write_text(CHART_YAML.replace("~0.3.0", "~0.4.0"))
    expected = run_helm(helm_bin, "dependency", "update", str(chart))
    result = cli("dependency", "update", str(chart))
    assert (result.exit_code, expected.returncode) == (1, 1)
    assert result.stderr == expected.stderr.splitlines()[-1] + "\n"
    assert not (chart / "charts").exists() or not any((chart / "charts").iterdir())


def test_package_refuses_missing_dependencies_like_helm(helm_bin: str, cli, tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    expected = run_helm(helm_bin, "package", str(chart), "-d", str(tmp_path / "h"))
    result = cli("package", str(chart), "-d", str(tmp_path / "o"))
    assert (result.exit_code, expected.returncode) == (1, 1)
    assert result.stderr == expected.stderr.splitlines()[-1] + "\n"
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_package_is_loadable_by_helm_and_reproducible(helm_bin: str, cli, tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    assert cli("dependency", "update", str(chart)).exit_code == 0
    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    first = cli("package", str(chart), "-d", str(out1), "--version", "1.2.4", "--app-version", "5.0")
    assert first.exit_code == 0, first.stderr
    archive = out1 / "shop-1.2.4.tgz"
    assert first.stdout == f"Successfully packaged chart and saved it to: {archive}\n"
    assert cli("package", str(chart), "-d", str(out2), "--version", "1.2.4", "--app-version", "5.0").exit_code == 0
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert hashlib.sha256((out2 / "shop-1.2.4.tgz").read_bytes()).hexdigest() == digest

    shown = run_helm(helm_bin, "show", "chart", str(archive))
    assert shown.returncode == 0, shown.stderr
    meta = yaml.safe_load(shown.stdout)
    assert (meta["version"], meta["appVersion"]) == ("1.2.4", "5.0")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "shop/Chart.yaml" in names and "shop/crds/order.yaml" in names and "shop/README.md" in names
