"""One contract for every storage driver, then each driver's exact storage format."""

from __future__ import annotations

import base64
import gzip
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helmlite.release import Info, Release, Status, decode, encode, release_json
from helmlite.release.storage import (
    ConfigMapDriver,
    Driver,
    InMemoryObjectClient,
    InvalidKey,
    NoResults,
    ObjectConflict,
    ObjectExists,
    ObjectNotFound,
    ReleaseExists,
    ReleaseNotFound,
    SecretDriver,
    SQLDriver,
    SQLStorageError,
    make_key,
    parse_key,
)

# The clock every driver of conftest.py's ``make_driver`` runs on.
NOW = 1795313942
DriverFactory = Callable[[str], Driver]


def clock() -> float:
    return NOW


def rel(name: str, version: int, status: Status = Status.DEPLOYED, namespace: str = "default") -> Release:
    return Release(
        name=name,
        namespace=namespace,
        version=version,
        info=Info(status=status, description=f"{name} v{version}"),
        chart={"metadata": {"name": "app", "version": "1.0.0"}},
        config={"replicas": version},
        manifest=f"---\n# Source: app/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: {name}\n",
    )


def put(driver: Driver, release: Release, **labels: str) -> None:
    driver.create(make_key(release.name, release.version), release, labels)


# -- the contract -------------------------------------------------------------------------------


def test_create_then_get_returns_the_record_with_user_labels(make_driver: DriverFactory) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1), team="blue")
    got = driver.get("sh.helm.release.v1.web.v1")
    assert got.to_json() == rel("web", 1).to_json()
    assert got.labels == {"team": "blue"}


def test_create_twice_is_release_exists(make_driver: DriverFactory) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1))
    with pytest.raises(ReleaseExists, match="^release: already exists$"):
        put(driver, rel("web", 1, Status.FAILED))
    assert driver.get(make_key("web", 1)).info.status is Status.DEPLOYED


def test_get_missing_is_release_not_found(make_driver: DriverFactory) -> None:
    with pytest.raises(ReleaseNotFound, match="^release: not found$"):
        make_driver("default").get(make_key("nope", 1))


@pytest.mark.parametrize("key", ["web.v1", "sh.helm.release.v1.web", "sh.helm.release.v1.web.vX"])
def test_malformed_keys_are_invalid(make_driver: DriverFactory, key: str) -> None:
    driver = make_driver("default")
    with pytest.raises(InvalidKey, match="^release: invalid key$"):
        driver.get(key)
    with pytest.raises(InvalidKey):
        driver.delete(key)


def test_update_replaces_record_and_rebuilds_labels(make_driver: DriverFactory) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1), team="blue", tier="front")
    updated = rel("web", 1, Status.SUPERSEDED)
    driver.update(make_key("web", 1), updated, {"team": "red"})
    got = driver.get(make_key("web", 1))
    assert got.info.status is Status.SUPERSEDED
    assert got.labels == {"team": "red"}
    [listed] = driver.list()
    assert listed.labels["status"] == "superseded"
    assert listed.labels["modifiedAt"] == str(NOW)


def test_update_missing_is_release_not_found(make_driver: DriverFactory) -> None:
    with pytest.raises(ReleaseNotFound):
        make_driver("default").update(make_key("web", 1), rel("web", 1), {})


def test_delete_returns_the_record_and_removes_it(make_driver: DriverFactory) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1), team="blue")
    put(driver, rel("web", 2))
    gone = driver.delete(make_key("web", 1))
    assert gone.to_json() == rel("web", 1).to_json()
    assert gone.labels == {"team": "blue"}
    with pytest.raises(ReleaseNotFound):
        driver.get(make_key("web", 1))
    with pytest.raises(ReleaseNotFound):
        driver.delete(make_key("web", 1))
    assert [r.version for r in driver.list()] == [2]


def test_list_returns_every_label_and_applies_the_filter(make_driver: DriverFactory) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1, Status.SUPERSEDED), team="blue")
    put(driver, rel("web", 2))
    put(driver, rel("db", 1, Status.FAILED))
    everything = driver.list()
    assert sorted((r.name, r.version) for r in everything) == [("db", 1), ("web", 1), ("web", 2)]
    web1 = next(r for r in everything if (r.name, r.version) == ("web", 1))
    assert {k: web1.labels[k] for k in ("name", "owner", "status", "version", "team", "createdAt")} == {
        "name": "web",
        "owner": "helm",
        "status": "superseded",
        "version": "1",
        "team": "blue",
        "createdAt": str(NOW),
    }
    deployed = driver.list(lambda r: r.info.status is Status.DEPLOYED)
    assert [(r.name, r.version) for r in deployed] == [("web", 2)]
    assert driver.list(lambda r: False) == []


def test_query_matches_system_and_user_labels(make_driver: DriverFactory) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1, Status.SUPERSEDED), team="blue")
    put(driver, rel("web", 2), team="blue")
    put(driver, rel("db", 1), team="red")

    def versions(labels: dict[str, str]) -> list[tuple[str, int]]:
        return sorted((r.name, r.version) for r in driver.query(labels))

    assert versions({"name": "web", "owner": "helm"}) == [("web", 1), ("web", 2)]
    assert versions({"name": "web", "owner": "helm", "status": "deployed"}) == [("web", 2)]
    assert versions({"owner": "helm", "version": "1"}) == [("db", 1), ("web", 1)]
    assert versions({"team": "blue"}) == [("web", 1), ("web", 2)]
    assert versions({"team": "red", "status": "deployed"}) == [("db", 1)]
    [web2] = driver.query({"name": "web", "version": "2"})
    assert web2.labels["team"] == "blue" and web2.labels["status"] == "deployed"


@pytest.mark.parametrize(
    "labels", [{"name": "nope"}, {"name": "web", "status": "failed"}, {"team": "green"}, {"version": "x"}]
)
def test_query_without_match_is_no_results(make_driver: DriverFactory, labels: dict[str, str]) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1), team="blue")
    with pytest.raises(NoResults, match="^release: not found$"):
        driver.query(labels)
    with pytest.raises(ReleaseNotFound):  # Helm's callers test for ErrReleaseNotFound
        driver.query(labels)


def test_system_labels_cannot_be_overridden_by_user_labels(make_driver: DriverFactory) -> None:
    driver = make_driver("default")
    put(driver, rel("web", 1), status="failed", owner="me", name="other", team="blue")
    [listed] = driver.query({"name": "web", "owner": "helm", "status": "deployed"})
    assert listed.labels["team"] == "blue"
    assert driver.get(make_key("web", 1)).labels == {"team": "blue"}


def test_namespaces_are_separate_and_empty_means_all(make_driver: DriverFactory) -> None:
    prod, dev, everywhere = make_driver("prod"), make_driver("dev"), make_driver("")
    put(prod, rel("web", 1, namespace="prod"), team="blue")
    put(dev, rel("web", 1, Status.FAILED, namespace="dev"))
    put(dev, rel("db", 1, namespace="dev"))
    assert prod.get(make_key("web", 1)).info.status is Status.DEPLOYED
    assert dev.get(make_key("web", 1)).info.status is Status.FAILED
    assert sorted(r.name for r in prod.list()) == ["web"]
    assert sorted((r.namespace, r.name) for r in everywhere.list()) == [("dev", "db"), ("dev", "web"), ("prod", "web")]
    assert sorted(r.namespace for r in everywhere.query({"name": "web"})) == ["dev", "prod"]
    with pytest.raises(NoResults):
        prod.query({"name": "db"})
    assert everywhere.get(make_key("db", 1)).namespace == "dev"
    assert everywhere.delete(make_key("db", 1)).namespace == "dev"
    with pytest.raises(ReleaseNotFound):
        dev.get(make_key("db", 1))


def test_release_without_namespace_is_written_to_the_driver_namespace(make_driver: DriverFactory) -> None:
    driver = make_driver("team-a")
    put(driver, rel("web", 1, namespace=""))
    assert driver.get(make_key("web", 1)).name == "web"
    assert make_driver("default").list() == []


def test_lease_store_is_compare_and_swap(make_driver: DriverFactory) -> None:
    store = make_driver("default").lease_store()
    assert store.read("web") is None
    assert store.create("web", "one")
    assert not store.create("web", "two")
    body, v1 = store.read("web") or ("", "")
    assert body == "one"
    assert store.swap("web", v1, "three")
    assert not store.swap("web", v1, "four")  # stale version
    body, v2 = store.read("web") or ("", "")
    assert (body, v2 != v1) == ("three", True)
    assert not store.remove("web", v1)
    assert store.remove("web", v2)
    assert store.read("web") is None
    # Leases are never release records.
    assert make_driver("").list() == []


def test_leases_are_per_namespace(make_driver: DriverFactory) -> None:
    assert make_driver("a").lease_store().create("web", "a")
    assert make_driver("b").lease_store().create("web", "b")
    assert (make_driver("a").lease_store().read("web") or ("",))[0] == "a"


# -- keys -------------------------------------------------------------------------------------------


def test_keys() -> None:
    assert make_key("my.app", 12) == "sh.helm.release.v1.my.app.v12"
    assert parse_key("sh.helm.release.v1.my.app.v12") == ("my.app", 12)


# -- Secret and ConfigMap: Helm's exact objects ------------------------------------------------------


def test_secret_object_is_helms() -> None:
    client = InMemoryObjectClient()
    driver = SecretDriver(client, "prod", clock=clock)
    release = rel("web", 3, namespace="prod")
    driver.create(make_key("web", 3), release, {"team": "blue"})
    obj = client.get("Secret", "prod", "sh.helm.release.v1.web.v3")
    assert obj is not None
    assert obj["type"] == "helm.sh/release.v1"
    assert obj["metadata"]["labels"] == {
        "createdAt": str(NOW),
        "name": "web",
        "owner": "helm",
        "status": "deployed",
        "team": "blue",
        "version": "3",
    }
    # Secret data is base64 in the API, and Helm's bytes are base64 text: double-base64'd.
    inner = base64.b64decode(obj["data"]["release"]).decode()
    assert inner.startswith("H4sI")
    assert inner == encode(release)
    assert json.loads(gzip.decompress(base64.b64decode(inner))) == release.to_json()


def test_secret_update_rebuilds_labels_like_helm() -> None:
    client = InMemoryObjectClient()
    driver = SecretDriver(client, "default", clock=clock)
    driver.create(make_key("web", 1), rel("web", 1), {"team": "blue"})
    driver.update(make_key("web", 1), rel("web", 1, Status.SUPERSEDED), {"team": "blue"})
    obj = client.get("Secret", "default", make_key("web", 1))
    assert obj is not None
    # Observed with Helm: an updated record has modifiedAt and no createdAt.
    assert obj["metadata"]["labels"] == {
        "modifiedAt": str(NOW),
        "name": "web",
        "owner": "helm",
        "status": "superseded",
        "team": "blue",
        "version": "1",
    }


def test_configmap_object_holds_the_encoded_text() -> None:
    client = InMemoryObjectClient()
    ConfigMapDriver(client, "default", clock=clock).create(make_key("web", 1), rel("web", 1), {})
    obj = client.get("ConfigMap", "default", make_key("web", 1))
    assert obj is not None
    assert "type" not in obj
    assert obj["data"]["release"] == encode(rel("web", 1))
    assert obj["metadata"]["labels"]["owner"] == "helm"


def test_secret_written_by_helm_is_read() -> None:
    """A Secret exactly as Helm writes it (labels from an observed install) is listed and read."""
    text = (Path(__file__).parent / "data" / "helm-install-dry-run.json").read_text().rstrip("\n")
    blob = base64.b64encode(gzip.compress(text.encode(), 9)).decode()
    client = InMemoryObjectClient()
    client.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "sh.helm.release.v1.rel1.v1",
                "namespace": "default",
                "labels": {
                    "modifiedAt": "1795313942",
                    "name": "rel1",
                    "owner": "helm",
                    "status": "deployed",
                    "team": "blue",
                    "version": "1",
                },
            },
            "type": "helm.sh/release.v1",
            "data": {"release": base64.b64encode(blob.encode()).decode()},
        }
    )
    driver = SecretDriver(client, "default")
    got = driver.get("sh.helm.release.v1.rel1.v1")
    assert release_json(got) == text
    assert got.labels == {"team": "blue"}
    [queried] = driver.query({"name": "rel1", "owner": "helm"})
    assert queried.labels["modifiedAt"] == "1795313942"


def test_undecodable_objects_are_skipped_by_listings() -> None:
    client = InMemoryObjectClient()
    driver = ConfigMapDriver(client, "default")
    driver.create(make_key("web", 1), rel("web", 1), {})
    client.create(
        {
            "kind": "ConfigMap",
            "metadata": {
                "name": make_key("web", 2),
                "namespace": "default",
                "labels": {"owner": "helm", "name": "web"},
            },
            "data": {"release": "garbage"},
        }
    )
    assert [r.version for r in driver.list()] == [1]
    assert [r.version for r in driver.query({"name": "web"})] == [1]


def test_in_memory_object_client_has_kubernetes_write_semantics() -> None:
    client = InMemoryObjectClient()
    created = client.create({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}, "data": {}})
    with pytest.raises(ObjectExists):
        client.create({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}})
    updated = client.update({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}, "data": {"k": "v"}})
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    with pytest.raises(ObjectConflict):
        client.update({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x", "resourceVersion": "1"}})
    with pytest.raises(ObjectConflict):
        client.delete("ConfigMap", "x", "a", resource_version="1")
    with pytest.raises(ObjectNotFound):
        client.update({"kind": "ConfigMap", "metadata": {"name": "b", "namespace": "x"}})
    returned = client.get("ConfigMap", "x", "a")
    assert returned is not None
    returned["data"]["k"] = "mutated"
    assert (client.get("ConfigMap", "x", "a") or {})["data"] == {"k": "v"}
    client.delete("ConfigMap", "x", "a", resource_version=updated["metadata"]["resourceVersion"])
    with pytest.raises(ObjectNotFound):
        client.delete("ConfigMap", "x", "a")


# -- SQL: Helm's tables ---------------------------------------------------------------------------------


def test_sql_tables_have_helms_shape(tmp_path: Path) -> None:
    path = tmp_path / "releases.db"
    driver = SQLDriver(f"sqlite:///{path}", "prod", clock=clock)
    driver.create(make_key("web", 1), rel("web", 1, namespace="prod"), {"team": "blue"})
    driver.update(make_key("web", 1), rel("web", 1, Status.SUPERSEDED, namespace="prod"), {"team": "blue"})
    driver.close()
    db = sqlite3.connect(path)
    columns = [row[1] for row in db.execute("PRAGMA table_info(releases_v1)")]
    assert columns == [
        "key",
        "type",
        "body",
        "name",
        "namespace",
        "version",
        "status",
        "owner",
        "createdAt",
        "modifiedAt",
    ]
    pk = sorted((row[5], row[1]) for row in db.execute("PRAGMA table_info(releases_v1)") if row[5])
    assert [name for _, name in pk] == ["key", "namespace"]
    assert [row[1] for row in db.execute("PRAGMA table_info(custom_labels_v1)")] == [
        "releaseKey",
        "releaseNamespace",
        "key",
        "value",
    ]
    row = db.execute(
        "SELECT key, type, body, name, namespace, version, status, owner, createdAt, modifiedAt FROM releases_v1"
    ).fetchone()
    assert row[:2] == ("sh.helm.release.v1.web.v1", "helm.sh/release.v1")
    assert decode(row[2]).info.status is Status.SUPERSEDED
    assert row[3:] == ("web", "prod", 1, "superseded", "helm", NOW, NOW)
    assert db.execute("SELECT * FROM custom_labels_v1").fetchall() == [
        ("sh.helm.release.v1.web.v1", "prod", "team", "blue")
    ]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sql_accepts_paths_and_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ["plain.db", "sqlite:///relative.db", f"sqlite:///{tmp_path}/nested/dir/abs.db", ":memory:"]:
        driver = SQLDriver(url)
        put(driver, rel("web", 1))
        assert driver.get(make_key("web", 1)).name == "web"
        driver.close()
    assert (tmp_path / "plain.db").exists()
    assert (tmp_path / "relative.db").exists()
    assert (tmp_path / "nested" / "dir" / "abs.db").exists()


def test_sql_postgres_url_without_psycopg_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes the import fail, installed or not.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    for url in ("postgresql://helm@localhost/helm", "postgres://helm@localhost/helm"):
        with pytest.raises(SQLStorageError, match="needs the psycopg package"):
            SQLDriver(url)


def test_sql_records_survive_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "releases.db")
    first = SQLDriver(path)
    put(first, rel("web", 1), team="blue")
    first.close()
    again = SQLDriver(path)
    assert again.get(make_key("web", 1)).labels == {"team": "blue"}
    again.close()


def test_sql_create_is_atomic_with_its_labels(tmp_path: Path) -> None:
    driver = SQLDriver(str(tmp_path / "releases.db"))
    put(driver, rel("web", 1), team="blue")
    with pytest.raises(ReleaseExists):
        put(driver, rel("web", 1), team="red")
    assert [r.labels.get("team") for r in driver.list()] == ["blue"]
    driver.close()


def test_sql_database_failures_are_storage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import helmlite.release.storage.sql as sql_module

    monkeypatch.setattr(sql_module, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.05)
    path = tmp_path / "releases.db"
    driver = SQLDriver(str(path))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process mid-write, for longer than busy_timeout
    with pytest.raises(SQLStorageError, match="database is locked"):
        put(driver, rel("web", 1))
    blocker.execute("ROLLBACK")
    put(driver, rel("web", 1))  # the driver is usable again
    assert driver.get(make_key("web", 1)).version == 1
    driver.close()
    blocker.close()


def test_sql_unopenable_file_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(SQLStorageError, match="cannot open SQLite release store"):
        SQLDriver(str(tmp_path / "dir.db"))
