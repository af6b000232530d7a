"""History policy over a driver: Helm's ``pkg/storage.Storage``.

Drivers only store and find records; everything that depends on what the records *mean* is
here, once: a revision's key, the history of a release (sorted by revision), the last
revision, the deployed one (the newest, if concurrent runs of another tool left several), the
listings, and ``--history-max`` pruning.

Pruning (``removeLeastRecent``): before a new revision is created with ``max_history > 0``,
the oldest revisions are deleted until ``max_history - 1`` remain, skipping the latest
deployed revision, so a long run of failures never deletes the last good one. ``0`` (or less)
keeps everything. Helm prunes only from upgrade and rollback; install passes ``prune=False``.
"""

from __future__ import annotations

from collections.abc import Iterable

from helmlite.release.model import Release, Status
from helmlite.release.storage.driver import (
    OWNER,
    Driver,
    NoDeployedReleases,
    NoResults,
    ReleaseNotFound,
    make_key,
)

__all__ = ["DEFAULT_MAX_HISTORY", "Storage", "latest_revisions"]

# Helm's default for --history-max (HELM_MAX_HISTORY); the CLI flag exposes it.
DEFAULT_MAX_HISTORY = 10


def _by_revision(releases: Iterable[Release]) -> list[Release]:
    return sorted(releases, key=lambda r: r.version)


def latest_revisions(releases: Iterable[Release]) -> list[Release]:
    """The highest revision of each ``namespace/name``, sorted by name then namespace.

    What ``list`` shows (Helm's ``filterLatestReleases``).
    """
    latest: dict[tuple[str, str], Release] = {}
    for rel in releases:
        ident = (rel.namespace, rel.name)
        if ident not in latest or rel.version > latest[ident].version:
            latest[ident] = rel
    return sorted(latest.values(), key=lambda r: (r.name, r.namespace))


class Storage:
    """Release history on top of a driver.

    ``max_history`` is ``--history-max``: the number of revisions kept per release, the new
    one included (``0`` = unlimited).
    """

    def __init__(self, driver: Driver, max_history: int = DEFAULT_MAX_HISTORY) -> None:
        self.driver = driver
        self.max_history = max_history

    def get(self, name: str, version: int) -> Release:
        """Revision ``version`` of ``name``; raises ReleaseNotFound."""
        return self.driver.get(make_key(name, version))

    def create(self, release: Release, *, prune: bool = True) -> None:
        """Store a new revision, pruning old ones first (see the module docstring).

        Raises ReleaseExists when the revision exists; a pruning failure other than a
        revision already gone is raised before anything is created.
        """
        if prune and self.max_history > 0:
            self._remove_least_recent(release.name, self.max_history - 1)
        self.driver.create(make_key(release.name, release.version), release, release.labels)

    def update(self, release: Release) -> None:
        """Rewrite an existing revision (status, description, hooks…); raises ReleaseNotFound."""
        self.driver.update(make_key(release.name, release.version), release, release.labels)

    def delete(self, name: str, version: int) -> Release:
        """Remove one revision and return it; raises ReleaseNotFound."""
        return self.driver.delete(make_key(name, version))

    def history(self, name: str) -> list[Release]:
        """Every revision of ``name``, oldest first; raises ReleaseNotFound when there is none."""
        return _by_revision(self.driver.query({"name": name, "owner": OWNER}))

    def last(self, name: str) -> Release:
        """The highest revision of ``name``, whatever its status; raises ReleaseNotFound."""
        return self.history(name)[-1]

    def deployed_all(self, name: str) -> list[Release]:
        """Every revision of ``name`` labelled deployed, oldest first; raises NoDeployedReleases."""
        try:
            found = self.driver.query({"name": name, "owner": OWNER, "status": Status.DEPLOYED.value})
        except NoResults:
            raise NoDeployedReleases(name) from None
        return _by_revision(found)

    def deployed(self, name: str) -> Release:
        """The deployed revision of ``name``; raises NoDeployedReleases.

        When a corrupted history has several (Helm run concurrently), the newest wins, as in Helm.
        """
        return self.deployed_all(name)[-1]

    def list_releases(self) -> list[Release]:
        """Every revision of every release in the driver's scope, sorted by name, namespace, revision."""
        return self._sorted(self.driver.list())

    def list_deployed(self) -> list[Release]:
        """Every deployed revision in scope, sorted like ``list_releases``."""
        return self._sorted(self.driver.list(lambda r: r.info.status is Status.DEPLOYED))

    def list_uninstalled(self) -> list[Release]:
        """Every uninstalled revision in scope, sorted like ``list_releases``."""
        return self._sorted(self.driver.list(lambda r: r.info.status is Status.UNINSTALLED))

    @staticmethod
    def _sorted(releases: list[Release]) -> list[Release]:
        return sorted(releases, key=lambda r: (r.name, r.namespace, r.version))

    def _remove_least_recent(self, name: str, maximum: int) -> None:
        """Delete the oldest revisions until ``maximum`` remain, never the latest deployed."""
        try:
            history = self.history(name)
        except ReleaseNotFound:
            return
        if len(history) <= maximum:
            return
        # The latest deployed revision, read from the history just fetched (Helm asks the
        # driver again; the records are the same).
        deployed = [rel.version for rel in history if rel.info.status is Status.DEPLOYED]
        keep = deployed[-1] if deployed else None
        doomed: list[Release] = []
        for rel in history:
            if len(history) - len(doomed) == maximum:
                break
            if rel.version != keep:
                doomed.append(rel)
        # Delete as many as possible before reporting, so a retry has less to do (as Helm).
        errors: list[Exception] = []
        for rel in doomed:
            try:
                self.delete(name, rel.version)
            except ReleaseNotFound:
                continue  # pruned meanwhile by a concurrent run: the goal is reached anyway
            except Exception as exc:  # noqa: BLE001 - any driver failure: collected, the first re-raised below
                errors.append(exc)
        if errors:
            raise errors[0]
