"""Release storage drivers: one narrow protocol, four stores (see ``driver``).

``SecretDriver`` (Helm's default) and ``ConfigMapDriver`` keep records as Kubernetes objects
through an ``ObjectClient``; ``MemoryDriver`` in the process; ``SQLDriver`` in SQLite or
PostgreSQL.

The public names below are re-exported lazily (PEP 562): ``helmlite.release.history``,
``.lock`` and every driver import ``storage.driver``, which runs this package first, and a
release command needs only the one driver it uses (``sql`` alone costs sqlite3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helmlite.lazyexports import lazy_exports

__all__ = [
    "DEFAULT_NAMESPACE",
    "LEASE_KEY_PREFIX",
    "OWNER",
    "RELEASE_KEY_PREFIX",
    "STORAGE_TYPE",
    "SYSTEM_LABELS",
    "ConfigMapDriver",
    "Driver",
    "InMemoryObjectClient",
    "InvalidKey",
    "LeaseStore",
    "MemoryDriver",
    "NoDeployedReleases",
    "NoResults",
    "ObjectClient",
    "ObjectClientError",
    "ObjectConflict",
    "ObjectExists",
    "ObjectNotFound",
    "ReleaseExists",
    "ReleaseFilter",
    "ReleaseNotFound",
    "SQLDriver",
    "SQLStorageError",
    "SecretDriver",
    "lease_key",
    "make_key",
    "parse_key",
]

_HOMES = {
    "helmlite.release.storage.driver": (
        "DEFAULT_NAMESPACE", "LEASE_KEY_PREFIX", "OWNER", "RELEASE_KEY_PREFIX", "STORAGE_TYPE", "SYSTEM_LABELS",
        "Driver", "InvalidKey", "LeaseStore", "NoDeployedReleases", "NoResults", "ReleaseExists", "ReleaseFilter",
        "ReleaseNotFound", "lease_key", "make_key", "parse_key",
    ),
    "helmlite.release.storage.memory": ("MemoryDriver",),
    "helmlite.release.storage.objects": (
        "ConfigMapDriver", "InMemoryObjectClient", "ObjectClient", "ObjectClientError", "ObjectConflict",
        "ObjectExists", "ObjectNotFound", "SecretDriver",
    ),
    "helmlite.release.storage.sql": ("SQLDriver", "SQLStorageError"),
}
__getattr__ = lazy_exports(__name__, _HOMES)

if TYPE_CHECKING:
    from helmlite.release.storage.driver import (
        DEFAULT_NAMESPACE,
        LEASE_KEY_PREFIX,
        OWNER,
        RELEASE_KEY_PREFIX,
        STORAGE_TYPE,
        SYSTEM_LABELS,
        Driver,
        InvalidKey,
        LeaseStore,
        NoDeployedReleases,
        NoResults,
        ReleaseExists,
        ReleaseFilter,
        ReleaseNotFound,
        lease_key,
        make_key,
        parse_key,
    )
    from helmlite.release.storage.memory import MemoryDriver
    from helmlite.release.storage.objects import (
        ConfigMapDriver,
        InMemoryObjectClient,
        ObjectClient,
        ObjectClientError,
        ObjectConflict,
        ObjectExists,
        ObjectNotFound,
        SecretDriver,
    )
    from helmlite.release.storage.sql import SQLDriver, SQLStorageError
