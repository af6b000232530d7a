"""``helmlite pull`` against a directory served on 127.0.0.1: versions, destinations, untar, digests."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from repo_fixtures import make_chart, package, serve  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("isolated_home")


@pytest.fixture
def served(tmp_path: Path, cli, serve) -> tuple[Path, str]:  # type: ignore[no-untyped-def]  # noqa: F811
    repo = tmp_path / "repo"
    chart = make_chart(tmp_path / "src", "mychart")
    for version in ("0.1.0", "0.2.0", "0.3.0-rc.1"):
        package(chart, repo, version=version)
    assert cli("repo", "index", str(repo)).exit_code == 0
    url = serve(repo).url
    assert cli("repo", "add", "local", url).exit_code == 0
    return repo, url


def test_pull_latest_and_constraints(cli, served: tuple[Path, str], tmp_path: Path,  # type: ignore[no-untyped-def]
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _url = served
    monkeypatch.chdir(tmp_path)
    result = cli("pull", "local/mychart")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "mychart-0.2.0.tgz").read_bytes() == (repo / "mychart-0.2.0.tgz").read_bytes()
    assert cli("pull", "local/mychart", "--version", "~0.1", "-d", "out").exit_code == 0
    assert (tmp_path / "out" / "mychart-0.1.0.tgz").exists()
    assert cli("pull", "local/mychart", "--devel", "-d", "devel").exit_code == 0
    assert (tmp_path / "devel" / "mychart-0.3.0-rc.1.tgz").exists()


@pytest.mark.parametrize("args, message", [
    (["local/nope"], ("Error: chart \"nope\" matching  not found in local index. (try 'helmlite repo update'): "
                      "no chart name found\n")),
    (["local/mychart", "--version", "9.9.9"], ("Error: chart \"mychart\" matching 9.9.9 not found in local index. "
                                               "(try 'helmlite repo update'): no chart version found for "
                                               "mychart-9.9.9\n")),
    (["nope/mychart"], "Error: repo nope not found\n"),
    (["mychart"], "Error: non-absolute URLs should be in form of repo_name/path_to_chart, got: mychart\n"),
])
def test_pull_errors(cli, served: tuple[Path, str], args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("pull", *args)
    assert (result.exit_code, result.stderr) == (1, message)


def test_untar(cli, served: tuple[Path, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "dest"
    assert cli("pull", "local/mychart", "--untar", "-d", str(dest)).exit_code == 0
    assert (dest / "mychart" / "Chart.yaml").exists()
    assert not list(dest.glob("*.tgz"))
    again = cli("pull", "local/mychart", "--untar", "-d", str(dest))
    assert again.stderr == f"Error: failed to untar: a file or directory with the name {dest / 'mychart'} already exists\n"
    assert cli("pull", "local/mychart", "--untar", "--untardir", "x", "-d", str(dest)).exit_code == 0
    assert (dest / "x" / "mychart" / "templates" / "configmap.yaml").exists()


def test_pull_by_url_and_with_repo_flag(cli, served: tuple[Path, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, url = served
    assert cli("pull", f"{url}/mychart-0.1.0.tgz", "-d", str(tmp_path / "a")).exit_code == 0
    assert (tmp_path / "a" / "mychart-0.1.0.tgz").read_bytes() == (repo / "mychart-0.1.0.tgz").read_bytes()
    assert cli("pull", "mychart", "--repo", url, "--version", "<0.2", "-d", str(tmp_path / "b")).exit_code == 0
    assert (tmp_path / "b" / "mychart-0.1.0.tgz").exists()
    missing = cli("pull", "nope", "--repo", url)
    assert missing.stderr == f'Error: chart "nope" not found in {url} repository\n'


def test_digest_mismatch_is_an_error(cli, served: tuple[Path, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, url = served
    good = (repo / "mychart-0.2.0.tgz").read_bytes()
    (repo / "mychart-0.2.0.tgz").write_bytes((repo / "mychart-0.1.0.tgz").read_bytes())
    result = cli("pull", "local/mychart", "-d", str(tmp_path / "x"))
    assert result.exit_code == 1
    wanted, got = hashlib.sha256(good).hexdigest(), hashlib.sha256((repo / "mychart-0.1.0.tgz").read_bytes()).hexdigest()
    assert result.stderr == (f"Error: digest mismatch for {url}/mychart-0.2.0.tgz: the repository index lists "
                             f"sha256:{wanted} but the downloaded file is sha256:{got}; the package changed after it "
                             "was indexed or was tampered with\n")
    assert not (tmp_path / "x" / "mychart-0.2.0.tgz").exists()


def test_unsafe_archive_is_not_unpacked(cli, served: tuple[Path, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, _url = served
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (("evil/Chart.yaml", b"apiVersion: v2\nname: evil\nversion: 1.0.0\n"),
                           ("evil/../../escaped.txt", b"gotcha")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (repo / "evil-1.0.0.tgz").write_bytes(buf.getvalue())
    assert cli("repo", "index", str(repo)).exit_code == 0
    assert cli("repo", "update").exit_code == 0
    dest = tmp_path / "dest"
    result = cli("pull", "local/evil", "--untar", "-d", str(dest))
    assert result.exit_code == 1 and "escapes the chart directory" in result.stderr
    assert not (tmp_path / "escaped.txt").exists() and not (dest / "evil").exists()
