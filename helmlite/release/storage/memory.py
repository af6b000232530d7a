"""The in-process driver (Helm's ``Memory``): records in a dict, per namespace.

What action tests run on, and what ``--driver memory`` gives (nothing outlives the process).
Records are kept as ``Release`` objects, not encoded, as Helm's memory driver keeps its
structs; callers must treat returned records as read-only.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import count

from helmlite.release.model import Release
from helmlite.release.storage.driver import (
    SYSTEM_LABELS,
    LeaseStore,
    NoResults,
    ReleaseExists,
    ReleaseFilter,
    ReleaseNotFound,
    parse_key,
    system_labels,
    write_namespace,
)

__all__ = ["MemoryDriver"]


@dataclass
class _Record:
    release: Release
    user_labels: dict[str, str]
    # Every label of the record, as a Secret would carry them.
    labels: dict[str, str]


@dataclass
class _Store:
    """The data shared by every namespace view of one memory driver."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    # namespace -> key -> record
    records: dict[str, dict[str, _Record]] = field(default_factory=dict)
    # (namespace, lease key) -> (body, version)
    leases: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    versions: count[int] = field(default_factory=lambda: count(1))


class MemoryDriver:
    """Release records in memory, namespace-aware like Helm's memory driver.

    ``for_namespace`` gives another view of the same records (``""`` = every namespace).
    """

    def __init__(self, namespace: str = "default", *, clock: Callable[[], float] = time.time) -> None:
        self._namespace = namespace
        self._clock = clock
        self._store = _Store()

    @property
    def name(self) -> str:
        return "Memory"

    @property
    def namespace(self) -> str:
        return self._namespace

    def for_namespace(self, namespace: str) -> MemoryDriver:
        """A driver over the same records whose reads look in ``namespace``."""
        view = MemoryDriver(namespace, clock=self._clock)
        view._store = self._store
        return view

    def _scopes(self) -> list[dict[str, _Record]]:
        if self._namespace:
            return [self._store.records.get(self._namespace, {})]
        return [self._store.records[ns] for ns in sorted(self._store.records)]

    def _find(self, key: str) -> tuple[str, _Record] | None:
        for ns in [self._namespace] if self._namespace else sorted(self._store.records):
            record = self._store.records.get(ns, {}).get(key)
            if record is not None:
                return ns, record
        return None

    def _record(self, release: Release, labels: Mapping[str, str], stamp_label: str) -> _Record:
        user = {k: v for k, v in labels.items() if k not in SYSTEM_LABELS}
        every = {**user, stamp_label: str(int(self._clock())), **system_labels(release)}
        return _Record(release, user, every)

    def get(self, key: str) -> Release:
        """The record under ``key`` with its user labels; raises InvalidKey or ReleaseNotFound."""
        parse_key(key)
        with self._store.lock:
            found = self._find(key)
        if found is None:
            raise ReleaseNotFound()
        record = found[1]
        return replace(record.release, labels=dict(record.user_labels))

    def list(self, filter: ReleaseFilter | None = None) -> list[Release]:
        """Every record in scope passing ``filter``, with all its labels."""
        with self._store.lock:
            records = [r for scope in self._scopes() for r in scope.values()]
        releases = [replace(r.release, labels=dict(r.labels)) for r in records]
        return [rel for rel in releases if filter is None or filter(rel)]

    def query(self, labels: Mapping[str, str]) -> builtins.list[Release]:
        """Records in scope carrying every label of ``labels``; raises NoResults when none."""
        wanted = dict(labels).items()
        with self._store.lock:
            records = [r for scope in self._scopes() for r in scope.values() if wanted <= r.labels.items()]
        if not records:
            raise NoResults()
        return [replace(r.release, labels=dict(r.labels)) for r in records]

    def create(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Store a new record; raises ReleaseExists when the key is taken in its namespace."""
        parse_key(key)
        ns = write_namespace(release, self._namespace)
        record = self._record(release, labels, "createdAt")
        with self._store.lock:
            scope = self._store.records.setdefault(ns, {})
            if key in scope:
                raise ReleaseExists()
            scope[key] = record

    def update(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Replace a record (labels rebuilt, ``modifiedAt`` set); raises ReleaseNotFound."""
        parse_key(key)
        ns = write_namespace(release, self._namespace)
        record = self._record(release, labels, "modifiedAt")
        with self._store.lock:
            scope = self._store.records.get(ns, {})
            if key not in scope:
                raise ReleaseNotFound()
            scope[key] = record

    def delete(self, key: str) -> Release:
        """Remove a record and return it (user labels); raises InvalidKey or ReleaseNotFound."""
        parse_key(key)
        with self._store.lock:
            found = self._find(key)
            if found is None:
                raise ReleaseNotFound()
            ns, record = found
            del self._store.records[ns][key]
        return replace(record.release, labels=dict(record.user_labels))

    def lease_store(self) -> LeaseStore:
        """Leases kept in the same in-memory store, in this driver's namespace."""
        return _MemoryLeases(self._store, self._namespace or "default")


class _MemoryLeases:
    """Compare-and-swap on a dict under the store's lock (one process only, by nature)."""

    def __init__(self, store: _Store, namespace: str) -> None:
        self._store = store
        self._namespace = namespace

    def read(self, name: str) -> tuple[str, str] | None:
        with self._store.lock:
            return self._store.leases.get((self._namespace, name))

    def create(self, name: str, body: str) -> bool:
        with self._store.lock:
            if (self._namespace, name) in self._store.leases:
                return False
            self._store.leases[(self._namespace, name)] = (body, str(next(self._store.versions)))
            return True

    def swap(self, name: str, version: str, body: str) -> bool:
        with self._store.lock:
            current = self._store.leases.get((self._namespace, name))
            if current is None or current[1] != version:
                return False
            self._store.leases[(self._namespace, name)] = (body, str(next(self._store.versions)))
            return True

    def remove(self, name: str, version: str) -> bool:
        with self._store.lock:
            current = self._store.leases.get((self._namespace, name))
            if current is None or current[1] != version:
                return False
            del self._store.leases[(self._namespace, name)]
            return True
