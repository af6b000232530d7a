"""The repository client: repositories.yaml, the index cache, downloads, credentials and digests."""

from __future__ import annotations

import base64
import re
import stat
from pathlib import Path

import pytest
from repo_fixtures import make_chart, package, serve  # noqa: F401 - fixtures

from helmlite.repo.client import (
    DigestMismatchError,
    DownloadError,
    Getter,
    RepoEntry,
    RepositoryFile,
    cached_index,
    download_index,
    index_cache_path,
    redact_url,
    remove_index_cache,
    repositories_lock,
    resolve_reference_url,
    verify_digest,
    write_index_cache,
)
from helmlite.repo.index import IndexFile, IndexLoadError, RepoError, index_directory
from helmlite.repo.resolve import ChartPathOptions, download_chart, locate, locate_chart

HELM_REPOSITORIES_YAML = """\
apiVersion: ""
generated: "0001-01-01T00:00:00Z"
repositories:
- caFile: ""
  certFile: ""
  insecure_skip_tls_verify: false
  keyFile: ""
  name: local
  pass_credentials_all: false
  password: ""
  url: http://127.0.0.1:18181
  username: ""
"""


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    chart = make_chart(tmp_path / "src", "mychart")
    package(chart, repo)
    package(chart, repo, version="0.2.0")
    index_directory(repo).write(repo / "index.yaml")
    return repo


# --- repositories.yaml ---------------------------------------------------------------------------


def test_repositories_file_is_written_in_helms_layout(isolated_home: Path) -> None:
    path = isolated_home / "config" / "repositories.yaml"
    repos = RepositoryFile()
    repos.update(RepoEntry("local", "http://127.0.0.1:18181"))
    repos.write(path)
    assert path.read_text() == HELM_REPOSITORIES_YAML
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert RepositoryFile.load(path).repositories == [RepoEntry("local", "http://127.0.0.1:18181")]


def test_repositories_file_update_and_remove() -> None:
    repos = RepositoryFile()
    repos.update(RepoEntry("a", "http://a"))
    repos.update(RepoEntry("b", "http://b"))
    repos.update(RepoEntry("a", "http://a2", username="u"))
    assert [(r.name, r.url) for r in repos.repositories] == [("a", "http://a2"), ("b", "http://b")]
    assert repos.remove("a") and not repos.remove("a")
    assert repos.get("b") == RepoEntry("b", "http://b") and repos.get("a") is None


def test_missing_and_malformed_repositories_files(tmp_path: Path) -> None:
    assert RepositoryFile.load(tmp_path / "nope.yaml").repositories == []
    bad = tmp_path / "bad.yaml"
    bad.write_text("repositories: {a: 1}\n")
    with pytest.raises(RepoError, match="not a repositories file"):
        RepositoryFile.load(bad)
    bad.write_text("repositories:\n- name: x\n")
    with pytest.raises(RepoError, match="needs a name and a url"):
        RepositoryFile.load(bad)


def test_passwords_never_appear_in_reprs() -> None:
    entry = RepoEntry("a", "https://bob:hunter2@h/charts", password="hunter2")
    options = ChartPathOptions(repo_url="https://bob:hunter2@h/charts", password="hunter2")
    assert "hunter2" not in repr(entry) and "hunter2" not in repr(options)


def test_repositories_lock_times_out_while_held(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    with repositories_lock(path), pytest.raises(RepoError, match="could not lock"), \
            repositories_lock(path, timeout=0.1):
        pass
    with repositories_lock(path, timeout=0.1):
        pass


# --- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("base, ref, resolved", [
    ("http://h/stable?token=abc", "index.yaml", "http://h/stable/index.yaml?token=abc"),
    ("http://h/stable?token=abc", "charts/mychart-0.1.0.tgz", "http://h/stable/charts/mychart-0.1.0.tgz?token=abc"),
    ("http://h/stable?token=abc", "/abs/mychart-0.3.0.tgz", "http://h/abs/mychart-0.3.0.tgz?token=abc"),
    ("http://h/stable", "http://other:1/mychart-0.2.0.tgz", "http://other:1/mychart-0.2.0.tgz"),
    ("http://h/stable/", "index.yaml", "http://h/stable/index.yaml"),
    ("http://h", "index.yaml", "http://h/index.yaml"),
    ("http://h/a", "x.tgz?ignored=1", "http://h/a/x.tgz"),
])
def test_resolve_reference_url_is_helms(base: str, ref: str, resolved: str) -> None:
    assert resolve_reference_url(base, ref) == resolved


def test_redact_url() -> None:
    assert redact_url("https://bob:pw@h:8443/x?y=1") == "https://h:8443/x?y=1"
    assert redact_url("https://h/x") == "https://h/x"


# --- HTTP ----------------------------------------------------------------------------------------


def test_download_index_and_cache(isolated_home: Path, repo_dir: Path, serve) -> None:  # noqa: F811
    server = serve(repo_dir)
    data, index = download_index(RepoEntry("local", server.url))
    assert data == (repo_dir / "index.yaml").read_bytes()
    assert [e["version"] for e in index.entries["mychart"]] == ["0.2.0", "0.1.0"]
    method, path, headers = server.requests[0]
    assert (method, path) == ("GET", "/index.yaml")
    assert headers["User-Agent"].startswith("helmlite/") and "Authorization" not in headers

    write_index_cache("local", data, index)
    assert index_cache_path("local").read_bytes() == data
    assert (index_cache_path("local").parent / "local-charts.txt").read_text() == "mychart\n"
    assert cached_index("local").entries == index.entries
    remove_index_cache("local")
    assert list(index_cache_path("local").parent.iterdir()) == []
    with pytest.raises(IndexLoadError, match="no cached index"):
        cached_index("local")


def test_cached_index_uses_the_fast_copy_while_the_yaml_is_unchanged(
        isolated_home: Path, repo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = (repo_dir / "index.yaml").read_bytes()
    write_index_cache("local", data, IndexFile.load(data, "x"))
    parsed: list[Path] = []
    real = IndexFile.load_path.__func__  # type: ignore[attr-defined]

    def counting(cls, path, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return real(cls, path, **kwargs)

    monkeypatch.setattr(IndexFile, "load_path", classmethod(counting))
    assert cached_index("local").entries["mychart"][0]["version"] == "0.2.0"
    assert parsed == []
    # Another tool (or helm) rewrote the YAML: it is parsed again and the copy rebuilt.
    index_cache_path("local").write_bytes(data.replace(b"0.2.0", b"0.2.1"))
    assert cached_index("local").entries["mychart"][0]["version"] == "0.2.1"
    assert len(parsed) == 1
    assert cached_index("local").entries["mychart"][0]["version"] == "0.2.1"
    assert len(parsed) == 1


def test_http_errors_are_one_line(repo_dir: Path, serve) -> None:  # noqa: F811
    server = serve(repo_dir)
    with pytest.raises(DownloadError, match=r"failed to fetch http://127\.0\.0\.1:\d+/nope/index\.yaml : 404 "):
        download_index(RepoEntry("x", server.url + "/nope"))
    with pytest.raises(DownloadError, match="connection failed"):
        Getter().get("http://127.0.0.1:9/index.yaml", limit=100)
    with pytest.raises(DownloadError, match="larger than the 10-byte limit"):
        Getter().get(server.url + "/index.yaml", limit=10)
    with pytest.raises(DownloadError, match="only http and https"):
        Getter().get("file:///etc/passwd", limit=10)


def test_credentials_go_only_to_the_repository_host(repo_dir: Path, serve) -> None:  # noqa: F811
    repo = serve(repo_dir, credentials=("bob", "s3cret"))
    other = serve(repo_dir, credentials=("bob", "s3cret"))
    entry = RepoEntry("local", repo.url, username="bob", password="s3cret")
    Getter(entry).get(repo.url + "/index.yaml", limit=1 << 20)
    expected = "Basic " + base64.b64encode(b"bob:s3cret").decode()
    assert repo.requests[-1][2]["Authorization"] == expected
    # Another host:port gets no credentials, unless pass_credentials_all says so (Helm's rule).
    with pytest.raises(DownloadError, match="401"):
        Getter(entry).get(other.url + "/index.yaml", limit=1 << 20)
    assert "Authorization" not in other.requests[-1][2]
    passing = RepoEntry("local", repo.url, username="bob", password="s3cret", pass_credentials_all=True)
    Getter(passing).get(other.url + "/index.yaml", limit=1 << 20)
    # Only a username: nothing is sent.
    with pytest.raises(DownloadError, match="401"):
        Getter(RepoEntry("local", repo.url, username="bob")).get(repo.url + "/index.yaml", limit=1 << 20)


def test_tls_options_reach_requests() -> None:
    entry = RepoEntry("a", "https://h", ca_file="/ca.pem", cert_file="/c.pem", key_file="/k.pem")
    session = Getter(entry)._open()
    assert session.verify == "/ca.pem" and session.cert == ("/c.pem", "/k.pem")
    assert Getter(RepoEntry("a", "https://h", insecure_skip_tls_verify=True))._open().verify is False
    assert Getter()._open().verify is True


# --- digests and chart downloads ------------------------------------------------------------------


def test_verify_digest() -> None:
    import hashlib

    digest = hashlib.sha256(b"abc").hexdigest()
    assert verify_digest(b"abc", digest, "x") == digest
    assert verify_digest(b"abc", "sha256:" + digest.upper(), "x") == digest
    assert verify_digest(b"abc", "", "x") == digest
    with pytest.raises(DigestMismatchError) as err:
        verify_digest(b"abd", digest, "http://h/x.tgz")
    assert digest in str(err.value) and hashlib.sha256(b"abd").hexdigest() in str(err.value)


def _configure(repo_url: str, name: str = "local") -> None:
    from helmlite.repo.client import repositories_path

    data, index = download_index(RepoEntry(name, repo_url))
    write_index_cache(name, data, index)
    repos = RepositoryFile.load(repositories_path())
    repos.update(RepoEntry(name, repo_url))
    repos.write(repositories_path())


def test_locate_and_download(isolated_home: Path, repo_dir: Path, serve) -> None:  # noqa: F811
    server = serve(repo_dir)
    _configure(server.url)
    location = locate("local/mychart", ChartPathOptions(version="~0.1"))
    assert (location.url, location.version) == (server.url + "/mychart-0.1.0.tgz", "0.1.0")
    data = download_chart(location)
    assert data == (repo_dir / "mychart-0.1.0.tgz").read_bytes()
    assert server.requests[-1][2]["Accept"] == "application/gzip,application/octet-stream"
    # A plain URL borrows the digest of the configured repository that lists it.
    by_url = locate(server.url + "/mychart-0.2.0.tgz", ChartPathOptions())
    assert by_url.digest and by_url.repo is not None and by_url.repo.name == "local"
    by_repo = locate("mychart", ChartPathOptions(repo_url=server.url, devel=True))
    assert by_repo.version == "0.2.0"


@pytest.mark.parametrize("ref, options, message", [
    ("mychart", ChartPathOptions(), "non-absolute URLs should be in form of repo_name/path_to_chart, got: mychart"),
    ("nope/mychart", ChartPathOptions(), "repo nope not found"),
    ("local/nope", ChartPathOptions(), ('chart "nope" matching  not found in local index. '
                                        "(try 'helmlite repo update'): no chart name found")),
    ("local/mychart", ChartPathOptions(version="9.9.9"), "no chart version found for mychart-9.9.9"),
])
def test_locate_errors(isolated_home: Path, repo_dir: Path, serve, ref: str,  # noqa: F811
                       options: ChartPathOptions, message: str) -> None:
    _configure(serve(repo_dir).url)
    with pytest.raises(RepoError, match=re.escape(message)):
        locate(ref, options)


def test_digest_mismatch_is_detected(isolated_home: Path, repo_dir: Path, serve) -> None:  # noqa: F811
    server = serve(repo_dir)
    _configure(server.url)
    # The package changes after indexing: Helm would install it; helmlite refuses.
    (repo_dir / "mychart-0.2.0.tgz").write_bytes((repo_dir / "mychart-0.1.0.tgz").read_bytes())
    location = locate("local/mychart", ChartPathOptions())
    with pytest.raises(DigestMismatchError, match="digest mismatch for http://127.0.0.1:.*/mychart-0.2.0.tgz"):
        download_chart(location)


def test_locate_chart_caches_and_reverifies(isolated_home: Path, repo_dir: Path, serve) -> None:  # noqa: F811
    server = serve(repo_dir)
    _configure(server.url)
    path = locate_chart("local/mychart", ChartPathOptions())
    assert path.name == "mychart-0.2.0.tgz" and path.read_bytes() == (repo_dir / "mychart-0.2.0.tgz").read_bytes()
    downloads = len(server.requests)
    assert locate_chart("local/mychart", ChartPathOptions()) == path
    assert len(server.requests) == downloads
    # A tampered cache entry is never used: it is fetched again.
    path.write_bytes(b"evil")
    assert locate_chart("local/mychart", ChartPathOptions()).read_bytes() == (repo_dir / "mychart-0.2.0.tgz").read_bytes()
    assert len(server.requests) == downloads + 1


def test_locate_chart_keeps_local_paths(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, "local")
    assert locate_chart(str(chart), ChartPathOptions()) == chart
    from helmlite.errors import ChartLoadError

    with pytest.raises(ChartLoadError, match="not found"):
        locate_chart("./missing", ChartPathOptions())

