"""helmlite's repository client and the real Helm v4 on the same repositories, served on 127.0.0.1.

* a repository indexed by the real ``helm repo index``: helmlite adds, updates, searches and
  pulls from it, with the same results as Helm;
* a repository indexed by ``helmlite repo index``: the real Helm adds it (strict parse),
  searches it and pulls from it;
* ``dependency update`` of the same chart by both tools: the same versions, archives and
  Chart.lock digest, and each tool's ``dependency build`` accepts the other's lock.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from repo_fixtures import helm_env, make_chart, package, run_helm, serve  # noqa: F401 - fixtures

pytestmark = [pytest.mark.helm, pytest.mark.usefixtures("isolated_home")]


def _packages(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    chart = make_chart(tmp_path / "src", "mychart", description="A Helm chart for Kubernetes")
    for version in ("0.1.0", "0.2.0", "1.0.0", "1.1.0-beta.1"):
        package(chart, repo, version=version)
    package(make_chart(tmp_path / "src", "db", "2.3.4", extra="keywords: [database, sql]\n"), repo / "db")
    return repo


def test_helmlite_client_against_a_helm_indexed_repository(helm_bin: str, helm_env: dict[str, str], cli,  # noqa: F811
                                                           serve, tmp_path: Path,  # noqa: F811
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _packages(tmp_path)
    assert run_helm(helm_bin, "repo", "index", str(repo), env=helm_env).returncode == 0
    url = serve(repo).url

    assert run_helm(helm_bin, "repo", "add", "local", url, env=helm_env).returncode == 0
    added = cli("repo", "add", "local", url)
    assert added.stdout == '"local" has been added to your repositories\n'
    updated = cli("repo", "update")
    expected_update = run_helm(helm_bin, "repo", "update", env=helm_env)
    assert (updated.exit_code, updated.stdout) == (expected_update.returncode, expected_update.stdout)
    assert cli("repo", "list").stdout == run_helm(helm_bin, "repo", "list", env=helm_env).stdout

    for args in ([], ["-l"], ["--devel", "-l", "-o", "json"], ["sql"], ["--version", "^0.1"], ["-o", "yaml"]):
        expected = run_helm(helm_bin, "search", "repo", *args, env=helm_env)
        result = cli("search", "repo", *args)
        assert (result.exit_code, result.stdout) == (expected.returncode, expected.stdout), args

    for version in ("", "0.2.0", "~0.1", ">=1.0.0-0"):
        flags = ["--version", version] if version else []
        theirs, ours = tmp_path / f"helm-{version}", tmp_path / f"ours-{version}"
        assert run_helm(helm_bin, "pull", "local/mychart", *flags, "-d", str(_mkdir(theirs)), env=helm_env).returncode == 0
        result = cli("pull", "local/mychart", *flags, "-d", str(ours))
        assert result.exit_code == 0, result.stderr
        assert _files(ours) == _files(theirs), version

    rendered = cli("template", "demo", "local/db")
    assert rendered.exit_code == 0 and "name: demo-db" in rendered.stdout


def test_helm_against_a_helmlite_indexed_repository(helm_bin: str, helm_env: dict[str, str], cli, serve,  # noqa: F811
                                                    tmp_path: Path) -> None:
    repo = _packages(tmp_path)
    assert cli("repo", "index", str(repo)).exit_code == 0
    url = serve(repo).url

    added = run_helm(helm_bin, "repo", "add", "ours", url, env=helm_env)
    assert added.returncode == 0 and "WARNING" not in added.stderr, added.stderr
    found = run_helm(helm_bin, "search", "repo", "ours/", "--devel", "-l", "-o", "json", env=helm_env)
    assert sorted((r["name"], r["version"]) for r in json.loads(found.stdout)) == sorted(
        [("ours/mychart", v) for v in ("0.1.0", "0.2.0", "1.0.0", "1.1.0-beta.1")] + [("ours/db", "2.3.4")])
    pulled = run_helm(helm_bin, "pull", "ours/db", "--version", "2.3.4", "-d", str(_mkdir(tmp_path / "p")), env=helm_env)
    assert pulled.returncode == 0, pulled.stderr
    assert (tmp_path / "p" / "db-2.3.4.tgz").read_bytes() == (repo / "db" / "db-2.3.4.tgz").read_bytes()
    shown = run_helm(helm_bin, "show", "chart", "ours/mychart", "--version", "0.2.0", env=helm_env)
    assert shown.returncode == 0 and yaml.safe_load(shown.stdout)["version"] == "0.2.0"


def test_dependency_update_matches_helm(helm_bin: str, helm_env: dict[str, str], cli, serve,  # noqa: F811
                                        tmp_path: Path) -> None:
    repo = _packages(tmp_path)
    assert run_helm(helm_bin, "repo", "index", str(repo), env=helm_env).returncode == 0
    url = serve(repo).url
    other_url = serve(repo).url  # the same charts under a URL neither tool has configured
    assert run_helm(helm_bin, "repo", "add", "local", url, env=helm_env).returncode == 0
    assert cli("repo", "add", "local", url).exit_code == 0

    work = tmp_path / "work"
    make_chart(work, "lib", "0.4.0")
    extra = (
        "dependencies:\n"
        "- name: lib\n  version: '>=0.3.0'\n  repository: file://../lib\n"
        "- name: mychart\n  version: ~0.1.0\n  repository: '@local'\n  alias: first\n  condition: first.enabled\n"
        "  tags: [a]\n"
        f"- name: mychart\n  version: '>=0.2.0 <1.0.0'\n  repository: {url}\n  alias: second\n"
        f"- name: db\n  version: ^2\n  repository: {other_url}/\n"
    )
    ours = make_chart(work / "ours", "parent", extra=extra)
    theirs = make_chart(work / "theirs", "parent", extra=extra)
    for chart in (ours, theirs):
        shutil.copytree(work / "lib", chart.parent / "lib")

    result = cli("dependency", "update", str(ours))
    assert result.exit_code == 0, result.stderr
    expected = run_helm(helm_bin, "dependency", "update", str(theirs), env=helm_env)
    assert expected.returncode == 0, expected.stderr
    assert result.stdout == expected.stdout

    our_lock, their_lock = (yaml.safe_load((c / "Chart.lock").read_text()) for c in (ours, theirs))
    assert our_lock["dependencies"] == their_lock["dependencies"]
    assert our_lock["digest"] == their_lock["digest"]
    assert sorted(p.name for p in (ours / "charts").iterdir()) == sorted(p.name for p in (theirs / "charts").iterdir())
    for name in ("mychart-0.1.0.tgz", "mychart-0.2.0.tgz", "db-2.3.4.tgz"):
        assert (ours / "charts" / name).read_bytes() == (theirs / "charts" / name).read_bytes()

    # Each tool rebuilds from the other's lock.
    shutil.copy(theirs / "Chart.lock", ours / "Chart.lock")
    shutil.rmtree(ours / "charts")
    built = cli("dependency", "build", str(ours), "--skip-refresh")
    assert built.exit_code == 0, built.stderr
    assert sorted(p.name for p in (ours / "charts").iterdir()) == sorted(p.name for p in (theirs / "charts").iterdir())


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}
