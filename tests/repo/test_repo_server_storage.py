"""The repository server's storage layer: uploads, deletes, the published index, recovery."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import yaml

from helmlite.chart.archive import build_archive
from helmlite.chart.model import ChartFile
from helmlite.repo.index import IndexFile
from helmlite.repo.server.storage import (
    BadUpload,
    ChartExists,
    ChartNotFound,
    ChartStore,
    RepositorySet,
    Upload,
)


def make_chart(name: str, version: str, *, description: str = "A test chart", app_version: str = "1.0",
               readme: str | None = None) -> bytes:
    chart_yaml = (f"apiVersion: v2\nname: {name}\nversion: {version}\n"
                  f"description: {description!r}\nappVersion: {app_version!r}\n")
    files = [ChartFile("Chart.yaml", chart_yaml.encode()), ChartFile("values.yaml", b"replicas: 1\n")]
    if readme is not None:
        files.append(ChartFile("README.md", readme.encode()))
    return build_archive(name, files)


def make_prov(name: str, version: str, digest: str, *, filename: str | None = None) -> bytes:
    filename = filename or f"{name}-{version}.tgz"
    return (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
        f"apiVersion: v2\nname: {name}\nversion: {version}\n...\nfiles:\n  {filename}: sha256:{digest}\n"
        "-----BEGIN PGP SIGNATURE-----\n\nwsBcBAEBCgAQBQJ\n=abcd\n-----END PGP SIGNATURE-----\n"
    ).encode()


def sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> ChartStore:
    return ChartStore.open(tmp_path / "repo")


def served(store: ChartStore) -> dict:
    return yaml.safe_load(store.snapshot.yaml)


def test_empty_repository_is_a_valid_index_on_disk_and_in_memory(store: ChartStore) -> None:
    assert served(store)["entries"] == {}
    assert store.index_path.read_bytes() == store.snapshot.yaml
    assert (store.root / "charts").is_dir()


def test_upload_is_in_the_served_and_written_index_when_save_returns(store: ChartStore) -> None:
    data = make_chart("web", "1.0.0")
    store.save(Upload(chart=data))
    entry = served(store)["entries"]["web"][0]
    assert entry["urls"] == ["charts/web-1.0.0.tgz"]
    assert entry["digest"] == sha256(data)
    assert (store.charts_dir / "web-1.0.0.tgz").read_bytes() == data
    assert store.index_path.read_bytes() == store.snapshot.yaml
    assert IndexFile.load(store.snapshot.yaml, "served").has("web", "1.0.0")  # Helm's strict reader accepts it


def test_versions_are_served_newest_first(store: ChartStore) -> None:
    for version in ("0.1.0", "0.10.0", "0.2.0", "1.0.0-rc.1"):
        store.save(Upload(chart=make_chart("web", version)))
    assert [e["version"] for e in served(store)["entries"]["web"]] == ["1.0.0-rc.1", "0.10.0", "0.2.0", "0.1.0"]


def test_existing_version_conflicts_unless_forced_or_overwrite_allowed(tmp_path: Path) -> None:
    store = ChartStore.open(tmp_path / "a")
    store.save(Upload(chart=make_chart("web", "1.0.0", description="first")))
    with pytest.raises(ChartExists, match="file already exists"):
        store.save(Upload(chart=make_chart("web", "1.0.0", description="second")))
    store.save(Upload(chart=make_chart("web", "1.0.0", description="second")), force=True)
    versions = served(store)["entries"]["web"]
    assert [(e["version"], e["description"]) for e in versions] == [("1.0.0", "second")]

    permissive = ChartStore.open(tmp_path / "b", allow_overwrite=True)
    permissive.save(Upload(chart=make_chart("web", "1.0.0")))
    permissive.save(Upload(chart=make_chart("web", "1.0.0", description="again")))
    assert served(permissive)["entries"]["web"][0]["description"] == "again"


@pytest.mark.parametrize("body, message", [
    (b"", "empty chart package"),
    (b"not a tarball at all", "not a gzip-compressed chart archive"),
    (build_archive("x", [ChartFile("values.yaml", b"{}")]), "Chart.yaml file is missing"),
    (build_archive("x", [ChartFile("Chart.yaml", b"apiVersion: v2\nname: x\nversion: one\n")]), "not a SemVer"),
    (build_archive(".hidden", [ChartFile("Chart.yaml", b"apiVersion: v2\nname: .hidden\nversion: 1.0.0\n")]),
     "must not start with a dot"),
])
def test_invalid_packages_are_refused_and_leave_nothing_behind(store: ChartStore, body: bytes, message: str) -> None:
    with pytest.raises(BadUpload, match=message):
        store.save(Upload(chart=body))
    assert served(store)["entries"] == {}
    assert [p.name for p in store.charts_dir.iterdir() if not p.name.startswith(".helmlite")] == []


@pytest.mark.parametrize("filename, message", [
    ("other-1.0.0.tgz", "does not match the chart"),
    ("web-2.0.0.tgz", "does not match the chart"),
    ("../../etc/web-1.0.0.tgz", "improperly formatted"),
    ("..\\web-1.0.0.tgz", "improperly formatted"),
    ("..", "improperly formatted"),
])
def test_client_file_name_must_be_the_charts_own(store: ChartStore, filename: str, message: str) -> None:
    with pytest.raises(BadUpload, match=message):
        store.save(Upload(chart=make_chart("web", "1.0.0"), chart_filename=filename))
    store.save(Upload(chart=make_chart("web", "1.0.0"), chart_filename="web-1.0.0.tgz"))


def test_delete_removes_package_provenance_and_entry(store: ChartStore) -> None:
    data = make_chart("web", "1.0.0")
    store.save(Upload(chart=data, prov=make_prov("web", "1.0.0", sha256(data))))
    store.save(Upload(chart=make_chart("web", "2.0.0")))
    store.delete("web", "1.0.0")
    assert [e["version"] for e in served(store)["entries"]["web"]] == ["2.0.0"]
    assert not (store.charts_dir / "web-1.0.0.tgz").exists()
    assert not (store.charts_dir / "web-1.0.0.tgz.prov").exists()
    store.delete("web", "2.0.0")
    assert served(store)["entries"] == {}
    with pytest.raises(ChartNotFound):
        store.delete("web", "2.0.0")


def test_provenance_must_match_the_chart(store: ChartStore) -> None:
    data = make_chart("web", "1.0.0")
    with pytest.raises(BadUpload, match="does not match the chart"):
        store.save(Upload(chart=data, prov=make_prov("web", "1.0.0", "0" * 64)))
    with pytest.raises(BadUpload, match="not web 1.0.0"):
        store.save(Upload(chart=data, prov=make_prov("api", "1.0.0", sha256(data))))
    with pytest.raises(BadUpload, match="does not contain a SHA"):
        store.save(Upload(chart=data, prov=make_prov("web", "1.0.0", sha256(data), filename="x.tgz")))
    with pytest.raises(BadUpload, match="invalid provenance"):
        store.save(Upload(chart=data, prov=b"hello"))
    assert served(store)["entries"] == {}  # a bad provenance file refuses the whole upload


def test_provenance_alone_needs_its_chart_and_respects_overwrite_rules(store: ChartStore) -> None:
    data = make_chart("web", "1.0.0")
    prov = make_prov("web", "1.0.0", sha256(data))
    with pytest.raises(BadUpload, match="upload the chart first"):
        store.save(Upload(prov=prov))
    store.save(Upload(chart=data))
    store.save(Upload(prov=prov))
    assert (store.charts_dir / "web-1.0.0.tgz.prov").read_bytes() == prov
    with pytest.raises(ChartExists):
        store.save(Upload(prov=prov))
    store.save(Upload(prov=prov), force=True)


def test_forced_overwrite_drops_a_provenance_file_that_no_longer_matches(store: ChartStore) -> None:
    old = make_chart("web", "1.0.0", description="old")
    store.save(Upload(chart=old, prov=make_prov("web", "1.0.0", sha256(old))))
    store.save(Upload(chart=old), force=True)  # same bytes: the signature still holds
    assert (store.charts_dir / "web-1.0.0.tgz.prov").exists()
    store.save(Upload(chart=make_chart("web", "1.0.0", description="new")), force=True)
    assert not (store.charts_dir / "web-1.0.0.tgz.prov").exists()


def test_file_lookup_serves_only_packages_and_provenance_inside_charts(store: ChartStore) -> None:
    data = make_chart("web", "1.0.0")
    store.save(Upload(chart=data))
    found = store.file("web-1.0.0.tgz")
    assert found is not None and found.data == data and found.etag == f'"{sha256(data)}"'
    (store.root / "secret.tgz").write_bytes(b"x")
    for bad in ("../secret.tgz", "../index.yaml", ".helmlite-index-cache.json", "web-1.0.0.tgz/", "a/b/c.tgz",
                "/etc/passwd.tgz", "missing-1.0.0.tgz", "web-1.0.0.tar", ".upload-x.tgz"):
        assert store.file(bad) is None, bad


def test_file_cache_notices_a_replaced_package(store: ChartStore) -> None:
    store.save(Upload(chart=make_chart("web", "1.0.0", description="one")))
    first = store.file("web-1.0.0.tgz")
    replacement = make_chart("web", "1.0.0", description="two, longer")
    store.save(Upload(chart=replacement), force=True)
    second = store.file("web-1.0.0.tgz")
    assert first is not None and second is not None
    assert second.data == replacement and second.etag != first.etag


def test_parallel_uploads_of_different_charts_all_land(store: ChartStore) -> None:
    errors: list[BaseException] = []

    def upload(i: int) -> None:
        try:
            store.save(Upload(chart=make_chart(f"c{i:03d}", "1.0.0")))
        except BaseException as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(served(store)["entries"]) == [f"c{i:03d}" for i in range(60)]
    assert yaml.safe_load(store.index_path.read_bytes())["entries"].keys() == served(store)["entries"].keys()


def test_racing_uploads_of_one_version_have_exactly_one_winner(store: ChartStore) -> None:
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def upload(i: int) -> None:
        barrier.wait()
        try:
            store.save(Upload(chart=make_chart("web", "1.0.0", description=f"writer {i}")))
            outcomes.append("saved")
        except ChartExists:
            outcomes.append("conflict")

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["saved"]
    assert len(served(store)["entries"]["web"]) == 1


# --- recovery -----------------------------------------------------------------------------------


def test_recovery_rebuilds_the_index_from_the_packages_on_disk(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    store = ChartStore.open(root)
    kept = make_chart("kept", "1.0.0")
    store.save(Upload(chart=kept))
    store.save(Upload(chart=make_chart("gone", "1.0.0")))
    created = served(store)["entries"]["kept"][0]["created"]
    # What a crash can leave: a half-written temp file, a package renamed into place but not
    # yet indexed, and an index entry whose package was already deleted.
    (store.staging_dir / "upload-abc123.tmp").write_bytes(b"\x1f\x8b partial")
    (store.charts_dir / "late-1.0.0.tgz").write_bytes(make_chart("late", "1.0.0"))
    (store.charts_dir / "gone-1.0.0.tgz").unlink()

    reopened = ChartStore.open(root)
    entries = served(reopened)["entries"]
    assert sorted(entries) == ["kept", "late"]
    assert entries["kept"][0]["created"] == created  # unchanged packages keep their timestamp
    assert not list(reopened.staging_dir.iterdir())
    assert reopened.index_path.read_bytes() == reopened.snapshot.yaml


def test_recovery_skips_packages_that_are_not_charts(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "charts").mkdir(parents=True)
    (root / "charts" / "junk-1.0.0.tgz").write_bytes(b"junk")
    (root / "charts" / "ok-1.0.0.tgz").write_bytes(make_chart("ok", "1.0.0"))
    warnings: list[str] = []
    store = ChartStore.open(root, warn=warnings.append)
    assert list(served(store)["entries"]) == ["ok"]
    assert any("junk-1.0.0.tgz" in w for w in warnings)


def test_recovery_survives_a_corrupt_index_file(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "charts").mkdir(parents=True)
    (root / "charts" / "ok-1.0.0.tgz").write_bytes(make_chart("ok", "1.0.0"))
    (root / "index.yaml").write_text("apiVersion: v1\nentries: {ok: [\n")
    assert list(served(ChartStore.open(root))["entries"]) == ["ok"]


def test_absolute_url_is_the_prefix_of_every_package_url(tmp_path: Path) -> None:
    repos = RepositorySet(tmp_path, url="https://charts.example.com/team")
    repos.open()
    store = repos.get_or_create("")
    store.save(Upload(chart=make_chart("web", "1.0.0")))
    assert served(store)["entries"]["web"][0]["urls"] == ["https://charts.example.com/team/charts/web-1.0.0.tgz"]


def test_multitenant_repositories_are_separate_directories(tmp_path: Path) -> None:
    repos = RepositorySet(tmp_path, multitenant=True, url="http://h:1")
    repos.open()
    assert repos.names() == []
    repos.get_or_create("team-a").save(Upload(chart=make_chart("web", "1.0.0")))
    repos.get_or_create("team-b").save(Upload(chart=make_chart("api", "1.0.0")))
    assert (tmp_path / "team-a" / "charts" / "web-1.0.0.tgz").is_file()
    assert served(repos.get_or_create("team-b"))["entries"]["api"][0]["urls"] == ["http://h:1/team-b/charts/api-1.0.0.tgz"]
    for bad in ("api", "health", "..", ".hidden", "a/b", "x" * 65, ""):
        with pytest.raises(ChartNotFound):
            repos.get_or_create(bad)

    reopened = RepositorySet(tmp_path, multitenant=True, url="http://h:1")
    reopened.open()
    assert reopened.names() == ["team-a", "team-b"]


def test_single_repository_has_no_tenants(tmp_path: Path) -> None:
    repos = RepositorySet(tmp_path)
    repos.open()
    assert repos.names() == [""]
    with pytest.raises(ChartNotFound):
        repos.get_or_create("team-a")


def test_packages_added_or_removed_by_hand_are_picked_up(store: ChartStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from helmlite.repo.server import storage

    monkeypatch.setattr(storage, "_REFRESH_INTERVAL", 0.0)
    store.save(Upload(chart=make_chart("api", "1.0.0")))
    created = served(store)["entries"]["api"][0]["created"]
    assert not store.changed_on_disk()  # our own writes are not "changes by hand"
    (store.charts_dir / "web-1.0.0.tgz").write_bytes(make_chart("web", "1.0.0"))
    assert store.changed_on_disk()
    store.refresh()
    assert sorted(served(store)["entries"]) == ["api", "web"]
    assert served(store)["entries"]["api"][0]["created"] == created
    assert not store.changed_on_disk()
    (store.charts_dir / "web-1.0.0.tgz").unlink()
    assert store.changed_on_disk()
    store.refresh()
    assert sorted(served(store)["entries"]) == ["api"]


def test_disk_is_looked_at_no_more_than_once_a_second(store: ChartStore) -> None:
    store.changed_on_disk()
    (store.charts_dir / "web-1.0.0.tgz").write_bytes(make_chart("web", "1.0.0"))
    assert not store.changed_on_disk()
