"""The history policy: history, last, deployed, listings and --history-max pruning."""

from __future__ import annotations

import pytest

from helmlite.release import (
    DEFAULT_MAX_HISTORY,
    Info,
    NoDeployedReleases,
    Release,
    ReleaseExists,
    ReleaseNotFound,
    Status,
    Storage,
    latest_revisions,
)
from helmlite.release.storage import (
    Driver,
    MemoryDriver,
)

S, D, F, U, P = Status.SUPERSEDED, Status.DEPLOYED, Status.FAILED, Status.UNINSTALLED, Status.PENDING_UPGRADE


def rel(name: str, version: int, status: Status, namespace: str = "default") -> Release:
    return Release(name=name, namespace=namespace, version=version, info=Info(status=status))


def seed(storage: Storage, name: str, statuses: list[Status]) -> None:
    for version, status in enumerate(statuses, start=1):
        storage.create(rel(name, version, status), prune=False)


def versions(storage: Storage, name: str) -> list[int]:
    return [r.version for r in storage.history(name)]


@pytest.mark.parametrize(
    ("max_history", "existing", "new", "kept"),
    [
        # Helm's TestStorageDoNotDeleteDeployed: the latest deployed survives a run of failures.
        (3, [S, D, F, F], F, [2, 4, 5]),
        (3, [S, S, S, D], P, [3, 4, 5]),
        (3, [D, F, F, F, F], F, [1, 5, 6]),
        (3, [S, S], D, [1, 2, 3]),  # under the limit: nothing pruned
        # Several deployed (a history corrupted by concurrent Helm runs): only the newest is protected.
        (3, [D, D, F, F], F, [2, 4, 5]),
        (1, [S, D], P, [2, 3]),  # even max 1 never deletes the deployed revision
        (2, [S, S, S, S, S], D, [5, 6]),
        (0, [S] * 11, D, list(range(1, 13))),  # 0 = unlimited
        (-1, [S] * 4, D, [1, 2, 3, 4, 5]),
        (DEFAULT_MAX_HISTORY, [S] * 10, D, list(range(2, 12))),
        (3, [U, S, F], F, [2, 3, 4]),
    ],
)
def test_pruning_on_create(
    driver: Driver, max_history: int, existing: list[Status], new: Status, kept: list[int]
) -> None:
    storage = Storage(driver, max_history=max_history)
    seed(storage, "web", existing)
    storage.create(rel("web", len(existing) + 1, new))
    assert versions(storage, "web") == kept


def test_install_does_not_prune(driver: Driver) -> None:
    storage = Storage(driver, max_history=2)
    seed(storage, "web", [S, S, D])
    storage.create(rel("web", 4, P), prune=False)
    assert versions(storage, "web") == [1, 2, 3, 4]


def test_pruning_touches_only_the_named_release(driver: Driver) -> None:
    storage = Storage(driver, max_history=2)
    seed(storage, "web", [S, S, D])
    seed(storage, "db", [S, S, D])
    storage.create(rel("web", 4, P))
    assert versions(storage, "web") == [3, 4]
    assert versions(storage, "db") == [1, 2, 3]


def test_default_max_history_is_helms() -> None:
    assert DEFAULT_MAX_HISTORY == 10
    assert Storage(MemoryDriver()).max_history == 10


def test_history_last_and_get(driver: Driver) -> None:
    storage = Storage(driver)
    for version in (3, 1, 2):  # stored out of order; history is by revision
        storage.create(rel("web", version, S if version < 3 else F))
    assert versions(storage, "web") == [1, 2, 3]
    assert storage.last("web").version == 3
    assert storage.get("web", 2).version == 2
    with pytest.raises(ReleaseNotFound):
        storage.get("web", 9)
    with pytest.raises(ReleaseNotFound, match="^release: not found$"):
        storage.history("nope")
    with pytest.raises(ReleaseNotFound):
        storage.last("nope")


def test_deployed_and_no_deployed_releases(driver: Driver) -> None:
    storage = Storage(driver)
    seed(storage, "web", [S, D, F])
    assert storage.deployed("web").version == 2
    seed(storage, "db", [F, U])
    with pytest.raises(NoDeployedReleases, match='^"db" has no deployed releases$'):
        storage.deployed("db")
    with pytest.raises(NoDeployedReleases):
        storage.deployed_all("nope")


def test_deployed_takes_the_newest_of_several(driver: Driver) -> None:
    storage = Storage(driver)
    seed(storage, "web", [D, D, F])
    assert [r.version for r in storage.deployed_all("web")] == [1, 2]
    assert storage.deployed("web").version == 2


def test_update_and_delete(driver: Driver) -> None:
    storage = Storage(driver)
    storage.create(rel("web", 1, Status.PENDING_INSTALL))
    storage.update(rel("web", 1, D).with_status(D, "Install complete"))
    assert storage.get("web", 1).info.description == "Install complete"
    with pytest.raises(ReleaseExists):
        storage.create(rel("web", 1, D))
    assert storage.delete("web", 1).version == 1
    with pytest.raises(ReleaseNotFound):
        storage.update(rel("web", 1, D))


def test_labels_travel_with_the_release(driver: Driver) -> None:
    storage = Storage(driver)
    storage.create(Release(name="web", namespace="default", version=1, labels={"team": "blue"}))
    assert storage.get("web", 1).labels == {"team": "blue"}
    assert storage.last("web").labels["team"] == "blue"


def test_listings(driver: Driver) -> None:
    storage = Storage(driver)
    seed(storage, "web", [S, D])
    seed(storage, "db", [S, U])
    seed(storage, "app", [F])
    assert [(r.name, r.version) for r in storage.list_releases()] == [
        ("app", 1),
        ("db", 1),
        ("db", 2),
        ("web", 1),
        ("web", 2),
    ]
    assert [(r.name, r.version) for r in storage.list_deployed()] == [("web", 2)]
    assert [(r.name, r.version) for r in storage.list_uninstalled()] == [("db", 2)]


def test_latest_revisions_keeps_the_highest_per_namespace_and_name() -> None:
    releases = [
        rel("web", 1, S, "prod"),
        rel("web", 3, F, "prod"),
        rel("web", 2, D, "prod"),
        rel("web", 1, D, "dev"),
        rel("api", 4, D, "prod"),
    ]
    assert [(r.name, r.namespace, r.version) for r in latest_revisions(releases)] == [
        ("api", "prod", 4),
        ("web", "dev", 1),
        ("web", "prod", 3),
    ]
