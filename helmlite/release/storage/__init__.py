"""Release storage drivers: one narrow protocol, four stores (see ``driver``).

``SecretDriver`` (Helm's default) and ``ConfigMapDriver`` keep records as Kubernetes objects
through an ``ObjectClient``; ``MemoryDriver`` in the process; ``SQLDriver`` in SQLite or
PostgreSQL.
"""

from __future__ import annotations

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
