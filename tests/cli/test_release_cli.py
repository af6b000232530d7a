"""The release commands end to end through the CLI, on a simulator cluster file.

The seed tutorial's walkthrough (install mike-test from a chart repository, list, status,
upgrade to chart 0.2.0, history, rollback 1, uninstall --keep-history, list the uninstalled
release) runs verbatim and is compared with a golden transcript. Release times come from a
fixed clock (one second per reading from 2026-01-05 10:41:20 UTC) so the tables are stable.

Set HELMLITE_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from repo_fixtures import RepoServer, serve  # noqa: F401 - the serve fixture

from helmlite.chart.archive import package_chart

GOLDEN = Path(__file__).resolve().parent / "golden" / "release"
REPO_ROOT = Path(__file__).resolve().parents[2]
START = 1767609680  # 2026-01-05T10:41:20Z


class _FixedTime:
    """Stands in for the ``time`` module where release records are stamped."""

    def __init__(self) -> None:
        self._ticks = count()

    def time_ns(self) -> int:
        return (START + next(self._ticks)) * 1_000_000_000


@pytest.fixture
def release_env(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An isolated home with a fresh simulator cluster file, fixed release times and UTC."""
    monkeypatch.setattr("helmlite.release.model.time", _FixedTime())
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    for var in ("HELMLITE_DRIVER", "HELMLITE_NAMESPACE", "HELMLITE_MAX_HISTORY"):
        monkeypatch.delenv(var, raising=False)
    yield isolated_home
    monkeypatch.undo()
    time.tzset()


def _check_golden(name: str, got: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("HELMLITE_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got)
    assert got == golden.read_text()


def _mychart(tmp: Path, version: str) -> Path:
    import shutil

    target = tmp / f"src-{version}" / "mychart"
    shutil.copytree(REPO_ROOT / "charts" / "mychart", target)
    chart_yaml = target / "Chart.yaml"
    chart_yaml.write_text(chart_yaml.read_text().replace("version: 0.1.0", f"version: {version}"))
    return target


def test_seed_walkthrough(cli: Any, release_env: Path,
                          serve: Callable[..., RepoServer]) -> None:  # noqa: F811
    repo = release_env / "repo"
    repo.mkdir()
    package_chart(_mychart(release_env, "0.1.0"), repo)
    transcript: list[str] = []

    def run(*args: str, expect: int = 0) -> str:
        result = cli(*args)
        assert result.exit_code == expect, (args, result.stdout, result.stderr)
        transcript.append(f"$ helmlite {' '.join(args)}\n{result.stdout}")
        return str(result.stdout)

    cli("repo", "index", str(repo))
    server = serve(repo)
    cli("repo", "add", "local", server.url)

    run("install", "mike-test", "local/mychart")
    run("list")
    run("status", "mike-test")
    package_chart(_mychart(release_env, "0.2.0"), repo)
    cli("repo", "index", str(repo))
    cli("repo", "update")
    run("upgrade", "mike-test", "local/mychart")
    run("list")
    run("history", "mike-test")
    run("rollback", "mike-test", "1")
    run("list")
    run("history", "mike-test")
    run("uninstall", "mike-test", "--keep-history")
    run("list", "--uninstalled")
    run("history", "mike-test")
    run("uninstall", "mike-test")
    run("list", "--uninstalled")
    _check_golden("walkthrough.txt", "".join(transcript))


def test_json_outputs_have_helms_keys(cli: Any, release_env: Path) -> None:
    chart = str(REPO_ROOT / "charts" / "mychart")
    assert cli("install", "web", chart, "--set", "replicaCount=2").exit_code == 0
    listing = json.loads(cli("list", "-o", "json").stdout)
    assert listing == [{"name": "web", "namespace": "default", "revision": "1",
                        "updated": "2026-01-05 10:41:20 +0000 UTC", "status": "deployed",
                        "chart": "mychart-0.1.0", "app_version": "1.0"}]
    hist = json.loads(cli("history", "web", "-o", "json").stdout)
    assert hist == [{"revision": 1, "updated": "2026-01-05T10:41:20Z", "status": "deployed",
                     "chart": "mychart-0.1.0", "app_version": "1.0", "description": "Install complete"}]
    status = json.loads(cli("status", "web", "-o", "json").stdout)
    assert list(status) == ["name", "info", "config", "manifest", "version", "namespace", "apply_method"]
    assert status["config"] == {"replicaCount": 2}
    values = cli("get", "values", "web", "-o", "json").stdout
    assert values == '{"replicaCount":2}\n'
    assert cli("get", "values", "web").stdout == "USER-SUPPLIED VALUES:\nreplicaCount: 2\n"
    assert cli("list", "-q").stdout == "web\n"
    assert json.loads(cli("list", "-q", "-o", "json").stdout) == ["web"]
    assert cli("list", "--time-format", "2006-01-02", "--no-headers").stdout.split("\t")[3].strip() == "2026-01-05"


def test_errors_are_one_line_with_helms_prefixes(cli: Any, release_env: Path) -> None:
    chart = str(REPO_ROOT / "charts" / "mychart")
    assert cli("install", "web", chart).exit_code == 0
    result = cli("install", "web", chart)
    assert (result.exit_code, result.stderr) == (
        1, "Error: INSTALLATION FAILED: release name check failed: cannot reuse a name that is still in use\n")
    result = cli("upgrade", "nope", chart)
    assert result.stderr == 'Error: UPGRADE FAILED: "nope" has no deployed releases\n'
    assert cli("history", "nope").stderr == "Error: release: not found\n"
    assert cli("rollback", "web", "9").stderr == "Error: release has no 9 version\n"


def test_upgrade_says_which_values_it_reuses(cli: Any, release_env: Path) -> None:
    chart = str(REPO_ROOT / "charts" / "mychart")
    cli("install", "web", chart, "--set", "replicaCount=2,image.tag=1.25")
    result = cli("upgrade", "web", chart)
    assert result.exit_code == 0
    assert ("no values given: reusing the user-supplied values of revision 1 (image.tag, replicaCount); "
            "pass --reset-values to use only the chart's defaults") in result.stderr
    assert "--reset-then-reuse-values" in cli("upgrade", "--help").stdout


def test_upgrade_dry_run_and_diff_show_changes(cli: Any, release_env: Path) -> None:
    chart = str(REPO_ROOT / "charts" / "mychart")
    cli("install", "web", chart)
    result = cli("upgrade", "web", chart, "--set", "replicaCount=3", "--dry-run")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "STATUS: pending-upgrade" in out and "CHANGES (against revision 1):" in out
    assert "~ Deployment/web-mychart (update)" in out
    assert "-  replicas: 1\n+  replicas: 3\n" in out
    assert "Plan: 0 to create, 1 to update, 0 to delete, 0 kept, 1 unchanged." in out
    assert cli("history", "web", "-o", "json").stdout.count('"revision"') == 1
    diff = cli("diff", "upgrade", "web", chart, "--set", "replicaCount=3").stdout
    assert "~ Deployment/web-mychart (update)" in diff
    cli("upgrade", "web", chart, "--set", "replicaCount=3")
    revision_diff = cli("diff", "revision", "web", "1", "2").stdout
    assert "--- Deployment/web-mychart (revision 1)" in revision_diff


def test_secret_data_is_redacted_in_diffs() -> None:
    from helmlite.actions.diff import manifest_changes

    old = "---\n# Source: x/s.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: c2VjcmV0\n"
    new = old.replace("c2VjcmV0", "b3RoZXI=")
    [change] = manifest_changes(old, new)
    assert change.action == "update"
    assert "c2VjcmV0" not in change.diff and "b3RoZXI=" not in change.diff
    assert "<redacted: 6 bytes, sha256:" in change.diff and "<redacted: 5 bytes, sha256:" in change.diff


def test_wait_flag_and_status_show_resources(cli: Any, release_env: Path) -> None:
    chart = str(REPO_ROOT / "charts" / "mychart")
    result = cli("install", "web", chart, "--wait")
    assert result.exit_code == 0
    assert "waiting: 2/2 resources ready" in result.stderr
    out = cli("status", "web", "--show-resources").stdout
    # kubectl's tables: the API server's columns (AGE included), padded with spaces.
    assert re.search(r"RESOURCES:\n==> v1/Service\n"
                     r"NAME          TYPE        CLUSTER-IP +EXTERNAL-IP   PORT\(S\)   AGE\n"
                     r"web-mychart   ClusterIP   10\.[0-9.]+ +<none>        80/TCP    \d+[sm]\w*\n\n"
                     r"==> v1/Deployment\n"
                     r"NAME          READY   UP-TO-DATE   AVAILABLE   AGE\n"
                     r"web-mychart   1/1     1            1           \d+[sm]\w*\n\n"
                     r"==> v1/Pod\(related\)\n"
                     r"NAME +READY   STATUS    RESTARTS   AGE\n"
                     r"web-mychart-[a-z0-9]+-[a-z0-9]{5}   1/1     Running   0          \d+[sm]\w*\n", out), out


def test_get_subcommands(cli: Any, release_env: Path) -> None:
    chart = str(REPO_ROOT / "charts" / "mychart")
    cli("install", "web", chart)
    manifest = cli("get", "manifest", "web").stdout
    assert manifest.startswith("---\n# Source: mychart/templates/service.yaml\n")
    assert cli("get", "notes", "web").stdout.startswith("NOTES:\n1. Get the application URL")
    assert cli("get", "hooks", "web").stdout == ""
    everything = cli("get", "all", "web").stdout
    for part in ("CHART: mychart", "USER-SUPPLIED VALUES:\n{}", "COMPUTED VALUES:\naffinity: {}", "MANIFEST:", "NOTES:"):
        assert part in everything
    meta = cli("get", "metadata", "web").stdout
    assert "NAME: web\nCHART: mychart\nVERSION: 0.1.0\nAPP_VERSION: 1.0\n" in meta
    assert "DEPLOYED_AT: 2026-01-05T10:41:20Z\n" in meta
    assert "COMPUTED VALUES:\n" in cli("get", "values", "web", "--all").stdout
