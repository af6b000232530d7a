"""``helmlite repo add|list|remove|update|index``, ``dependency update|build`` from repositories and
``template REPO/CHART``, against directories served on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from repo_fixtures import make_chart, package, serve  # noqa: F401 - fixtures

from helmlite.repo.client import repositories_path

pytestmark = pytest.mark.usefixtures("isolated_home")


@pytest.fixture
def repo_dir(tmp_path: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    chart = make_chart(tmp_path / "src", "mychart")
    package(chart, repo)
    package(chart, repo, version="0.2.0", app_version="1.17.0")
    assert cli("repo", "index", str(repo)).exit_code == 0
    return repo


def test_add_list_remove(cli, repo_dir: Path, serve) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url = serve(repo_dir).url
    empty = cli("repo", "list")
    assert (empty.exit_code, empty.stdout, empty.stderr) == (0, "", "no repositories to show\n")
    assert cli("repo", "list", "-o", "json").stdout == "[]\n"

    added = cli("repo", "add", "local", url)
    assert (added.exit_code, added.stdout) == (0, '"local" has been added to your repositories\n')
    again = cli("repo", "add", "local", url)
    assert again.stdout == '"local" already exists with the same configuration, skipping\n'
    clash = cli("repo", "add", "local", url + "/other")
    assert (clash.exit_code, clash.stderr) == (
        1, "Error: repository name (local) already exists, please specify a different name\n")
    forced = cli("repo", "add", "local", url + "/", "--force-update")
    assert forced.exit_code == 0, forced.stderr
    slash = cli("repo", "add", "a/b", url)
    assert slash.stderr == "Error: repository name (a/b) contains '/', please specify a different name without '/'\n"

    listing = cli("repo", "list")
    assert listing.stdout == f"NAME \tURL{' ' * (len(url) - 2)}\nlocal\t{url}/\n"
    assert json.loads(cli("repo", "list", "-o", "json").stdout) == [{"name": "local", "url": url + "/"}]
    assert yaml.safe_load(cli("repo", "list", "-o", "yaml").stdout) == [{"name": "local", "url": url + "/"}]

    removed = cli("repo", "remove", "local", "nope")
    assert (removed.exit_code, removed.stdout, removed.stderr) == (
        1, '"local" has been removed from your repositories\n', 'Error: no repo named "nope" found\n')
    assert cli("repo", "list", "-o", "json").stdout == "[]\n"


def test_add_refuses_what_is_not_a_repository(cli, repo_dir: Path, serve) -> None:  # noqa: F811
    url = serve(repo_dir).url
    result = cli("repo", "add", "bad", url + "/nope")
    assert result.exit_code == 1
    assert result.stderr.startswith(f'Error: looks like "{url}/nope" is not a valid chart repository or cannot be '
                                    f"reached: failed to fetch {url}/nope/index.yaml : 404 ")
    assert not repositories_path().exists()


def test_add_with_credentials(cli, repo_dir: Path, serve) -> None:  # noqa: F811
    server = serve(repo_dir, credentials=("bob", "s3cret"))
    denied = cli("repo", "add", "private", server.url)
    assert denied.exit_code == 1 and "401" in denied.stderr
    added = cli("repo", "add", "private", server.url, "--username", "bob", "--password-stdin", stdin="s3cret\n")
    assert added.exit_code == 0, added.stderr
    saved = yaml.safe_load(repositories_path().read_text())["repositories"][0]
    assert (saved["username"], saved["password"]) == ("bob", "s3cret")
    assert "s3cret" not in added.stdout + added.stderr


def test_update(cli, repo_dir: Path, serve, tmp_path: Path) -> None:  # noqa: F811
    none = cli("repo", "update")
    assert none.stderr == "Error: no repositories found. You must add one before updating\n"
    server = serve(repo_dir)
    assert cli("repo", "add", "local", server.url).exit_code == 0
    ok = cli("repo", "update")
    assert ok.stdout == ("Hang tight while we grab the latest from your chart repositories...\n"
                         '...Successfully got an update from the "local" chart repository\n'
                         "Update Complete. ⎈Happy Helming!⎈\n")
    unknown = cli("repo", "update", "nope")
    assert unknown.stderr == "Error: no repositories found matching 'nope'.  Nothing will be updated\n"

    # A new version appears in the repository: search sees it only after the update.
    package(make_chart(tmp_path / "src", "mychart"), repo_dir, version="0.3.0")
    assert cli("repo", "index", str(repo_dir)).exit_code == 0
    assert "0.2.0" in cli("search", "repo", "mychart").stdout
    assert cli("repo", "update", "local").exit_code == 0
    assert "0.3.0" in cli("search", "repo", "mychart").stdout

    # A failing repository keeps its old cache and makes the command fail.
    (repo_dir / "index.yaml").unlink()
    failed = cli("repo", "update")
    assert failed.exit_code == 1
    assert f'...Unable to get an update from the "local" chart repository ({server.url}):\n\t' in failed.stdout
    assert failed.stderr == f"Error: failed to update the following repositories: [{server.url}]\n"
    assert "0.3.0" in cli("search", "repo", "mychart").stdout


def test_search_without_repositories(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "repo", "x")
    assert (result.exit_code, result.stderr) == (1, "Error: no repositories configured\n")


def test_repo_index_command(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "charts"
    package(make_chart(tmp_path / "src", "a"), repo)
    (repo / "broken.tgz").write_bytes(b"nope")
    result = cli("repo", "index", str(repo), "--url", "https://charts.example.com")
    assert result.exit_code == 0
    assert result.stderr.startswith("WARNING: skipping broken.tgz: ")
    index = yaml.safe_load((repo / "index.yaml").read_text())
    assert index["entries"]["a"][0]["urls"] == ["https://charts.example.com/a-0.1.0.tgz"]
    assert cli("repo", "index", str(repo), "--json").exit_code == 0
    assert json.loads((repo / "index.yaml").read_text())["entries"]["a"][0]["name"] == "a"
    missing = cli("repo", "index", str(tmp_path / "nope"))
    assert missing.exit_code == 1 and "no such directory" in missing.stderr


# --- dependencies from repositories ---------------------------------------------------------------


def _parent(root: Path, repository: str, version: str = "~0.1.0") -> Path:
    return make_chart(root, "parent", extra=(
        "dependencies:\n"
        f"- name: mychart\n  version: \"{version}\"\n  repository: \"{repository}\"\n  alias: mc\n"
    ))


@pytest.mark.parametrize("reference", ["@local", "alias:local", "URL"])
def test_dependency_update_and_build_from_a_repository(cli, repo_dir: Path, serve, tmp_path: Path,  # noqa: F811
                                                       reference: str) -> None:
    url = serve(repo_dir).url
    assert cli("repo", "add", "local", url).exit_code == 0
    parent = _parent(tmp_path, url if reference == "URL" else reference)
    result = cli("dependency", "update", str(parent))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(f"Saving 1 charts\nDownloading mychart from repo {url}\nDeleting outdated charts\n")
    lock = yaml.safe_load((parent / "Chart.lock").read_text())
    # An aliased repository is locked under its URL, as Helm does.
    assert lock["dependencies"] == [{"name": "mychart", "repository": url, "version": "0.1.0"}]
    archive = parent / "charts" / "mychart-0.1.0.tgz"
    assert archive.read_bytes() == (repo_dir / "mychart-0.1.0.tgz").read_bytes()

    archive.unlink()
    built = cli("dependency", "build", str(parent), "--skip-refresh")
    assert built.exit_code == 0, built.stderr
    assert archive.exists()
    listing = cli("dependency", "list", str(parent))
    assert "ok" in listing.stdout


def test_dependency_update_from_an_unconfigured_url(cli, repo_dir: Path, serve, tmp_path: Path) -> None:  # noqa: F811
    url = serve(repo_dir).url
    parent = _parent(tmp_path, url, version=">0.1.0")
    result = cli("dependency", "update", str(parent))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("Getting updates for unmanaged Helm repositories...\n"
                             f'...Successfully got an update from the "{url}" chart repository\n'
                             f"Saving 1 charts\nDownloading mychart from repo {url}\nDeleting outdated charts\n")
    assert (parent / "charts" / "mychart-0.2.0.tgz").exists()


def test_dependency_update_errors(cli, repo_dir: Path, serve, tmp_path: Path) -> None:  # noqa: F811
    url = serve(repo_dir).url
    parent = _parent(tmp_path, "@nope")
    unknown = cli("dependency", "update", str(parent))
    assert unknown.stderr == "Error: no repository definition for @nope. Please add them via 'helmlite repo add'\n"
    (parent / "Chart.yaml").write_text((parent / "Chart.yaml").read_text().replace("@nope", url).replace("~0.1.0", ">5"))
    unsatisfiable = cli("dependency", "update", str(parent))
    assert unsatisfiable.stderr == (
        f'Error: can\'t get a valid version for 1 subchart(s): "mychart" (repository "{url}", version ">5"). '
        "Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml\n")
    assert not (parent / "charts").exists()


def test_dependency_download_is_verified(cli, repo_dir: Path, serve, tmp_path: Path) -> None:  # noqa: F811
    url = serve(repo_dir).url
    parent = _parent(tmp_path, url)
    (repo_dir / "mychart-0.1.0.tgz").write_bytes((repo_dir / "mychart-0.2.0.tgz").read_bytes())
    result = cli("dependency", "update", str(parent))
    assert result.exit_code == 1
    assert "digest mismatch for" in result.stderr and "mychart-0.1.0.tgz" in result.stderr
    assert not (parent / "Chart.lock").exists()


# --- template from a repository -------------------------------------------------------------------


def test_template_renders_a_repository_chart(cli, repo_dir: Path, serve) -> None:  # noqa: F811
    url = serve(repo_dir).url
    assert cli("repo", "add", "local", url).exit_code == 0
    result = cli("template", "demo", "local/mychart", "--version", "0.1.0")
    assert result.exit_code == 0, result.stderr
    assert "name: demo-mychart" in result.stdout
    by_url = cli("template", "demo", f"{url}/mychart-0.2.0.tgz")
    assert by_url.exit_code == 0, by_url.stderr
    by_repo = cli("template", "demo", "mychart", "--repo", url)
    assert by_repo.exit_code == 0, by_repo.stderr
    missing = cli("template", "demo", "local/mychart", "--version", "9")
    assert missing.exit_code == 1 and "no chart version found for mychart-9" in missing.stderr
