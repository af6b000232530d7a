"""The seed tutorial's repository tail, end to end with helmlite as both server and client.

package → ``helmlite serve`` → ``repo add local`` → search → install ``local/mychart`` → a new
version is published → ``repo update`` (revalidated with the index's ETag) → upgrade picks the
newest version → rollback. The server is a real process on 127.0.0.1; releases go to a
simulated cluster file in the test's directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import requests
from serving import ServeProcess

from helmlite.repo.client import index_cache_path

REPO_ROOT = Path(__file__).resolve().parents[2]
MYCHART = REPO_ROOT / "charts" / "mychart"


def _search_versions(cli) -> list[str]:
    result = cli("search", "repo", "local/mychart", "--versions", "-o", "json")
    assert result.exit_code == 0, result.stderr
    return [row["version"] for row in json.loads(result.stdout)]


def test_package_serve_install_upgrade_rollback(cli, isolated_home: Path, serve: Callable[..., ServeProcess],
                                                 monkeypatch) -> None:
    monkeypatch.setenv("HELMLITE_CLUSTER", str(isolated_home / "cluster.db"))
    packages = isolated_home / "packages"
    assert cli("package", str(MYCHART), "-d", str(packages)).exit_code == 0
    server = serve(repo=isolated_home / "repo")
    first = (packages / "mychart-0.1.0.tgz").read_bytes()
    assert requests.post(f"{server.url}/api/charts", data=first, timeout=30).status_code == 201

    added = cli("repo", "add", "local", server.url)
    assert added.stdout == '"local" has been added to your repositories\n', added.stderr
    assert _search_versions(cli) == ["0.1.0"]

    installed = cli("install", "demo", "local/mychart", "--wait")
    assert installed.exit_code == 0, installed.stderr
    assert "REVISION: 1" in installed.stdout

    # Nothing changed on the server: the update is answered 304 and the cache is left alone.
    cache = index_cache_path("local")
    before = cache.stat().st_mtime_ns
    assert cli("repo", "update").exit_code == 0
    assert cache.stat().st_mtime_ns == before

    # A new version is published; the update now downloads, and search lists it first.
    assert cli("package", str(MYCHART), "--version", "0.2.0", "-d", str(packages)).exit_code == 0
    second = (packages / "mychart-0.2.0.tgz").read_bytes()
    assert requests.post(f"{server.url}/api/charts", data=second, timeout=30).status_code == 201
    updated = cli("repo", "update")
    assert '...Successfully got an update from the "local" chart repository' in updated.stdout
    assert cache.stat().st_mtime_ns != before
    assert _search_versions(cli) == ["0.2.0", "0.1.0"]

    upgraded = cli("upgrade", "demo", "local/mychart", "--wait")
    assert upgraded.exit_code == 0, upgraded.stderr
    history = json.loads(cli("history", "demo", "-o", "json").stdout)
    assert [(h["revision"], h["chart"], h["status"]) for h in history] == [
        (1, "mychart-0.1.0", "superseded"), (2, "mychart-0.2.0", "deployed")]

    rolled = cli("rollback", "demo", "1", "--wait")
    assert rolled.stdout == "Rollback was a success! Happy Helming!\n", rolled.stderr
    history = json.loads(cli("history", "demo", "-o", "json").stdout)
    assert [(h["revision"], h["chart"], h["status"], h["description"]) for h in history][-1] == (
        3, "mychart-0.1.0", "deployed", "Rollback to 1")
