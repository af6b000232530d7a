"""Releases: the revision record, its storage, the history policy and operation leases.

model      Release / Info / Hook / Status, Helm's release v1 JSON, ``chart_to_json``
codec      Helm's storage encoding, base64(gzip(json))
storage    the Driver protocol and the secret, configmap, memory and sql drivers
history    ``Storage``: history, last, deployed, listings, --history-max pruning
lock       ``OperationLock``: one operation at a time per release, never stuck

The public names below are re-exported lazily (PEP 562): importing ``helmlite.release.model``
must not load the storage drivers (sqlite3, sockets, uuid) that only release commands use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helmlite.lazyexports import lazy_exports

__all__ = [
    "DEFAULT_LEASE_TTL_SECONDS",
    "DEFAULT_MAX_HISTORY",
    "ApplyMethod",
    "Hook",
    "HookExecution",
    "HookPhase",
    "Info",
    "InvalidKey",
    "LeaseHolder",
    "LeaseLost",
    "NoDeployedReleases",
    "NoResults",
    "OperationInProgress",
    "OperationLease",
    "OperationLock",
    "Release",
    "ReleaseDecodeError",
    "ReleaseError",
    "ReleaseExists",
    "ReleaseNotFound",
    "Status",
    "Storage",
    "Timestamp",
    "chart_to_json",
    "decode",
    "encode",
    "latest_revisions",
    "make_key",
    "release_json",
]

_HOMES = {
    "helmlite.release.codec": ("decode", "encode", "release_json"),
    "helmlite.release.history": ("DEFAULT_MAX_HISTORY", "Storage", "latest_revisions"),
    "helmlite.release.lock": (
        "DEFAULT_LEASE_TTL_SECONDS", "LeaseHolder", "LeaseLost", "OperationInProgress", "OperationLease",
        "OperationLock",
    ),
    "helmlite.release.model": (
        "ApplyMethod", "Hook", "HookExecution", "HookPhase", "Info", "Release", "ReleaseDecodeError",
        "ReleaseError", "Status", "Timestamp", "chart_to_json",
    ),
    "helmlite.release.storage": (
        "InvalidKey", "NoDeployedReleases", "NoResults", "ReleaseExists", "ReleaseNotFound", "make_key",
    ),
}
__getattr__ = lazy_exports(__name__, _HOMES)

if TYPE_CHECKING:
    from helmlite.release.codec import decode, encode, release_json
    from helmlite.release.history import DEFAULT_MAX_HISTORY, Storage, latest_revisions
    from helmlite.release.lock import (
        DEFAULT_LEASE_TTL_SECONDS,
        LeaseHolder,
        LeaseLost,
        OperationInProgress,
        OperationLease,
        OperationLock,
    )
    from helmlite.release.model import (
        ApplyMethod,
        Hook,
        HookExecution,
        HookPhase,
        Info,
        Release,
        ReleaseDecodeError,
        ReleaseError,
        Status,
        Timestamp,
        chart_to_json,
    )
    from helmlite.release.storage import (
        InvalidKey,
        NoDeployedReleases,
        NoResults,
        ReleaseExists,
        ReleaseNotFound,
        make_key,
    )
