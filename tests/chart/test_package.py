"""``helm package``-style archives: reproducible bytes, Helm's layout, loadable by helmlite and Helm."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from helmlite.chart.archive import DEFAULT_PACKAGE_MTIME, package_chart
from helmlite.chart.dependencies import check_dependencies_present
from helmlite.chart.loader import load_chart
from helmlite.errors import ChartError

CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  a: "1"\n'


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def make_chart(root: Path, extra: dict[str, str | bytes] | None = None, chart_yaml: str | None = None) -> Path:
    files: dict[str, str | bytes] = {
        "Chart.yaml": chart_yaml
        or "# comments are dropped\nname: mychart\nversion: 1.2.3\napiVersion: v2\ndescription: demo\n",
        ".helmignore": "*.bak\nsecret/\n",
        "templates/cm.yaml": CM,
        "templates/_helpers.tpl": "{{/* helpers */}}\n",
        "README.md": "# mychart\n",
        "notes.bak": "ignored",
        "secret/key": "ignored",
    }
    files.update(extra or {})
    return write_tree(root, files)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def members(path: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(path, "r:gz") as tar:
        return tar.getmembers()


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_package_layout(tmp_path: Path) -> None:
    out = package_chart(make_chart(tmp_path / "src"), tmp_path / "dist")
    assert out == tmp_path / "dist" / "mychart-1.2.3.tgz"
    entries = members(out)
    assert [m.name for m in entries] == [
        "mychart",
        "mychart/Chart.yaml",
        "mychart/.helmignore",
        "mychart/README.md",
        "mychart/templates",
        "mychart/templates/_helpers.tpl",
        "mychart/templates/cm.yaml",
    ]
    for m in entries:
        assert (m.uid, m.gid, m.uname, m.gname, m.mtime) == (0, 0, "", "", DEFAULT_PACKAGE_MTIME)
        assert m.mode == (0o755 if m.isdir() else 0o644)
    raw = out.read_bytes()
    assert raw[3] == 0  # gzip FLG: no file name, no comment
    assert raw[4:8] == b"\0\0\0\0"  # gzip MTIME
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["mychart-1.2.3.tgz"]  # no temp files


def test_chart_yaml_is_reserialised_with_sorted_keys(tmp_path: Path) -> None:
    out = package_chart(make_chart(tmp_path / "src"), tmp_path)
    with tarfile.open(out, "r:gz") as tar:
        text = tar.extractfile("mychart/Chart.yaml").read().decode()  # type: ignore[union-attr]
    assert "comments" not in text
    keys = [line.split(":")[0] for line in text.splitlines()]
    assert keys == sorted(keys)
    assert yaml.safe_load(text)["version"] == "1.2.3"


def test_package_is_byte_identical_for_identical_input(tmp_path: Path) -> None:
    src = make_chart(tmp_path / "src")
    first = sha256(package_chart(src, tmp_path / "a"))
    os.utime(src / "templates" / "cm.yaml", (1, 1))  # file times never leak into the archive
    assert sha256(package_chart(src, tmp_path / "b")) == first
    # A copy made elsewhere, in another order, packages to the same bytes.
    copy = make_chart(tmp_path / "elsewhere" / "mychart")
    assert sha256(package_chart(copy, tmp_path / "c")) == first


def test_source_date_epoch_sets_the_mtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make_chart(tmp_path / "src")
    default = sha256(package_chart(src, tmp_path / "a"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = package_chart(src, tmp_path / "b")
    assert sha256(first) != default
    assert {m.mtime for m in members(first)} == {1700000000}
    assert sha256(package_chart(src, tmp_path / "c")) == sha256(first)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ChartError, match='SOURCE_DATE_EPOCH "yesterday" is not a non-negative integer'):
        package_chart(src, tmp_path / "d")


def test_round_trip(tmp_path: Path) -> None:
    src = make_chart(
        tmp_path / "src", {"crds/crd.yaml": "kind: CustomResourceDefinition\n", "values.schema.json": "{}"}
    )
    before = load_chart(src)
    after = load_chart(package_chart(src, tmp_path))
    assert after.metadata == before.metadata
    assert [(t.name, t.data) for t in after.templates] == sorted((t.name, t.data) for t in before.templates)
    assert sorted((f.name, f.data) for f in after.files) == sorted((f.name, f.data) for f in before.files)
    assert after.schema == before.schema
    assert ".helmignore" in [f.name for f in after.files]
    assert not [f for f in after.raw if f.name in ("notes.bak", "secret/key")]


def test_version_and_app_version_overrides(tmp_path: Path) -> None:
    out = package_chart(make_chart(tmp_path / "src"), tmp_path, version="2.0.0-rc.1", app_version="9.9")
    assert out.name == "mychart-2.0.0-rc.1.tgz"
    with tarfile.open(out, "r:gz") as tar:
        text = tar.extractfile("mychart/Chart.yaml").read().decode()  # type: ignore[union-attr]
    assert 'appVersion: "9.9"' in text  # a string, never the float 9.9
    md = load_chart(out).metadata
    assert (md.version, md.app_version) == ("2.0.0-rc.1", "9.9")
    with pytest.raises(ChartError, match='version "banana" is not a valid SemVer version'):
        package_chart(make_chart(tmp_path / "src"), tmp_path, version="banana")


def test_subcharts_are_packaged_as_they_are(tmp_path: Path) -> None:
    sub = package_chart(
        make_chart(tmp_path / "sub", chart_yaml="apiVersion: v2\nname: sub\nversion: 0.1.0\n"), tmp_path
    )
    src = make_chart(
        tmp_path / "src",
        {
            "charts/sub-0.1.0.tgz": sub.read_bytes(),
            "charts/local/Chart.yaml": "apiVersion: v2\nname: local\nversion: 0.2.0\n",
            "charts/local/templates/cm.yaml": CM,
        },
        chart_yaml="apiVersion: v2\nname: mychart\nversion: 1.0.0\ndependencies:\n"
        "- name: sub\n  version: 0.1.0\n  repository: file://../sub\n- name: local\n  version: 0.2.0\n",
    )
    out = package_chart(src, tmp_path / "dist")
    names = [m.name for m in members(out)]
    assert "mychart/charts/sub-0.1.0.tgz" in names
    assert "mychart/charts/local/templates/cm.yaml" in names
    with tarfile.open(out, "r:gz") as tar:
        assert tar.extractfile("mychart/charts/sub-0.1.0.tgz").read() == sub.read_bytes()  # type: ignore[union-attr]
    assert sorted(d.name for d in load_chart(out).dependencies) == ["local", "sub"]


def test_missing_dependencies_are_the_callers_check(tmp_path: Path) -> None:
    """As Helm's chartutil.Save: ``package`` checks dependencies first, ``dependency update`` does not."""
    src = make_chart(
        tmp_path / "src",
        chart_yaml="apiVersion: v2\nname: mychart\nversion: 1.0.0\ndependencies:\n- name: db\n- name: cache\n",
    )
    assert check_dependencies_present(load_chart(src)) == ["db", "cache"]
    assert (
        load_chart(package_chart(src, tmp_path / "dist")).metadata.dependencies == load_chart(src).metadata.dependencies
    )


def test_library_chart(tmp_path: Path) -> None:
    src = make_chart(tmp_path / "lib", chart_yaml="apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n")
    assert load_chart(package_chart(src, tmp_path)).metadata.is_library


def test_v1_chart_keeps_requirements_yaml(tmp_path: Path) -> None:
    src = make_chart(
        tmp_path / "v1",
        {
            "requirements.yaml": "dependencies:\n- name: sub\n  version: 0.1.0\n",
            "charts/sub/Chart.yaml": "name: sub\nversion: 0.1.0\n",
        },
        chart_yaml="name: old\nversion: 1.0.0\n",
    )
    chart = load_chart(package_chart(src, tmp_path))
    assert chart.metadata.api_version == "v1"
    assert [d.name for d in chart.metadata.dependencies] == ["sub"]


@pytest.mark.helm
def test_real_helm_loads_the_package(tmp_path: Path, helm_bin: str) -> None:
    sub = package_chart(
        make_chart(tmp_path / "sub", chart_yaml="apiVersion: v2\nname: sub\nversion: 0.1.0\n"), tmp_path
    )
    src = make_chart(
        tmp_path / "src",
        {"charts/sub-0.1.0.tgz": sub.read_bytes(), "values.yaml": "a: 1\n"},
        chart_yaml="apiVersion: v2\nname: mychart\nversion: 1.2.3\ndependencies:\n- name: sub\n  version: 0.1.0\n",
    )
    out = package_chart(src, tmp_path / "dist", app_version="1.10")
    shown = subprocess.run([helm_bin, "show", "chart", str(out)], capture_output=True, text=True, check=True).stdout
    meta = yaml.safe_load(shown)
    assert (meta["name"], meta["version"], meta["appVersion"]) == ("mychart", "1.2.3", "1.10")
    rendered = subprocess.run(
        [helm_bin, "template", "rel", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert "# Source: mychart/templates/cm.yaml" in rendered
    assert "# Source: mychart/charts/sub/templates/cm.yaml" in rendered
    assert "name: rel-cm" in rendered


@pytest.mark.helm
def test_helmlite_loads_what_helm_packages(tmp_path: Path, helm_bin: str) -> None:
    src = make_chart(tmp_path / "mychart")
    subprocess.run([helm_bin, "package", str(src), "-d", str(tmp_path / "dist")], capture_output=True, check=True)
    chart = load_chart(tmp_path / "dist" / "mychart-1.2.3.tgz")
    assert chart.metadata.description == "demo"
    assert sorted(t.name for t in chart.templates) == ["templates/_helpers.tpl", "templates/cm.yaml"]
    assert sorted(f.name for f in chart.files) == [".helmignore", "README.md"]


def test_gzip_stream_is_a_plain_single_member(tmp_path: Path) -> None:
    out = package_chart(make_chart(tmp_path / "src"), tmp_path)
    with gzip.GzipFile(fileobj=io.BytesIO(out.read_bytes())) as gz:
        assert gz.read()[:7] == b"mychart"
