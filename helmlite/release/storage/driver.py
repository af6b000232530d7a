"""The storage driver contract: a narrow protocol every release store implements.

Mirrors Helm's ``pkg/storage/driver/driver.go``: drivers store and find release records by
key and by label and know nothing of history rules (those live once, in
``helmlite.release.history.Storage``). A record's key is ``sh.helm.release.v1.<name>.v<rev>``.

Namespaces: a driver is bound to one namespace. Records are written to the release's own
namespace (the driver's when the release has none; ``default`` when neither has one). Reads
look in the driver's namespace; a driver bound to ``""`` reads every namespace (``list -A``).

Labels, as Helm's drivers report them: every record carries the system labels ``name``,
``owner=helm``, ``status``, ``version`` plus ``createdAt`` (set on create) or ``modifiedAt``
(set on update; labels are rebuilt on every write), and the user labels given on write.
``get`` returns a release whose ``labels`` are the user labels only; ``list`` and ``query``
return every label of the record.

Errors (the release subtree of ``helmlite.errors``)::

    ReleaseError (helmlite.release.model)
    ├── ReleaseDecodeError      stored data that is not a release record
    ├── ReleaseNotFound         "release: not found"
    │   └── NoResults           a query that matched nothing (same message, as in Helm)
    ├── ReleaseExists           "release: already exists"
    ├── InvalidKey              "release: invalid key"
    ├── NoDeployedReleases      '"<name>" has no deployed releases'
    └── OperationInProgress     (helmlite.release.lock) a live operation lease is held
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from helmlite.release.model import Release, ReleaseError

__all__ = [
    "DEFAULT_NAMESPACE",
    "LEASE_KEY_PREFIX",
    "OWNER",
    "RELEASE_KEY_PREFIX",
    "STORAGE_TYPE",
    "SYSTEM_LABELS",
    "Driver",
    "InvalidKey",
    "LeaseStore",
    "NoDeployedReleases",
    "NoResults",
    "ReleaseExists",
    "ReleaseFilter",
    "ReleaseNotFound",
    "lease_key",
    "make_key",
    "parse_key",
    "system_labels",
    "write_namespace",
]

RELEASE_KEY_PREFIX = "sh.helm.release.v1"
# helmlite's operation leases (``helmlite.release.lock``) live beside the records under this prefix.
LEASE_KEY_PREFIX = "sh.helmlite.lock.v1"
OWNER = "helm"
# Helm's storage object type (Secret ``type``, SQL ``type`` column).
STORAGE_TYPE = "helm.sh/release.v1"
DEFAULT_NAMESPACE = "default"
# Label names the drivers own; Helm rejects them as user ``--labels``.
SYSTEM_LABELS = frozenset({"name", "owner", "status", "version", "createdAt", "modifiedAt"})

_KEY = re.compile(r"^" + re.escape(RELEASE_KEY_PREFIX) + r"\.(.+)\.v(\d+)$")

ReleaseFilter = Callable[[Release], bool]


class ReleaseNotFound(ReleaseError):
    """No record under that key (Helm's ``ErrReleaseNotFound``)."""

    def __init__(self, message: str = "release: not found") -> None:
        super().__init__(message)


class NoResults(ReleaseNotFound):
    """A label query matched no record; Helm reports it as ``release: not found`` too."""


class ReleaseExists(ReleaseError):
    """A record already exists under that key (Helm's ``ErrReleaseExists``)."""

    def __init__(self, message: str = "release: already exists") -> None:
        super().__init__(message)


class InvalidKey(ReleaseError):
    """A key that is not ``sh.helm.release.v1.<name>.v<version>`` (Helm's ``ErrInvalidKey``)."""

    def __init__(self, message: str = "release: invalid key") -> None:
        super().__init__(message)


class NoDeployedReleases(ReleaseError):
    """No revision of the release is deployed: ``"<name>" has no deployed releases``."""

    def __init__(self, name: str) -> None:
        super().__init__(f'"{name}" has no deployed releases')
        self.name = name


def make_key(name: str, version: int) -> str:
    """Helm's storage key ``sh.helm.release.v1.<name>.v<version>``."""
    return f"{RELEASE_KEY_PREFIX}.{name}.v{version}"


def parse_key(key: str) -> tuple[str, int]:
    """``(name, version)`` of a storage key; raises InvalidKey when it is not one."""
    m = _KEY.match(key)
    if m is None:
        raise InvalidKey()
    return m.group(1), int(m.group(2))


def lease_key(name: str) -> str:
    """The key of a release's operation lease: ``sh.helmlite.lock.v1.<name>``."""
    return f"{LEASE_KEY_PREFIX}.{name}"


def system_labels(release: Release) -> dict[str, str]:
    """The labels a driver derives from the record itself (``name, owner, status, version``)."""
    return {"name": release.name, "owner": OWNER, "status": release.info.status.value, "version": str(release.version)}


def write_namespace(release: Release, driver_namespace: str) -> str:
    """Where a record is written: the release's namespace, else the driver's, else ``default``."""
    return release.namespace or driver_namespace or DEFAULT_NAMESPACE


@runtime_checkable
class LeaseStore(Protocol):
    """Compare-and-swap storage for operation leases, kept in the same store as the records.

    Each method is atomic with the store's own guarantees (one SQL statement, one
    Kubernetes write with a ``resourceVersion`` precondition, one locked dict update). A
    lease is opaque text to the store; ``version`` is the store's change marker for it.
    """

    def read(self, name: str) -> tuple[str, str] | None:
        """``(body, version)`` of the release's lease, or None when there is none."""
        ...

    def create(self, name: str, body: str) -> bool:
        """Store a new lease; False (nothing written) when one already exists."""
        ...

    def swap(self, name: str, version: str, body: str) -> bool:
        """Replace the lease if it is still at ``version``; False (nothing written) otherwise."""
        ...

    def remove(self, name: str, version: str) -> bool:
        """Delete the lease if it is still at ``version``; False (nothing deleted) otherwise."""
        ...


@runtime_checkable
class Driver(Protocol):
    """A release record store (Helm's ``driver.Driver``)."""

    @property
    def name(self) -> str:
        """The driver's name as Helm prints it (``Secret``, ``ConfigMap``, ``Memory``, ``SQL``)."""
        ...

    @property
    def namespace(self) -> str:
        """The namespace reads look in; ``""`` means every namespace."""
        ...

    def get(self, key: str) -> Release:
        """The record under ``key``, with its user labels.

        Raises InvalidKey for a malformed key, ReleaseNotFound when there is no record.
        """
        ...

    def list(self, filter: ReleaseFilter | None = None) -> list[Release]:
        """Every record owned by Helm for which ``filter`` is true (all when None), any order."""
        ...

    def query(self, labels: Mapping[str, str]) -> builtins.list[Release]:
        """Every record whose labels include all of ``labels``; raises NoResults when none does."""
        ...

    def create(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Store a new record with user ``labels``; raises ReleaseExists when ``key`` is taken."""
        ...

    def update(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Replace the record under ``key`` (labels rebuilt); raises ReleaseNotFound when absent."""
        ...

    def delete(self, key: str) -> Release:
        """Remove the record and return it; raises InvalidKey or ReleaseNotFound."""
        ...

    def lease_store(self) -> LeaseStore:
        """The operation-lease store that lives beside this driver's records."""
        ...
